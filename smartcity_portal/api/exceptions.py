"""Two shapes for every error the API returns: one for 400, one for the rest.

- A 400: per field, a list of ``{"code", "message"}``, nested for nested fields, e.g.
  ``{"task_groups": {"3": {"percent_complete": [{"code": "max_value", "message": "…"}]}}}``.
  What is about no one field sits under ``non_field_errors``: a body that is not
  JSON (``parse_error``), a quarter not yet ended, values to confirm
  (``needs_confirmation``, with each value's own entry under its field).
- Every other error: ``{"detail": "…", "code": "…"}``, plus extra keys some
  errors carry (``retry_after`` on 429, ``current_version`` and ``changes`` on a
  409 conflict).

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
    """400 with an already-nested ``{field: [messages]}`` body.

    A message may carry its own ``code`` (DRF's ``ErrorDetail``, or any ``str``
    with a ``code`` attribute); a plain string is ``invalid``.
    """

    def __init__(self, errors):
        super().__init__()
        self.detail = errors


def field_errors_body(detail, code="invalid"):
    """``detail`` (nested dicts and lists of messages) as the API's 400 body:
    every message becomes ``{"code", "message"}``."""
    if isinstance(detail, dict):
        return {str(key): field_errors_body(value, code) for key, value in detail.items()}
    if isinstance(detail, (list, tuple)):
        if any(isinstance(item, dict) for item in detail):
            # A list field's errors, one entry per item ({} for an item without problems).
            return [field_errors_body(item, code) for item in detail]
        return [_error_item(item, code) for item in detail]
    return [_error_item(detail, code)]


def _error_item(message, code):
    return {"code": getattr(message, "code", None) or code, "message": str(message)}


def non_field_errors_body(message, code):
    return {"non_field_errors": [{"code": code, "message": str(message)}]}


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
    """The API's error body, made outside DRF (Django's error handlers)."""
    if status_code == status.HTTP_400_BAD_REQUEST:
        return JsonResponse(non_field_errors_body(detail, code), status=status_code)
    return JsonResponse({"detail": str(detail), "code": code}, status=status_code)


def _code_of(exc):
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def exception_handler(exc, context):
    """DRF's handler, with every 400 as field errors and a ``code`` on every other body."""
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
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(data, list):
            # A ValidationError raised with a list has no field: name it as DRF does.
            data = {"non_field_errors": data}
        response.data = field_errors_body(data)
    elif response.status_code == status.HTTP_400_BAD_REQUEST:
        response.data = non_field_errors_body(data.get("detail", "") if isinstance(data, dict) else data, _code_of(exc))
    elif isinstance(data, dict) and set(data) == {"detail"}:
        body = {"detail": data["detail"], "code": _code_of(exc)}
        if isinstance(exc, exceptions.Throttled):
            body["retry_after"] = exc.wait
        body.update(getattr(exc, "extra", {}))
        response.data = body
    return response
