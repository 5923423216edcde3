from __future__ import annotations

import django_filters
from django.utils import timezone

from portal.core.api.filters import IntegerFilter
from projects.models import (
    OPEN_TASK_STATUSES,
    AuditEvent,
    Membership,
    Priority,
    Project,
    ProjectStatus,
    Risk,
    Severity,
    Task,
    TaskSide,
    TaskStatus,
)


class ProjectFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices)
    archived = django_filters.BooleanFilter(field_name="archived_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Project
        fields = ["status", "archived"]


class MembershipFilter(django_filters.FilterSet):
    class Meta:
        model = Membership
        fields = ["role"]


class TaskFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=TaskStatus.choices)
    side = django_filters.ChoiceFilter(choices=TaskSide.choices)
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    owner = IntegerFilter(field_name="owner_id")
    open = django_filters.BooleanFilter(method="filter_open")
    overdue = django_filters.BooleanFilter(method="filter_overdue")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")

    class Meta:
        model = Task
        fields = ["status", "side", "priority", "owner", "internal"]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(status__in=OPEN_TASK_STATUSES) if value else queryset.exclude(status__in=OPEN_TASK_STATUSES)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.overdue(timezone.localdate())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class MyTaskFilter(TaskFilter):
    project = django_filters.CharFilter(field_name="project__slug", help_text="A project's slug.")

    class Meta(TaskFilter.Meta):
        fields = [*TaskFilter.Meta.fields, "project"]


class RiskFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Risk.Status.choices)
    kind = django_filters.ChoiceFilter(choices=Risk.Kind.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)

    class Meta:
        model = Risk
        fields = ["status", "kind", "severity"]


class AuditEventFilter(django_filters.FilterSet):
    object_type = django_filters.CharFilter()
    action = django_filters.CharFilter()
    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")

    class Meta:
        model = AuditEvent
        fields = ["object_type", "action"]
