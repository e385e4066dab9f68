"""Deadline reminders and the reviewers' weekly digest: sent once per recipient, period and kind."""
from datetime import date

import pytest
from django.core import mail

from programmes import reminders
from programmes.models import ReportStatus, SentNotification
from programmes.tasks import send_reminders
from smartcity_portal.accounts.models import Role
from tests.factories import ReportFactory, UserFactory, unit

pytestmark = pytest.mark.django_db

# 2025-Q3 ends on 30 September; with 15 days to report it is due on 15 October 2025.
DUE = date(2025, 10, 15)
FIVE_DAYS_BEFORE = date(2025, 10, 10)  # a Friday
MONDAY = date(2025, 10, 13)


@pytest.fixture(autouse=True)
def _rules(settings):
    settings.REPORT_DUE_DAYS = 15
    settings.REMINDER_DAYS_BEFORE_DUE = 5
    settings.REVIEWER_DIGEST_WEEKDAY = 0


@pytest.fixture
def cast(personas):
    """Bắc Ninh has a draft for 2025-Q3; Hà Nội has submitted it."""
    ReportFactory(unit=personas.unit, year=2025, quarter=3, status=ReportStatus.DRAFT)
    ReportFactory(unit=personas.other_unit, year=2025, quarter=3, status=ReportStatus.SUBMITTED)
    return personas


def mails_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def run(day, times=1):
    for _ in range(times):
        send_reminders.delay(day.isoformat())


def test_reporters_are_reminded_once_before_the_due_date_however_often_beat_runs(cast):
    run(FIVE_DAYS_BEFORE, times=3)

    [reminder] = mails_to(cast.reporter)
    assert "2025-Q3" in reminder.subject
    assert "Bắc Ninh" in reminder.body
    assert not mails_to(cast.other_reporter)  # Hà Nội has submitted
    assert SentNotification.objects.filter(kind=reminders.BEFORE_DUE, key="2025-Q3").count() == 1

    # The next days of the window (a restart, a second beat) send nothing more.
    run(date(2025, 10, 11), times=2)
    assert len(mails_to(cast.reporter)) == 1


def test_the_due_date_brings_a_second_kind_of_reminder_once(cast):
    run(FIVE_DAYS_BEFORE)
    run(DUE, times=3)

    assert len(mails_to(cast.reporter)) == 2
    assert SentNotification.objects.filter(recipient=cast.reporter, key="2025-Q3").count() == 2
    assert {n.kind for n in SentNotification.objects.filter(recipient=cast.reporter)} == {
        reminders.BEFORE_DUE, reminders.ON_DUE
    }


def test_a_due_date_missed_by_beat_is_caught_up_the_next_day_as_overdue(cast):
    run(date(2025, 10, 16))
    [reminder] = mails_to(cast.reporter)
    assert "2025-Q3" in reminder.subject
    assert SentNotification.objects.filter(recipient=cast.reporter, kind=reminders.ON_DUE).exists()


def test_no_reminder_before_the_window_or_once_the_report_is_submitted(cast):
    run(date(2025, 10, 9))
    assert not mails_to(cast.reporter)

    cast.unit.reports.filter(year=2025, quarter=3).update(status=ReportStatus.SUBMITTED)
    run(FIVE_DAYS_BEFORE)
    assert not mails_to(cast.reporter)


def test_a_returned_report_still_counts_as_not_submitted(cast):
    cast.unit.reports.filter(year=2025, quarter=3).update(status=ReportStatus.RETURNED)
    run(FIVE_DAYS_BEFORE)
    assert len(mails_to(cast.reporter)) == 1


def test_reporters_of_a_new_unit_are_reminded_of_its_dissolved_predecessors_old_quarter(personas):
    # 2025-Q2 was reported by the 63 old units; Bắc Giang and old Bắc Ninh are now Bắc Ninh's.
    run(date(2025, 7, 15))
    [reminder] = mails_to(personas.reporter)
    assert "2025-Q2" in reminder.subject
    assert "Bắc Giang" in reminder.body
    assert "Hà Nội" not in reminder.body


def test_reminders_are_written_in_the_recipients_language(cast):
    cast.reporter.language = "en"
    cast.reporter.save(update_fields=["language"])
    run(FIVE_DAYS_BEFORE)
    [reminder] = mails_to(cast.reporter)
    assert "Bac Ninh" in reminder.body and "Bắc Ninh" not in reminder.body


def test_reviewers_get_one_digest_a_week_with_pending_and_late_reports(cast):
    UserFactory(username="reviewer-off", role=Role.MINISTRY_REVIEWER, is_active=False)
    for day in (MONDAY, date(2025, 10, 14), DUE):
        run(day, times=2)

    [digest] = mails_to(cast.reviewer)
    # Waiting for review: Hà Nội's 2025-Q3; late: 2025-Q2, the last quarter past its due date.
    assert "Hà Nội, 2025-Q3" in digest.body
    assert "2025-Q2" in digest.body and "Bắc Giang" in digest.body
    assert SentNotification.objects.filter(kind=reminders.DIGEST, key="2025-W42").count() == 1

    run(date(2025, 10, 20))
    assert len(mails_to(cast.reviewer)) == 2


def test_no_digest_before_the_configured_weekday(cast, settings):
    settings.REVIEWER_DIGEST_WEEKDAY = 3  # Thursday
    run(date(2025, 10, 14))
    assert not mails_to(cast.reviewer)
    run(date(2025, 10, 16))
    assert len(mails_to(cast.reviewer)) == 1


def test_outstanding_reports_lists_units_in_force_for_the_whole_quarter():
    from provinces.quarters import Quarter

    q3 = reminders.outstanding_reports(Quarter(2025, 3))
    q2 = reminders.outstanding_reports(Quarter(2025, 2))
    assert len(q3) == 34 and len(q2) == 63
    assert unit("bac-giang") in [u for u, _ in q2]
    assert unit("bac-giang") not in [u for u, _ in q3]
