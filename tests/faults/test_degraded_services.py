"""In-process checks of the two pieces that keep the portal answering during outages.

The end-to-end versions, with real restarts, are in ``test_outages.py``.
"""
import json

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory

from smartcity_portal.cache import DegradingRedisCache
from smartcity_portal.middleware import DatabaseUnavailableMiddleware
from tests.faults.stack import free_port


@pytest.fixture
def dead_cache():
    # A port nothing listens on: every connection is refused at once.
    return DegradingRedisCache(
        f"redis://127.0.0.1:{free_port()}/0",
        {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}},
    )


def test_a_cache_whose_redis_is_down_behaves_as_an_empty_cache(dead_cache):
    assert dead_cache.get("k") is None
    assert dead_cache.get("k", "fallback") == "fallback"
    assert dead_cache.set("k", 1) is None
    assert dead_cache.add("k", 1) is False
    assert dead_cache.get_many(["a", "b"]) == {}
    assert dead_cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert dead_cache.has_key("k") is False
    assert dead_cache.delete("k") is False
    assert dead_cache.get_or_set("k", 5) == 5
    with pytest.raises(ValueError):
        dead_cache.incr("k")


def test_after_a_failure_the_cache_is_not_tried_again_for_a_while(dead_cache, monkeypatch):
    dead_cache.get("k")
    calls = []
    monkeypatch.setattr(dead_cache, "_cache", None, raising=False)
    monkeypatch.setattr(
        "django.core.cache.backends.redis.RedisCache.get", lambda *args, **kwargs: calls.append(1)
    )
    assert dead_cache.get("k", "skipped") == "skipped"
    assert calls == []


def test_a_working_cache_still_caches(settings):
    from django.core.cache import cache

    if "Degrading" not in settings.CACHES["default"]["BACKEND"]:
        pytest.skip("the test settings do not use Redis")
    cache.set("faults:alive", "yes", 5)
    assert cache.get("faults:alive") == "yes"


@pytest.mark.parametrize("error", [OperationalError("connection refused"), InterfaceError("connection already closed")])
@pytest.mark.parametrize(
    "path, content_type",
    [("/api/v1/reports/", "application/json"), ("/provinces/", "text/html; charset=utf-8")],
)
def test_database_errors_become_a_clear_503(error, path, content_type):
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    response = middleware.process_exception(RequestFactory().get(path), error)
    assert response.status_code == 503
    assert response["Content-Type"] == content_type
    assert response["Retry-After"] == "5"
    if path.startswith("/api/"):
        assert json.loads(response.content)["code"] == "service_unavailable"
    else:
        assert b"<h1>" in response.content and b"<script" not in response.content


def test_other_errors_are_left_alone():
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("bug")) is None


@pytest.mark.django_db
def test_an_outbox_message_is_not_written_to_after_it_is_queued(personas, monkeypatch):
    """A worker skips locked messages; the dispatcher must not lock the row once a worker may have it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from programmes import events
    from tests.factories import ReportFactory

    message = events.record_event(events.REPORT_SUBMITTED, ReportFactory(unit=personas.unit), actor=personas.reporter)
    queued_at = []

    def fake_queue(task, *args):
        queued_at.append(len(context.captured_queries))
        return True, None

    monkeypatch.setattr(events, "queue", fake_queue)
    with CaptureQueriesContext(connection) as context:
        assert events.dispatch(message.pk) is True
    assert queued_at, "the message was queued"
    later = [q["sql"] for q in context.captured_queries[queued_at[0]:]]
    assert not any("programmes_outboxmessage" in sql for sql in later), later
    message.refresh_from_db()
    assert message.dispatched_at is not None
