"""PDF downloads of the decision log and the signed plan; combined in the app's urls.py."""

from django.urls import path

from engagement.views import exports

P = "projects/<slug:slug>/"

urlpatterns = [
    path(P + "decisions/log.pdf", exports.decision_log_pdf, name="decisions-pdf"),
    path(P + "plan/signed.pdf", exports.plan_signed_pdf, name="plan-signed-pdf"),
]
