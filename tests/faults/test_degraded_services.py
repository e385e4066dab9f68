"""In-process checks of the two pieces that keep the portal answering during outages.

The end-to-end versions, with real restarts, are in ``test_outages.py``.
"""
import json

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory
from django_redis.cache import RedisCache

from smartcity_portal.cache import count_in_window
from smartcity_portal.middleware import DatabaseUnavailableMiddleware
from tests.faults.stack import free_port


@pytest.fixture
def dead_cache(settings):
    # A port nothing listens on, with the portal's own cache options: every connection is refused at once.
    options = settings.CACHES["default"].get("OPTIONS", {}) if "redis" in settings.CACHES["default"]["BACKEND"] else {}
    return RedisCache(f"redis://127.0.0.1:{free_port()}/0", {"OPTIONS": {**options, "IGNORE_EXCEPTIONS": True}})


def test_a_cache_whose_redis_is_down_behaves_as_an_empty_cache(dead_cache):
    assert dead_cache.get("k") is None
    assert dead_cache.get("k", "fallback") == "fallback"
    assert not dead_cache.set("k", 1)
    assert not dead_cache.add("k", 1)
    assert dead_cache.get_many(["a", "b"]) == {}
    assert not dead_cache.has_key("k")
    assert not dead_cache.delete("k")
    assert dead_cache.get_or_set("k", 5) == 5


def test_while_redis_is_down_requests_are_counted_as_nothing(dead_cache):
    assert count_in_window(dead_cache, "k", 60) is None


def test_the_portal_cache_is_django_redis_and_ignores_an_outage(settings):
    from django.core.cache import cache

    if "redis" not in settings.CACHES["default"]["BACKEND"]:
        pytest.skip("the test settings do not use Redis")
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert settings.CACHES["default"]["OPTIONS"]["IGNORE_EXCEPTIONS"] is True
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
