"""Milestones of a project: the manager sets them; everybody reads the ones they may see."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from engagement.api.serializers import milestones as s
from engagement.models import Milestone
from engagement.permissions import milestone_access
from engagement.selectors.timeline import milestones_for
from engagement.services import milestones
from portal.core.api.common import IF_MATCH, ApiView, example, expected_version
from projects.permissions import project_access

MILESTONE_EXAMPLE = {"name": "Beta for the sales team", "date": "2027-02-01", "tasks": [42, 43], "decisions": [7]}


def _read(access, pk: int):
    return milestones_for(access).select_related("project").get(pk=pk)


def _milestone(request, slug: str, pk: int):
    access = project_access(user=request.user, slug=slug)
    milestone, access = milestone_access(user=request.user, milestone_id=pk, project=access.project)
    return milestone, access


class MilestoneListView(ApiView):
    """The milestones of the project, by date, with whether each is on track (internal ones for the team only)."""

    queryset = Milestone.objects.none()

    @extend_schema(operation_id="milestones_list", tags=["milestones"], responses=s.MilestoneOutputSerializer(many=True))
    def get(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        return self.page(milestones_for(access).select_related("project"), s.MilestoneOutputSerializer)

    @extend_schema(
        operation_id="milestones_create",
        tags=["milestones"],
        request=s.MilestoneCreateInputSerializer,
        responses={201: s.MilestoneOutputSerializer},
        examples=[example("Milestone", MILESTONE_EXAMPLE, request=True)],
    )
    def post(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        data = s.MilestoneCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made = milestones.milestone_create(actor=request.user, project=access.project, **data.validated_data)
        response = Response(s.MilestoneOutputSerializer(_read(access, made.pk)).data, status=status.HTTP_201_CREATED)
        return self.with_etag(response, made.version)


class MilestoneDetailView(ApiView):
    @extend_schema(operation_id="milestones_retrieve", tags=["milestones"], responses=s.MilestoneOutputSerializer)
    def get(self, request, slug: str, pk: int):
        milestone, access = _milestone(request, slug, pk)
        return self.with_etag(Response(s.MilestoneOutputSerializer(_read(access, milestone.pk)).data), milestone.version)

    @extend_schema(
        operation_id="milestones_partial_update",
        tags=["milestones"],
        parameters=[IF_MATCH],
        request=s.MilestoneUpdateInputSerializer,
        responses=s.MilestoneOutputSerializer,
        examples=[example("Moved", {"date": "2027-02-15"}, request=True)],
    )
    def patch(self, request, slug: str, pk: int):
        milestone, access = _milestone(request, slug, pk)
        data = s.MilestoneUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        version = expected_version(request, fields.pop("version", None))
        milestone = milestones.milestone_update(actor=request.user, milestone=milestone, expected_version=version, **fields)
        return self.with_etag(Response(s.MilestoneOutputSerializer(_read(access, milestone.pk)).data), milestone.version)

    @extend_schema(operation_id="milestones_destroy", tags=["milestones"], responses={204: None})
    def delete(self, request, slug: str, pk: int):
        milestone, _access = _milestone(request, slug, pk)
        milestones.milestone_delete(actor=request.user, milestone=milestone)
        return Response(status=status.HTTP_204_NO_CONTENT)
