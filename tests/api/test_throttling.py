"""The API's request budgets: counted per window in one Redis round trip, open while Redis is down."""
import pytest
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from smartcity_portal.cache import count_in_window
from tests.faults.stack import free_port

pytestmark = pytest.mark.django_db


def test_a_client_gets_its_budget_then_429_until_its_window_closes(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "5/minute"})
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    assert [client.get("/api/v1/regions/").status_code for _ in range(5)] == [200, 200, 200, 429, 429]
    retry_after = int(client.get("/api/v1/regions/")["Retry-After"])
    assert 1 <= retry_after <= 60


def test_the_window_opens_with_the_first_request_and_closes_a_period_later():
    key = "throttle-test:window"
    cache.delete(key)
    assert count_in_window(cache, key, 60)[0] == 1
    count, seconds_left = count_in_window(cache, key, 60)
    assert count == 2 and 55 <= seconds_left <= 60
    cache.delete(key)
    assert count_in_window(cache, key, 60)[0] == 1


def test_requests_are_let_through_while_redis_is_down(monkeypatch, settings):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "1/minute", "user": "1/minute"})

    # The portal's cache options, on a port nothing listens on.
    options = settings.CACHES["default"].get("OPTIONS", {})
    monkeypatch.setattr(SimpleRateThrottle, "cache", RedisCache(f"redis://127.0.0.1:{free_port()}/0", {"OPTIONS": options}))
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    assert [client.get("/api/v1/regions/").status_code for _ in range(3)] == [200, 200, 200]


def test_a_cache_without_counters_of_its_own_counts_too():
    local = LocMemCache("throttle-test", {})
    assert [count_in_window(local, "k", 60)[0] for _ in range(3)] == [1, 2, 3]


PROXY = "10.0.0.1"


def statuses(client, forwarded_for, count):
    """Statuses of ``count`` anonymous requests; ``forwarded_for(i)`` is the i-th X-Forwarded-For."""
    return [
        client.get("/api/v1/regions/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for(i)).status_code
        for i in range(count)
    ]


def test_with_one_trusted_proxy_two_clients_behind_it_get_separate_budgets(monkeypatch, settings):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "5/minute"})
    settings.TRUSTED_PROXY_COUNT = 1
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")

    # The first client writes something new to the left each time; the proxy appends its address.
    first = statuses(client, lambda i: f"203.0.113.{i}, 198.51.100.1", 4)
    second = statuses(client, lambda i: "198.51.100.2", 1)

    assert first == [200, 200, 200, 429]
    assert second == [200]


def test_without_a_trusted_proxy_a_forged_x_forwarded_for_does_not_choose_the_budget(monkeypatch, settings):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "5/minute"})
    settings.TRUSTED_PROXY_COUNT = 0
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")

    assert statuses(client, lambda i: f"198.51.100.{i}", 5) == [200, 200, 200, 429, 429]
