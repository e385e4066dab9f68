"""Maturity levels: the portal's rule, written once, and the results it publishes.

**The rule.** A framework version declares its levels (1, 2, 3…). An assessment
assesses the version's basic criteria and the optional criteria its unit chose.
A criterion is *verified met* when the unit answered it met (with evidence, or
measured by its approved indicator values) and a ministry reviewer accepted it.
The unit reaches level L when every assessed criterion of level L and of every
level below is verified met; it reaches level 0 when a criterion of level 1
is not. A level none of whose criteria is assessed is passed as soon as the
levels below are (the rule asks nothing of it); criteria without a level count
toward no level. The next level's gap list is its assessed criteria that are
not verified met.

**The results.** ``MaturityResult`` holds one row per unit, year and version,
from approved assessments only. ``recompute`` is subscribed to the reporting
layer's events (``programmes.handlers.subscribe``, connected in
``indicators.apps``): an approval writes the row, a reopening removes it.
Dashboards and the API read the rows, never the assessments.
"""
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from indicators.models import FrameworkLevel, MaturityResult
from indicators.results.services import bump_now_and_after_commit
from programmes import events
from programmes.assessment_selectors import is_assessed
from programmes.models import Assessment, CriterionAnswer, ReportStatus
from provinces.models import AdministrativeUnit

RECOMPUTED_ON = {events.ASSESSMENT_APPROVED, events.ASSESSMENT_REOPENED}


# --- the rule ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionState:
    """What the rule needs of one assessed criterion."""

    code: str
    level: int | None
    verified_met: bool


@dataclass
class LevelSummary:
    level: int  # reached; 0: not even level 1
    per_level: list = field(default_factory=list)  # [{"level", "met", "assessed"}]
    gaps: list = field(default_factory=list)  # codes missing for level + 1
    criteria_met: int = 0


def reached_level(level_numbers, criteria):
    """The level reached: the highest L such that every criterion of ``criteria`` of level L or
    below is verified met (0 if none). ``level_numbers``: the version's levels."""
    reached = 0
    for number in sorted(level_numbers):
        if not all(c.verified_met for c in criteria if c.level == number):
            break
        reached = number
    return reached


def summarise(level_numbers, criteria):
    """The level reached with, per level, the criteria verified met and assessed, and the next level's gaps."""
    level_numbers = sorted(level_numbers)
    level = reached_level(level_numbers, criteria)
    per_level = [
        {
            "level": number,
            "met": sum(1 for c in criteria if c.level == number and c.verified_met),
            "assessed": sum(1 for c in criteria if c.level == number),
        }
        for number in level_numbers
    ]
    following = [n for n in level_numbers if n > level]
    gaps = []
    if following:
        gaps = [c.code for c in criteria if c.level == following[0] and not c.verified_met]
    return LevelSummary(level, per_level, gaps, sum(1 for c in criteria if c.verified_met))


def is_verified_met(answer):
    """A criterion answered met and accepted by a reviewer."""
    return answer.met is True and answer.accepted is True


def states_of(answers):
    """The ``CriterionState`` of each assessed criterion among ``answers`` (CriterionAnswer rows with nodes)."""
    return [
        CriterionState(a.node.code, a.node.level, is_verified_met(a)) for a in answers if is_assessed(a)
    ]


def summary_of(answers, levels):
    """``summarise`` for an assessment's ``answers`` and its version's ``levels`` (FrameworkLevel rows)."""
    return summarise([lv.number for lv in levels], states_of(answers))


# --- the results table ------------------------------------------------------------------------------


def _approved_assessments(filters):
    return (
        Assessment.objects.filter(status=ReportStatus.APPROVED, **filters)
        .prefetch_related(Prefetch("answers", queryset=CriterionAnswer.objects.select_related("node")))
    )


def _levels_by_version(version_ids):
    found = {}
    for level in FrameworkLevel.objects.filter(version_id__in=set(version_ids)).order_by("number"):
        found.setdefault(level.version_id, []).append(level)
    return found


def _write(assessments, now):
    levels = _levels_by_version(a.framework_version_id for a in assessments)
    rows = []
    for assessment in assessments:
        summary = summary_of(assessment.answers.all(), levels.get(assessment.framework_version_id, []))
        rows.append(MaturityResult(
            unit_id=assessment.unit_id, year=assessment.year, version_id=assessment.framework_version_id,
            assessment=assessment, level=summary.level, per_level=summary.per_level, gaps=summary.gaps,
            criteria_met=summary.criteria_met, computed_at=now,
        ))
    MaturityResult.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def recompute_maturity(keys):
    """Rewrite the results of ``keys`` (``(unit_id, year, version_id)``) from their approved assessments.

    A key whose assessment is no longer approved loses its row. A few queries per key.
    """
    written = 0
    now = timezone.now()
    for unit_id, year, version_id in sorted(set(keys)):
        MaturityResult.objects.filter(unit_id=unit_id, year=year, version_id=version_id).delete()
        written += _write(
            list(_approved_assessments({"unit_id": unit_id, "year": year, "framework_version_id": version_id})), now
        )
    bump_now_and_after_commit()
    return written


@transaction.atomic
def recompute_all_maturity():
    """Rebuild every maturity result from the approved assessments."""
    MaturityResult.objects.all().delete()
    written = _write(list(_approved_assessments({})), timezone.now())
    bump_now_and_after_commit()
    return written


def recompute(report_events):
    """Subscriber of the outbox's events: rewrite the results an approval or reopening changed."""
    keys = {
        (event.payload["unit_id"], event.payload["year"], event.payload["framework_version_id"])
        for event in report_events
        if event.topic in RECOMPUTED_ON
    }
    if keys:
        recompute_maturity(keys)


# --- reads for the dashboards and the API ---------------------------------------------------------------


@dataclass
class LevelRow:
    unit: AdministrativeUnit
    result: MaturityResult | None

    @property
    def level(self):
        return None if self.result is None else self.result.level


def units_assessed_for(year, region=None):
    """The units a year is assessed for: those in force on its last day, by name."""
    from datetime import date

    from indicators.results.selectors import unit_sort_key

    units = AdministrativeUnit.objects.in_force_on(date(year, 12, 31)).select_related("region")
    if region is not None:
        units = units.filter(region=region)
    return sorted(units, key=unit_sort_key)


def level_rows(version, year, region=None):
    """``[LevelRow]``: every unit in force at the end of ``year``, with its approved result (or ``None``)."""
    units = units_assessed_for(year, region)
    results = {
        r.unit_id: r for r in MaturityResult.objects.filter(version=version, year=year, unit__in=[u.pk for u in units])
    }
    return [LevelRow(unit, results.get(unit.pk)) for unit in units]


def distribution(rows, levels):
    """``[(level number or None, units)]``: units per level reached (0 included), then those not assessed."""
    counts = {number: 0 for number in [0, *(lv.number for lv in levels)]}
    missing = 0
    for row in rows:
        if row.result is None:
            missing += 1
        else:
            counts[row.result.level] = counts.get(row.result.level, 0) + 1
    return [*counts.items(), (None, missing)]


def ranking(rows):
    """The assessed units best first: by level, then by criteria verified met; equal ones share a rank.

    ``[(rank, LevelRow)]``.
    """
    from indicators.results.selectors import unit_sort_key

    assessed = sorted(
        (row for row in rows if row.result is not None),
        key=lambda row: (-row.result.level, -row.result.criteria_met, unit_sort_key(row.unit)),
    )
    ranked, rank, previous = [], 0, None
    for position, row in enumerate(assessed, start=1):
        key = (row.result.level, row.result.criteria_met)
        if key != previous:
            rank, previous = position, key
        ranked.append((rank, row))
    return ranked
