from __future__ import annotations

from rest_framework import serializers


class AbsenceOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.IntegerField(source="user_id", help_text="The id of the person who is away.")
    person_name = serializers.CharField(source="user.__str__")
    starts_on = serializers.DateField(help_text="The first day away, in the person's own time zone.")
    ends_on = serializers.DateField(help_text="The last day away (included).")
    note = serializers.CharField()


class AbsenceInputSerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class TeamAbsenceInputSerializer(AbsenceInputSerializer):
    person = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="A member of the project.")


class QuietPeriodOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text="The last quiet day (included).")
    reason = serializers.CharField()


class QuietPeriodInputSerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)
