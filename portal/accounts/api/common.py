"""Pieces every API view shares: pagination, the schema class, version checks (ETag / If-Match)."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiParameter
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny

from portal.core.api import ErrorSerializer


class ApiPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


_ERROR_EXAMPLES = {
    "400": {"detail": "Invalid input.", "code": "invalid", "fields": {"title": ["This field is required."]}},
    "401": {"detail": "Authentication credentials were not provided.", "code": "not_authenticated"},
    "403": {"detail": "Your role in this project does not allow this.", "code": "permission_denied"},
    "404": {"detail": "Not found.", "code": "not_found"},
    "409": {"detail": "The object changed since you read it.", "code": "conflict"},
    "429": {"detail": "Request was throttled. Expected available in 30 seconds.", "code": "throttled"},
}
_ERROR_DESCRIPTIONS = {
    "400": "Invalid input; `fields` names each offending field.",
    "401": "Not signed in: send `Authorization: Token <key>` or a session cookie.",
    "403": "A member whose role does not allow the action (or a missing CSRF token on a session write).",
    "404": "The object does not exist or is not visible to the caller.",
    "409": "The object changed since the caller read it (If-Match / `version` mismatch) or the action conflicts with its state.",
    "429": "Too many requests; retry after the `Retry-After` seconds.",
}


class ApiSchema(AutoSchema):
    """Adds the shared error body to every operation, so every non-2xx answer is documented."""

    def _error_codes(self) -> list[str]:
        codes = ["400", "403", "404", "429"]
        if not any(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            codes.append("401")
        if self.method in ("PATCH", "PUT", "POST", "DELETE"):
            codes.append("409")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            if code in responses:
                continue
            body = self._get_response_for_code(ErrorSerializer, code, direction=direction)
            body["description"] = _ERROR_DESCRIPTIONS[code]
            for media in body.get("content", {}).values():
                media["examples"] = {"error": {"value": _ERROR_EXAMPLES[code], "summary": _ERROR_DESCRIPTIONS[code]}}
            responses[code] = body
        return dict(sorted(responses.items()))


IF_MATCH = OpenApiParameter(
    "If-Match",
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description='The `ETag` of the version you edited, e.g. `"3"`. A mismatch answers 409.',
)


def example(name: str, value: dict, *, request: bool = False, response: bool = False, status: str | None = None):
    return OpenApiExample(name, value=value, request_only=request, response_only=response, status_codes=[status] if status else None)


_ETAG = re.compile(r'^\s*(?:W/)?"?(\d+)"?\s*$')


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(request, body_version: int | None = None) -> int | None:
    """The version the caller edited: `If-Match` wins over a `version` body field; None when neither is sent."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return body_version
    match = _ETAG.match(header)
    if match is None:
        raise exceptions.ValidationError({"If-Match": [_('Send the ETag you read, e.g. "3".')]})
    return int(match.group(1))


class ApiView(GenericAPIView):
    """Base of every API view: one paginator, helpers to serialize a page or one object."""

    pagination_class = ApiPagination

    def page(self, queryset, serializer_class):
        queryset = self.filter_queryset(queryset)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer_class(page, many=True, context=self.get_serializer_context()).data)

    def with_etag(self, response, version: int):
        response["ETag"] = etag(version)
        return response
