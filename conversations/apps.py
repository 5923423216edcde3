from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from conversations.inbox import ConversationsInbox
        from conversations.search_kinds import register_kinds
        from projects import inbox

        register_kinds()
        inbox.plug(ConversationsInbox())
