from __future__ import annotations

from rest_framework import serializers

from engagement.models import Digest, HealthLevel
from projects.api.serializers import PersonSerializer


class DigestListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Digest.Kind.choices)
    iso_week = serializers.CharField()
    subject = serializers.CharField()
    created_at = serializers.DateTimeField()


class DigestOutputSerializer(DigestListOutputSerializer):
    body_text = serializers.CharField()
    body_html = serializers.CharField()
    content = serializers.DictField()


class HealthSnapshotOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = PersonSerializer(allow_null=True, help_text="Null for the project-level row.")
    iso_year = serializers.IntegerField()
    iso_week = serializers.IntegerField()
    as_of = serializers.DateTimeField()
    is_final = serializers.BooleanField()
    algo_version = serializers.CharField()
    score = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True, coerce_to_string=False)
    level = serializers.ChoiceField(choices=HealthLevel.choices)
    coverage = serializers.DecimalField(max_digits=3, decimal_places=2, coerce_to_string=False)
    signals = serializers.DictField()
    reasons = serializers.ListField(child=serializers.JSONField())
    approximate = serializers.BooleanField()
