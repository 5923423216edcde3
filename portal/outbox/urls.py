"""E-mail providers' webhooks through django-anymail's views: bounces and complaints (`tracking`, handled by
portal/outbox/bounces.py) and replies by e-mail (`inbound`, handled by conversations/inbound/ through anymail's
`inbound` signal).

Served only when `ANYMAIL["WEBHOOK_SECRET"]` is set (HTTP basic auth, given to the provider in the webhook URL).
Postmark, Mailjet and SparkPost need nothing more; Mailgun also signs its webhooks and is served when its signing key
is set too.
"""

from __future__ import annotations

from anymail.webhooks.mailgun import MailgunInboundWebhookView, MailgunTrackingWebhookView
from anymail.webhooks.mailjet import MailjetInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView, PostmarkTrackingWebhookView
from anymail.webhooks.sparkpost import SparkPostInboundWebhookView
from django.conf import settings
from django.urls import path

app_name = "anymail"

urlpatterns = [
    path("postmark/tracking/", PostmarkTrackingWebhookView.as_view(), name="postmark_tracking_webhook"),
    path("postmark/inbound/", PostmarkInboundWebhookView.as_view(), name="postmark_inbound_webhook"),
    # Inbound webhooks authenticated by the secret alone.
    path("mailjet/inbound/", MailjetInboundWebhookView.as_view(), name="mailjet_inbound_webhook"),
    path("sparkpost/inbound/", SparkPostInboundWebhookView.as_view(), name="sparkpost_inbound_webhook"),
]
if settings.ANYMAIL.get("MAILGUN_WEBHOOK_SIGNING_KEY"):
    urlpatterns += [
        path("mailgun/tracking/", MailgunTrackingWebhookView.as_view(), name="mailgun_tracking_webhook"),
        path("mailgun/inbound/", MailgunInboundWebhookView.as_view(), name="mailgun_inbound_webhook"),
    ]
