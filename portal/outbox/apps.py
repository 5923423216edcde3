from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "portal.outbox"
    label = "outbox"
    verbose_name = _("Outbox")

    def ready(self) -> None:
        # Registers the outbox's Celery tasks in every process, so the services hand rows over by task name.
        # Provider webhooks (django-anymail) report bounces and complaints only through anymail's `tracking` signal.
        from anymail.signals import tracking

        from portal.outbox import tasks  # noqa: F401
        from portal.outbox.bounces import on_tracking

        tracking.connect(on_tracking, dispatch_uid="rapport.outbox.bounces")
