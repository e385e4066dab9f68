"""Reads about reports: their contents, their history and their neighbours."""
from decimal import Decimal

from django.core.cache import cache
from django.db import DatabaseError
from django.db.models import Prefetch

from indicators.models import Indicator, IndicatorValue
from indicators.rollup import combine
from programmes import policies
from programmes.models import DemoDataset, Evidence, Report, ReportRevision, ReportStatus, TaskGroup, TaskGroupProgress
from programmes.quarters import Quarter


DEMO_FLAG_KEY = "portal:is-demo"


def holds_demo_data():
    """Whether ``seed_demo`` filled this database (every page then says so).

    Read from the cache, where ``seed_demo`` writes it, and from the database
    only when the cache does not have it: never on a timer, so that the
    queries of a request do not depend on how long the process has run.
    """
    is_demo = cache.get(DEMO_FLAG_KEY)
    if is_demo is None:
        try:
            is_demo = DemoDataset.objects.exists()
        except DatabaseError:  # a page must render even before migrate
            return False
        cache.set(DEMO_FLAG_KEY, is_demo, None)
    return is_demo


def active_indicators():
    return list(Indicator.objects.filter(is_active=True).select_related("task_group", "pillar"))


def task_groups():
    return list(TaskGroup.objects.all())


def _decimal_text(value):
    return None if value is None else f"{value:f}"


def report_content(report):
    """The report's contents as plain JSON-able data (the revision snapshot format).

    ``{"task_groups": {"1": {"status", "percent_complete", "narrative",
    "evidence_links", "evidence_files"}}, "indicators": {"TG1-01": {"value", "note"}}}``
    with numbers as strings, so snapshots compare exactly.
    """
    progress = TaskGroupProgress.objects.filter(report=report).select_related("task_group").prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.order_by("id"))
    )
    values = IndicatorValue.objects.filter(report=report).select_related("indicator")
    return build_content(
        ((p.task_group.number, p, list(p.evidence.all())) for p in progress),
        ((v.indicator.code, v) for v in values),
    )


def build_content(progress, values):
    """The snapshot format from ``(number, progress, evidence list)`` and ``(code, value)`` pairs.

    Separate from ``report_content`` so that code creating many reports at once
    (the demo data, imports) writes revisions in exactly the same format.
    """
    return {
        "task_groups": {
            str(number): {
                "status": p.status,
                "percent_complete": _decimal_text(p.percent_complete),
                "narrative": p.narrative,
                "evidence_links": [e.url for e in evidence if e.url],
                "evidence_files": [
                    {"id": e.pk, "name": e.original_name, "size": e.size} for e in evidence if e.file
                ],
            }
            for number, p, evidence in progress
        },
        "indicators": {code: {"value": _decimal_text(v.value), "note": v.note} for code, v in values},
    }


def previous_report(unit, year, quarter):
    """The unit's latest report before the quarter, of any status (for prefilling)."""
    return (
        Report.objects.filter(unit=unit)
        .exclude(year__gt=year)
        .exclude(year=year, quarter__gte=quarter)
        .order_by("-year", "-quarter")
        .first()
    )


def previous_quarter_values(report):
    """``{code: Decimal}`` from the unit's report for the quarter before ``report``'s."""
    before = Quarter(report.year, report.quarter).previous()
    rows = IndicatorValue.objects.filter(
        report__unit_id=report.unit_id,
        report__year=before.year,
        report__quarter=before.quarter,
        value__isnull=False,
    ).values_list("indicator__code", "value")
    return dict(rows)


def last_approved_values(report):
    """``{code: Decimal}``: the latest approved value of each indicator before the report's quarter.

    For a unit formed by merger with no approved report of its own yet, the
    predecessors' latest approved values combined by each indicator's roll-up
    rule stand in, so a running total cannot silently restart from zero.
    """
    from provinces.selectors import predecessors

    found = _latest_approved(report, [report.unit_id])
    missing = {i.code: i for i in Indicator.objects.exclude(code__in=found)}
    olders = [u.pk for u in predecessors(report.unit)] if missing else []
    if olders:
        per_unit = {}
        rows = (
            IndicatorValue.objects.filter(
                report__unit_id__in=olders,
                report__status=ReportStatus.APPROVED,
                indicator__code__in=missing,
                value__isnull=False,
            )
            .order_by("report__year", "report__quarter")
            .values_list("report__unit_id", "indicator__code", "value")
        )
        for unit_id, code, value in rows:
            per_unit.setdefault(code, {})[unit_id] = value  # latest wins
        for code, by_unit in per_unit.items():
            found[code] = combine(missing[code].rollup, by_unit.values())
    return found


def _latest_approved(report, unit_ids):
    rows = (
        IndicatorValue.objects.filter(
            report__unit_id__in=unit_ids,
            report__status=ReportStatus.APPROVED,
            value__isnull=False,
        )
        .exclude(report__year__gt=report.year)
        .exclude(report__year=report.year, report__quarter__gte=report.quarter)
        .order_by("report__year", "report__quarter")
        .values_list("indicator__code", "value")
    )
    return dict(rows)


def readable_revisions(user, report):
    """The revisions of ``report`` that ``user`` may read, oldest first (``policies.visible_revisions``).

    A reader of the published report only gets its approved revisions with
    their dates, stripped of who made them and of any comment: the instances
    are changed in memory for display and must never be saved.
    """
    found = list(
        policies.visible_revisions(user, report).select_related("actor").order_by("number")
    )
    if not policies.can_read_full_history(user, report):
        for revision in found:
            revision.actor = None
            revision.comment = ""
            revision.field_comments = {}
            revision.confirmed_warnings = []
    return found


def revision_at_version(report, version):
    """The snapshot a user was looking at when the report was at ``version``."""
    return (
        ReportRevision.objects.filter(report=report, version=version).order_by("-number").first()
    )


def diff_contents(old, new):
    """Field-by-field differences between two snapshots, in a stable order.

    Returns a list of ``{"key", "task_group" or "indicator", "field", "old", "new"}``;
    ``key`` is the form field name the change belongs to.
    """
    changes = []
    old, new = old or {}, new or {}
    old_groups, new_groups = old.get("task_groups", {}), new.get("task_groups", {})
    for number in sorted(set(old_groups) | set(new_groups), key=int):
        before, after = old_groups.get(number, {}), new_groups.get(number, {})
        for name in ("status", "percent_complete", "narrative", "evidence_links", "evidence_files"):
            a, b = before.get(name), after.get(name)
            if name == "evidence_files":
                a = [f["name"] for f in a or []]
                b = [f["name"] for f in b or []]
            if (a or None) != (b or None):
                changes.append({
                    "key": f"tg-{number}-{name}", "task_group": int(number), "field": name,
                    "old": a, "new": b,
                })
    old_values, new_values = old.get("indicators", {}), new.get("indicators", {})
    for code in sorted(set(old_values) | set(new_values)):
        before, after = old_values.get(code, {}), new_values.get(code, {})
        for name in ("value", "note"):
            a, b = before.get(name), after.get(name)
            if name == "value":
                a = None if a in (None, "") else Decimal(a).normalize()
                b = None if b in (None, "") else Decimal(b).normalize()
            if (a or None) != (b or None) and not (a == 0 and b == 0):
                changes.append({
                    "key": f"indicator-{code}-{name}", "indicator": code, "field": name,
                    "old": None if a is None else str(a), "new": None if b is None else str(b),
                })
    status_before, status_after = old.get("status"), new.get("status")
    if status_before and status_after and status_before != status_after:
        changes.insert(0, {"key": "status", "field": "status", "old": status_before, "new": status_after})
    return changes


def previous_quarter_progress(report):
    """``{number: {"status", "percent_complete"}}`` from the unit's report for the quarter before ``report``'s.

    Shown beside each task group on the report form, as ``previous_quarter_values``
    is beside each indicator.
    """
    before = Quarter(report.year, report.quarter).previous()
    rows = TaskGroupProgress.objects.filter(
        report__unit_id=report.unit_id, report__year=before.year, report__quarter=before.quarter
    ).values_list("task_group__number", "status", "percent_complete")
    return {number: {"status": status, "percent_complete": percent} for number, status, percent in rows}


def reports_waiting_for_review():
    """Submitted reports of every quarter, the longest waiting first."""
    return list(
        Report.objects.filter(status=ReportStatus.SUBMITTED)
        .select_related("unit")
        .order_by("submitted_at", "pk")
    )


def reporting_status(quarter, today=None):
    """Who has reported on ``quarter``: one row per unit in force throughout it.

    Each row is ``{"unit", "report" (or None), "status"}`` where ``status`` is
    ``on-time``, ``late``, ``missing`` (due date passed, never submitted) or
    ``not-due``, by the same rule as the dashboards' completeness page. Two
    queries whatever the number of units.
    """
    from django.utils import timezone

    from indicators.selectors import submission_status
    from provinces.selectors import units_in_force_throughout

    today = today or timezone.localdate()
    units = list(units_in_force_throughout(quarter).select_related("region").order_by("name_vi"))
    reports = {
        r.unit_id: r
        for r in Report.objects.filter(year=quarter.year, quarter=quarter.quarter, unit__in=units)
    }
    rows = []
    for unit in units:
        report = reports.get(unit.pk)
        facts = None if report is None else {
            "first_submitted_at": report.first_submitted_at, "is_late": report.is_late
        }
        rows.append({"unit": unit, "report": report, "status": submission_status(facts, quarter, today)})
    return rows
