"""Log filters: a refused request is one line; a real error keeps its traceback."""

from __future__ import annotations

import logging

from django.utils.functional import empty


def _who(request: object) -> str:
    """The account behind `request`, without a database query the refusal did not already make."""
    user = getattr(request, "__dict__", {}).get("user")
    if user is None:
        return "anonymous"
    # An unevaluated lazy user means nobody looked: evaluating it here could query from a log call.
    if getattr(user, "_wrapped", None) is empty:
        return "unknown"
    if not getattr(user, "is_authenticated", False):
        return "anonymous"
    return f"user={user.get_username()}#{user.pk}"


class RefusalOneLine(logging.Filter):
    """A 4xx logged with its exception (403 PermissionDenied, 400 SuspiciousOperation) becomes one
    line naming who, which path and why; a 5xx, and anything without a status, is left alone.

    A refusal is the platform working as designed: a traceback for each one buried the real errors
    (44 tracebacks in a few minutes of ordinary use)."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if not isinstance(status, int) or not 400 <= status < 500 or not record.exc_info:
            return True
        exc = record.exc_info[1]
        request = getattr(record, "request", None)
        method = getattr(request, "method", "?")
        path = getattr(request, "path", "?")
        reason = (str(exc) or type(exc).__name__) if exc is not None else "?"
        record.msg = "refused %s %s %s for %s: %s"
        record.args = (status, method, path, _who(request), " ".join(reason.split()))
        record.exc_info = None
        record.exc_text = None
        return True
