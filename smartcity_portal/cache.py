"""A Redis cache that turns into an empty cache while Redis is unreachable.

Django's ``RedisCache`` raises ``redis.ConnectionError`` from every call when
Redis is down, and the cache is read on every page (the demo banner) and every
API request (DRF's throttles): a stopped Redis would turn the whole portal into
500s. Nothing the portal caches is the only copy of anything, so while Redis
cannot be reached reads miss, writes are dropped, and the portal serves
everything from PostgreSQL, more slowly.

After a failure the cache is not tried again for ``RETRY_AFTER_SECONDS`` in
that process, so that an unreachable (rather than refusing) Redis costs one
connect timeout, not one per cache call.
"""
import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, OSError)


def _degrades_to(fallback):
    """Run the wrapped cache call; on a connection failure return ``fallback(*args, **kwargs)``."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if time.monotonic() < self._down_until:
                return fallback(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except _UNREACHABLE as error:
                self._mark_down(error)
                return fallback(*args, **kwargs)

        return wrapper

    return decorate


def _default(key, default=None, *args, **kwargs):
    return default


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _empty_dict(*args, **kwargs):
    return {}


def _all_keys_failed(data, *args, **kwargs):
    return list(data)


def _missing_key(key, *args, **kwargs):
    # What incr/decr say about a key that is not there: the cache is empty now.
    raise ValueError(f"Key '{key}' not found (cache unavailable).")


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's Redis client, keeping one ``redis.Redis`` per connection pool.

    Django builds a new ``redis.Redis`` for every cache call, and building one
    (its table of response callbacks) costs more than the call itself on a fast
    network: a page reads the cache several times. A ``redis.Redis`` is safe to
    share between threads; the connections stay in the pool as before.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class DegradingRedisCache(RedisCache):
    """``RedisCache`` that behaves as an empty cache while Redis cannot be reached."""

    _down_until = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def _mark_down(self, error):
        if time.monotonic() >= self._down_until:
            logger.warning("cache unavailable for %ss: %s", RETRY_AFTER_SECONDS, error)
        self._down_until = time.monotonic() + RETRY_AFTER_SECONDS

    get = _degrades_to(_default)(RedisCache.get)
    set = _degrades_to(_nothing)(RedisCache.set)
    add = _degrades_to(_false)(RedisCache.add)
    touch = _degrades_to(_false)(RedisCache.touch)
    delete = _degrades_to(_false)(RedisCache.delete)
    has_key = _degrades_to(_false)(RedisCache.has_key)
    incr = _degrades_to(_missing_key)(RedisCache.incr)
    get_many = _degrades_to(_empty_dict)(RedisCache.get_many)
    set_many = _degrades_to(_all_keys_failed)(RedisCache.set_many)
    delete_many = _degrades_to(_nothing)(RedisCache.delete_many)
    clear = _degrades_to(_false)(RedisCache.clear)

    @_degrades_to(_nothing)
    def count(self, key, timeout):
        """Add one to the counter ``key``, which lives ``timeout`` seconds from its first count.

        Returns ``(count, seconds the counter still lives)``, in one round trip,
        atomic across processes; ``None`` while Redis is down.
        """
        key = self.make_and_validate_key(key)
        pipeline = self._cache.get_client(key, write=True).pipeline()
        pipeline.set(key, 0, ex=int(timeout), nx=True)
        pipeline.incr(key)
        pipeline.ttl(key)
        _, count, seconds = pipeline.execute()
        return count, max(seconds, 1)


def count_in_window(cache, key, timeout):
    """Count one for ``key`` in a window of ``timeout`` seconds that opens with its first count.

    Returns ``(count, seconds until the window closes)``, or ``None`` while the cache
    keeps nothing (Redis down). Used by the API throttles and the password-reset limit.
    """
    count = getattr(cache, "count", None)
    if count is not None:
        return count(key, timeout)
    # Caches without a counter of their own (the demo's local memory): add, then
    # increment; the time left is not known, so a whole window is said.
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key), timeout
    except ValueError:
        return None
