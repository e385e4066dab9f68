"""Reads about maturity assessments: their criteria, contents, measured answers and neighbours.

The assessments' counterpart of ``programmes.selectors`` (reports); the
writes are in ``programmes.assessments``, the levels in
``indicators.results.maturity``.
"""
from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q

from indicators.models import (
    FrameworkNode,
    FrameworkStatus,
    FrameworkVersion,
    IndicatorMapping,
    IndicatorValue,
    NodeKind,
)
from indicators.rollup import combine
from programmes import paths
from programmes.models import (
    Assessment,
    AssessmentEvidence,
    CriterionAnswer,
    ReportStatus,
)
from programmes.selectors import natural_key
from provinces import selectors as units
from provinces.quarters import Quarter


def year_bounds(year):
    return date(year, 1, 1), date(year, 12, 31)


def maturity_versions(year=None):
    """Versions a unit can be assessed against: active or retired, with levels and criteria.

    With ``year``, only those in force on some day of that year. Newest first.
    """
    versions = (
        FrameworkVersion.objects.filter(
            status__in=[FrameworkStatus.ACTIVE, FrameworkStatus.RETIRED], item_kind=NodeKind.CRITERION,
            levels__isnull=False,
        )
        .distinct()
        .select_related("framework")
    )
    if year is not None:
        start, end = year_bounds(year)
        versions = versions.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=start), valid_from__lte=end)
    return list(versions.order_by("framework__code", "-valid_from"))


def is_maturity_version(version):
    """Does ``version`` assess by maturity level: criteria as items, and levels declared?"""
    return version.item_kind == NodeKind.CRITERION and version.levels.exists()


def version_for_year(framework_code, year):
    """The version of ``framework_code`` a unit is assessed against for ``year``: the latest in force that year."""
    found = [v for v in maturity_versions(year) if v.framework.code == framework_code]
    return found[0] if found else None


def criteria_of(version):
    """The criteria of ``version`` in tree order, each with its parent and its mappings' indicators."""
    return list(
        FrameworkNode.objects.filter(version=version, kind=NodeKind.CRITERION)
        .select_related("parent", "version__framework")
        .prefetch_related(
            Prefetch("mappings", queryset=IndicatorMapping.objects.select_related("indicator").order_by("indicator__code"))
        )
        .order_by("order")
    )


def threshold_mappings(node):
    """The mappings of ``node`` (prefetched) whose threshold decides whether it is met."""
    return [m for m in node.mappings.all() if m.threshold_operator]


def is_measured(node):
    return bool(threshold_mappings(node))


def measured_values(unit, year, indicator_ids):
    """``{indicator_id: (value, Quarter)}``: ``unit``'s latest approved value of each indicator in ``year``.

    The latest quarter of the year with an approved value counts. For a unit
    formed by merger, the quarters its predecessors reported count as theirs,
    combined by each indicator's roll-up rule (as the dashboards' current
    boundaries do). One query.
    """
    if not indicator_ids:
        return {}
    lineage = [unit.pk, *(u.pk for u in units.predecessors(unit))] if unit.valid_from else [unit.pk]
    rows = IndicatorValue.objects.filter(
        report__unit_id__in=lineage, report__status=ReportStatus.APPROVED, report__year=year,
        indicator_id__in=list(indicator_ids), value__isnull=False,
    ).values_list("indicator_id", "indicator__rollup", "report__quarter", "value")
    by_quarter = defaultdict(lambda: defaultdict(list))
    rules = {}
    for indicator_id, rollup, quarter, value in rows:
        by_quarter[indicator_id][quarter].append(value)
        rules[indicator_id] = rollup
    found = {}
    for indicator_id, quarters in by_quarter.items():
        latest = max(quarters)
        found[indicator_id] = (combine(rules[indicator_id], quarters[latest]), Quarter(year, latest))
    return found


def measure(node, values):
    """``(met, measured)`` of a criterion with thresholds, from ``values`` (``measured_values``).

    ``measured`` lists, per indicator with a threshold, the value and quarter
    used and whether it meets the threshold (``IndicatorMapping.is_met_by``).
    The criterion is met when every one of them has a value that meets it; an
    indicator without an approved value that year leaves it not met.
    """
    measured = []
    for mapping in threshold_mappings(node):
        value, quarter = values.get(mapping.indicator_id, (None, None))
        met = mapping.is_met_by(value)
        measured.append({
            "indicator": mapping.indicator.code,
            # As the column stores it (four decimals), whatever the database returned.
            "value": None if value is None else f"{Decimal(value).quantize(Decimal('0.0001')):f}",
            "quarter": None if quarter is None else str(quarter),
            "threshold": mapping.threshold,
            "met": bool(met),
        })
    return all(m["met"] for m in measured), measured


def measured_answers(assessment, criteria):
    """``{code: (met, measured)}`` for the criteria of ``criteria`` measured by indicator thresholds."""
    measured_nodes = [node for node in criteria if is_measured(node)]
    ids = {m.indicator_id for node in measured_nodes for m in threshold_mappings(node)}
    values = measured_values(assessment.unit, assessment.year, ids)
    return {node.code: measure(node, values) for node in measured_nodes}


def is_assessed(answer):
    """Is the criterion of ``answer`` part of the assessment: basic, or chosen by the unit?"""
    return answer.node.basic or answer.chosen


def answers(assessment):
    """Every criterion answer of ``assessment`` (assessed or not), in tree order, with evidence and mappings."""
    return list(
        CriterionAnswer.objects.filter(assessment=assessment)
        .select_related("node__parent", "node__version__framework", "decided_by")
        .prefetch_related(
            Prefetch("evidence", queryset=AssessmentEvidence.objects.order_by("id")),
            Prefetch("node__mappings", queryset=IndicatorMapping.objects.select_related("indicator")
                     .order_by("indicator__code")),
        )
        .order_by("node__order")
    )


def answer_entry(answer, evidence=()):
    """One assessed criterion in the snapshot format (``programmes.paths.CRITERION_FIELDS``)."""
    return {
        "met": answer.met,
        "explanation": answer.explanation,
        "evidence_links": [e.url for e in evidence if e.url],
        "evidence_files": [{"id": e.pk, "name": e.original_name, "size": e.size} for e in evidence if e.file],
        "measured": answer.measured or None,
        "accepted": answer.accepted,
        "comment": answer.comment,
    }


def content_of(found):
    """The snapshot format from ``answers()`` (already fetched)."""
    assessed = [a for a in found if is_assessed(a)]
    return {
        paths.CHOSEN: sorted((a.node.code for a in found if a.chosen and not a.node.basic), key=natural_key),
        paths.CRITERIA: {a.node.code: answer_entry(a, list(a.evidence.all())) for a in assessed},
    }


def assessment_content(assessment):
    """The assessment's contents as plain JSON-able data (its revisions' snapshot format).

    ``{"chosen": [codes of the optional criteria chosen], "criteria": {code:
    {"met", "explanation", "evidence_links", "evidence_files", "measured",
    "accepted", "comment"}}}`` for the criteria assessed (basic and chosen).
    """
    return content_of(answers(assessment))


def assessments_waiting_for_review(limit=None):
    """Submitted assessments, the longest waiting first (the first ``limit`` of them)."""
    found = (
        Assessment.objects.filter(status=ReportStatus.SUBMITTED)
        .select_related("unit", "framework_version__framework")
        .order_by("submitted_at", "pk")
    )
    return list(found if limit is None else found[:limit])


def assessment_years(today):
    """Years that have begun and for which some maturity version is in force, newest first."""
    years = set()
    for version in maturity_versions():
        last = min(today.year, (version.valid_until or date(today.year, 12, 31)).year)
        years.update(range(version.valid_from.year, last + 1))
    return sorted(years, reverse=True)
