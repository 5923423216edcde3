"""Token log-in, the caller's tokens, and the caller's own profile and preferences."""

from __future__ import annotations

import math

from axes.helpers import get_cool_off
from django.contrib.auth import authenticate
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from portal.accounts import services
from portal.accounts.api import serializers as s
from portal.core.api.common import ApiView, example
from portal.core.api.throttling import AnonRateThrottle, ScopedRateThrottle


class TokenLockedOut(exceptions.Throttled):
    """Too many wrong passwords for this account from this address: says in minutes when to try again
    (and `Retry-After` in seconds)."""

    default_detail = gettext_lazy("Too many failed log-ins. Try again later.")
    default_code = "locked_out"

    def __init__(self, request):
        cool_off = get_cool_off(request)
        if cool_off is None:
            super().__init__()
            return
        minutes = math.ceil(cool_off.total_seconds() / 60)
        detail = ngettext(
            "Too many failed log-ins for this account from this address. Try again in %(minutes)d minute.",
            "Too many failed log-ins for this account from this address. Try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
        super().__init__(detail=detail)
        self.wait = math.ceil(cool_off.total_seconds())


def _token_row(token: Token, request) -> dict:
    current = isinstance(request.auth, Token) and request.auth.key == token.key
    return {"key_prefix": token.key[:8], "created": token.created, "current": current}


class TokenCreateView(ApiView):
    """Exchange e-mail and password for an API token (the same one on every call until it is revoked)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        request=s.TokenCreateInputSerializer,
        responses={201: s.TokenCreateOutputSerializer},
        auth=[],
        examples=[
            example("Log in", {"email": "client@example.com", "password": "rapport-demo"}, request=True),
            example(
                "Token",
                {"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", "id": "9944b091", "created": "2026-11-25T09:00:00Z"},
                response=True,
                status="201",
            ),
        ],
    )
    def post(self, request):
        data = s.TokenCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Through `authenticate(request=...)` so django-axes counts failures per account and address.
        user = authenticate(request=request, username=data.validated_data["email"], password=data.validated_data["password"])
        if getattr(request, "axes_locked_out", False):
            raise TokenLockedOut(request)
        if user is None or not user.is_active:
            raise exceptions.ValidationError({"non_field_errors": [_("Unknown e-mail or wrong password.")]})
        token, _created = Token.objects.get_or_create(user=user)
        out = {"token": token.key, "id": token.key[:8], "created": token.created}
        return Response(s.TokenCreateOutputSerializer(out).data, status=status.HTTP_201_CREATED)


class TokenListView(ApiView):
    """The caller's API token(s); `current` marks the one this request used."""

    pagination_class = None
    filter_backends: list = []

    @extend_schema(operation_id="auth_tokens_list", tags=["auth"], responses={200: s.TokenOutputSerializer(many=True)})
    def get(self, request):
        tokens = Token.objects.filter(user=request.user)
        return Response(s.TokenOutputSerializer([_token_row(t, request) for t in tokens], many=True).data)


class TokenDetailView(ApiView):
    """Revoke one of the caller's tokens by its id (its first 8 characters)."""

    @extend_schema(operation_id="auth_tokens_revoke", tags=["auth"], responses={204: None})
    def delete(self, request, token_id: str):
        if not services.api_token_revoke(actor=request.user, token_id=token_id):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)
