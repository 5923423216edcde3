"""Decisions (record, propose, approve, reject, supersede) and the client's responses."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from engagement.api import filters
from engagement.api.serializers import decisions as s
from engagement.models import Decision, DecisionResponse
from engagement.permissions import decision_access
from engagement.selectors import core as selectors
from engagement.services import decisions
from portal.core.api.common import ApiView, example
from projects.permissions import project_access

DECISION_EXAMPLE = {
    "title": "Use the client's SSO",
    "context": "Staff log in with their company accounts.",
    "options": "SSO; separate passwords",
    "decision": "SSO through the client's identity provider",
    "impact": "high",
    "involvement": "approval",
}


def _decision(request, slug: str, pk: int):
    access = project_access(user=request.user, slug=slug)
    return decision_access(user=request.user, decision_id=pk, project=access.project)


def _created(decision) -> Response:
    response = Response(s.DecisionOutputSerializer(decision).data, status=status.HTTP_201_CREATED)
    response["ETag"] = f'"{decision.version}"'
    return response


class DecisionListView(ApiView):
    """The decision log of the project (internal decisions only for the team)."""

    queryset = Decision.objects.none()
    filterset_class = filters.DecisionFilter
    ordering_fields = ["created_at", "decided_on", "impact", "status"]

    @extend_schema(operation_id="decisions_list", tags=["decisions"], responses=s.DecisionOutputSerializer(many=True))
    def get(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        return self.page(selectors.decision_rows_for_project(access), s.DecisionOutputSerializer)

    @extend_schema(
        operation_id="decisions_record",
        tags=["decisions"],
        description="The project manager records a decision (approved at once, or proposed until the client approves).",
        request=s.DecisionCreateInputSerializer,
        responses={201: s.DecisionOutputSerializer},
        examples=[example("Needs the client's approval", DECISION_EXAMPLE, request=True)],
    )
    def post(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        data = s.DecisionCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _created(decisions.decision_record(actor=request.user, project=access.project, **data.validated_data))


class DecisionProposeView(ApiView):
    @extend_schema(
        operation_id="decisions_propose",
        tags=["decisions"],
        description="A team member proposes a decision; the manager approves or rejects it.",
        request=s.DecisionCreateInputSerializer,
        responses={201: s.DecisionOutputSerializer},
        examples=[example("Proposal", {**DECISION_EXAMPLE, "involvement": "consulted"}, request=True)],
    )
    def post(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        data = s.DecisionCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _created(decisions.decision_propose(actor=request.user, project=access.project, **data.validated_data))


class DecisionDetailView(ApiView):
    """One decision with its `ETag`."""

    @extend_schema(operation_id="decisions_retrieve", tags=["decisions"], responses=s.DecisionOutputSerializer)
    def get(self, request, slug: str, pk: int):
        decision, _access = _decision(request, slug, pk)
        return self.with_etag(Response(s.DecisionOutputSerializer(decision).data), decision.version)


class DecisionApproveView(ApiView):
    """The manager approves a proposal (one needing the client's approval must have it first)."""

    @extend_schema(operation_id="decisions_approve", tags=["decisions"], request=None, responses=s.DecisionOutputSerializer)
    def post(self, request, slug: str, pk: int):
        decision, _access = _decision(request, slug, pk)
        decision = decisions.decision_approve(actor=request.user, decision=decision)
        return self.with_etag(Response(s.DecisionOutputSerializer(decision).data), decision.version)


class DecisionRejectView(ApiView):
    """The manager rejects a proposal."""

    @extend_schema(operation_id="decisions_reject", tags=["decisions"], request=None, responses=s.DecisionOutputSerializer)
    def post(self, request, slug: str, pk: int):
        decision, _access = _decision(request, slug, pk)
        decision = decisions.decision_reject(actor=request.user, decision=decision)
        return self.with_etag(Response(s.DecisionOutputSerializer(decision).data), decision.version)


class DecisionSupersedeView(ApiView):
    """The manager marks a live decision superseded by a newer one of the same project."""

    @extend_schema(
        operation_id="decisions_supersede",
        tags=["decisions"],
        request=s.DecisionSupersedeInputSerializer,
        responses=s.DecisionOutputSerializer,
        examples=[example("Replaced by decision 42", {"successor": 42}, request=True)],
    )
    def post(self, request, slug: str, pk: int):
        decision, access = _decision(request, slug, pk)
        data = s.DecisionSupersedeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            successor, _access = decision_access(user=request.user, decision_id=data.validated_data["successor"].pk, project=access.project)
        except Http404:  # worded as for a missing id: the answer never tells that the id exists elsewhere
            raise ValidationError({"successor": [decisions.NO_SUCH_DECISION]})
        decision = decisions.decision_supersede(actor=request.user, decision=decision, successor=successor)
        return self.with_etag(Response(s.DecisionOutputSerializer(decision).data), decision.version)


class DecisionResponseListView(ApiView):
    """Who acknowledged, approved or objected, and when. Client leads answer any decision; plain clients when asked."""

    queryset = DecisionResponse.objects.none()
    ordering_fields = ["at"]

    @extend_schema(operation_id="decision_responses_list", tags=["decisions"], responses=s.DecisionResponseOutputSerializer(many=True))
    def get(self, request, slug: str, pk: int):
        decision, _access = _decision(request, slug, pk)
        return self.page(selectors.decision_responses(decision), s.DecisionResponseOutputSerializer)

    @extend_schema(
        operation_id="decision_responses_create",
        tags=["decisions"],
        request=s.DecisionResponseCreateInputSerializer,
        responses={201: s.DecisionResponseOutputSerializer},
        examples=[example("Approve", {"kind": "approved", "comment": "Fine with us"}, request=True)],
    )
    def post(self, request, slug: str, pk: int):
        decision, _access = _decision(request, slug, pk)
        data = s.DecisionResponseCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        response = decisions.decision_respond(actor=request.user, decision=decision, via="api", **data.validated_data)
        return Response(s.DecisionResponseOutputSerializer(response).data, status=status.HTTP_201_CREATED)
