"""What an `OPTIONS` request on an API address answers (DRF metadata; also what a CORS pre-flight reaches)."""

from __future__ import annotations

from django.urls import reverse
from rest_framework.metadata import BaseMetadata


class ApiMetadata(BaseMetadata):
    """The operation's name and description, the methods it allows, the formats it reads and writes, and where its
    request bodies are described: the OpenAPI schema. DRF's default metadata builds the bodies from the view's one
    `serializer_class`; views here declare an input serializer per method in the schema instead."""

    def determine_metadata(self, request, view) -> dict:
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "allowed_methods": view.allowed_methods,
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
            "schema": request.build_absolute_uri(reverse("api:schema")),
        }
