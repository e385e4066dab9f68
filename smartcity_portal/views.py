"""Views that belong to the portal as a whole rather than to one app."""
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.generic import TemplateView

from smartcity_portal.api.exceptions import (
    error_response,
    is_api_request,
    request_too_large,
)


class AboutView(TemplateView):
    """What the portal is for, and how its figures are computed."""

    template_name = "about.html"
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = ()


def _database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        return False


def _redis_ok():
    from django.conf import settings

    if not settings.REDIS_URL:
        return True
    import redis

    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping())
    except Exception:  # noqa: BLE001
        return False


def healthz(request):
    """200 when the database and Redis answer; 503 naming what does not."""
    checks = {"database": _database_ok(), "redis": _redis_ok()}
    failing = [name for name, ok in checks.items() if not ok]
    body = {"status": "ok" if not failing else "unavailable", "checks": checks, "failing": failing}
    return JsonResponse(body, status=200 if not failing else 503)


def readyz(request):
    """For the reverse proxy: the process is up and can reach its database."""
    ok = _database_ok()
    return JsonResponse({"ready": ok}, status=200 if ok else 503)


def page_not_found(request, exception):
    """404: under /api/ the API's error body (JSON), elsewhere the portal's page.

    Django answers a URL that matches no route itself, before any DRF view: without
    this an integrator asking for ``/api/v1/reports/abc/`` would get an HTML page.
    """
    if is_api_request(request):
        from rest_framework.exceptions import NotFound

        return error_response(NotFound.default_detail, "not_found", 404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception):
    """400 that Django answers itself (``SuspiciousOperation``, ``BadRequest``): JSON under /api/.

    Django refuses a body above ``DATA_UPLOAD_MAX_MEMORY_SIZE`` wherever it is
    read; under /api/ that is the API's 413.
    """
    if is_api_request(request):
        if isinstance(exception, RequestDataTooBig):
            error = request_too_large()
            return error_response(error.detail, "request_too_large", error.status_code)
        from rest_framework.exceptions import ParseError

        return error_response(ParseError.default_detail, "bad_request", 400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    """403 raised outside a DRF view: JSON under /api/."""
    if is_api_request(request):
        from rest_framework.exceptions import PermissionDenied

        return error_response(PermissionDenied.default_detail, "permission_denied", 403)
    return defaults.permission_denied(request, exception)


def server_error(request):
    """500: under /api/ the API's error body, so that a client never has to parse an HTML page."""
    if is_api_request(request):
        return error_response(
            _("The server met an unexpected error. Try again later; if it happens again, "
              "tell the portal's administrators."),
            "server_error",
            500,
        )
    return defaults.server_error(request)
