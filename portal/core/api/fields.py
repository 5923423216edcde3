"""Id fields and the `<id:...>` path converter: ids stay within the database's integer range, so an
oversized number is a 400 (body) or a 404 (path), never a 500 from the database driver."""

from __future__ import annotations

from django.urls import register_converter
from rest_framework import serializers

ID_MAX = 999_999_999_999_999_999  # 18 digits: below 2**63 on every backend


def id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)


def related_id(queryset, *, not_found=None, **kwargs) -> serializers.PrimaryKeyRelatedField:
    """An id of `queryset`. `not_found` is the message for an id that is not there; give the one the service says for
    an id of another project, so that an answer never tells whether an id exists elsewhere."""
    if not_found is not None:
        kwargs["error_messages"] = {**kwargs.get("error_messages", {}), "does_not_exist": not_found}
    return serializers.PrimaryKeyRelatedField(queryset=queryset, pk_field=id_field(), **kwargs)


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")
