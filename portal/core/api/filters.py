"""Filter pieces shared by the API's FilterSets."""

from __future__ import annotations

import django_filters
from django import forms


class IntegerFilter(django_filters.NumberFilter):
    """A whole number within the database's range: anything else is a 400 with the field named, never a 500."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)
