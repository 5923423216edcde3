"""Tasks and their progress reports (append-only)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from portal.core.api.common import IF_MATCH, ApiView, example, expected_version
from projects.api import filters
from projects.api import serializers as s
from projects.models import ProgressReport, Task
from projects.permissions import project_access, task_access
from projects.selectors import core as selectors
from projects.services import reports, tasks

TASK_EXAMPLE = {"title": "Send the brand guidelines", "owner": 12, "due_date": "2026-12-04", "priority": "high"}


def _task(request, slug: str, pk: int):
    return task_access(user=request.user, task_id=pk, slug=slug)


class TaskListView(ApiView):
    """Tasks of the project, with owner and last report (internal tasks only for the team). Manager, team and client leads create tasks (client leads for people of their own company)."""

    queryset = Task.objects.none()
    filterset_class = filters.TaskFilter
    ordering_fields = ["due_date", "priority", "status", "created_at", "last_reported_at", "title"]

    @extend_schema(operation_id="tasks_list", tags=["tasks"], responses=s.TaskOutputSerializer(many=True))
    def get(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        return self.page(selectors.task_rows_for_project(access), s.TaskOutputSerializer)

    @extend_schema(
        operation_id="tasks_create",
        tags=["tasks"],
        request=s.TaskCreateInputSerializer,
        responses={201: s.TaskOutputSerializer},
        examples=[example("A client task", TASK_EXAMPLE, request=True)],
    )
    def post(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        data = s.TaskCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = tasks.task_create(actor=request.user, project=access.project, **data.validated_data)
        return self.with_etag(Response(s.TaskOutputSerializer(task).data, status=status.HTTP_201_CREATED), task.version)


class MyTaskListView(ApiView):
    """Every task the caller may see across their projects (client people never see internal ones); `project` narrows to one."""

    queryset = Task.objects.none()
    filterset_class = filters.MyTaskFilter
    ordering_fields = ["due_date", "priority", "status", "created_at", "last_reported_at", "title"]

    @extend_schema(operation_id="my_tasks_list", tags=["tasks"], responses=s.TaskOutputSerializer(many=True))
    def get(self, request):
        return self.page(selectors.task_rows_for_user(request.user), s.TaskOutputSerializer)


class TaskDetailView(ApiView):
    """One task with its `ETag`; editing needs `If-Match` or `version` to avoid lost updates (409 on mismatch)."""

    @extend_schema(operation_id="tasks_retrieve", tags=["tasks"], responses=s.TaskOutputSerializer)
    def get(self, request, slug: str, pk: int):
        task, _access = _task(request, slug, pk)
        return self.with_etag(Response(s.TaskOutputSerializer(task).data), task.version)

    @extend_schema(
        operation_id="tasks_partial_update",
        tags=["tasks"],
        parameters=[IF_MATCH],
        request=s.TaskUpdateInputSerializer,
        responses=s.TaskOutputSerializer,
        examples=[example("Move the due date", {"due_date": "2026-12-11", "version": 3}, request=True)],
    )
    def patch(self, request, slug: str, pk: int):
        task, _access = _task(request, slug, pk)
        data = s.TaskUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        version = expected_version(request, fields.pop("version", None))
        task = tasks.task_update(actor=request.user, task=task, expected_version=version, **fields)
        return self.with_etag(Response(s.TaskOutputSerializer(task).data), task.version)


class TaskAssignView(ApiView):
    """Give the task to another member (client leads: only to their own company)."""

    @extend_schema(
        operation_id="tasks_assign",
        tags=["tasks"],
        parameters=[IF_MATCH],
        request=s.TaskAssignInputSerializer,
        responses=s.TaskOutputSerializer,
        examples=[example("Give it to the client lead", {"owner": 12}, request=True)],
    )
    def post(self, request, slug: str, pk: int):
        task, _access = _task(request, slug, pk)
        data = s.TaskAssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = expected_version(request, data.validated_data.get("version"))
        task = tasks.task_assign(actor=request.user, task=task, owner=data.validated_data["owner"], expected_version=version)
        return self.with_etag(Response(s.TaskOutputSerializer(task).data), task.version)


class TaskCompleteView(ApiView):
    """Close the task as done: whoever may edit it or report on it."""

    @extend_schema(
        operation_id="tasks_complete",
        tags=["tasks"],
        parameters=[IF_MATCH],
        request=s.TaskCompleteInputSerializer,
        responses=s.TaskOutputSerializer,
        examples=[example("Done, as of version 4", {"version": 4}, request=True)],
    )
    def post(self, request, slug: str, pk: int):
        task, _access = _task(request, slug, pk)
        data = s.TaskCompleteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = expected_version(request, data.validated_data.get("version"))
        task = tasks.task_complete(actor=request.user, task=task, expected_version=version)
        return self.with_etag(Response(s.TaskOutputSerializer(task).data), task.version)


class TaskCancelView(ApiView):
    """Cancel an open task, with a reason kept in the audit log."""

    @extend_schema(
        operation_id="tasks_cancel",
        tags=["tasks"],
        parameters=[IF_MATCH],
        request=s.TaskCancelInputSerializer,
        responses=s.TaskOutputSerializer,
        examples=[example("Not needed any more", {"reason": "Replaced by the new brief"}, request=True)],
    )
    def post(self, request, slug: str, pk: int):
        task, _access = _task(request, slug, pk)
        data = s.TaskCancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = expected_version(request, data.validated_data.get("version"))
        task = tasks.task_cancel(actor=request.user, task=task, reason=data.validated_data.get("reason", ""), expected_version=version)
        return self.with_etag(Response(s.TaskOutputSerializer(task).data), task.version)


class ReportListView(ApiView):
    """The task's progress reports, newest first (append-only: no edit, no delete). The owner, the manager, and client leads for their company's tasks report."""

    queryset = ProgressReport.objects.none()
    ordering_fields = ["created_at", "percent"]

    @extend_schema(operation_id="reports_list", tags=["tasks"], responses=s.ReportOutputSerializer(many=True))
    def get(self, request, slug: str, pk: int):
        task, _access = _task(request, slug, pk)
        return self.page(selectors.report_history(task), s.ReportOutputSerializer)

    @extend_schema(
        operation_id="reports_create",
        tags=["tasks"],
        request=s.ReportCreateInputSerializer,
        responses={201: s.ReportOutputSerializer},
        examples=[example("Weekly report", {"percent": 60, "state": "on_track", "note": "Drafts sent for review"}, request=True)],
    )
    def post(self, request, slug: str, pk: int):
        task, access = _task(request, slug, pk)
        data = s.ReportCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = reports.report_submit(actor=request.user, task=task, access=access, **data.validated_data)
        return Response(s.ReportOutputSerializer(report).data, status=status.HTTP_201_CREATED)
