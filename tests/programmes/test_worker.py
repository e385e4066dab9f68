"""A real Celery worker against the real Redis and the test database.

The worker is a separate process, so the test commits for real
(``transactional_db``) and points the worker at the test database by name.
It checks what the worker alone produces: the notification e-mails (written by
the file-based e-mail backend), the recomputed results, and a webhook delivery
retried through Celery's own ``retry`` with a countdown.
"""
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection

from indicators.models import NodeResult
from programmes import events, services
from programmes.models import OutboxMessage, SentNotification, WebhookDelivery
from provinces.models import AdministrativeUnit
from smartcity_portal.celery import app
from tests.factories import make_personas
from tests.programmes.test_background_broker import reset_connections
from tests.programmes.test_webhooks import ALL_ANSWERED, Receiver, subscribe

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60


def database_url():
    """The URL of the database this test runs on (pytest-django's ``test_…`` copy)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path, settings):
    if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.skip("needs PostgreSQL and Redis (DATABASE_URL and REDIS_URL)")
    mail_dir = tmp_path / "mail"
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "SECRET_KEY": "worker-test",
        "DEBUG": "0",
        "HTTPS": "0",
        "LOG_FORMAT": "plain",
        "LOG_LEVEL": "INFO",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "WEBHOOK_ALLOW_PRIVATE_TARGETS": "1",
        "WEBHOOK_RETRY_BASE_SECONDS": "0.2",
        "PORTAL_BASE_URL": "https://portal.example.gov.vn",
    }
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    app.conf.task_always_eager = False
    reset_connections()
    app.control.purge()  # leftovers of an interrupted run must not reach this worker
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "smartcity_portal", "worker",
                "--pool=solo", "--concurrency=1", "-Q", "celery", "-l", "info",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                "-n", f"test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        yield {"mail_dir": mail_dir, "log": log_path, "process": process}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        app.conf.task_always_eager = True


def wait_for(condition, worker):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        if worker["process"].poll() is not None:
            break
        time.sleep(0.25)
    log = worker["log"].read_text(errors="replace")[-4000:]
    pytest.fail(f"the worker did not finish the work in {WAIT_SECONDS} s; its log ends with:\n{log}")


def mails_to(mail_dir, address):
    if not mail_dir.exists():
        return 0
    return sum(p.read_text(errors="replace").count(f"To: {address}") for p in mail_dir.iterdir())


def test_a_real_worker_sends_the_notifications_recomputes_and_retries_a_webhook(worker):
    if not AdministrativeUnit.objects.exists():
        call_command("load_reference_data", verbosity=0)
    people = make_personas()
    with Receiver(statuses=(500, 200)) as receiver:
        subscribe(people.integrator, receiver.url)

        report = services.start_report(user=people.reporter, unit=people.unit, year=2025, quarter=3)
        report = services.submit_report(
            user=people.reporter, report=report, version=report.version, data=ALL_ANSWERED
        )
        report = services.approve_report(user=people.reviewer, report=report, version=report.version)
        messages = OutboxMessage.objects.filter(topic__in=[events.REPORT_SUBMITTED, events.REPORT_APPROVED])
        assert messages.count() == 2
        assert all(m.dispatched_at is not None for m in messages)  # queued to Redis, not run here

        def done():
            return (
                not OutboxMessage.objects.filter(processed_at__isnull=True).exists()
                and NodeResult.objects.filter(unit=people.unit, year=2025, quarter=3).exists()
                and WebhookDelivery.objects.filter(status="delivered").count() == 2
                and mails_to(worker["mail_dir"], people.reviewer.email) == 1
                and mails_to(worker["mail_dir"], people.reporter.email) == 1
            )

        wait_for(done, worker)

    assert SentNotification.objects.filter(recipient=people.reviewer, kind="report-submitted").count() == 1
    assert SentNotification.objects.filter(recipient=people.reporter, kind="report-approved").count() == 1
    # One of the two events met the 500 first and went through Celery's retry.
    assert sorted(d.attempts for d in WebhookDelivery.objects.all()) == [1, 2]
    assert len(receiver.requests) == 3
