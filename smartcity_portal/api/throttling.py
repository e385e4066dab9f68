"""The API's request budgets, counted per window: constant work per request.

DRF's own throttles keep, for each client, the times of its requests during
the last period, and read and write that whole list on every request (1,200
floats at 1,200 requests a minute). These count a client's requests in a
window of one period that opens with its first request, with one atomic
increment in Redis; a client can briefly reach twice its rate across the end
of one window and the start of the next, the usual trade of such counters.
While the cache is unavailable, requests are let through, as DRF's throttles
do with an empty cache.
"""
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from smartcity_portal.cache import count_in_window
from smartcity_portal.clientaddress import client_address


class WindowCountMixin:
    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        counted = count_in_window(self.cache, self.key, self.duration)
        if counted is None:
            return True
        count, self.seconds_left = counted
        return count <= self.num_requests

    def wait(self):
        return self.seconds_left

    def get_ident(self, request):
        # DRF's own trusts any X-Forwarded-For, so a client could pick its own bucket.
        return client_address(request) or ""


class AnonWindowThrottle(WindowCountMixin, AnonRateThrottle):
    """Requests without credentials, by client address (rate ``API_THROTTLE_ANON``)."""


class UserWindowThrottle(WindowCountMixin, UserRateThrottle):
    """Requests of a signed-in user or a token, by user (rate ``API_THROTTLE_USER``)."""
