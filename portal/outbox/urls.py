"""E-mail providers' bounce and complaint webhooks (django-anymail's tracking views; portal/outbox/bounces.py).

Served only when `ANYMAIL["WEBHOOK_SECRET"]` is set (HTTP basic auth, given to the provider in the webhook URL).
Postmark needs nothing more; Mailgun also signs its webhooks and is served when its signing key is set too.
"""

from __future__ import annotations

from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from django.conf import settings
from django.urls import path

app_name = "anymail"

urlpatterns = [
    path("postmark/tracking/", PostmarkTrackingWebhookView.as_view(), name="postmark_tracking_webhook"),
]
if settings.ANYMAIL.get("MAILGUN_WEBHOOK_SIGNING_KEY"):
    urlpatterns.append(path("mailgun/tracking/", MailgunTrackingWebhookView.as_view(), name="mailgun_tracking_webhook"))
