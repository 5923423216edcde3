"""Absences (the caller's own at `me/absences/`, a manager's team at `projects/<slug>/absences/`) and quiet periods."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from engagement.api.serializers import absences as s
from engagement.models import Absence, QuietPeriod
from engagement.services import absences
from portal.accounts.models import User
from portal.core.api.common import ApiView, example
from projects.permissions import project_access, require

ABSENCE_EXAMPLE = {"starts_on": "2027-01-04", "ends_on": "2027-01-15", "note": "Skiing"}


class MyAbsenceListView(ApiView):
    """The caller's absences, the latest first; POST declares one (refused when it overlaps another)."""

    queryset = Absence.objects.none()

    @extend_schema(operation_id="me_absences_list", tags=["absences"], responses=s.AbsenceOutputSerializer(many=True))
    def get(self, request):
        return self.page(Absence.objects.filter(user=request.user).select_related("user").order_by("-starts_on", "pk"), s.AbsenceOutputSerializer)

    @extend_schema(operation_id="me_absences_create", tags=["absences"], request=s.AbsenceInputSerializer,
                   responses={201: s.AbsenceOutputSerializer}, examples=[example("Away", ABSENCE_EXAMPLE, request=True)])
    def post(self, request):
        data = s.AbsenceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made = absences.absence_create(actor=request.user, user=request.user, **data.validated_data)
        return Response(s.AbsenceOutputSerializer(made).data, status=status.HTTP_201_CREATED)


class MyAbsenceDetailView(ApiView):
    @extend_schema(operation_id="me_absences_destroy", tags=["absences"], responses={204: None})
    def delete(self, request, pk: int):
        absence = Absence.objects.filter(user=request.user, pk=pk).select_related("user").first()
        if absence is None:
            raise Http404
        absences.absence_delete(actor=request.user, absence=absence)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _manager(request, slug: str):
    access = project_access(user=request.user, slug=slug)
    require(access.is_manager)
    return access


def _team(access):
    return Absence.objects.filter(user__memberships__project=access.project).select_related("user").order_by("-starts_on", "pk")


class TeamAbsenceListView(ApiView):
    """The project manager's view of the team's absences; POST enters one for a member of the project."""

    queryset = Absence.objects.none()

    @extend_schema(operation_id="project_absences_list", tags=["absences"], responses=s.AbsenceOutputSerializer(many=True))
    def get(self, request, slug: str):
        return self.page(_team(_manager(request, slug)), s.AbsenceOutputSerializer)

    @extend_schema(operation_id="project_absences_create", tags=["absences"], request=s.TeamAbsenceInputSerializer,
                   responses={201: s.AbsenceOutputSerializer},
                   examples=[example("Away", {"person": 12, **ABSENCE_EXAMPLE}, request=True)])
    def post(self, request, slug: str):
        access = _manager(request, slug)
        data = s.TeamAbsenceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        person = User.objects.filter(pk=fields.pop("person"), memberships__project=access.project).first()
        if person is None:
            raise ValidationError({"person": [_("Choose a member of this project.")]})
        made = absences.absence_create(actor=request.user, user=person, **fields)
        return Response(s.AbsenceOutputSerializer(made).data, status=status.HTTP_201_CREATED)


class TeamAbsenceDetailView(ApiView):
    @extend_schema(operation_id="project_absences_destroy", tags=["absences"], responses={204: None})
    def delete(self, request, slug: str, pk: int):
        absence = _team(_manager(request, slug)).filter(pk=pk).first()
        if absence is None:
            raise Http404
        absences.absence_delete(actor=request.user, absence=absence)
        return Response(status=status.HTTP_204_NO_CONTENT)


class QuietPeriodListView(ApiView):
    """The project's quiet periods (every member reads them); the manager adds one."""

    queryset = QuietPeriod.objects.none()

    @extend_schema(operation_id="quiet_periods_list", tags=["absences"], responses=s.QuietPeriodOutputSerializer(many=True))
    def get(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        return self.page(QuietPeriod.objects.filter(project=access.project).order_by("-starts_on", "pk"), s.QuietPeriodOutputSerializer)

    @extend_schema(operation_id="quiet_periods_create", tags=["absences"], request=s.QuietPeriodInputSerializer,
                   responses={201: s.QuietPeriodOutputSerializer},
                   examples=[example("Holidays", {"starts_on": "2026-12-28", "ends_on": "2027-01-08", "reason": "Holidays"}, request=True)])
    def post(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        data = s.QuietPeriodInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made = absences.quiet_period_create(actor=request.user, project=access.project, **data.validated_data)
        return Response(s.QuietPeriodOutputSerializer(made).data, status=status.HTTP_201_CREATED)


class QuietPeriodDetailView(ApiView):
    @extend_schema(operation_id="quiet_periods_destroy", tags=["absences"], responses={204: None})
    def delete(self, request, slug: str, pk: int):
        access = _manager(request, slug)
        period = QuietPeriod.objects.filter(project=access.project, pk=pk).select_related("project").first()
        if period is None:
            raise Http404
        absences.quiet_period_delete(actor=request.user, period=period)
        return Response(status=status.HTTP_204_NO_CONTENT)
