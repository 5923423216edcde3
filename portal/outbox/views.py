"""The password-reset request page: Django's page and template, the mail queued in the outbox."""

from __future__ import annotations

from django.contrib.auth.views import PasswordResetView
from django.http import HttpResponseRedirect

from portal.core.addresses import client_address
from portal.core.exceptions import RateLimited
from portal.outbox.password_reset import password_reset_request


class PasswordResetRequestView(PasswordResetView):
    """Answers the same for every address; 429 with the typed address kept when the network asked too often."""

    def form_valid(self, form):
        try:
            password_reset_request(email=form.cleaned_data["email"], address=client_address(self.request))
        except RateLimited as error:
            form.add_error(None, error.message)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return HttpResponseRedirect(self.get_success_url())
