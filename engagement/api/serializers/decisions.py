from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from engagement.models import Decision, Meeting
from engagement.models.decisions import DecisionStatus, Impact, Involvement, ResponseKind
from engagement.services.decisions import NO_SUCH_DECISION, NO_SUCH_MEETING, NO_SUCH_TASK
from portal.core.api.fields import related_id
from projects.api.serializers import PersonSerializer
from projects.models import Task


@extend_schema_serializer(examples=[OpenApiExample("Decision", response_only=True, value={
        "id": 17, "title": "Use the client's SSO", "context": "Staff log in with company accounts.", "options": "SSO; passwords",
        "decision": "SSO through the client's identity provider", "decided_by": None, "decided_on": None, "impact": "high",
        "involvement": "approval", "status": "proposed", "superseded_by": None, "task": None, "meeting": 8,
        "recorded_by": {"id": 1, "name": "Anna Petrova", "email": "pm@example.com"}, "requested_at": "2026-11-20T10:00:00Z",
        "internal": False, "created_at": "2026-11-20T10:00:00Z", "version": 1,
    })])
class DecisionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    context = serializers.CharField()
    options = serializers.CharField()
    decision = serializers.CharField()
    decided_by = PersonSerializer(allow_null=True)
    decided_on = serializers.DateField(allow_null=True)
    impact = serializers.ChoiceField(choices=Impact.choices)
    involvement = serializers.ChoiceField(choices=Involvement.choices)
    status = serializers.ChoiceField(choices=DecisionStatus.choices)
    superseded_by = serializers.IntegerField(source="superseded_by_id", allow_null=True)
    task = serializers.IntegerField(source="task_id", allow_null=True)
    meeting = serializers.IntegerField(source="meeting_id", allow_null=True)
    recorded_by = PersonSerializer()
    requested_at = serializers.DateTimeField(allow_null=True)
    internal = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    version = serializers.IntegerField()


class DecisionCreateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    context = serializers.CharField(required=False, allow_blank=True)
    options = serializers.CharField(required=False, allow_blank=True)
    decision = serializers.CharField(required=False, allow_blank=True)
    impact = serializers.ChoiceField(choices=Impact.choices, required=False)
    involvement = serializers.ChoiceField(choices=Involvement.choices, required=False)
    task = related_id(Task.objects.all(), not_found=NO_SUCH_TASK, required=False, allow_null=True)
    meeting = related_id(Meeting.objects.all(), not_found=NO_SUCH_MEETING, required=False, allow_null=True)
    internal = serializers.BooleanField(required=False)


class DecisionSupersedeInputSerializer(serializers.Serializer):
    successor = related_id(Decision.objects.all(), not_found=NO_SUCH_DECISION, help_text="The decision that replaces this one.")


class DecisionResponseOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = PersonSerializer()
    kind = serializers.ChoiceField(choices=ResponseKind.choices)
    comment = serializers.CharField()
    at = serializers.DateTimeField()
    via = serializers.CharField()


class DecisionResponseCreateInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ResponseKind.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=10000)
