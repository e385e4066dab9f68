"""The cache backend's cost per call: django-redis (the portal's) beside Django's own Redis cache.

Run: ``.venv/bin/python benchmarks/cache_backends.py [redis://127.0.0.1:6379/15]``
(part of ``make benchmark``). Prints microseconds per call, the median of nine
runs of 1,000 calls each, the backends taking turns, for the calls a warm page makes: one ``get_many`` of
the data versions and a section, a ``get`` and a ``set``.
"""
import statistics
import sys
import time

import django
from django.conf import settings

URL = sys.argv[1] if len(sys.argv) > 1 else "redis://127.0.0.1:6379/15"
CALLS, RUNS = 1000, 9

settings.configure()
django.setup()

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django_redis.cache import RedisCache as DjangoRedisPackageCache

BACKENDS = {
    "django-redis (the portal's)": DjangoRedisPackageCache(
        URL, {"KEY_PREFIX": "bench", "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5,
                                                 "SOCKET_TIMEOUT": 1}}),
    "Django's RedisCache": DjangoRedisCache(URL, {"KEY_PREFIX": "bench", "OPTIONS": {}}),
}
SECTION = "<section>" + "x" * 60_000 + "</section>"  # about the size of a dashboard's figures


def timed(action):
    start = time.perf_counter()
    for _ in range(CALLS):
        action()
    return (time.perf_counter() - start) / CALLS * 1e6


def actions(cache):
    return {
        "get_many(3)": lambda: cache.get_many(["v1", "v2", "section"]),
        "get": lambda: cache.get("v1"),
        "set": lambda: cache.set("k", 1),
    }


for cache in BACKENDS.values():
    cache.set_many({"v1": "a", "v2": "b", "section": (("a", "b"), SECTION)})
# The backends take turns, run after run, so that a busy machine weighs on both alike.
timings = {(name, call): [] for name in BACKENDS for call in actions(None)}
for _ in range(RUNS):
    for name, cache in BACKENDS.items():
        for call, action in actions(cache).items():
            timings[name, call].append(timed(action))
print(f"{'backend':<30} {'get_many(3) µs':>15} {'get µs':>8} {'set µs':>8}")
for name, cache in BACKENDS.items():
    medians = [statistics.median(timings[name, call]) for call in actions(None)]
    print(f"{name:<30} {medians[0]:>15.0f} {medians[1]:>8.0f} {medians[2]:>8.0f}")
    cache.delete_many(["v1", "v2", "section", "k"])
