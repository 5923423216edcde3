from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from engagement.selectors.timeline import MILESTONE_LABELS, milestone_state


def _ids():
    return serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False)


class MilestoneOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.SlugField(source="project.slug")
    name = serializers.CharField()
    date = serializers.DateField()
    description = serializers.CharField()
    tasks = serializers.SerializerMethodField(help_text="Ids of the tasks it depends on (those the caller may see).")
    decisions = serializers.SerializerMethodField(help_text="Ids of the decisions it depends on (those the caller may see).")
    internal = serializers.BooleanField()
    state = serializers.SerializerMethodField(help_text="on_track, at_risk (slipping), missed or done.")
    state_label = serializers.SerializerMethodField()
    reasons = serializers.SerializerMethodField(help_text="Why it is slipping, in words.")
    version = serializers.IntegerField()

    def get_tasks(self, milestone) -> list[int]:
        return [task.pk for task in milestone.tasks.all()]

    def get_decisions(self, milestone) -> list[int]:
        return [decision.pk for decision in milestone.decisions.all()]

    def _state(self, milestone) -> tuple[str, list[str]]:
        if not hasattr(milestone, "reading_state"):
            milestone.reading_state = milestone_state(milestone, timezone.localdate())
        return milestone.reading_state

    def get_state(self, milestone) -> str:
        return self._state(milestone)[0]

    def get_state_label(self, milestone) -> str:
        return str(MILESTONE_LABELS[self._state(milestone)[0]])

    def get_reasons(self, milestone) -> list[str]:
        return self._state(milestone)[1]


class MilestoneCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    date = serializers.DateField()
    description = serializers.CharField(required=False, allow_blank=True)
    tasks = _ids()
    decisions = _ids()
    internal = serializers.BooleanField(required=False)


class MilestoneUpdateInputSerializer(MilestoneCreateInputSerializer):
    version = serializers.IntegerField(required=False, write_only=True, help_text="The version you edited (or `If-Match`).")
