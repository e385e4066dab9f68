from django.conf import settings
from rest_framework.pagination import PageNumberPagination

from smartcity_portal.api.strict import check_page_size


class PortalPagination(PageNumberPagination):
    """Page-number pagination with ``page_size`` capped by ``API_MAX_PAGE_SIZE``; a ``page_size``
    that is not a whole number of at least 1 is a 400 on every paginated answer (DRF would use
    the default), lists without the strict filter backend (histories) included."""

    page_size_query_param = "page_size"

    def get_page_size(self, request):
        check_page_size(request)
        return super().get_page_size(request)

    @property
    def max_page_size(self):
        return settings.API_MAX_PAGE_SIZE
