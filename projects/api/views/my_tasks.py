"""The caller's own tasks across their projects ("my tasks", team and managers) and their saved filters."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from portal.core.api.common import ApiView, example
from projects.api import serializers as s
from projects.forms import MyTaskFilterForm
from projects.models import SavedTaskFilter, Task
from projects.permissions import my_tasks_access, saved_filter_access
from projects.selectors.my_tasks import my_task_people, my_task_projects, my_tasks, saved_task_filters
from projects.services import saved_filters

FILTER_PARAMETERS = [
    OpenApiParameter("project", str, description="A project's slug (one of the caller's projects)."),
    OpenApiParameter("side", str, enum=["client", "team"]),
    OpenApiParameter("owner", int, description="The owner's id: the caller, or a client person they gave a task to."),
    OpenApiParameter("status", str, description="A task status, `all`, or empty for the open tasks (the default)."),
    OpenApiParameter("overdue", OpenApiTypes.BOOL, description="Only open tasks past their due date."),
    OpenApiParameter("saved", int, description="Apply one of the caller's saved filters (the other parameters are then ignored)."),
]


def _form(user, data) -> MyTaskFilterForm:
    """The page's filter form, strict: a value it does not accept is a 400 naming the field."""
    form = MyTaskFilterForm(data, projects=my_task_projects(user), people=my_task_people(user))
    if not form.is_valid():
        raise exceptions.ValidationError({name: list(errors) for name, errors in form.errors.items()})
    return form


class MeTaskListView(ApiView):
    """The caller's tasks (owned, or given by them to client people) across their projects, due first, under the
    My tasks page's filters. Team members and managers; client people have `awaiting_me` on `/api/v1/me/` instead (404)."""

    queryset = Task.objects.none()
    filter_backends: list = []

    @extend_schema(operation_id="me_tasks_list", tags=["tasks"], parameters=FILTER_PARAMETERS, responses=s.TaskOutputSerializer(many=True))
    def get(self, request):
        my_tasks_access(user=request.user)
        data = request.query_params
        if "saved" in data:
            saved = saved_filter_access(user=request.user, filter_id=_id(data["saved"], "saved"))
            form = MyTaskFilterForm(saved.filters, projects=my_task_projects(request.user), people=my_task_people(request.user))
            form = MyTaskFilterForm(form.valid_query(), projects=my_task_projects(request.user), people=my_task_people(request.user))
        else:
            form = _form(request.user, data)
        return self.page(my_tasks(request.user, **form.task_filters()), s.TaskOutputSerializer)


def _id(value: str, name: str) -> int:
    if not value.isdigit() or len(value) > 18:
        raise exceptions.ValidationError({name: ["A whole number."]})
    return int(value)


def _filters(user, filters: dict | None) -> dict | None:
    if filters is None:
        return None
    try:
        return _form(user, filters).valid_query()
    except exceptions.ValidationError as error:
        raise exceptions.ValidationError({"filters": error.detail}) from error


class SavedTaskFilterListView(ApiView):
    """The caller's saved My tasks filters, by name; save a new one (a name unique among the caller's own)."""

    queryset = SavedTaskFilter.objects.none()
    filter_backends: list = []

    @extend_schema(operation_id="me_task_filters_list", tags=["tasks"], responses=s.SavedTaskFilterOutputSerializer(many=True))
    def get(self, request):
        my_tasks_access(user=request.user)
        return self.page(saved_task_filters(request.user), s.SavedTaskFilterOutputSerializer)

    @extend_schema(
        operation_id="me_task_filters_create",
        tags=["tasks"],
        request=s.SavedTaskFilterCreateInputSerializer,
        responses={201: s.SavedTaskFilterOutputSerializer},
        examples=[example("Overdue for Acme", {"name": "Overdue for Acme", "filters": {"project": "acme-portal", "overdue": "on"}, "is_default": True}, request=True)],
    )
    def post(self, request):
        my_tasks_access(user=request.user)
        data = s.SavedTaskFilterCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["filters"] = _filters(request.user, fields.get("filters") or {})
        saved = saved_filters.saved_filter_create(actor=request.user, **fields)
        return Response(s.SavedTaskFilterOutputSerializer(saved).data, status=status.HTTP_201_CREATED)


class SavedTaskFilterDetailView(ApiView):
    """One of the caller's saved filters: rename it, change its filters, make it the one opened first, delete it."""

    @extend_schema(operation_id="me_task_filters_retrieve", tags=["tasks"], responses=s.SavedTaskFilterOutputSerializer)
    def get(self, request, pk: int):
        saved = saved_filter_access(user=request.user, filter_id=pk)
        return Response(s.SavedTaskFilterOutputSerializer(saved).data)

    @extend_schema(
        operation_id="me_task_filters_partial_update",
        tags=["tasks"],
        request=s.SavedTaskFilterUpdateInputSerializer,
        responses=s.SavedTaskFilterOutputSerializer,
        examples=[example("Rename", {"name": "Late at Acme"}, request=True)],
    )
    def patch(self, request, pk: int):
        saved = saved_filter_access(user=request.user, filter_id=pk)
        data = s.SavedTaskFilterUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "filters" in fields:
            fields["filters"] = _filters(request.user, fields["filters"])
        saved = saved_filters.saved_filter_update(actor=request.user, saved=saved, **fields)
        return Response(s.SavedTaskFilterOutputSerializer(saved).data)

    @extend_schema(operation_id="me_task_filters_destroy", tags=["tasks"], responses={204: None})
    def delete(self, request, pk: int):
        saved = saved_filter_access(user=request.user, filter_id=pk)
        saved_filters.saved_filter_delete(actor=request.user, saved=saved)
        return Response(status=status.HTTP_204_NO_CONTENT)
