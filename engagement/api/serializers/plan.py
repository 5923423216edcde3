from __future__ import annotations

from rest_framework import serializers

from engagement.models import Channel, Raci, Stakeholder
from engagement.services.plan import BACKUP_ELSEWHERE
from portal.accounts.models import User, Weekday
from portal.core.api.fields import related_id
from projects.api.serializers import PersonSerializer
from projects.models import TaskSide
from projects.services.common import NOT_A_MEMBER


class PlanOutputSerializer(serializers.Serializer):
    project = serializers.SlugField(source="project.slug")
    version = serializers.IntegerField(help_text="Raised by every change; send it as `If-Match` when editing.")
    expectations = serializers.CharField()
    status_update_cadence_days = serializers.IntegerField()
    digest_weekday = serializers.ChoiceField(choices=Weekday.choices)
    digest_hour = serializers.IntegerField()
    client_response_hours = serializers.IntegerField()
    team_response_hours = serializers.IntegerField()
    escalation_path = serializers.CharField()
    channels = serializers.CharField()
    sign_off_requested_at = serializers.DateTimeField(allow_null=True)
    signed_off_by = PersonSerializer(allow_null=True)
    signed_off_at = serializers.DateTimeField(allow_null=True)
    signed_off_version = serializers.IntegerField(allow_null=True)
    is_signed_off = serializers.BooleanField()
    changed_since_sign_off = serializers.BooleanField()


class PlanUpdateInputSerializer(serializers.Serializer):
    expectations = serializers.CharField(required=False, allow_blank=True)
    status_update_cadence_days = serializers.IntegerField(min_value=1, max_value=90, required=False)
    digest_weekday = serializers.ChoiceField(choices=Weekday.choices, required=False)
    digest_hour = serializers.IntegerField(min_value=0, max_value=23, required=False)
    client_response_hours = serializers.IntegerField(min_value=1, max_value=32767, required=False)
    team_response_hours = serializers.IntegerField(min_value=1, max_value=32767, required=False)
    escalation_path = serializers.CharField(required=False, allow_blank=True)
    channels = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, write_only=True)


class PlanSignOffInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The plan version you read and sign off.")


class StakeholderOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = PersonSerializer(allow_null=True)
    name = serializers.CharField()
    email = serializers.CharField()
    side = serializers.ChoiceField(choices=TaskSide.choices)
    responsibility = serializers.CharField()
    raci = serializers.CharField(help_text="R, A, C, I or empty.")
    is_primary = serializers.BooleanField()
    backup_for = serializers.IntegerField(source="backup_for_id", allow_null=True)
    channel = serializers.ChoiceField(choices=Channel.choices)
    phone = serializers.CharField()


class StakeholderCreateInputSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=TaskSide.choices)
    user = related_id(User.objects.filter(is_active=True), not_found=NOT_A_MEMBER, required=False, allow_null=True)
    external_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    external_email = serializers.EmailField(required=False, allow_blank=True)
    responsibility = serializers.CharField(required=False, allow_blank=True, max_length=300)
    raci = serializers.ChoiceField(choices=Raci.choices, required=False, allow_blank=True)
    is_primary = serializers.BooleanField(required=False)
    backup_for = related_id(Stakeholder.objects.all(), not_found=BACKUP_ELSEWHERE, required=False, allow_null=True)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)


class StakeholderUpdateInputSerializer(StakeholderCreateInputSerializer):
    side = serializers.ChoiceField(choices=TaskSide.choices, required=False)


class PlanVersionOutputSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField(help_text="When this version was saved.")
    created_by = PersonSerializer(allow_null=True)
    signed_off_by = PersonSerializer(allow_null=True, help_text="The client lead who signed this version off, if one did.")
    signed_off_at = serializers.DateTimeField(allow_null=True)
    content = serializers.JSONField(help_text="The plan's fields and stakeholders as they were in this version.")


class PlanChangeOutputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["added", "removed", "changed"])
    label = serializers.CharField(help_text="What changed, in words.")
    old = serializers.CharField(help_text="Before, in words (changed and removed fields).")
    new = serializers.CharField(help_text="After, in words (changed and added fields).")
    facts = serializers.ListField(child=serializers.CharField(), help_text="What the plan says of a contact added or removed.")


class PlanSectionOutputSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=["contacts", "cadence", "channels", "response_targets", "escalation", "expectations"])
    title = serializers.CharField()
    changes = PlanChangeOutputSerializer(many=True)


class PlanCompareOutputSerializer(serializers.Serializer):
    from_version = serializers.IntegerField()
    to_version = serializers.IntegerField()
    sections = PlanSectionOutputSerializer(many=True, help_text="Only the sections that changed, in the plan's order.")


class PlanCompareQuerySerializer(serializers.Serializer):
    from_version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The earlier version.")
    to_version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The later version.")
