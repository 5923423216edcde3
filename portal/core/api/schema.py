"""The schema class: every operation documents the shared error body. Kept apart: DRF settings import it early."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from rest_framework.permissions import AllowAny

from portal.core.api.errors import ErrorSerializer

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

    def get_operation(self, *args, **kwargs):
        """The operation as drf-spectacular builds it, with the shared error body added for each error code the
        operation can answer (responses it declares itself are kept)."""
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        error = self.resolve_serializer(ErrorSerializer, "response")
        for code in self._error_codes():
            if code in responses:
                continue
            example = {"error": {"value": _ERROR_EXAMPLES[code], "summary": _ERROR_DESCRIPTIONS[code]}}
            responses[code] = {
                "content": {media: {"schema": error.ref, "examples": example}
                            for media in self.map_renderers("media_type")},
                "description": _ERROR_DESCRIPTIONS[code],
            }
        operation["responses"] = dict(sorted(responses.items()))
        return operation
