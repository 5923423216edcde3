"""Domain errors. Services raise these (or Django's ValidationError / PermissionDenied), never HTTP."""

from __future__ import annotations


class ApplicationError(Exception):
    """A rule of the domain refused the action; `message` is safe to show to the person."""

    status_code = 400

    def __init__(self, message: str, *, code: str = "invalid", extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}


class ConflictError(ApplicationError):
    """The object changed since the caller read it (lost-update guard)."""

    status_code = 409

    def __init__(self, message: str, *, code: str = "conflict", extra: dict | None = None) -> None:
        super().__init__(message, code=code, extra=extra)


class RateLimited(ApplicationError):
    """Too many requests of one kind from one address or for one account; `message` says when to try again."""

    status_code = 429

    def __init__(self, message: str, *, code: str = "rate_limited", extra: dict | None = None) -> None:
        super().__init__(message, code=code, extra=extra)
