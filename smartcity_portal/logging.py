"""Structured logs: every record carries the id of the request or task it belongs to,
and none carries a password-reset token or a query string."""
import contextvars
import logging
import re

request_id_var = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


# /accounts/password/reset/<uidb64>/<token>/ and its next step …/<uidb64>/set-password/:
# whoever holds the token can set the account's password, so no log may keep it.
_RESET_LINK = re.compile(r"(/accounts/password/reset/)[^/\s?#\"']+/([^/\s?#\"']+)/")
REDACTED = "[redacted]"


def _redact_reset_link(match):
    step = match.group(2)
    return f"{match.group(1)}{REDACTED}/{step if step == 'set-password' else REDACTED}/"


def redact(text):
    """``text`` with the account id and token of password-reset links replaced by ``[redacted]``."""
    return _RESET_LINK.sub(_redact_reset_link, text) if isinstance(text, str) else text


def redact_url(url):
    """A path or URL as it may be logged: without its query string or fragment, reset links redacted."""
    if not isinstance(url, str):
        return url
    return redact(url.split("?", 1)[0].split("#", 1)[0])


class RedactFilter(logging.Filter):
    """Redact reset links in every log line, whichever logger wrote it (e.g. django.request's "Not Found: <path>")."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed call is reported by the handler, not here
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if isinstance(getattr(record, "path", None), str):
            record.path = redact_url(record.path)
        return True
