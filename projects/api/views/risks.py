"""Risks and issues, and the project's audit log."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from portal.core.api.common import IF_MATCH, ApiView, example, expected_version
from projects.api import filters
from projects.api import serializers as s
from projects.models import AuditEvent, Risk
from projects.permissions import project_access, risk_access
from projects.selectors import core as selectors
from projects.services import risks


def _risk(request, slug: str, pk: int):
    access = project_access(user=request.user, slug=slug)
    return risk_access(user=request.user, risk_id=pk, project=access.project)


class RiskListView(ApiView):
    """Risks and issues of the project (internal ones only for the team); any member raises one."""

    queryset = Risk.objects.none()
    filterset_class = filters.RiskFilter
    ordering_fields = ["created_at", "severity", "status", "title"]

    @extend_schema(operation_id="risks_list", tags=["risks"], responses=s.RiskOutputSerializer(many=True))
    def get(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        return self.page(selectors.risk_list_for_project(access), s.RiskOutputSerializer)

    @extend_schema(
        operation_id="risks_create",
        tags=["risks"],
        request=s.RiskCreateInputSerializer,
        responses={201: s.RiskOutputSerializer},
        examples=[example("Raise an issue", {"title": "Staging is down", "kind": "issue", "severity": "high"}, request=True)],
    )
    def post(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        data = s.RiskCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        risk = risks.risk_raise(actor=request.user, project=access.project, **data.validated_data)
        return self.with_etag(Response(s.RiskOutputSerializer(risk).data, status=status.HTTP_201_CREATED), risk.version)


class RiskDetailView(ApiView):
    """One risk; the team or the person who raised it edits it (`If-Match` / `version`)."""

    @extend_schema(operation_id="risks_retrieve", tags=["risks"], responses=s.RiskOutputSerializer)
    def get(self, request, slug: str, pk: int):
        risk, _access = _risk(request, slug, pk)
        return self.with_etag(Response(s.RiskOutputSerializer(risk).data), risk.version)

    @extend_schema(
        operation_id="risks_partial_update",
        tags=["risks"],
        parameters=[IF_MATCH],
        request=s.RiskUpdateInputSerializer,
        responses=s.RiskOutputSerializer,
        examples=[example("Now mitigating", {"status": "mitigating", "version": 1}, request=True)],
    )
    def patch(self, request, slug: str, pk: int):
        risk, _access = _risk(request, slug, pk)
        data = s.RiskUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        version = expected_version(request, fields.pop("version", None))
        risk = risks.risk_update(actor=request.user, risk=risk, expected_version=version, **fields)
        return self.with_etag(Response(s.RiskOutputSerializer(risk).data), risk.version)


class RiskCloseView(ApiView):
    """Close a risk with its resolution."""

    @extend_schema(
        operation_id="risks_close",
        tags=["risks"],
        request=s.RiskCloseInputSerializer,
        responses=s.RiskOutputSerializer,
        examples=[example("Resolved", {"resolution": "Staging restored from backup"}, request=True)],
    )
    def post(self, request, slug: str, pk: int):
        risk, _access = _risk(request, slug, pk)
        data = s.RiskCloseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        risk = risks.risk_close(actor=request.user, risk=risk, resolution=data.validated_data["resolution"])
        return self.with_etag(Response(s.RiskOutputSerializer(risk).data), risk.version)


class AuditEventListView(ApiView):
    """Who changed what and when in the project, newest first (team only)."""

    queryset = AuditEvent.objects.none()
    filterset_class = filters.AuditEventFilter
    ordering_fields = ["at"]

    @extend_schema(operation_id="audit_events_list", tags=["audit"], responses=s.AuditEventOutputSerializer(many=True))
    def get(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        return self.page(selectors.audit_log(access), s.AuditEventOutputSerializer)
