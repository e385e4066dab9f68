"""Rendered dashboard sections, cached until anything they show may have changed.

Building a dashboard's tables, charts and map takes far longer than serving
the page around them. A warm request therefore renders only the page's frame
(navigation, the visitor's name, the language switcher) and takes the section
with the figures from one cache read.

The key of a section holds everything it depends on: ``selectors.dashboard_version``
(results generation, the reports' last change, today's date), the language,
the page and its filters, and, where a section links the reports a visitor may
read, the visitor's report scope. A cached section is thus never older than the
data, and never shows one visitor what another may see. While the cache is
unavailable, sections are rendered on every request.
"""
import hashlib
import logging

from django.core.cache import cache
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from indicators import selectors

logger = logging.getLogger(__name__)

# Sections are keyed by the data version, so they never need expiring; this
# only lets Redis reclaim the memory of versions no longer asked for.
CACHE_SECONDS = 6 * 3600


def section_key(name, parts):
    """The cache key of section ``name`` as the data stands now; ``None``: do not cache.

    ``parts`` is everything besides the data and the language that the HTML
    depends on; ``None`` means "do not cache" (for example a page address with
    parameters the page does not know, which must not fill the cache).
    """
    if parts is None:
        return None
    version = selectors.dashboard_version()
    if version is None:
        return None
    text = "|".join(str(part) for part in (get_language(), *parts))
    return f"page:{name}:{version}:{hashlib.sha1(text.encode()).hexdigest()}"


def read(key):
    """The cached HTML under ``key``, or ``None``."""
    if key is None:
        return None
    try:
        html = cache.get(key)
    except Exception:  # noqa: BLE001 - a page must render, uncached, while the cache is down
        return None
    return None if html is None else mark_safe(html)  # noqa: S308 - HTML the portal's own templates rendered


def cached_html(name, parts, render):
    """The HTML of section ``name``, from the cache or from ``render()`` (then stored)."""
    key = section_key(name, parts)
    html = read(key)
    if html is not None:
        return html
    html = render()
    if key is not None:
        try:
            cache.set(key, str(html), CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("cache unavailable: section %s not stored", name, exc_info=True)
    return mark_safe(html)  # noqa: S308
