"""The client's address, the one every per-address limit counts by (log-in lock-out, password-reset and one-click
limits, DRF's anonymous throttle).

Behind the TLS proxy every request comes from the proxy's address. With `TRUSTED_PROXY_COUNT` set to the number of
proxies in front of the portal, the address is read from `X-Forwarded-For` as DRF's `NUM_PROXIES` reads it: the
entry that many places from the right, the one the outermost trusted proxy saw (entries further left are whatever
the client chose to send).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR", "") or ""
