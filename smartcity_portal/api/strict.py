"""Query parameters an API list does not know are an error, not a silently wider answer.

A typo (``provnce=ha-noi``, ``ordering=yaer``, ``page_size=0``) used to be ignored and
the whole list came back; a script would then store the wrong data without noticing.
``StrictQueryParameters`` runs first among the filter backends, so every list checks
its parameters before any filtering: the filterset's, the paging and ordering ones,
``fields`` and ``brief`` (``mixins.SparseFields``), ``format``, and those a view names
in ``extra_query_parameters``.
"""
from django.utils.translation import gettext as _
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.filters import BaseFilterBackend, OrderingFilter

from smartcity_portal.api.exceptions import FieldErrors

# Read by DRF and by the portal's mixins on every list.
COMMON = frozenset({"page", "page_size", "ordering", "format", "fields", "brief"})


def known_parameters(view):
    filterset = getattr(view, "filterset_class", None)
    names = set(filterset.base_filters) if filterset is not None else set(getattr(view, "filterset_fields", ()) or ())
    return COMMON | names | set(getattr(view, "extra_query_parameters", ()))


def check_query_parameters(request, known):
    """``FieldErrors`` naming each parameter of ``request`` not in ``known``."""
    unknown = sorted(name for name in request.query_params if name not in known)
    if unknown:
        message = _("Unknown parameter. This address takes: %(names)s.") % {"names": ", ".join(sorted(known))}
        raise FieldErrors({name: [ErrorDetail(message, code="unknown_parameter")] for name in unknown})


def check_ordering(request, view, queryset):
    text = request.query_params.get("ordering")
    if text is None:
        return
    # What DRF's OrderingFilter would accept for this view (its ordering_fields, or its default).
    allowed = [name for name, _label in OrderingFilter().get_valid_fields(queryset, view, {"request": request})]
    wrong = [term for term in (t.strip() for t in text.split(",")) if term.lstrip("-") not in allowed]
    if wrong or not text.strip():
        raise FieldErrors({"ordering": [ErrorDetail(
            _("Cannot sort by %(terms)s. Sort by one of: %(fields)s (with - for descending).")
            % {"terms": ", ".join(wrong) or "''", "fields": ", ".join(allowed)},
            code="invalid_choice",
        )]})


def check_page_size(request):
    text = request.query_params.get("page_size")
    if text is None:
        return
    if not text.isdigit() or int(text) < 1:
        raise FieldErrors({"page_size": [ErrorDetail(_("Give a whole number of at least 1."), code="min_value")]})


class StrictQueryParameters(BaseFilterBackend):
    """A filter backend that filters nothing: it refuses what the list does not know."""

    def filter_queryset(self, request, queryset, view):
        check_query_parameters(request, known_parameters(view))
        check_ordering(request, view, queryset)
        check_page_size(request)
        return queryset


class RefuseUnknownFields:
    # A serializer mixin: a top-level body key the endpoint does not take is a 400 naming it.
    # ``tolerated`` (a serializer class) names what the endpoint answers with: a client that
    # sends back the object it read, read-only fields included, is not refused for them.
    # (Comments, not a docstring: drf-spectacular would describe every request schema with it.)

    tolerated = None

    def to_internal_value(self, data):
        if isinstance(data, dict):
            known = set(self.fields) | (set(self.tolerated().fields) if self.tolerated is not None else set())
            unknown = sorted(str(name) for name in data if name not in known)
            if unknown:
                raise ValidationError({name: [ErrorDetail(_("Unknown field."), code="unknown_field")] for name in unknown})
        return super().to_internal_value(data)
