"""DRF's throttles, failing open: their counters live in the cache (Redis when configured), and an API that answers
500 to every call while Redis is away is worse than one that is briefly not throttled. The failure is logged."""

from __future__ import annotations

import logging

from rest_framework import throttling

log = logging.getLogger(__name__)


class FailOpenMixin:
    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception as error:  # any cache client error: Redis refused, timed out, went away mid-reply
            log.warning("throttle %s: the cache is unavailable (%r); the request is let through", type(self).__name__, error)
            return True


class AnonRateThrottle(FailOpenMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(FailOpenMixin, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(FailOpenMixin, throttling.ScopedRateThrottle):
    pass
