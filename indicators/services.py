"""Writes of the results tables the dashboards and the API read.

Pages never aggregate raw reports per request: when a report is approved (or
reopened), ``recompute_results`` rewrites the precomputed rows of that unit and
quarter in both views, from approved reports only:

- ``as-reported``: the reporting unit's own values;
- ``current``: the unit in force today that the reporting unit became, combining
  the approved reports of every unit that rolls up into it for that quarter,
  each indicator by its roll-up rule (``indicators.rollup.combine``) and percent
  complete per task group by the mean.

``recompute_all`` rebuilds everything with the same combining code, quarter by
quarter, so the two can never disagree.
"""
import uuid
from collections import defaultdict
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from indicators.models import Boundaries, IndicatorResult, IndicatorValue, TaskGroupResult
from indicators.rollup import combine
from indicators.selectors import RESULTS_GENERATION_KEY
from programmes.models import ReportStatus, TaskGroupProgress
from provinces import selectors as units

BATCH_SIZE = 5000
PERCENT = Decimal("0.01")


def bump_results_generation():
    """Make every cached dashboard aggregate stale (their keys include the generation)."""
    cache.set(RESULTS_GENERATION_KEY, uuid.uuid4().hex, None)


def _bump_now_and_after_commit():
    # Now, so that this process sees its own writes at once; after commit too,
    # because a page rendered meanwhile by another process may have cached the
    # old figures under the first new generation.
    bump_results_generation()
    transaction.on_commit(bump_results_generation)


def _mean_percent(values):
    return (sum(values, Decimal(0)) / len(values)).quantize(PERCENT)


def _build_rows(progress_rows, value_rows, *, current_of, year, quarter, now,
                as_reported_units=None, current_units=None):
    """Result rows of one quarter in both views.

    ``progress_rows``: ``(unit_id, task_group_id, percent)``; ``value_rows``:
    ``(unit_id, indicator_id, rollup, value)``, from approved reports, with no
    ``None`` among the figures. ``current_of`` maps a reporting unit to the unit
    in force today. Rows are built only for the units in ``as_reported_units``
    and ``current_units`` (``None``: every unit).
    """
    tg_results, indicator_results = [], []
    current_percents = defaultdict(list)
    for unit_id, task_group_id, percent in progress_rows:
        if as_reported_units is None or unit_id in as_reported_units:
            tg_results.append(TaskGroupResult(
                boundaries=Boundaries.AS_REPORTED, unit_id=unit_id, year=year, quarter=quarter,
                task_group_id=task_group_id, percent_complete=percent, units_reporting=1, computed_at=now,
            ))
        current_id = current_of[unit_id]
        if current_units is None or current_id in current_units:
            current_percents[current_id, task_group_id].append(percent)
    for (unit_id, task_group_id), percents in current_percents.items():
        tg_results.append(TaskGroupResult(
            boundaries=Boundaries.CURRENT, unit_id=unit_id, year=year, quarter=quarter,
            task_group_id=task_group_id, percent_complete=_mean_percent(percents),
            units_reporting=len(percents), computed_at=now,
        ))

    current_values = defaultdict(list)
    rules = {}
    for unit_id, indicator_id, rollup, value in value_rows:
        if as_reported_units is None or unit_id in as_reported_units:
            indicator_results.append(IndicatorResult(
                boundaries=Boundaries.AS_REPORTED, unit_id=unit_id, year=year, quarter=quarter,
                indicator_id=indicator_id, value=value, units_reporting=1, computed_at=now,
            ))
        current_id = current_of[unit_id]
        if current_units is None or current_id in current_units:
            current_values[current_id, indicator_id].append(value)
            rules[indicator_id] = rollup
    for (unit_id, indicator_id), values in current_values.items():
        indicator_results.append(IndicatorResult(
            boundaries=Boundaries.CURRENT, unit_id=unit_id, year=year, quarter=quarter,
            indicator_id=indicator_id, value=combine(rules[indicator_id], values),
            units_reporting=len(values), computed_at=now,
        ))
    return tg_results, indicator_results


def _approved_rows(year, quarter, unit_ids=None):
    """The approved figures of one quarter, as ``_build_rows`` takes them (two queries)."""
    progress = TaskGroupProgress.objects.filter(
        report__status=ReportStatus.APPROVED, report__year=year, report__quarter=quarter,
        percent_complete__isnull=False,
    )
    values = IndicatorValue.objects.filter(
        report__status=ReportStatus.APPROVED, report__year=year, report__quarter=quarter,
        value__isnull=False,
    )
    if unit_ids is not None:
        progress = progress.filter(report__unit_id__in=unit_ids)
        values = values.filter(report__unit_id__in=unit_ids)
    return (
        list(progress.values_list("report__unit_id", "task_group_id", "percent_complete")),
        list(values.values_list("report__unit_id", "indicator_id", "indicator__rollup", "value")),
    )


def recompute_results(unit, year, quarter):
    """Rewrite the results of ``unit``'s quarter in both views; call after approval or reopening.

    The as-reported rows of ``unit`` come from its approved report (none if it
    has none); the current-boundaries rows of the unit in force today that
    ``unit`` became combine the approved reports of every unit rolling up into
    it. Only that unit and quarter are touched: a constant number of queries,
    whatever the number of units.
    """
    year, quarter = int(year), int(quarter)
    today_unit = units.current_unit(unit)
    reporting_ids = [u.pk for u in units.reporting_units_of(today_unit)]
    current_of = {pk: today_unit.pk for pk in reporting_ids}
    progress_rows, value_rows = _approved_rows(year, quarter, reporting_ids)
    tg_results, indicator_results = _build_rows(
        progress_rows, value_rows, current_of=current_of, year=year, quarter=quarter,
        now=timezone.now(), as_reported_units={unit.pk}, current_units={today_unit.pk},
    )
    with transaction.atomic():
        for model in (TaskGroupResult, IndicatorResult):
            model.objects.filter(
                boundaries=Boundaries.AS_REPORTED, unit_id=unit.pk, year=year, quarter=quarter
            ).delete()
            model.objects.filter(
                boundaries=Boundaries.CURRENT, unit_id=today_unit.pk, year=year, quarter=quarter
            ).delete()
        TaskGroupResult.objects.bulk_create(tg_results)
        IndicatorResult.objects.bulk_create(indicator_results)
        _bump_now_and_after_commit()
    return len(tg_results), len(indicator_results)


def recompute_all(progress=None):
    """Rebuild every result row from the approved reports, in one transaction.

    Works quarter by quarter (four queries and a few bulk inserts each), so its
    cost follows the number of quarters and values, never one query per row.
    ``progress(done, total)``, if given, is called after each quarter.
    Returns ``(task group rows, indicator rows)`` written.
    """
    from programmes.models import Report

    current_of = units.lineage_map()
    periods = sorted(
        Report.objects.filter(status=ReportStatus.APPROVED).order_by().values_list("year", "quarter").distinct()
    )
    now = timezone.now()
    written = [0, 0]
    with transaction.atomic():
        TaskGroupResult.objects.all().delete()
        IndicatorResult.objects.all().delete()
        for done, (year, quarter) in enumerate(periods, start=1):
            progress_rows, value_rows = _approved_rows(year, quarter)
            tg_results, indicator_results = _build_rows(
                progress_rows, value_rows, current_of=current_of, year=year, quarter=quarter, now=now,
            )
            TaskGroupResult.objects.bulk_create(tg_results, batch_size=BATCH_SIZE)
            IndicatorResult.objects.bulk_create(indicator_results, batch_size=BATCH_SIZE)
            written[0] += len(tg_results)
            written[1] += len(indicator_results)
            if progress is not None:
                progress(done, len(periods))
        _bump_now_and_after_commit()
    return tuple(written)

