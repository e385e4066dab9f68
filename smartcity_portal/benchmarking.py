"""What ``benchmarks/run.py`` needs from the server, mounted only with ``BENCHMARK=1``, never in production.

- ``/_benchmark/baseline``: a trivial view behind the portal's whole middleware;
- ``/_benchmark/bare``: the same view with no middleware at all, on the same
  gunicorn (``with_bare_view`` hands that one address to a Django handler
  without middleware): the fastest answer Django can give here;
- ``/_benchmark/change``: marks the data as changed, as an approval of the
  latest quarter does (new results generation, reports version and version of
  that quarter), so that the next request of every page is a cold render.
"""
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpResponse

from indicators.results.selectors import default_quarter
from indicators.results.services import (
    bump_quarter_version,
    bump_reports_version,
    bump_results_generation,
)

BARE_PATH = "/_benchmark/bare"


def baseline(request):
    """The fastest page Django can serve here: the benchmarks' yardstick."""
    return HttpResponse("ok", content_type="text/plain")


def change(request):
    """Make every cached figure, section and page out of date, as an approval of the latest quarter does."""
    bump_results_generation()
    bump_reports_version()
    latest = default_quarter()
    bump_quarter_version(latest.year, latest.quarter)
    return HttpResponse("changed", content_type="text/plain")


class BareHandler(WSGIHandler):
    """Django's WSGI handler with no middleware: URL resolution, the view, Django's request signals."""

    def load_middleware(self, is_async=False):
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        self._middleware_chain = convert_exception_to_response(self._get_response)


def with_bare_view(application):
    """``application``, except that ``/_benchmark/bare`` is answered by ``BareHandler``."""
    bare = BareHandler()

    def dispatch(environ, start_response):
        if environ.get("PATH_INFO") == BARE_PATH:
            return bare(environ, start_response)
        return application(environ, start_response)

    return dispatch
