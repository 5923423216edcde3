"""/healthz: the database and the broker for everyone (load balancers, container checks); for staff also the outbox
by status and the last run of each periodic job (what an operator looks at first)."""

from __future__ import annotations

from django.db import DatabaseError
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.core.jobs import jobs_last_runs
from portal.core.views import health_checks
from portal.outbox.selectors import outbox_summary


@never_cache
@require_GET
def healthz(request):
    ok, body = health_checks()
    if request.user.is_authenticated and request.user.is_staff and body["database"]["ok"]:
        try:
            body["outbox"] = outbox_summary()
            body["jobs"] = jobs_last_runs()
        except DatabaseError:
            body["detail_error"] = "the database did not answer"
    return JsonResponse(body, status=200 if ok else 503)
