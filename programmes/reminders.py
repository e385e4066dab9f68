"""Deadline reminders and the reviewers' weekly digest, run daily by Celery beat.

Reporters are reminded about the last complete quarter's report while it is
not submitted (no report, a draft or a returned report):

- ``reminder-before-due``: from ``REMINDER_DAYS_BEFORE_DUE`` days before the
  due date until the day before it;
- ``reminder-due``: on the due date, or on the first run after it if beat was
  not running that day.

Reviewers get ``reviewer-digest`` once a week, from ``REVIEWER_DIGEST_WEEKDAY``
on: the reports waiting for review and the units late with the most recent
quarter whose due date has passed.

Each kind goes once per recipient per period (``SentNotification`` keys
``2025-Q3`` and ``2025-W41``), however often beat runs or restarts; a window
rather than a single day means a day missed by beat is caught up.
"""
from django.conf import settings
from django.utils import timezone

from programmes import notifications
from programmes.models import Report, ReportStatus
from provinces.quarters import Quarter
from provinces.selectors import lineage_map, units_in_force_throughout
from smartcity_portal.accounts.models import Role

BEFORE_DUE = "reminder-before-due"
ON_DUE = "reminder-due"
DIGEST = "reviewer-digest"

# Reports in these states still need the unit's work.
NOT_SUBMITTED = {ReportStatus.DRAFT, ReportStatus.RETURNED}
DIGEST_PENDING_LIMIT = 100


def outstanding_reports(quarter):
    """``[(unit, report or None)]``: units that must report on ``quarter`` and have not submitted."""
    reports = {
        r.unit_id: r for r in Report.objects.filter(year=quarter.year, quarter=quarter.quarter)
    }
    outstanding = []
    for unit in units_in_force_throughout(quarter).order_by("name_vi"):
        report = reports.get(unit.pk)
        if report is None or report.status in NOT_SUBMITTED:
            outstanding.append((unit, report))
    return outstanding


def last_overdue_quarter(today):
    """The most recent quarter whose due date has passed by ``today``."""
    quarter = Quarter.last_complete(today)
    return quarter if quarter.due_date < today else quarter.previous()


def _reminder_kind(quarter, today):
    days_left = (quarter.due_date - today).days
    if days_left <= 0:
        return ON_DUE
    if days_left <= settings.REMINDER_DAYS_BEFORE_DUE:
        return BEFORE_DUE
    return None


def send_deadline_reminders(today=None):
    """Remind the reporters of units late with the last complete quarter; returns a summary."""
    today = today or timezone.localdate()
    quarter = Quarter.last_complete(today)
    kind = _reminder_kind(quarter, today)
    summary = {"kind": kind, "quarter": str(quarter), "sent": 0, "problems": []}
    if kind is None:
        return summary
    lineage = lineage_map()
    by_current = {}
    for unit, report in outstanding_reports(quarter):
        by_current.setdefault(lineage[unit.pk], []).append((unit, report))
    if not by_current:
        return summary
    reporters = notifications.mailable_users().filter(
        role=Role.PROVINCE_REPORTER, unit_id__in=by_current
    )
    for reporter in reporters:
        outstanding = by_current[reporter.unit_id]

        def context(recipient, outstanding=outstanding):
            return {
                "quarter": quarter,
                "due_date": quarter.due_date,
                "days_left": (quarter.due_date - today).days,
                "overdue": quarter.due_date < today,
                "outstanding": [
                    {"unit": unit, "report": report, "url": notifications.report_url(report) if report else None}
                    for unit, report in outstanding
                ],
                "reports_url": notifications.page_url("programmes:report_list", "/reports/"),
            }

        sent, problems = notifications.send_to_each(
            kind=kind, key=str(quarter), recipients=[reporter],
            template="reminder_due" if kind == ON_DUE else "reminder_before_due", context=context,
        )
        summary["sent"] += sent
        summary["problems"].extend(problems)
    return summary


def send_reviewer_digest(today=None):
    """Send the reviewers' weekly digest if this week's is due and not yet sent; returns a summary."""
    today = today or timezone.localdate()
    iso = today.isocalendar()
    key = f"{iso.year}-W{iso.week:02d}"
    summary = {"kind": DIGEST, "week": key, "sent": 0, "problems": []}
    if today.weekday() < settings.REVIEWER_DIGEST_WEEKDAY:
        return summary
    pending = list(
        Report.objects.filter(status=ReportStatus.SUBMITTED)
        .select_related("unit")
        .order_by("submitted_at", "pk")[: DIGEST_PENDING_LIMIT + 1]
    )
    pending_total = (
        len(pending) if len(pending) <= DIGEST_PENDING_LIMIT
        else Report.objects.filter(status=ReportStatus.SUBMITTED).count()
    )
    late_quarter = last_overdue_quarter(today)
    late = outstanding_reports(late_quarter)
    if not pending and not late:
        return summary

    def context(recipient):
        return {
            "today": today,
            "pending": [
                {
                    "report": report,
                    "quarter": Quarter(report.year, report.quarter),
                    "days_waiting": (today - timezone.localtime(report.submitted_at).date()).days
                    if report.submitted_at else None,
                    "url": notifications.report_url(report),
                }
                for report in pending[:DIGEST_PENDING_LIMIT]
            ],
            "pending_total": pending_total,
            "pending_more": max(0, pending_total - DIGEST_PENDING_LIMIT),
            "late_quarter": late_quarter,
            "late_due_date": late_quarter.due_date,
            "late": [{"unit": unit, "report": report} for unit, report in late],
            "reports_url": notifications.page_url("programmes:report_list", "/reports/"),
        }

    sent, problems = notifications.send_to_each(
        kind=DIGEST, key=key, recipients=list(notifications.reviewers()),
        template="reviewer_digest", context=context,
    )
    summary.update(sent=sent, problems=problems)
    return summary


def run_daily(today=None):
    """The daily beat job: reporters' reminders, then the reviewers' digest."""
    today = today or timezone.localdate()
    return {"reminders": send_deadline_reminders(today), "digest": send_reviewer_digest(today)}
