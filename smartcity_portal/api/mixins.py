"""Behaviour shared by the API's viewsets."""
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import get_language
from rest_framework.response import Response


class FilterListOnly:
    # A filterset's default (such as status=current) narrows what a list shows;
    # one object named by its URL must be found whatever that default says.

    def filter_queryset(self, queryset):
        """Apply the filterset to lists only."""
        if getattr(self, "action", None) != "list":
            return queryset
        return super().filter_queryset(queryset)


class CachedList:
    """A list of public, read-only data, answered from the cache until the data changes.

    The body of each page is cached under the results generation (every
    recompute of the results and every change of reference data bumps it, see
    ``indicators.selectors.cached``), the language, the full address and the date. Lists
    that every caller sees alike only: nothing here depends on who asks. An
    address with a parameter the list does not know is answered uncached, so
    that made-up parameters cannot fill the cache.
    """

    cached_list_parameters = ("ordering", "page", "page_size")

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
    """``Last-Modified`` on a single object read, from its ``last_modified_field``; with it
    ``smartcity_portal.middleware.ApiConditionalGetMiddleware`` answers ``If-Modified-Since``."""

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
