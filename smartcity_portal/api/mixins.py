"""Behaviour shared by the API's viewsets.

The mixins' explanations are comments, not docstrings: drf-spectacular takes the first
docstring of a view's classes as an operation's description, and these are for developers.
"""
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.serializers import ListSerializer

from smartcity_portal.api.exceptions import FieldErrors


class FilterListOnly:
    # A filterset's default (such as status=current) narrows what a list shows;
    # one object named by its URL must be found whatever that default says.

    def filter_queryset(self, queryset):
        """Apply the filterset to lists only."""
        if getattr(self, "action", None) != "list":
            return queryset
        return super().filter_queryset(queryset)


class CachedList:
    # A list of public, read-only data, answered from the cache until the data changes.
    #
    # The body of each page is cached under the results generation (every
    # recompute of the results and every change of reference data bumps it, see
    # ``indicators.selectors.cached``), the language, the full address and the date. Lists
    # that every caller sees alike only: nothing here depends on who asks. An
    # address with a parameter the list does not know is answered uncached, so
    # that made-up parameters cannot fill the cache.

    cached_list_parameters = ("ordering", "page", "page_size", "fields", "brief")

    def list(self, request, *args, **kwargs):
        from indicators.results.selectors import cached

        filterset = getattr(self, "filterset_class", None)
        known = {*self.cached_list_parameters, *(filterset.base_filters if filterset else getattr(self, "filterset_fields", ()))}
        if any(name not in known for name in request.query_params):
            return super().list(request, *args, **kwargs)
        answer = super().list

        def compute():
            return answer(request, *args, **kwargs).data

        # Today's date: which units are in force ("status=current") turns with the calendar.
        parts = [type(self).__name__, request.build_absolute_uri(), get_language(), timezone.localdate()]
        data = cached("api-list", parts, compute)
        return Response(data)


class LastModified:
    # ``Last-Modified`` on a single object read, from its ``last_modified_field``; with it
    # ``smartcity_portal.middleware.ApiConditionalGetMiddleware`` answers ``If-Modified-Since``.

    last_modified_field = "updated_at"

    def get_object(self):
        self._object_read = super().get_object()
        return self._object_read

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        found = getattr(self, "_object_read", None)
        if found is not None and getattr(self, "action", None) == "retrieve" and response.status_code == 200:
            stamp = getattr(found, self.last_modified_field, None)
            if stamp is not None:
                response["Last-Modified"] = http_date(stamp.timestamp())
        return response


class SparseFields:
    # ``?fields=a,b`` (only those fields) and ``?brief=true`` (the view's ``brief_fields``) on reads.
    #
    # Fields are dropped from the serializer before it runs, so a brief list also costs
    # less to build; ``wanted_fields`` lets a view skip what only dropped fields need.
    # A name the object does not have is an error naming ``fields``, never ignored.

    brief_fields = ()

    def wanted_fields(self):
        """The fields asked for, or ``None`` for all of them (raises ``FieldErrors``)."""
        if self.request.method not in ("GET", "HEAD"):
            return None
        fields, brief = self.request.query_params.get("fields"), self.request.query_params.get("brief")
        if brief is not None and brief.strip().lower() not in ("true", "false", "1", "0"):
            raise FieldErrors({"brief": [_("Give true or false.")]})
        brief = brief is not None and brief.strip().lower() in ("true", "1")
        if fields is not None:
            if brief:
                raise FieldErrors({"fields": [_("Give fields or brief, not both.")]})
            names = [name.strip() for name in fields.split(",") if name.strip()]
            if not names:
                raise FieldErrors({"fields": [_("Name at least one field, e.g. fields=id,year.")]})
            return names
        return list(self.brief_fields) if brief and self.brief_fields else None

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        wanted = self.wanted_fields()
        if wanted is None:
            return serializer
        target = serializer.child if isinstance(serializer, ListSerializer) else serializer
        unknown = [name for name in wanted if name not in target.fields]
        if unknown:
            raise FieldErrors({"fields": [ErrorDetail(
                _("Unknown field: %(names)s. The fields are: %(fields)s.")
                % {"names": ", ".join(unknown), "fields": ", ".join(target.fields)},
                code="unknown_field",
            )]})
        for name in list(target.fields):
            if name not in wanted:
                target.fields.pop(name)
        return serializer
