"""Request ids, one structured log line per request, a clear 503 while the database is down,
and conditional GETs of the API."""
import logging
import re
import time
import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.middleware.http import ConditionalGetMiddleware
from django.shortcuts import resolve_url
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from smartcity_portal.clientaddress import client_address
from smartcity_portal.logging import redact, request_id_var

logger = logging.getLogger("smartcity_portal.requests")
database_logger = logging.getLogger("smartcity_portal.database")
# A caller's id is kept only if it is short and plain, so logs cannot be forged through it.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.id
        return response


class RequestLogMiddleware:
    """Logs method, path, status, time, user id and client address.

    The path never has the query string, and password-reset links are redacted.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        log_request(request, response, started)
        return response


def log_request(request, response, started):
    """Write the request's log line (also for pages answered from the cache before this middleware)."""
    try:
        user_id = _user_id(request)
    except DatabaseError:
        # The session could not be read (database down): the line is still written.
        user_id = None
    logger.info(
        "request",
        extra={
            "method": request.method,
            "path": redact(request.path),
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "user_id": user_id,
            "client": client_address(request),
        },
    )


def _user_id(request):
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


RETRY_AFTER_SECONDS = 5


class DatabaseUnavailableMiddleware:
    """Answer 503 at once, with a clear message, when the database cannot be reached.

    While PostgreSQL restarts, every query raises ``OperationalError`` or
    ``InterfaceError``; without this the visitor would get a generic 500 and
    operators an error report per request. Each request still runs in its own
    transactions, so nothing half-written stays behind. API paths get the API's
    error body (``detail`` and ``code``), pages a short HTML page that needs
    neither templates nor the database (rendering ``base.html`` would query it).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        database_logger.error("database unavailable: %s", str(exception).strip()[:300])
        return unavailable_response(request)


def unavailable_response(request):
    message = _("The portal cannot reach its database at the moment. Nothing was changed: try again in a few seconds.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "service_unavailable"}, status=503)
    else:
        title = _("Temporarily unavailable")
        response = HttpResponse(
            format_html(
                '<!DOCTYPE html><html lang="{}"><head><meta charset="utf-8"><title>{}</title></head>'
                "<body><h1>{}</h1><p>{}</p></body></html>",
                get_language() or "vi", title, title, message,
            ),
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class ApiConditionalGetMiddleware(ConditionalGetMiddleware):
    """``ETag`` on every successful ``GET`` under ``/api/``, and ``304 Not Modified`` to a matching
    ``If-None-Match`` (or ``If-Modified-Since``, where a view sent ``Last-Modified``).

    The tag is a hash of the body, so it differs by language and by who asks as the
    body does; a client that syncs at night re-reads only what changed. Pages are left
    alone: their whole-page cache (``smartcity_portal.pagecache``) has its own rules.
    """

    def process_response(self, request, response):
        if not request.path.startswith("/api/"):
            return response
        return super().process_response(request, response)


class MethodNotAllowedPageMiddleware:
    """A 405 on a page (``GET`` on an address that only takes a form's ``POST``) is a portal page.

    Django's views answer an empty ``HttpResponseNotAllowed``; outside ``/api/``
    (whose 405 is the API's JSON) it becomes ``templates/405.html``, with the
    navigation, the message in the visitor's language and the way back, and the
    same status and ``Allow`` header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or getattr(response, "streaming", False) or response.content:
            return response
        from smartcity_portal.api.exceptions import is_api_request

        if is_api_request(request):
            return response
        from django.shortcuts import render

        allowed = response.get("Allow", "")
        page = render(request, "405.html", {
            "allowed": [method.strip() for method in allowed.split(",") if method.strip()],
        }, status=405)
        if allowed:
            page["Allow"] = allowed
        return page


# The query parameter that tells the sign-in page a form post was refused because the session had ended.
SESSION_ENDED_PARAMETER = "session"
SESSION_ENDED_VALUE = "ended"


class SessionEndedMiddleware:
    """A form posted after the session ended lands on the sign-in page saying so.

    ``LoginRequiredMixin`` answers a signed-out ``POST`` as it answers a ``GET``: a redirect to the
    sign-in page, where nothing said why and the post was gone. Such a redirect gets
    ``session=ended``, and the sign-in page (``accounts.views.LoginView``) tells the user that their
    session had ended and that the form kept their text in this browser (``static/js/drafts.js``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method != "POST" or response.status_code != 302:
            return response
        user = getattr(request, "user", None)
        if user is None or user.is_authenticated:
            return response
        parts = urlsplit(response["Location"])
        if parts.path != resolve_url(settings.LOGIN_URL):
            return response
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != SESSION_ENDED_PARAMETER]
        query.append((SESSION_ENDED_PARAMETER, SESSION_ENDED_VALUE))
        response["Location"] = urlunsplit(parts._replace(query=urlencode(query)))
        return response
