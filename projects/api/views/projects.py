"""Projects, memberships and invitations."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from portal.core.api.common import ApiView, example
from projects.api import filters
from projects.api import serializers as s
from projects.models import Invitation, Membership, Project
from projects.permissions import membership_access, object_access, project_access
from projects.selectors import core as selectors
from projects.selectors import people
from projects.services import invitations, memberships, projects

PROJECT_EXAMPLE = {"client": 1, "name": "Acme portal", "start_date": "2026-12-01", "target_launch": "2027-03-01"}


class ProjectListView(ApiView):
    """Projects the caller is a member of (GET); a staff person creates one and becomes its manager (POST)."""

    queryset = Project.objects.none()
    filterset_class = filters.ProjectFilter
    ordering_fields = ["name", "target_launch", "start_date", "status"]

    @extend_schema(operation_id="projects_list", tags=["projects"], responses=s.ProjectOutputSerializer(many=True))
    def get(self, request):
        return self.page(selectors.projects_with_role(request.user), s.ProjectOutputSerializer)

    @extend_schema(
        operation_id="projects_create",
        tags=["projects"],
        request=s.ProjectCreateInputSerializer,
        responses={201: s.ProjectOutputSerializer},
        examples=[example("New project", PROJECT_EXAMPLE, request=True)],
    )
    def post(self, request):
        data = s.ProjectCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = projects.project_create(actor=request.user, **data.validated_data)
        project.my_role = "manager"
        return Response(s.ProjectOutputSerializer(project).data, status=status.HTTP_201_CREATED)


class ProjectDetailView(ApiView):
    """One project (any member); the manager edits it (PATCH)."""

    @extend_schema(operation_id="projects_retrieve", tags=["projects"], responses=s.ProjectOutputSerializer)
    def get(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        access.project.my_role = access.role
        return Response(s.ProjectOutputSerializer(access.project).data)

    @extend_schema(
        operation_id="projects_partial_update",
        tags=["projects"],
        request=s.ProjectUpdateInputSerializer,
        responses=s.ProjectOutputSerializer,
        examples=[example("Move the launch", {"target_launch": "2027-04-01", "status": "active"}, request=True)],
    )
    def patch(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        data = s.ProjectUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        project = projects.project_update(actor=request.user, project=access.project, **data.validated_data)
        project.my_role = access.role
        return Response(s.ProjectOutputSerializer(project).data)


class ProjectArchiveView(ApiView):
    """The manager archives the project: hidden from active lists, nothing deleted."""

    @extend_schema(operation_id="projects_archive", tags=["projects"], request=None, responses=s.ProjectOutputSerializer)
    def post(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        project = projects.project_archive(actor=request.user, project=access.project)
        project.my_role = access.role
        return Response(s.ProjectOutputSerializer(project).data)


class MembershipListView(ApiView):
    """The project's members (any member); the manager adds an existing person (POST)."""

    queryset = Membership.objects.none()
    filterset_class = filters.MembershipFilter
    ordering_fields = ["role", "created_at"]

    @extend_schema(operation_id="memberships_list", tags=["people"], responses=s.MembershipOutputSerializer(many=True))
    def get(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        return self.page(people.member_list(access), s.MembershipOutputSerializer)

    @extend_schema(
        operation_id="memberships_create",
        tags=["people"],
        request=s.MembershipCreateInputSerializer,
        responses={201: s.MembershipOutputSerializer},
        examples=[example("Add a team member", {"user": 7, "role": "team"}, request=True)],
    )
    def post(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        data = s.MembershipCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = memberships.membership_add(actor=request.user, project=access.project, **data.validated_data)
        return Response(s.MembershipOutputSerializer(membership).data, status=status.HTTP_201_CREATED)


class MembershipDetailView(ApiView):
    """One membership (any member); the manager changes the role (PATCH) or removes it (DELETE). The last manager stays."""

    @extend_schema(operation_id="memberships_retrieve", tags=["people"], responses=s.MembershipOutputSerializer)
    def get(self, request, slug: str, pk: int):
        access = project_access(user=request.user, slug=slug)
        membership, _access = membership_access(user=request.user, membership_id=pk, project=access.project)
        return Response(s.MembershipOutputSerializer(membership).data)

    @extend_schema(
        operation_id="memberships_partial_update",
        tags=["people"],
        request=s.MembershipUpdateInputSerializer,
        responses=s.MembershipOutputSerializer,
        examples=[example("Make client lead", {"role": "client_lead"}, request=True)],
    )
    def patch(self, request, slug: str, pk: int):
        access = project_access(user=request.user, slug=slug)
        membership, _access = membership_access(user=request.user, membership_id=pk, project=access.project)
        data = s.MembershipUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = memberships.membership_change(actor=request.user, membership=membership, **data.validated_data)
        return Response(s.MembershipOutputSerializer(membership).data)

    @extend_schema(operation_id="memberships_destroy", tags=["people"], responses={204: None})
    def delete(self, request, slug: str, pk: int):
        access = project_access(user=request.user, slug=slug)
        membership, _access = membership_access(user=request.user, membership_id=pk, project=access.project)
        memberships.membership_remove(actor=request.user, membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationListView(ApiView):
    """The project's invitations (manager only); inviting an address e-mails a single-use link, or adds an existing account at once."""

    queryset = Invitation.objects.none()
    ordering_fields = ["created_at", "expires_at", "email"]

    @extend_schema(operation_id="invitations_list", tags=["people"], responses=s.InvitationOutputSerializer(many=True))
    def get(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        return self.page(people.invitation_list(access), s.InvitationOutputSerializer)

    @extend_schema(
        operation_id="invitations_create",
        tags=["people"],
        request=s.InvitationCreateInputSerializer,
        responses={201: s.InvitationOutputSerializer},
        examples=[example("Invite a client contact", {"email": "olga@acme.example", "role": "client"}, request=True)],
    )
    def post(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        data = s.InvitationCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = invitations.invitation_create(actor=request.user, project=access.project, **data.validated_data)
        return Response(s.InvitationOutputSerializer(invitation).data, status=status.HTTP_201_CREATED)


def _invitation(request, slug: str, pk: int) -> Invitation:
    access = project_access(user=request.user, slug=slug)
    invitation, _access = object_access(user=request.user, model=Invitation, pk=pk, project=access.project, related=("invited_by",))
    return invitation


class InvitationResendView(ApiView):
    """The manager e-mails a pending invitation again, with a fresh 7-day window."""

    @extend_schema(operation_id="invitations_resend", tags=["people"], request=None, responses=s.InvitationOutputSerializer)
    def post(self, request, slug: str, pk: int):
        invitation = invitations.invitation_resend(actor=request.user, invitation=_invitation(request, slug, pk))
        return Response(s.InvitationOutputSerializer(invitation).data)


class InvitationRevokeView(ApiView):
    """The manager withdraws a pending invitation; its link stops working."""

    @extend_schema(operation_id="invitations_revoke", tags=["people"], request=None, responses=s.InvitationOutputSerializer)
    def post(self, request, slug: str, pk: int):
        invitation = invitations.invitation_revoke(actor=request.user, invitation=_invitation(request, slug, pk))
        return Response(s.InvitationOutputSerializer(invitation).data)
