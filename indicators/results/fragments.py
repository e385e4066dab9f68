"""Rendered dashboard sections, cached until anything they show may have changed.

Building a dashboard's tables, charts and map takes far longer than serving
the page around them. A warm request therefore renders only the page's frame
(navigation, the visitor's name, the language switcher) and takes the section
with the figures from one cache read.

A section is keyed by everything else it depends on: the language, today's
date, the page and its filters, and, where a section links the reports a
visitor may read, the visitor's report scope; it is stored with the data
versions it was rendered under (the results generation and the reports
version, ``selectors.read_current``) and served only while they are current.
One cache round trip reads both versions and the section. A cached section is
thus never older than the data, and never shows one visitor what another may
see. While the cache is unavailable, sections are rendered on every request.
"""
import hashlib

from asgiref.local import Local
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from indicators.results import selectors
from smartcity_portal.codeversion import code_version

# A section is stored with the versions it was rendered under and replaced when
# they change, so it never needs expiring; this only lets Redis reclaim sections
# no longer asked for.
CACHE_SECONDS = 6 * 3600
# The renders this request claimed (``read``) and stores (``cached_html``).
_claimed = Local()


def _key(name, parts):
    # Today's date: a quarter's reports fall due with the calendar.
    # The code that renders it: a deploy never serves sections rendered before it.
    text = "|".join(str(part) for part in (code_version(), get_language(), timezone.localdate(), *parts))
    return f"page:{name}:{hashlib.sha1(text.encode()).hexdigest()}"


def read(name, parts):
    """The cached HTML of section ``name`` as the data stands now, or ``None``: render it then.

    ``parts`` is everything besides the data, the language and the date that
    the HTML depends on; ``None`` means "do not cache" (for example a page
    address with parameters the page does not know, which must not fill the
    cache).

    When the data changed and another process is already rendering the new
    section, this answers the previous one (``selectors.read_or_claim``): one
    render per version, however many requests arrive meanwhile. ``None`` tells
    the caller to render it (this request has claimed the render, which
    ``cached_html(..., known_missing=True)`` then stores).
    """
    if parts is None:
        return None
    key = _key(name, parts)
    found = selectors.read_or_claim(key, selectors.RESULTS_AND_REPORTS)
    if found.claimed:
        _claims()[key] = found.versions
    if found.stale:
        _claimed.served_stale = True
    return None if found.value is None else mark_safe(found.value)


def served_stale():
    """Whether this request was given an earlier version of a section (another process renders the new one).

    A page holding one must not be stored as current (``smartcity_portal.pagecache``).
    """
    return getattr(_claimed, "served_stale", False)


def start_request(**kwargs):
    _claimed.served_stale = False


def _claims():
    claims = getattr(_claimed, "keys", None)
    if claims is None:
        claims = _claimed.keys = {}
    return claims


def release_unfinished_claims(**kwargs):
    """At the end of a request: give up the renders it claimed but did not store (for example a 400)."""
    _claimed.served_stale = False
    claims = getattr(_claimed, "keys", None)
    if not claims:
        return
    for key, versions in claims.items():
        selectors.release_claim(key, versions)
    claims.clear()


def cached_html(name, parts, render, *, known_missing=False):
    """The HTML of section ``name``, from the cache or from ``render()`` (then stored).

    ``known_missing``: this request already looked it up (``read``) and must render it.
    """
    if parts is None:
        return render()
    key = _key(name, parts)
    if known_missing and key in _claims():
        versions, claimed = _claims()[key], True
    elif known_missing:
        versions, _ = selectors.read_current(None, selectors.RESULTS_AND_REPORTS)
        claimed = False
    else:
        found = selectors.read_or_claim(key, selectors.RESULTS_AND_REPORTS)
        if found.stale:
            _claimed.served_stale = True
        if found.value is not None:
            return mark_safe(found.value)
        versions, claimed = found.versions, found.claimed
    _claims().pop(key, None)
    try:
        html = str(render())
    except BaseException:
        if claimed:
            selectors.release_claim(key, versions)
        raise
    if versions is not None:
        if claimed:
            selectors.store_claimed(key, versions, html, CACHE_SECONDS)
        else:
            selectors.store_current(key, versions, html, CACHE_SECONDS)
    return mark_safe(html)


def render_figures(view, context, *, cache=True):
    """The figures section of ``view``'s page, computed by the view before the page renders.

    ``view.figures_template_name`` is rendered with ``context`` and the
    figures of ``view.get_figures()`` and cached under
    ``view.figures_cache_name()`` and ``view.figures_cache_parts()``. Without
    ``cache`` (invalid filters: the section shows the errors) it is rendered
    from ``context`` alone, and not stored.
    """
    if not cache:
        return mark_safe(render_to_string(view.figures_template_name, context, request=view.request))

    def render():
        return render_to_string(view.figures_template_name, {**context, **view.get_figures()}, request=view.request)

    return cached_html(
        view.figures_cache_name(), view.figures_cache_parts(), render,
        known_missing=getattr(view, "figures_missing", False),
    )
