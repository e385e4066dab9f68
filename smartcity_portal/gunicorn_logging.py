"""Gunicorn's logs without query strings or password-reset tokens (``gunicorn.conf.py``).

Gunicorn logs the raw request line, query string included, and the referrer as
the browser sent it; its error log names the raw URI of a request it could not
handle. Query strings may carry search terms and, one day, secrets; a reset
link's token lets its holder set the account's password. Every value the access
log could print is cleaned here, whatever ``access_log_format`` says.
"""
import logging
import re

from gunicorn.glogging import Logger

from smartcity_portal.logging import redact, redact_url

# A path followed by a query string, in a message such as "Error handling request /x?y=z".
_QUERY = re.compile(r"(/[^\s?#]*)\?\S*")


class ErrorLogFilter(logging.Filter):
    """Clean the messages of gunicorn's error log as the access log's values are cleaned."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed call is reported by the handler, not here
            return True
        cleaned = redact(_QUERY.sub(r"\1", message))
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


class RedactingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        if not any(isinstance(f, ErrorLogFilter) for f in self.error_log.filters):
            self.error_log.addFilter(ErrorLogFilter())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if isinstance(value, str):
                atoms[key] = redact(value)
        path = redact_url(environ.get("PATH_INFO") or "")
        atoms["U"] = path
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {path} {environ.get('SERVER_PROTOCOL')}"
        atoms["q"] = ""
        for key in ("{query_string}e", "{raw_uri}e", "{path_info}e", "{request_uri}e"):
            if key in atoms:
                atoms[key] = "" if key == "{query_string}e" else path
        for key in ("f", "{referer}i", "{http_referer}e"):
            if key in atoms and atoms[key] != "-":
                atoms[key] = redact_url(atoms[key])
        return atoms
