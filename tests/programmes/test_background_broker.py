"""Broker down: the user's action succeeds at once, the outbox keeps the work, the sweep does it once."""
import time
from contextlib import contextmanager

import pytest
from django.core import mail

from indicators.models import NodeResult
from programmes import events, handlers, services
from programmes.models import OutboxMessage, SentNotification, WebhookDelivery
from smartcity_portal.celery import app
from tests.programmes.test_webhooks import ALL_ANSWERED, Receiver, subscribe

pytestmark = pytest.mark.django_db

# Nothing listens here: connections are refused at once.
CLOSED_PORT_BROKER = "redis://127.0.0.1:6390/0"


def reset_connections():
    """Forget the app's pooled broker connections so that a changed ``broker_url`` takes effect.

    The pools themselves are kombu's, shared per URL: they are left open for reuse.
    """
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@contextmanager
def broker_down():
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = CLOSED_PORT_BROKER, False
    reset_connections()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        reset_connections()


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0


def test_approval_with_the_broker_down_succeeds_fast_and_the_sweep_does_the_work_exactly_once(
    personas, django_capture_on_commit_callbacks, caplog
):
    with Receiver() as receiver:
        subscribe(personas.integrator, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
            report = services.submit_report(
                user=personas.reporter, report=report, version=report.version, data=ALL_ANSWERED
            )
        mail.outbox.clear()
        requests_before = len(receiver.requests)

        with broker_down():
            started = time.monotonic()
            with django_capture_on_commit_callbacks(execute=True):
                report = services.approve_report(user=personas.reviewer, report=report, version=report.version)
            elapsed = time.monotonic() - started

        # The action is done and did not wait for the broker.
        report.refresh_from_db()
        assert report.status == "approved"
        assert elapsed < 2.0, f"approving with the broker down took {elapsed:.2f} s"
        message = OutboxMessage.objects.get(topic=events.REPORT_APPROVED)
        assert message.processed_at is None and message.dispatched_at is None
        assert "6390" in message.last_error or "refused" in message.last_error.lower()
        assert any("not queued" in r.getMessage() for r in caplog.records)
        assert mail.outbox == []
        assert not NodeResult.objects.filter(unit=personas.unit, year=2025, quarter=3).exists()

        # The broker is back: the sweep hands the message over and the work is done.
        with django_capture_on_commit_callbacks(execute=True):
            summary = handlers.sweep_outbox(older_than=0)
        assert summary["messages"] == 1 and summary["queued"] == 1
        message.refresh_from_db()
        assert message.processed_at is not None and message.last_error == ""
        assert [m.to for m in mail.outbox] == [[personas.reporter.email]]
        assert NodeResult.objects.filter(unit=personas.unit, year=2025, quarter=3).exists()
        approved_deliveries = WebhookDelivery.objects.filter(event_id=message.pk)
        assert [(d.status, d.attempts) for d in approved_deliveries] == [("delivered", 1)]
        assert len(receiver.requests) == requests_before + 1

        # Sweeping again, or a late duplicate task, changes nothing.
        with django_capture_on_commit_callbacks(execute=True):
            summary = handlers.sweep_outbox(older_than=0)
        assert summary == {"messages": 0, "deliveries": 0, "queued": 0, "done": 0, "incomplete": 0}
        assert handlers.process_outbox_message(message.pk) == "skipped"
        assert len(mail.outbox) == 1 and len(receiver.requests) == requests_before + 1
        assert SentNotification.objects.filter(key=str(message.pk)).count() == 1


def test_a_webhook_delivery_whose_retry_could_not_be_queued_is_picked_up_by_the_sweep(
    personas, django_capture_on_commit_callbacks
):
    with Receiver() as receiver:
        subscribe(personas.integrator, receiver.url)
        with broker_down(), django_capture_on_commit_callbacks(execute=True):
            report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
            services.submit_report(
                user=personas.reporter, report=report, version=report.version, data=ALL_ANSWERED
            )
        assert not WebhookDelivery.objects.exists()  # the event itself waits in the outbox

        with django_capture_on_commit_callbacks(execute=True):
            handlers.sweep_outbox(older_than=0, inline=True)
        [delivery] = WebhookDelivery.objects.all()
        assert delivery.status == "delivered" and len(receiver.requests) == 1


def test_the_broker_settings_fail_fast():
    from django.conf import settings

    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert options["max_retries"] <= 1 and options["interval_start"] == 0
    assert options["socket_connect_timeout"] <= 1
    assert settings.CELERY_TASK_PUBLISH_RETRY_POLICY["max_retries"] <= 1
