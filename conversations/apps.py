from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from anymail.signals import inbound

        from conversations.inbound.webhooks import on_inbound
        from conversations.inbox import ConversationsInbox
        from conversations.search_kinds import register_kinds
        from projects import inbox

        register_kinds()
        # django-anymail hands inbound webhooks over as this signal (the library's one integration point).
        inbound.connect(on_inbound, dispatch_uid="conversations.inbound")
        inbox.plug(ConversationsInbox())
