from __future__ import annotations

import django_filters
from django.utils import timezone

from engagement.models import Decision, HealthSnapshot, Meeting, MeetingStatus
from engagement.models.decisions import DecisionStatus, Impact, Involvement
from engagement.selectors.awaiting import decision_ids_awaiting
from portal.core.api.filters import IntegerFilter


class MeetingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=MeetingStatus.choices)
    series = IntegerFilter(field_name="series_id")
    starts_after = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")
    upcoming = django_filters.BooleanFilter(method="filter_upcoming")

    class Meta:
        model = Meeting
        fields = ["status", "series"]

    def filter_upcoming(self, queryset, name, value):
        if value is None:
            return queryset
        now = timezone.now()
        return queryset.filter(ends_at__gt=now) if value else queryset.filter(ends_at__lte=now)


class DecisionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DecisionStatus.choices)
    impact = django_filters.ChoiceFilter(choices=Impact.choices)
    involvement = django_filters.ChoiceFilter(choices=Involvement.choices)
    awaiting_me = django_filters.BooleanFilter(
        method="filter_awaiting_me", help_text="Only the decisions that await the caller's answer (true), or the others (false)."
    )

    class Meta:
        model = Decision
        fields = ["status", "impact", "involvement"]

    def filter_awaiting_me(self, queryset, name, value):
        if value is None:
            return queryset
        mine = decision_ids_awaiting(getattr(self.request, "user", None))
        return queryset.filter(pk__in=mine) if value else queryset.exclude(pk__in=mine)


class HealthSnapshotFilter(django_filters.FilterSet):
    person = IntegerFilter(field_name="person_id")
    project_only = django_filters.BooleanFilter(field_name="person", lookup_expr="isnull", help_text="Only the project-level rows.")
    iso_year = IntegerFilter()

    class Meta:
        model = HealthSnapshot
        fields = ["person", "iso_year"]
