"""The URL configuration as data for the URL walk: every route, how its kwargs are filled, who may call it.

A route that appears in none of the tables below makes `test_every_route_is_covered` fail with its name:
a new page or endpoint must say here which object its `pk` stands for (or that it is public / personal).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str
    path: str
    kwargs: tuple[str, ...]


def all_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str | None) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = entry.namespace
                ns = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
                walk(entry, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}:{entry.name}" if namespace else (entry.name or str(entry.pattern))
                kwargs = tuple(entry.pattern.converters) if hasattr(entry.pattern, "converters") else ()
                routes.append(Route(name, prefix + str(entry.pattern), kwargs))

    walk(get_resolver(), "/", None)
    return routes


# Public by design: reachable without log-in; the walk requests them anonymously (GET) and expects no 5xx.
# Token routes are requested with forged tokens (the token itself is the credential).
PUBLIC = {
    "healthz",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "accounts:language",
    "accounts:invite-accept",
    "engagement:action-link",
    "engagement:unsubscribe",
    "engagement:calendar-feed",
    "api:auth-token",
    "api:schema",
    "api:docs",
    "api:not-found",
    # E-mail providers' webhooks (django-anymail: bounces and complaints, replies by e-mail): authenticated by their
    # shared secret.
    "anymail:postmark_tracking_webhook",
    "anymail:postmark_inbound_webhook",
    "anymail:mailjet_inbound_webhook",
    "anymail:sparkpost_inbound_webhook",
}

# Personal pages: no project in the URL, a logged-in person sees only their own things (200 allowed,
# but never the foreign project's text); anonymous gets the log-in redirect or 401/403.
PERSONAL = {
    "home",
    "password_change",
    "password_change_done",
    "accounts:preferences",
    "accounts:calendar",
    "projects:create",
    "engagement:attention",
    "engagement:digests",
    "api:auth-tokens",
    "api:me",
    "api:project-list",
    "api:digest-list",
    "api:my-task-list",
    "projects:search",
    "api:search",
    "conversations:inbox",
    "conversations:inbox-read-all",
    "api:inbox",
    "api:inbox-read",
    "accounts:absence-add",
    "api:me-absence-list",
    "projects:my-tasks",
    "projects:my-tasks-csv",
    "projects:my-task-filter-new",
    "api:me-task-list",
    "api:me-task-filter-list",
}

# Project routes whose only kwarg is the slug: the foreign project's slug.
SLUG_ONLY = {
    "projects:overview",
    "projects:edit",
    "projects:activity",
    "projects:tasks",
    "projects:task-new",
    "projects:risks",
    "projects:people",
    "engagement:plan",
    "engagement:plan-edit",
    "engagement:plan-print",
    "engagement:plan-versions",
    "engagement:plan-signed-pdf",
    "engagement:plan-request-signoff",
    "engagement:plan-signoff",
    "engagement:stakeholder-new",
    "engagement:meetings",
    "engagement:series-new",
    "engagement:meeting-new",
    "engagement:overview-meeting",
    "engagement:overview-decisions",
    "engagement:decisions",
    "engagement:decision-new",
    "engagement:decisions-pdf",
    "engagement:timeline",
    "engagement:milestone-new",
    "api:milestone-list",
    "engagement:health",
    "engagement:health-override",
    "engagement:health-override-clear",
    "projects:tasks-csv",
    "api:project-detail",
    "api:project-archive",
    "api:membership-list",
    "api:invitation-list",
    "api:task-list",
    "api:risk-list",
    "api:audit-list",
    "api:plan",
    "api:plan-request-sign-off",
    "api:plan-sign-off",
    "api:plan-version-list",
    "api:plan-version-compare",
    "api:stakeholder-list",
    "api:series-list",
    "api:meeting-list",
    "api:decision-list",
    "api:decision-propose",
    "api:health-list",
    "api:mentionable-list",
    "engagement:absences",
    "engagement:quiet-period-add",
    "api:project-absence-list",
    "api:quiet-period-list",
}

# Routes with a pk: which of the foreign objects it stands for.
PK_OBJECT = {
    "projects:task": "task",
    "projects:task-edit": "task",
    "projects:task-assign": "task",
    "projects:task-complete": "task",
    "projects:task-cancel": "task",
    "projects:task-report": "task",
    "projects:risk": "risk",
    "projects:risk-close": "risk",
    "projects:invitation-resend": "invitation",
    "projects:invitation-revoke": "invitation",
    "projects:member-role": "membership",
    "projects:member-remove": "membership",
    "engagement:stakeholder-edit": "stakeholder",
    "engagement:stakeholder-remove": "stakeholder",
    "engagement:series-end": "series",
    "engagement:series-edit": "series",
    "engagement:meeting": "meeting",
    "engagement:meeting-agenda": "meeting",
    "engagement:meeting-agenda-draft": "meeting",
    "engagement:meeting-cancel": "meeting",
    "engagement:meeting-reschedule": "meeting",
    "engagement:meeting-hold": "meeting",
    "engagement:meeting-rsvp": "meeting",
    "engagement:meeting-ics": "meeting",
    "engagement:decision": "decision",
    "engagement:milestone-edit": "milestone",
    "engagement:milestone-remove": "milestone",
    "api:milestone-detail": "milestone",
    "engagement:decision-approve": "decision",
    "engagement:decision-reject": "decision",
    "engagement:decision-supersede": "decision",
    "engagement:decision-respond": "decision",
    "engagement:health-warning-ack": "warning",
    "engagement:digest": "digest",
    "api:membership-detail": "membership",
    "api:invitation-resend": "invitation",
    "api:invitation-revoke": "invitation",
    "api:task-detail": "task",
    "api:task-assign": "task",
    "api:task-complete": "task",
    "api:task-cancel": "task",
    "api:report-list": "task",
    "api:risk-detail": "risk",
    "api:risk-close": "risk",
    "api:stakeholder-detail": "stakeholder",
    "api:series-detail": "series",
    "api:series-end": "series",
    "api:meeting-detail": "meeting",
    "api:meeting-rsvp": "meeting",
    "api:meeting-hold": "meeting",
    "api:meeting-cancel": "meeting",
    "api:meeting-reschedule": "meeting",
    "api:meeting-attendance": "meeting",
    "api:decision-detail": "decision",
    "api:decision-approve": "decision",
    "api:decision-reject": "decision",
    "api:decision-supersede": "decision",
    "api:decision-responses": "decision",
    "api:digest-detail": "digest",
    "conversations:task-comments": "task",
    "conversations:task-follow": "task",
    "conversations:decision-comments": "decision",
    "conversations:decision-follow": "decision",
    "conversations:meeting-comments": "meeting",
    "conversations:meeting-follow": "meeting",
    "conversations:risk-comments": "risk",
    "conversations:risk-follow": "risk",
    "conversations:comment-edit": "comment",
    "conversations:comment-remove": "comment",
    "conversations:inbox-open": "notification",
    "api:task-comment-list": "task",
    "api:decision-comment-list": "decision",
    "api:meeting-comment-list": "meeting",
    "api:risk-comment-list": "risk",
    "api:comment-detail": "comment",
    **{f"conversations:{field}-files": field for field in ("task", "decision", "meeting", "risk")},
    **{f"api:{field}-file-list": field for field in ("task", "decision", "meeting", "risk")},
    # A file's routes: `pk` is its object's, `file_id` the file's (the walk fills both from the file).
    **{f"api:{field}-file-{what}": f"{field}_file" for field in ("task", "decision", "meeting", "risk") for what in ("detail", "download")},
    "conversations:file-download": "task_file",
    "conversations:file-preview": "task_file",
    "conversations:file-remove": "task_file",
    "accounts:absence-remove": "absence",
    "engagement:absence-remove": "absence",
    "engagement:quiet-period-remove": "quiet_period",
    "api:me-absence-detail": "absence",
    "api:project-absence-detail": "absence",
    "api:quiet-period-detail": "quiet_period",
    "projects:my-task-filter": "saved_filter",
    "projects:my-task-filter-delete": "saved_filter",
    "api:me-task-filter-detail": "saved_filter",
    "engagement:plan-unreachable-clear": "suppression",
}

# Routes with someone else's secret in the path (not a credential: an id the caller must own).
FOREIGN_TOKEN = {"api:auth-token-detail", "accounts:token-revoke"}


def is_admin(route: Route) -> bool:
    return route.name.startswith("admin:") or route.path.startswith("/admin/")


def uncovered(routes: list[Route]) -> list[str]:
    known = PUBLIC | PERSONAL | SLUG_ONLY | set(PK_OBJECT) | FOREIGN_TOKEN
    return sorted(r.name for r in routes if not is_admin(r) and r.name not in known)
