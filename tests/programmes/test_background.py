"""Background work run eagerly: notifications, the outbox and its sweep, recomputation."""
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from indicators.models import NodeResult
from programmes import events, handlers, services
from programmes.models import OutboxMessage, SentNotification
from smartcity_portal.accounts.models import Role
from tests.factories import UserFactory, unit

pytestmark = pytest.mark.django_db

ALL_ANSWERED = {
    "nodes": {
        f"decision-950:{n}": {"status": "in-progress", "percent_complete": "40", "narrative": f"Nhóm {n}"}
        for n in range(1, 10)
    }
}


@pytest.fixture(autouse=True)
def _links(settings):
    settings.PORTAL_BASE_URL = "https://portal.example.gov.vn"


def submit(personas, run, *, unit_=None, year=2025, quarter=3):
    """Start and submit a report as the persona reporter, running after-commit work."""
    with run(execute=True):
        report = services.start_report(
            user=personas.reporter, unit=unit_ or personas.unit, year=year, quarter=quarter
        )
        report = services.submit_report(
            user=personas.reporter, report=report, version=report.version, data=ALL_ANSWERED
        )
    return report


def mails_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def test_submission_emails_every_active_reviewer_once_in_their_own_language(
    personas, django_capture_on_commit_callbacks
):
    english = UserFactory(username="reviewer-en", role=Role.MINISTRY_REVIEWER, language="en")
    UserFactory(username="reviewer-gone", role=Role.MINISTRY_REVIEWER, is_active=False)
    UserFactory(username="reviewer-no-mail", role=Role.MINISTRY_REVIEWER, email="")

    report = submit(personas, django_capture_on_commit_callbacks)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([personas.reviewer.email, english.email])
    [vietnamese_mail] = mails_to(personas.reviewer)
    [english_mail] = mails_to(english)
    assert "Bắc Ninh" in vietnamese_mail.subject and "2025-Q3" in vietnamese_mail.subject
    assert "Bac Ninh" in english_mail.subject and "Bắc" not in english_mail.subject
    assert "https://portal.example.gov.vn" in english_mail.body
    assert str(report.pk) in english_mail.body
    assert "&" not in english_mail.body  # plain text, not HTML-escaped
    message = OutboxMessage.objects.get(topic=events.REPORT_SUBMITTED)
    assert message.processed_at is not None and message.last_error == ""
    assert SentNotification.objects.filter(kind="report-submitted", key=str(message.pk)).count() == 2


def test_return_emails_the_units_reporters_with_the_comment_and_field_comments(
    personas, django_capture_on_commit_callbacks
):
    report = submit(personas, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.return_report(
            user=personas.reviewer, report=report, version=report.version,
            comment="Bổ sung minh chứng cho nhóm 2",
            field_comments={"nodes.decision-950:2.narrative": "Quá ngắn", "indicators.TG5-01.value": "Kiểm tra lại"},
        )

    [returned] = mail.outbox
    assert returned.to == [personas.reporter.email]
    assert "Bổ sung minh chứng cho nhóm 2" in returned.body
    assert "Quá ngắn" in returned.body and "Kiểm tra lại" in returned.body
    # Field keys are shown as readable labels, not as form names.
    assert "Task group 2" in returned.body or "2." in returned.body
    assert "nodes.decision-950:2.narrative" not in returned.body
    assert "TG5-01" in returned.body


def test_approval_of_a_dissolved_units_report_emails_the_reporters_of_its_successor(
    personas, django_capture_on_commit_callbacks
):
    # Bắc Giang was merged into new Bắc Ninh: its 2025-Q2 report is filed by Bắc Ninh's reporter.
    report = submit(personas, django_capture_on_commit_callbacks, unit_=unit("bac-giang"), quarter=2)
    second = UserFactory(username="reporter-2", role=Role.PROVINCE_REPORTER, unit=personas.unit)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_report(user=personas.reviewer, report=report, version=report.version)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([personas.reporter.email, second.email])
    assert all("Bắc Giang" in m.subject for m in mail.outbox)
    assert not mails_to(personas.other_reporter)


def test_processing_a_message_again_sends_nothing_again(personas, django_capture_on_commit_callbacks):
    submit(personas, django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get(topic=events.REPORT_SUBMITTED)
    sent = len(mail.outbox)

    assert handlers.process_outbox_message(message.pk) == "skipped"
    # Even if the processed mark were lost (a worker killed before commit), nobody is mailed twice.
    OutboxMessage.objects.filter(pk=message.pk).update(processed_at=None)
    assert handlers.process_outbox_message(message.pk) == "done"
    assert len(mail.outbox) == sent


def test_a_failed_email_leaves_the_message_for_a_retry_that_reaches_only_the_missed_recipient(
    personas, django_capture_on_commit_callbacks, monkeypatch
):
    other = UserFactory(username="reviewer-2", role=Role.MINISTRY_REVIEWER)
    from django.core.mail.backends.locmem import EmailBackend

    original = EmailBackend.send_messages

    def refuse_one(self, messages):
        if any(other.email in m.to for m in messages):
            raise ConnectionRefusedError("SMTP server refused")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_one)
    submit(personas, django_capture_on_commit_callbacks)

    message = OutboxMessage.objects.get(topic=events.REPORT_SUBMITTED)
    assert message.processed_at is None
    assert "SMTP server refused" in message.last_error
    assert [m.to for m in mail.outbox] == [[personas.reviewer.email]]
    assert not SentNotification.objects.filter(recipient=other).exists()

    monkeypatch.setattr(EmailBackend, "send_messages", original)
    summary = handlers.sweep_outbox(older_than=0)
    assert summary["messages"] == 1
    message.refresh_from_db()
    assert message.processed_at is not None and message.attempts == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([personas.reviewer.email, other.email])


def test_approval_recomputes_results_only_after_the_transaction_commits(
    personas, django_capture_on_commit_callbacks
):
    report = submit(personas, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.approve_report(user=personas.reviewer, report=report, version=report.version)
        assert not NodeResult.objects.filter(unit=personas.unit, year=2025, quarter=3).exists()
    message = OutboxMessage.objects.get(topic=events.REPORT_APPROVED)
    assert message.processed_at is None and message.dispatched_at is None

    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert message.processed_at is not None and message.dispatched_at is not None
    assert NodeResult.objects.filter(unit=personas.unit, year=2025, quarter=3).exists()


def test_a_failing_step_is_retried_by_the_sweep_without_repeating_the_steps_that_worked(
    personas, django_capture_on_commit_callbacks, monkeypatch
):
    report = submit(personas, django_capture_on_commit_callbacks)
    calls = []

    def broken(report_events):
        calls.append(report_events[0].pk)
        raise RuntimeError("results table locked")

    monkeypatch.setattr(handlers, "_subscribers", [broken])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_report(user=personas.reviewer, report=report, version=report.version)
    message = OutboxMessage.objects.get(topic=events.REPORT_APPROVED)
    assert message.processed_at is None and "results table locked" in message.last_error
    assert len(mail.outbox) == 1  # the reporter's approval e-mail went out

    monkeypatch.undo()
    call_command("sweep_outbox", "--inline", "--older-than", "0", verbosity=0)
    message.refresh_from_db()
    assert message.processed_at is not None
    assert NodeResult.objects.filter(unit=personas.unit, year=2025, quarter=3).exists()
    assert len(mail.outbox) == 1


def test_sweep_leaves_recent_and_processed_messages_alone(personas, django_capture_on_commit_callbacks):
    submit(personas, django_capture_on_commit_callbacks)
    pending = OutboxMessage.objects.create(topic=events.REPORT_SUBMITTED, payload={"report_id": 0})

    assert handlers.sweep_outbox()["messages"] == 0  # too recent for the default delay
    OutboxMessage.objects.filter(pk=pending.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    summary = handlers.sweep_outbox(inline=True)
    assert summary["messages"] == 1 and summary["done"] == 1
    assert handlers.sweep_outbox(older_than=0)["messages"] == 0


def test_sweep_command_without_inline_queues_the_missed_messages(capsys, personas):
    OutboxMessage.objects.create(topic="unknown.topic", payload={})
    call_command("sweep_outbox", "--older-than", "0")
    assert "1 event(s)" in capsys.readouterr().out
    assert OutboxMessage.objects.get().processed_at is not None


def test_beat_runs_the_sweep_every_minute_and_the_reminders_daily(settings):
    from celery.schedules import crontab

    from smartcity_portal.celery import app

    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["sweep-outbox"]["schedule"] == 60.0
    assert isinstance(schedule["deadline-reminders"]["schedule"], crontab)
    for entry in schedule.values():
        assert entry["task"] in app.tasks


def test_a_reminder_task_takes_an_iso_date(personas):
    from programmes.tasks import send_reminders

    result = send_reminders.delay("2025-10-01").get()
    assert result["reminders"]["quarter"] == "2025-Q3"


@pytest.mark.parametrize(
    ("attempts", "minutes_since_handed_over", "due"),
    [(0, 3, True), (1, 3, True), (3, 7, False), (3, 9, True), (20, 100, False), (20, 130, True)],
)
def test_a_message_that_keeps_failing_is_retried_ever_less_often_but_never_given_up(
    personas, attempts, minutes_since_handed_over, due
):
    # Default delay 120 s: after n failures, 2 min × 2^(n-1), at most 128 min.
    long_ago = timezone.now() - timedelta(days=1)
    message = OutboxMessage.objects.create(topic=events.REPORT_SUBMITTED, payload={"report_id": 0})
    OutboxMessage.objects.filter(pk=message.pk).update(
        created_at=long_ago, attempts=attempts,
        dispatched_at=timezone.now() - timedelta(minutes=minutes_since_handed_over),
    )
    assert handlers.sweep_outbox(inline=True)["messages"] == (1 if due else 0)
