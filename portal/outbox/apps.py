from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "portal.outbox"
    label = "outbox"
    verbose_name = _("Outbox")

    def ready(self) -> None:
        # Registers the outbox's Celery tasks in every process, so the services hand rows over by task name.
        from portal.outbox import tasks  # noqa: F401
