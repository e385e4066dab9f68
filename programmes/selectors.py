"""Reads about reports: their contents, their history and their neighbours."""
import re
from decimal import Decimal

from django.core.cache import cache
from django.db import DatabaseError
from django.db.models import Prefetch, Q
from django.utils import timezone

from indicators import selectors as reference
from indicators.models import Indicator, IndicatorValue, NodeKind
from programmes import paths, policies
from programmes.models import (
    DemoDataset,
    Evidence,
    NodeAnswer,
    Project,
    ProjectProgress,
    Report,
    ReportStatus,
    RevisionAction,
)
from programmes.validation import running_total_floor
from provinces import selectors as units
from provinces.quarters import Quarter

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


def _decimal_text(value):
    return None if value is None else f"{value:f}"


def answers(report):
    """The report's answers with their nodes (framework and parent) and evidence, in display order."""
    return list(
        NodeAnswer.objects.filter(report=report)
        .select_related("node__version__framework", "node__parent")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("id")))
        .order_by("node__version__framework__code", "node__order")
    )


def report_content(report):
    """The report's contents as plain JSON-able data (the revision snapshot format).

    ``{"nodes": {"decision-950:1": {"status", "percent_complete", "narrative",
    "evidence_links", "public_links", "evidence_files"}}, "indicators":
    {"TG1-01": {"value", "note"}}, "projects": {"17": {"status",
    "percent_complete", "spending_to_date", "note"}}}`` with numbers as
    strings, so snapshots compare exactly; a criterion's entry has ``met``
    instead of ``status`` and ``percent_complete``.
    """
    values = IndicatorValue.objects.filter(report=report).select_related("indicator").order_by("indicator__code")
    return build_content(
        ((answer.node, answer, list(answer.evidence.all())) for answer in answers(report)),
        ((v.indicator.code, v) for v in values),
        ProjectProgress.objects.filter(report=report).order_by("project_id"),
    )


def build_content(answered, values, projects=()):
    """The snapshot format from ``(node, answer, evidence list)`` and ``(code, value)`` pairs, and progress rows.

    Separate from ``report_content`` so that code creating many reports at once
    (the demo data, imports) writes revisions in exactly the same format.
    """
    return {
        "nodes": {
            paths.node_key(node.version.framework.code, node.code): node_entry(node.kind, answer, evidence)
            for node, answer, evidence in answered
        },
        "indicators": {code: {"value": _decimal_text(v.value), "note": v.note} for code, v in values},
        "projects": {str(row.project_id): project_entry(row) for row in projects},
    }


def project_entry(row):
    """A project's progress in the snapshot format."""
    return {
        "status": row.status,
        "percent_complete": _decimal_text(row.percent_complete),
        "spending_to_date": _decimal_text(row.spending_to_date),
        "note": row.note,
    }


def node_entry(kind, answer, evidence=()):
    """One answer in the snapshot format: the fields an item of ``kind`` has."""
    entry = {"narrative": answer.narrative}
    if kind == NodeKind.CRITERION:
        entry["met"] = answer.met
    else:
        entry["status"] = answer.status
        entry["percent_complete"] = _decimal_text(answer.percent_complete)
    entry["evidence_links"] = [e.url for e in evidence if e.url]
    entry["public_links"] = [e.url for e in evidence if e.url and e.is_public]
    entry["evidence_files"] = [{"id": e.pk, "name": e.original_name, "size": e.size} for e in evidence if e.file]
    return entry


def report_items(report):
    """The items the report answers: those in force for its quarter and any it already answered, in order."""
    in_force = reference.report_items(Quarter(report.year, report.quarter))
    known = {node.pk for node in in_force}
    answered = [
        answer.node for answer in NodeAnswer.objects.filter(report=report).exclude(node_id__in=known)
        .select_related("node__version__framework", "node__parent")
    ]
    return sorted([*in_force, *answered], key=lambda n: (n.version.framework.code, n.order))


def report_projects(report):
    """The projects a report gives the progress of: its unit's register, and any it already gives, by code."""
    given = ProjectProgress.objects.filter(report=report).values_list("project_id", flat=True)
    return list(
        Project.objects.filter(Q(unit_id=report.unit_id) | Q(pk__in=given)).order_by("code", "pk")
    )


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
    found = _latest_approved(report, [report.unit_id])
    missing = {i.code: i for i in Indicator.objects.exclude(code__in=found)}
    olders = [u.pk for u in units.predecessors(report.unit)] if missing else []
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
            found[code] = running_total_floor(None, by_unit.values(), missing[code].rollup)
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
    """The revisions of ``report`` (or of an assessment) that ``user`` may read, oldest first
    (``policies.visible_revisions``).

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


def resubmission(revisions):
    """``(previous submission, this submission)`` of a report submitted again after a return, else ``None``.

    ``revisions`` are those a reader may see, oldest first. What a reviewer of a
    resubmitted report wants is what the unit corrected since it last submitted,
    not the last step (a status change).
    """
    submissions = [r for r in revisions if r.action == RevisionAction.SUBMITTED]
    if len(submissions) < 2 or revisions[-1] is not submissions[-1]:
        return None
    return submissions[-2], submissions[-1]


def revisions_with_changes(user, record):
    """``readable_revisions`` of a report or an assessment, each with ``changes``: what it
    changed from the revision before it that ``user`` may read (``diff_contents``; the
    first one from nothing). A reader of the published record so sees what each
    approval changed, never the drafts in between.
    """
    found = readable_revisions(user, record)
    previous = None
    for revision in found:
        revision.changes = diff_contents(previous.snapshot if previous else {}, revision.snapshot)
        previous = revision
    return found


def revision_at_version(record, version):
    """The snapshot a user was looking at when the report (or assessment) was at ``version``."""
    return record.revisions.filter(version=version).order_by("-number").first()


def saved_since_only_by(record, version, user):
    """Whether every change to the report (or assessment) after ``version`` was ``user``'s: a conflict
    with oneself, in another tab or window, not with someone else."""
    actors = set(record.revisions.filter(version__gt=version).values_list("actor_id", flat=True))
    return bool(actors) and actors == {getattr(user, "pk", None)}


def unit_agenda(user, today=None):
    """What is due for ``user``'s unit: its open reports (drafts, returned), those awaiting review,
    and the deadlines of the last complete quarter and of the quarter under way.

    The reports are those of the units ``user`` files for (the unit and its
    predecessors) that ``user`` may read; deadlines are the unit's own.
    """
    today = today or timezone.localdate()
    reports = list(
        policies.visible_reports(user, Report.objects.select_related("unit"))
        .filter(unit_id__in=policies.reportable_unit_ids(user))
        .exclude(status=ReportStatus.APPROVED)
        .order_by("year", "quarter", "unit__slug")
    )
    for report in reports:
        report.can_edit = policies.can_edit_report(user, report)
    own = {(r.year, r.quarter): r for r in reports if r.unit_id == user.unit_id}
    approved = set(
        Report.objects.filter(unit_id=user.unit_id, status=ReportStatus.APPROVED).values_list("year", "quarter")
    )
    deadlines = []
    for quarter in (Quarter.last_complete(today), Quarter.containing(today)):
        report = own.get((quarter.year, quarter.quarter))
        deadlines.append({
            "quarter": quarter, "due": quarter.due_date, "report": report,
            "approved": (quarter.year, quarter.quarter) in approved,
            "overdue": today > quarter.due_date and (report is None or report.first_submitted_at is None)
            and (quarter.year, quarter.quarter) not in approved,
        })
    return {
        "open": [r for r in reports if r.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)],
        "waiting": [r for r in reports if r.status == ReportStatus.SUBMITTED],
        "deadlines": deadlines,
    }


def repeats_transition(record, version, action, user):
    """Whether a request at ``version`` asking for ``action`` was already carried out by ``user``.

    True when every revision since ``version`` is ``user``'s and the last one is
    ``action``, with at most one save before it (the report form saves, then
    submits): a second click on "Submit" or "Approve" whose first one went
    through. The pages answer it as they answered the first request.
    """
    try:
        version = int(version)
    except (TypeError, ValueError):
        return False
    # The stored version, not the one read before a concurrent first request committed.
    current = type(record).objects.filter(pk=record.pk).values_list("version", flat=True).first()
    if not getattr(user, "pk", None) or current is None or version >= current:
        return False
    since = list(record.revisions.filter(version__gt=version).order_by("number").values_list(
        "action", "actor_id", "version"
    ))
    if not since or len(since) > 2 or since[-1][0] != action or since[-1][2] != current:
        return False
    if any(row[1] != user.pk for row in since):
        return False
    return len(since) == 1 or since[0][0] == RevisionAction.SAVED


def natural_key(key):
    """Sort key of node keys: ``decision-950:10`` after ``decision-950:9``."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", key)]


def diff_contents(old, new):
    """Field-by-field differences between two snapshots, in a stable order.

    Returns a list of ``{"path", "node" or "indicator" or "criterion", "field",
    "old", "new"}``; ``path`` is the field path (``programmes.paths``) the change
    belongs to. Report snapshots have nodes and indicators; assessment
    snapshots (``programmes.assessment_selectors.assessment_content``) have
    criteria and the chosen ones.
    """
    changes = []
    old, new = old or {}, new or {}
    for section, name_of_key, path_of in (
        (paths.NODES, "node", paths.node_path), (paths.CRITERIA, "criterion", paths.criterion_path),
    ):
        old_items, new_items = old.get(section, {}), new.get(section, {})
        for key in sorted(set(old_items) | set(new_items), key=natural_key):
            before, after = old_items.get(key, {}), new_items.get(key, {})
            for name in paths.FIELDS[section]:
                a, b = before.get(name), after.get(name)
                if name == "evidence_files":
                    a = [f["name"] for f in a or []]
                    b = [f["name"] for f in b or []]
                if name in ("met", "accepted"):
                    # False is an answer, not an absence.
                    differs = a != b
                else:
                    differs = (a or None) != (b or None)
                if differs:
                    changes.append({"path": str(path_of(key, name)), name_of_key: key, "field": name,
                                    "old": a, "new": b})
    old_values, new_values = old.get("indicators", {}), new.get("indicators", {})
    for code in sorted(set(old_values) | set(new_values)):
        before, after = old_values.get(code, {}), new_values.get(code, {})
        for name in paths.INDICATOR_FIELDS:
            a, b = before.get(name), after.get(name)
            if name == "value":
                a = None if a in (None, "") else Decimal(a).normalize()
                b = None if b in (None, "") else Decimal(b).normalize()
            if (a or None) != (b or None) and not (a == 0 and b == 0):
                changes.append({
                    "path": str(paths.indicator_path(code, name)), "indicator": code, "field": name,
                    "old": None if a is None else str(a), "new": None if b is None else str(b),
                })
    chosen_before, chosen_after = old.get(paths.CHOSEN), new.get(paths.CHOSEN)
    if (chosen_before or chosen_after) and sorted(chosen_before or []) != sorted(chosen_after or []):
        changes.insert(0, {"path": paths.CHOSEN, "field": paths.CHOSEN,
                           "old": sorted(chosen_before or [], key=natural_key),
                           "new": sorted(chosen_after or [], key=natural_key)})
    old_projects, new_projects = old.get("projects", {}), new.get("projects", {})
    for key in sorted(set(old_projects) | set(new_projects), key=natural_key):
        before, after = old_projects.get(key, {}), new_projects.get(key, {})
        for name in paths.PROJECT_FIELDS:
            a, b = before.get(name), after.get(name)
            if name in ("percent_complete", "spending_to_date"):
                a = None if a in (None, "") else Decimal(a).normalize()
                b = None if b in (None, "") else Decimal(b).normalize()
                if a == b:
                    continue
                a, b = None if a is None else f"{a:f}", None if b is None else f"{b:f}"
            if (a or None) != (b or None):
                changes.append({"path": str(paths.project_path(key, name)), "project": key, "field": name,
                                "old": a, "new": b})
    status_before, status_after = old.get("status"), new.get("status")
    if status_before and status_after and status_before != status_after:
        changes.insert(0, {"path": "status", "field": "status", "old": status_before, "new": status_after})
    return changes


def previous_quarter_answers(report):
    """``{node key: {"status", "percent_complete", "met"}}`` from the unit's report for the quarter before.

    Shown beside each item on the report form, as ``previous_quarter_values``
    is beside each indicator.
    """
    before = Quarter(report.year, report.quarter).previous()
    rows = NodeAnswer.objects.filter(
        report__unit_id=report.unit_id, report__year=before.year, report__quarter=before.quarter
    ).values_list("node__version__framework__code", "node__code", "status", "percent_complete", "met")
    return {
        paths.node_key(framework, code): {"status": status, "percent_complete": percent, "met": met}
        for framework, code, status, percent, met in rows
    }


def previous_quarter_projects(report):
    """``{project id: snapshot entry}`` from the unit's report for the quarter before ``report``'s."""
    before = Quarter(report.year, report.quarter).previous()
    rows = ProjectProgress.objects.filter(
        report__unit_id=report.unit_id, report__year=before.year, report__quarter=before.quarter
    )
    return {str(row.project_id): project_entry(row) for row in rows}


def reports_waiting_for_review():
    """Submitted reports of every quarter, the longest waiting first."""
    return list(
        Report.objects.filter(status=ReportStatus.SUBMITTED)
        .select_related("unit")
        .order_by("submitted_at", "pk")
    )


# Where a unit stands with its report on a quarter (the completeness page, the
# reporting status page, reminders and the API all use these words).
ON_TIME = "on-time"
LATE = "late"
MISSING = "missing"
NOT_DUE = "not-due"
NOT_EXPECTED = "not-expected"


def submission_status(report, quarter, today):
    """``on-time``, ``late``, ``missing`` or ``not-due`` for a unit expected to report on ``quarter``.

    ``report`` is ``None`` or has ``first_submitted_at`` and ``is_late`` (a
    report or a dict). A report counts as submitted once it was first
    submitted (whatever happened to it since); ``is_late`` says whether that
    was after the due date.
    """
    if isinstance(report, dict):
        first_submitted_at, is_late = report["first_submitted_at"], report["is_late"]
    elif report is not None:
        first_submitted_at, is_late = report.first_submitted_at, report.is_late
    else:
        first_submitted_at = is_late = None
    if first_submitted_at is not None:
        return LATE if is_late else ON_TIME
    return NOT_DUE if today <= quarter.due_date else MISSING


def reporting_status(quarter, today=None):
    """Who has reported on ``quarter``: one row per unit in force throughout it.

    Each row is ``{"unit", "report" (or None), "status"}`` where ``status`` is
    ``on-time``, ``late``, ``missing`` (due date passed, never submitted) or
    ``not-due``, by the same rule as the dashboards' completeness page; units in
    name order (``provinces.selectors.sorted_units``). Two queries whatever the
    number of units.
    """
    today = today or timezone.localdate()
    expected = units.sorted_units(units.units_in_force_throughout(quarter).select_related("region"))
    reports = {
        r.unit_id: r
        for r in Report.objects.filter(year=quarter.year, quarter=quarter.quarter, unit__in=expected)
    }
    return [
        {"unit": unit, "report": reports.get(unit.pk),
         "status": submission_status(reports.get(unit.pk), quarter, today)}
        for unit in expected
    ]
