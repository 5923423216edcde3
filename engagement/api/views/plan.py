"""The communication plan (one per project) and its stakeholders."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from engagement.api.serializers import plan as s
from engagement.models import PlanVersion, Stakeholder
from engagement.permissions import plan_access, plan_history_access, stakeholder_access
from engagement.selectors import core as selectors
from engagement.selectors.plan_history import plan_diff, plan_versions
from engagement.services import plan as plans
from portal.core.api.common import IF_MATCH, ApiView, example, expected_version
from projects.permissions import project_access


def _saved_plan(request, slug: str):
    """The project's plan, created on first write (reads of a project without a plan see an empty one)."""
    _plan, access = plan_access(user=request.user, slug=slug)
    return plans.plan_get_or_create(project=access.project), access


class PlanView(ApiView):
    """The project's communication plan (any member; a project without one reads as an empty version 1). The manager edits it; every change raises `version`."""

    @extend_schema(operation_id="plan_retrieve", tags=["plan"], responses=s.PlanOutputSerializer)
    def get(self, request, slug: str):
        plan, _access = plan_access(user=request.user, slug=slug)
        return self.with_etag(Response(s.PlanOutputSerializer(plan).data), plan.version)

    @extend_schema(
        operation_id="plan_partial_update",
        tags=["plan"],
        parameters=[IF_MATCH],
        request=s.PlanUpdateInputSerializer,
        responses=s.PlanOutputSerializer,
        examples=[example("Faster answers", {"client_response_hours": 24, "version": 2}, request=True)],
    )
    def patch(self, request, slug: str):
        _plan, access = plan_access(user=request.user, slug=slug)
        data = s.PlanUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        version = expected_version(request, fields.pop("version", None))
        plan = plans.plan_update(actor=request.user, project=access.project, expected_version=version, **fields)
        return self.with_etag(Response(s.PlanOutputSerializer(plan).data), plan.version)


class PlanRequestSignOffView(ApiView):
    """The manager asks the client leads to sign the current version off."""

    @extend_schema(operation_id="plan_request_sign_off", tags=["plan"], request=None, responses=s.PlanOutputSerializer)
    def post(self, request, slug: str):
        plan, _access = _saved_plan(request, slug)
        plan = plans.plan_request_sign_off(actor=request.user, plan=plan)
        return self.with_etag(Response(s.PlanOutputSerializer(plan).data), plan.version)


class PlanSignOffView(ApiView):
    """A client lead signs off the version they read; an outdated version is refused."""

    @extend_schema(
        operation_id="plan_sign_off",
        tags=["plan"],
        request=s.PlanSignOffInputSerializer,
        responses=s.PlanOutputSerializer,
        examples=[example("Sign off version 3", {"version": 3}, request=True)],
    )
    def post(self, request, slug: str):
        plan, _access = _saved_plan(request, slug)
        data = s.PlanSignOffInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = plans.plan_sign_off(actor=request.user, plan=plan, version=data.validated_data["version"])
        return self.with_etag(Response(s.PlanOutputSerializer(plan).data), plan.version)


class StakeholderListView(ApiView):
    """Who is responsible for what on each side, with primary and backup contacts; the manager adds people."""

    queryset = Stakeholder.objects.none()
    ordering_fields = ["side", "is_primary", "id"]

    @extend_schema(operation_id="stakeholders_list", tags=["plan"], responses=s.StakeholderOutputSerializer(many=True))
    def get(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        return self.page(selectors.stakeholder_list(access), s.StakeholderOutputSerializer)

    @extend_schema(
        operation_id="stakeholders_create",
        tags=["plan"],
        request=s.StakeholderCreateInputSerializer,
        responses={201: s.StakeholderOutputSerializer},
        examples=[example("Client primary contact", {"side": "client", "user": 12, "is_primary": True, "raci": "A"}, request=True)],
    )
    def post(self, request, slug: str):
        plan, _access = _saved_plan(request, slug)
        data = s.StakeholderCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        stakeholder = plans.stakeholder_add(actor=request.user, plan=plan, **data.validated_data)
        return Response(s.StakeholderOutputSerializer(stakeholder).data, status=status.HTTP_201_CREATED)


def _stakeholder(request, slug: str, pk: int):
    access = project_access(user=request.user, slug=slug)
    return stakeholder_access(user=request.user, stakeholder_id=pk, project=access.project)


class StakeholderDetailView(ApiView):
    """One stakeholder; the manager edits or removes them (each change raises the plan's version)."""

    @extend_schema(operation_id="stakeholders_retrieve", tags=["plan"], responses=s.StakeholderOutputSerializer)
    def get(self, request, slug: str, pk: int):
        stakeholder, _access = _stakeholder(request, slug, pk)
        return Response(s.StakeholderOutputSerializer(stakeholder).data)

    @extend_schema(
        operation_id="stakeholders_partial_update",
        tags=["plan"],
        request=s.StakeholderUpdateInputSerializer,
        responses=s.StakeholderOutputSerializer,
        examples=[example("Prefers phone", {"channel": "phone", "phone": "+7 495 000 00 00"}, request=True)],
    )
    def patch(self, request, slug: str, pk: int):
        stakeholder, _access = _stakeholder(request, slug, pk)
        data = s.StakeholderUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        stakeholder = plans.stakeholder_update(actor=request.user, stakeholder=stakeholder, **data.validated_data)
        return Response(s.StakeholderOutputSerializer(stakeholder).data)

    @extend_schema(operation_id="stakeholders_destroy", tags=["plan"], responses={204: None})
    def delete(self, request, slug: str, pk: int):
        stakeholder, _access = _stakeholder(request, slug, pk)
        plans.stakeholder_remove(actor=request.user, stakeholder=stakeholder)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlanVersionListView(ApiView):
    """Every stored version of the plan, newest first, with who signed which and when (the team and the client leads)."""

    queryset = PlanVersion.objects.none()

    @extend_schema(operation_id="plan_version_list", tags=["plan"], responses=s.PlanVersionOutputSerializer(many=True))
    def get(self, request, slug: str):
        plan, _access = plan_history_access(user=request.user, slug=slug)
        return self.page(plan_versions(plan), s.PlanVersionOutputSerializer)


class PlanVersionCompareView(ApiView):
    """What changed between two versions of the plan, section by section, in words (the team and the client leads)."""

    @extend_schema(
        operation_id="plan_version_compare", tags=["plan"], parameters=[s.PlanCompareQuerySerializer],
        responses=s.PlanCompareOutputSerializer,
    )
    def get(self, request, slug: str):
        plan, _access = plan_history_access(user=request.user, slug=slug)
        query = s.PlanCompareQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        numbers = sorted((query.validated_data["from_version"], query.validated_data["to_version"]))
        rows = {v.version: v for v in plan_versions(plan).filter(version__in=numbers)}
        missing = [n for n in numbers if n not in rows]
        if missing:
            raise ValidationError({"from_version" if missing[0] == numbers[0] else "to_version": [
                _("There is no version %(value)s of this plan.") % {"value": missing[0]}]})
        old, new = rows[numbers[0]], rows[numbers[1]]
        data = {"from_version": old.version, "to_version": new.version, "sections": plan_diff(old, new)}
        return Response(s.PlanCompareOutputSerializer(data).data)
