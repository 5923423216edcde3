from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "engagement"
    verbose_name = _("Engagement")

    def ready(self) -> None:
        # Celery autodiscovers engagement.tasks only; the health tasks live in their own module.
        from engagement import tasks_health  # noqa: F401
        from engagement.search_kinds import register_kinds

        register_kinds()
