"""Shared pieces of the workspace views: the tab frame, service calls that report errors on the form."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from portal.core.exceptions import ApplicationError, ConflictError
from projects.permissions import ProjectAccess
from projects.selectors.workspace import project_health


def run_service(request, form, call: Callable):
    """Call a service; its ValidationError / ApplicationError become errors on `form`. Returns the result or None."""
    try:
        return call()
    except ConflictError as error:
        form.add_error(None, error.message)
    except ApplicationError as error:
        form.add_error(None, error.message)
    except ValidationError as error:
        form.add_service_error(error)
    return None


def run_action(request, call: Callable, success: str) -> bool:
    """Call a service for a form-less action (button); report the outcome as a message."""
    try:
        call()
    except ApplicationError as error:
        messages.error(request, error.message)
        return False
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    messages.success(request, success)
    return True


def invalid_status(request) -> int:
    """htmx swaps only 2xx responses; a plain form post answers 400 with the errors."""
    return 200 if getattr(request, "htmx", False) else 400


def _url(name: str, slug: str) -> str | None:
    try:
        return reverse(name, kwargs={"slug": slug})
    except NoReverseMatch:
        return None


TABS = (
    ("overview", _("Overview"), "projects:overview", False),
    ("tasks", _("Tasks"), "projects:tasks", False),
    ("timeline", _("Timeline"), "engagement:timeline", False),
    ("plan", _("Plan"), "engagement:plan", False),
    ("meetings", _("Meetings"), "engagement:meetings", False),
    ("decisions", _("Decisions"), "engagement:decisions", False),
    ("risks", _("Risks"), "projects:risks", False),
    ("people", _("People"), "projects:people", False),
    ("activity", _("Activity"), "projects:activity", True),
    ("health", _("Health"), "engagement:health", True),
)


def workspace_tabs(access: ProjectAccess, current: str) -> list[dict]:
    tabs = []
    for key, label, name, staff_only in TABS:
        if staff_only and not access.can_see_internal:
            continue
        url = _url(name, access.project.slug)
        if url:
            tabs.append({"key": key, "label": label, "url": url, "current": key == current})
    return tabs


def render_tab(request, access: ProjectAccess, tab: str, template: str, context: dict | None = None, status: int = 200):
    """Render a workspace page: header (name, client, status, launch, health for staff) and tabs."""
    ctx = {
        "access": access,
        "project": access.project,
        "tabs": workspace_tabs(access, tab),
        "current_tab": tab,
        "health": project_health(access.project) if access.can_see_health else None,
        "health_url": _url("engagement:health", access.project.slug) if access.can_see_health else None,
        **(context or {}),
    }
    return render(request, template, ctx, status=status)
