"""The one API exception handler: every error body has the same shape.

    {"detail": "...", "code": "...", "fields": {"field": ["message", ...]}}
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.core.exceptions import ApplicationError


class ErrorSerializer(serializers.Serializer):
    """The error body of every non-2xx answer (documented in the schema)."""

    detail = serializers.CharField()
    code = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


def _django_validation_to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError({k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()})
    return exceptions.ValidationError({"non_field_errors": exc.messages})


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = _django_validation_to_drf(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, ApplicationError):
        body = {"detail": exc.message, "code": exc.code}
        if exc.extra:
            body["fields"] = {k: v if isinstance(v, list) else [str(v)] for k, v in exc.extra.items()}
        return Response(body, status=exc.status_code)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(data, dict):
            fields = {k: v if isinstance(v, list) else [v] for k, v in data.items()}
        else:
            fields = {"non_field_errors": data if isinstance(data, list) else [data]}
        response.data = {"detail": "Invalid input.", "code": "invalid", "fields": fields}
    else:
        detail = data.get("detail", "") if isinstance(data, dict) else str(data)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"detail": str(detail), "code": str(code)}
    return response
