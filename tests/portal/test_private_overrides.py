"""The lint step that refuses overrides of a library's private methods (bin/private_overrides.py, run by make lint)."""

import importlib.util
from pathlib import Path

from django.core.mail import EmailMultiAlternatives
from rest_framework import serializers

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("private_overrides", ROOT / "bin" / "private_overrides.py")
private_overrides = importlib.util.module_from_spec(spec)
spec.loader.exec_module(private_overrides)


def test_a_private_method_of_django_overridden_is_reported():
    class Mail(EmailMultiAlternatives):
        def _create_alternatives(self, msg):
            return msg

    [line] = private_overrides.of_class(Mail)
    assert "Mail._create_alternatives overrides django.core.mail.message.EmailMultiAlternatives._create_alternatives" in line


def test_public_methods_own_helpers_and_class_attributes_are_not_reported():
    class Mail(EmailMultiAlternatives):
        def message(self, *args, **kwargs):
            return super().message(*args, **kwargs)

        def _own_helper(self):
            return None

    class Output(serializers.Serializer):
        name = serializers.CharField()  # the metaclass fills `_declared_fields`: not a method we wrote

    assert private_overrides.of_class(Mail) == []
    assert private_overrides.of_class(Output) == []


def test_the_application_overrides_no_private_method():
    assert private_overrides.overrides() == []
