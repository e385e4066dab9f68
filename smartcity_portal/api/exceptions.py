"""One shape for every error the API returns.

- Field errors (400): ``{field: [messages]}``, nested for nested fields, e.g.
  ``{"task_groups": {"3": {"percent_complete": ["…"]}}}``.
- Every other error: ``{"detail": "…", "code": "…"}``, plus extra keys some
  errors carry (``retry_after`` on 429, ``current_version`` and ``changes`` on a
  409 conflict, ``warnings`` when values need confirming).

Messages follow the request's ``Accept-Language`` (Vietnamese by default).

Errors that Django answers before or around DRF (an address that matches no
route, a body above ``DATA_UPLOAD_MAX_MEMORY_SIZE``, a server error) get the same
body under ``/api/``: see ``smartcity_portal.views`` (``handler400`` and the others).
"""
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler


class PortalError(exceptions.APIException):
    """An error with a status, a code and extra machine-readable keys in its body."""

    def __init__(self, detail, *, code, status_code=status.HTTP_400_BAD_REQUEST, extra=None):
        super().__init__(detail, code)
        self.status_code = status_code
        self.extra = extra or {}


class FieldErrors(exceptions.ValidationError):
    """400 with an already-shaped ``{field: [messages]}`` body (kept exactly as given)."""

    def __init__(self, errors):
        super().__init__()
        self.detail = errors


def request_too_large():
    """413: the body is above ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django refuses to read it)."""
    return PortalError(
        _("The request body is larger than %(limit)s: send less data in one request.")
        % {"limit": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)},
        code="request_too_large",
        status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    )


def is_api_request(request):
    return request.path.startswith("/api/")


def error_response(detail, code, status_code):
    """A ``{"detail", "code"}`` answer made outside DRF (Django's error handlers)."""
    return JsonResponse({"detail": str(detail), "code": code}, status=status_code)


def _code_of(exc):
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def exception_handler(exc, context):
    """DRF's handler, with a ``code`` on every ``detail`` body and no bare lists."""
    if isinstance(exc, Http404):
        # Django's 404 messages name the model in English; DRF's own is translated.
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, RequestDataTooBig):
        # Raised when a view first reads the body, so DRF sees it before Django would answer an HTML 400.
        exc = request_too_large()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, FieldErrors):
        response.data = exc.detail
        return response
    data = response.data
    if isinstance(data, list):
        # A ValidationError raised with a list has no field: name it as DRF does.
        response.data = {"non_field_errors": data}
    elif isinstance(data, dict) and set(data) == {"detail"}:
        body = {"detail": data["detail"], "code": _code_of(exc)}
        if isinstance(exc, exceptions.Throttled):
            body["retry_after"] = exc.wait
        body.update(getattr(exc, "extra", {}))
        response.data = body
    return response
