"""Whole public pages, served from the cache without running the template engine.

Two caches share the rules below: one for signed-out visitors
(``PublicPageCacheMiddleware``) and one per signed-in account
(``SignedInPageCacheMiddleware``, at the end of the chain).

A signed-out visitor sees the same page as every other signed-out visitor of
the same address in the same language. ``PublicPageCacheMiddleware`` stores
such a page once it has been rendered and answers the next requests for it
from one cache round trip, before the session, the user, the messages or any
view is looked at. It is the dashboards' cache one level up
(``indicators.results.fragments``): the page is stored with the data versions
it was rendered under (the results generation and the reports version,
``selectors.read_current``) and served only while they are current, so an
approval, a correction or a change of reference data is on the next page.
After such a change, the first request renders the page again while the
others are answered with the previous version (``selectors.read_or_claim``),
or, when there is none, wait briefly for that one render.

What is cached, and only that:

- the views that say so, with ``public_page_query``: the query parameters the
  page knows (an address with any other parameter is not cached, so that
  made-up addresses cannot fill the cache);
- GET (and HEAD, served from what a GET stored) from a visitor with no session
  and no pending messages;
- HTML answered 200 that sets no cookie, contains no CSRF token, used no CSP
  nonce (the stored page must work unchanged for the next visitor: a script
  nonce frozen into it would not match the next request's policy) and is not
  marked private or no-store.

The key is the language, today's date (reporting deadlines turn with the
calendar) and the whole address, scheme and host included (the canonical link
names the host). Every header of the rendered page is kept except its
cookies; the request id is the new request's. An anonymous page is kept
gzip-compressed, and sent so to browsers that accept it (a phone downloads a
tenth of the overview); the rare client that does not gets it decompressed.
(A signed-in page is not: it holds a CSRF token, which compression would
expose to BREACH.)
"""
import gzip
import hashlib
import logging
import re
import time

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import cc_delim_re, patch_vary_headers
from django.utils.translation import get_language, get_language_from_request

from indicators.results import fragments, selectors
from smartcity_portal.codeversion import code_version
from smartcity_portal.middleware import log_request

logger = logging.getLogger(__name__)

# Stored with the versions they were rendered under; this only lets Redis drop pages no longer asked for.
CACHE_SECONDS = 6 * 3600
# How long a request for a page that is not cached at all waits for another process rendering it.
WAIT_SECONDS = 3.0
MAX_QUERY_LENGTH = 200
# As django.middleware.gzip: a browser names gzip among the encodings it accepts.
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")
_NOT_KEPT = {"set-cookie", "x-request-id", "content-length"}


def page_key(request, language):
    # The code that rendered it too: a deploy never serves pages rendered before it.
    text = "|".join((code_version(), language, str(timezone.localdate()), request.build_absolute_uri()))
    return f"page:public:{hashlib.sha1(text.encode()).hexdigest()}"


def _known_parameters(request):
    """The query parameters of the page at this address, or ``None`` if its view is not a cached public page."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    view = getattr(match.func, "view_class", match.func)
    return getattr(view, "public_page_query", None)


def _may_be_answered_from_cache(request):
    """Whether the visitor is signed out, with nothing pending, and asks for a page (GET or HEAD)."""
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or getattr(settings, "MESSAGES_COOKIE_NAME", "messages") in cookies:
        return False
    return "HTTP_AUTHORIZATION" not in request.META and len(request.META.get("QUERY_STRING", "")) <= MAX_QUERY_LENGTH


def _is_public_page(request):
    """Whether the address is a cached public page with only parameters the page knows.

    Asked only when the page is not in the cache (what is stored was public when stored).
    """
    known = _known_parameters(request)
    return known is not None and all(name in known for name in request.GET)


def _is_storable_page(request, response):
    """Whether ``response`` is a complete HTML page that the next visitor may be given unchanged.

    Not if any part of it was an earlier version of a section (``fragments.served_stale``):
    stored under the current versions, it would outlive the render that is on its way.
    """
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    if response.cookies or not response.get("Content-Type", "").startswith("text/html"):
        return False
    cache_control = {part.strip().lower() for part in cc_delim_re.split(response.get("Cache-Control", ""))}
    if cache_control & {"private", "no-store", "no-cache"}:
        return False
    if isinstance(getattr(request, "_csp_nonce", None), str) or "nonce-" in response.get("Content-Security-Policy", ""):
        return False
    return not fragments.served_stale()


def _may_be_stored(request, response):
    if not _is_storable_page(request, response):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return False
    return b"csrfmiddlewaretoken" not in response.content


def _stored(response, compressed=False):
    headers = [(name, value) for name, value in response.items() if name.lower() not in _NOT_KEPT]
    if compressed:
        # Only the compressed bytes: every warm request reads the stored page from Redis, and
        # browsers all accept gzip (the national overview: 16 KB instead of 16 + 126 KB).
        # mtime=0: the same page gives the same bytes.
        return {"headers": headers, "gzip": gzip.compress(response.content, compresslevel=6, mtime=0)}
    return {"headers": headers, "content": response.content}


def _response(stored, request=None, content=None):
    """The stored page; gzip-compressed for a ``request`` that accepts it, when stored so.

    ``content``: the body to send instead of the stored one (a signed-in page with the
    visitor's CSRF token written in); ``Content-Length`` is always that of the body sent.
    """
    compressed = stored.get("gzip")
    if compressed is None:
        response = HttpResponse(stored["content"] if content is None else content)
    elif request is not None and _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        response = HttpResponse(compressed)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(compressed))
    for name, value in stored["headers"]:
        response[name] = value
    if compressed is not None:
        patch_vary_headers(response, ("Accept-Encoding",))
    response["Content-Length"] = str(len(response.content))
    return response


class PublicPageCacheMiddleware:
    """Serve and store anonymous visitors' public pages (see the module's description).

    Placed right after ``RequestIdMiddleware``, so that a stored page, with the
    headers every other middleware gave it, is answered without running any of them.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        code_version()  # at start-up, not on a visitor's first request

    def __call__(self, request):
        if not _may_be_answered_from_cache(request):
            return self.get_response(request)
        started = time.perf_counter()
        key = page_key(request, get_language_from_request(request))
        public = None

        def may_claim():
            nonlocal public
            public = _is_public_page(request)
            return public

        found = selectors.read_or_claim(key, selectors.RESULTS_AND_REPORTS, may_claim)
        if public is False:
            return self.get_response(request)
        if found.value is None and not found.claimed and found.versions is not None:
            # Not cached at all, and another process is rendering it: wait for that render.
            found.value = selectors.wait_for(key, found.versions, WAIT_SECONDS)
        if found.value is not None:
            response = _response(found.value, request)
            log_request(request, response, started)
            return response
        try:
            response = self.get_response(request)
            if found.versions is not None and _may_be_stored(request, response):
                selectors.store_current(key, found.versions, _stored(response, compressed=True), CACHE_SECONDS)
        finally:
            if found.claimed:
                selectors.release_claim(key, found.versions)
        return response


# --- signed in ------------------------------------------------------------------------------------

# The masked CSRF token Django writes into every form ({% csrf_token %}); a stored page holds a
# placeholder instead, and each visitor gets a token of their own browser's secret.
_CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(")')
_CSRF_PLACEHOLDER = b"\x00csrf\x00"


def account_fingerprint(user):
    """What, besides the data, a signed-in page shows of its account: who it is and what it may do.

    Everything the portal decides access by is a field of the account
    (``programmes.policies``), so a change of role, unit or status is a new
    fingerprint, and a page stored before it is never served after it.
    """
    text = "|".join(str(part) for part in (
        user.pk, user.get_username(), user.role, user.unit_id, user.is_active, user.is_staff, user.is_superuser,
    ))
    return hashlib.sha1(text.encode()).hexdigest()


def signed_in_page_key(request, language):
    text = "|".join((
        code_version(), language, str(timezone.localdate()), request.build_absolute_uri(),
        account_fingerprint(request.user),
    ))
    return f"page:account:{hashlib.sha1(text.encode()).hexdigest()}"


def _has_pending_messages(request):
    # len() reads what is pending without marking it shown.
    return bool(len(get_messages(request)))


class SignedInPageCacheMiddleware:
    """Serve and store signed-in visitors' public pages, one copy per account.

    The same pages as ``PublicPageCacheMiddleware``, keyed also by the
    account's fingerprint, and stored with the data versions they were
    rendered under, so an approval or a correction is on the next page. The
    last middleware: every other one runs as for any request (session, CSRF,
    security headers, logging), only the view and its templates are skipped.
    Each form's CSRF token is the visitor's own, written in as the page is
    served. Not while messages are pending (the page would show them).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.method not in ("GET", "HEAD")
            or user is None
            or not user.is_authenticated
            or len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_LENGTH
            or not _is_public_page(request)
            or _has_pending_messages(request)
        ):
            return self.get_response(request)
        key = signed_in_page_key(request, get_language())
        versions, stored = selectors.read_current(key, selectors.RESULTS_AND_REPORTS)
        if stored is not None:
            return _response(stored, content=stored["content"].replace(_CSRF_PLACEHOLDER, get_token(request).encode()))
        response = self.get_response(request)
        if versions is not None and _is_storable_page(request, response) and not _has_pending_messages(request):
            content = _CSRF_INPUT.sub(rb"\1" + _CSRF_PLACEHOLDER + rb"\2", response.content)
            selectors.store_current(key, versions, {**_stored(response), "content": content}, CACHE_SECONDS)
        return response
