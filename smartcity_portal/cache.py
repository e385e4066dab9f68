"""Counting requests in a window, on the cache the portal uses (django-redis, or the demo's local memory).

The cache itself is django-redis (``settings.CACHES``), with
``IGNORE_EXCEPTIONS``: while Redis cannot be reached it behaves as an empty
cache (reads miss, writes are dropped) and the portal serves everything from
PostgreSQL, more slowly. Nothing the portal caches is the only copy of
anything. The data-versioned caching of results lives in
``indicators.results.selectors`` (``read_current``, ``cached``) and
``indicators.results.fragments``.
"""
import logging

from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def count_in_window(cache, key, timeout):
    """Count one for ``key`` in a window of ``timeout`` seconds that opens with its first count.

    Returns ``(count, seconds until the window closes)``, or ``None`` while the cache
    keeps nothing (Redis down). Used by the API throttles and the password-reset limit.
    """
    get_client = getattr(getattr(cache, "client", None), "get_client", None)
    if get_client is not None:
        # django-redis: one round trip, atomic across processes.
        try:
            redis_key = cache.client.make_key(key)
            pipeline = get_client(write=True).pipeline()
            pipeline.set(redis_key, 0, ex=int(timeout), nx=True)
            pipeline.incr(redis_key)
            pipeline.ttl(redis_key)
            _, count, seconds = pipeline.execute()
        except (ConnectionInterrupted, RedisError, OSError) as error:
            logger.warning("cache unavailable: %s not counted (%s)", key, error)
            return None
        return count, max(seconds, 1)
    # Caches without a client of their own (the demo's local memory): add, then
    # increment; the time left is not known, so a whole window is said.
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key), timeout
    except ValueError:
        return None
