from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.accounts.models import Delivery, Language, User, Weekday
from portal.core.time import TIME_ZONE_CHOICES


class TokenCreateInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False, max_length=200)


class TokenCreateOutputSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send it as `Authorization: Token <token>`."))
    id = serializers.CharField(help_text=_("The token's public id (its first 8 characters), used to revoke it."))
    created = serializers.DateTimeField()


class TokenOutputSerializer(serializers.Serializer):
    id = serializers.CharField(source="key_prefix")
    created = serializers.DateTimeField()
    current = serializers.BooleanField(help_text=_("The token this request was made with."))


class MeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    kind = serializers.ChoiceField(choices=User.Kind.choices)
    organisation = serializers.CharField(source="organisation.name", allow_null=True, default=None)
    phone = serializers.CharField()
    time_zone = serializers.CharField()
    language = serializers.ChoiceField(choices=Language.choices)
    digest_weekday = serializers.ChoiceField(choices=Weekday.choices)
    digest_hour = serializers.IntegerField(min_value=0, max_value=23)
    email_reminders = serializers.BooleanField()
    email_digest = serializers.BooleanField()
    email_nudges = serializers.BooleanField()
    notify_mention = serializers.ChoiceField(choices=Delivery.choices)
    notify_reply = serializers.ChoiceField(choices=Delivery.choices)
    notify_task = serializers.ChoiceField(choices=Delivery.choices)
    notify_decision = serializers.ChoiceField(choices=Delivery.choices)
    notify_report = serializers.ChoiceField(choices=Delivery.choices)


class MePreferencesInputSerializer(serializers.Serializer):
    time_zone = serializers.ChoiceField(choices=TIME_ZONE_CHOICES, required=False)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    digest_weekday = serializers.ChoiceField(choices=Weekday.choices, required=False)
    digest_hour = serializers.IntegerField(min_value=0, max_value=23, required=False)
    email_reminders = serializers.BooleanField(required=False)
    email_digest = serializers.BooleanField(required=False)
    email_nudges = serializers.BooleanField(required=False)
    notify_mention = serializers.ChoiceField(choices=Delivery.choices, required=False)
    notify_reply = serializers.ChoiceField(choices=Delivery.choices, required=False)
    notify_task = serializers.ChoiceField(choices=Delivery.choices, required=False)
    notify_decision = serializers.ChoiceField(choices=Delivery.choices, required=False)
    notify_report = serializers.ChoiceField(choices=Delivery.choices, required=False)
