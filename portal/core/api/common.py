"""Pieces every API view shares: the base view, examples, version checks (ETag / If-Match)."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import JSONParser
from rest_framework.views import APIView

from portal.core.api.pagination import ApiPagination

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


# Base of every API view: one paginator, helpers to serialize a page or one object.
# (A comment, not a docstring: the schema would show a docstring as every operation's description.)
class ApiView(GenericAPIView):
    pagination_class = ApiPagination
    parser_classes = [JSONParser]  # one request format: a simpler contract and generated clients

    def page(self, queryset, serializer_class):
        """One page of `queryset`, filtered, paginated and serialized."""
        queryset = self.filter_queryset(queryset)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer_class(page, many=True, context=self.get_serializer_context()).data)

    def with_etag(self, response, version: int):
        response["ETag"] = etag(version)
        return response


class ApiNotFoundView(APIView):
    """Anything under /api/v1/ that no route matches: the JSON 404 body, not the HTML page."""

    permission_classes: list = []
    authentication_classes: list = []
    throttle_classes: list = []

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound()
