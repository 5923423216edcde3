"""`/api/v1/me/`: the caller's profile and preferences.

It lives in `engagement`, above `portal.accounts`, for the same reason as the preferences page: the preferences rule
needs to know whether the person still owes answers (`person_owes_answers`).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from engagement.selectors.awaiting import person_owes_answers
from portal.accounts import services
from portal.accounts.api import serializers as s
from portal.core.api.common import ApiView, example


def _owes_answers(user) -> bool:
    return user.is_client and person_owes_answers(user=user)


class MeView(ApiView):
    """The caller's profile and preferences; PATCH changes time zone, language, digest day and hour, e-mail choices, and how each kind of inbox line is told
    (`notify_*`: `inbox`, `email` or `digest`)."""

    @extend_schema(operation_id="me_retrieve", tags=["me"], responses={200: s.MeOutputSerializer})
    def get(self, request):
        return Response(s.MeOutputSerializer(request.user).data)

    @extend_schema(
        operation_id="me_partial_update",
        tags=["me"],
        request=s.MePreferencesInputSerializer,
        responses={200: s.MeOutputSerializer},
        examples=[example("Digest on Friday at 9", {"digest_weekday": 4, "digest_hour": 9, "language": "ru"}, request=True)],
    )
    def patch(self, request):
        data = s.MePreferencesInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = services.preferences_update(
            actor=request.user, user=request.user, owes_answers=_owes_answers(request.user), **data.validated_data
        )
        return Response(s.MeOutputSerializer(user).data)
