"""Writes of the results tables the dashboards and the API read.

Pages never aggregate raw reports per request: when a report is approved (or
reopened), ``recompute_results`` rewrites the precomputed rows of that unit and
quarter in both views, from approved reports only:

- ``as-reported``: the reporting unit's own values;
- ``current``: the unit in force today that the reporting unit became, combining
  the approved reports of every unit that rolls up into it for that quarter,
  each indicator by its roll-up rule (``indicators.rollup.combine``), percent
  complete per framework item by the mean, and a criterion as met when every
  unit that answered it met it.

``recompute_all`` rebuilds everything with the same combining code, quarter by
quarter, so the two can never disagree.
"""
import functools
import io
import uuid
from collections import defaultdict
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from indicators.models import Boundaries, IndicatorResult, IndicatorValue, NodeResult
from indicators.results.selectors import (
    REFERENCE_VERSION_KEY,
    REPORTS_VERSION_KEY,
    RESULTS_EPOCH_KEY,
    RESULTS_GENERATION_KEY,
    forget_version,
    quarter_version_key,
)
from indicators.rollup import combine
from programmes.models import NodeAnswer, Report, ReportStatus
from provinces import selectors as units

BATCH_SIZE = 5000
PERCENT = Decimal("0.01")


def bump_results_generation():
    """Make every cached dashboard aggregate and section stale (their keys include the generation)."""
    cache.set(RESULTS_GENERATION_KEY, uuid.uuid4().hex, None)
    forget_version(RESULTS_GENERATION_KEY)


def bump_reference_version():
    """Make what depends on reference data only (``selectors.REFERENCE``) stale."""
    cache.set(REFERENCE_VERSION_KEY, uuid.uuid4().hex, None)
    forget_version(REFERENCE_VERSION_KEY)


def bump_results_epoch():
    """Make every quarter's cached figures (``selectors.per_quarter``) stale: all results were rewritten."""
    cache.set(RESULTS_EPOCH_KEY, uuid.uuid4().hex, None)
    forget_version(RESULTS_EPOCH_KEY)


def bump_quarter_version(year, quarter):
    """Make the cached figures of one quarter (``selectors.per_quarter``) stale: its results were rewritten."""
    key = quarter_version_key(year, quarter)
    cache.set(key, uuid.uuid4().hex, None)
    forget_version(key)


def bump_reports_version():
    """Make every rendered dashboard section stale (their keys include the reports version)."""
    cache.set(REPORTS_VERSION_KEY, uuid.uuid4().hex, None)
    forget_version(REPORTS_VERSION_KEY)


def bump_now_and_after_commit(bump=bump_results_generation):
    """Call ``bump`` now and again when the current transaction commits.

    Now, so that this process sees its own writes at once; after commit too,
    because a page rendered meanwhile by another process may have cached the
    old figures under the first new version.
    """
    bump()
    transaction.on_commit(bump)


def _mean_percent(values):
    return (sum(values, Decimal(0)) / len(values)).quantize(PERCENT)


def _build_rows(answer_rows, value_rows, *, current_of, year, quarter,
                as_reported_units=None, current_units=None):
    """Result rows of one quarter in both views.

    ``answer_rows``: ``(unit_id, node_id, percent, met)``; ``value_rows``:
    ``(unit_id, indicator_id, rollup, value)``, from approved reports, with no
    ``None`` among the values and at least one of percent and met in each
    answer. ``current_of`` maps a reporting unit to the unit in force today.
    Rows are built only for the units in ``as_reported_units`` and
    ``current_units`` (``None``: every unit). Returns ``(node rows, indicator
    rows)``: tuples in the order of ``COLUMNS``, without ``computed_at``.
    """
    node_rows, indicator_rows = [], []
    current_answers = defaultdict(list)
    for unit_id, node_id, percent, met in answer_rows:
        if as_reported_units is None or unit_id in as_reported_units:
            node_rows.append((Boundaries.AS_REPORTED, unit_id, year, quarter, node_id, percent, met, 1))
        current_id = current_of[unit_id]
        if current_units is None or current_id in current_units:
            current_answers[current_id, node_id].append((percent, met))
    for (unit_id, node_id), answers in current_answers.items():
        percents = [p for p, _met in answers if p is not None]
        mets = [m for _p, m in answers if m is not None]
        node_rows.append((
            Boundaries.CURRENT, unit_id, year, quarter, node_id,
            _mean_percent(percents) if percents else None, all(mets) if mets else None, len(answers),
        ))

    current_values = defaultdict(list)
    rules = {}
    for unit_id, indicator_id, rollup, value in value_rows:
        if as_reported_units is None or unit_id in as_reported_units:
            indicator_rows.append((Boundaries.AS_REPORTED, unit_id, year, quarter, indicator_id, value, 1))
        current_id = current_of[unit_id]
        if current_units is None or current_id in current_units:
            current_values[current_id, indicator_id].append(value)
            rules[indicator_id] = rollup
    for (unit_id, indicator_id), values in current_values.items():
        indicator_rows.append((
            Boundaries.CURRENT, unit_id, year, quarter, indicator_id,
            combine(rules[indicator_id], values), len(values),
        ))
    return node_rows, indicator_rows


# The columns of the tuples of ``_build_rows``, then ``computed_at``.
COLUMNS = {
    NodeResult: ("boundaries", "unit_id", "year", "quarter", "node_id", "percent_complete", "met",
                 "units_reporting", "computed_at"),
    IndicatorResult: ("boundaries", "unit_id", "year", "quarter", "indicator_id", "value",
                      "units_reporting", "computed_at"),
}


def _copy_text(value):
    """A value as ``COPY … FROM STDIN`` (text format) reads it."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _insert(model, rows, now):
    """Insert ``rows`` (tuples of ``_build_rows``) into ``model``'s table.

    On PostgreSQL through ``COPY``, which is several times faster than
    multi-row INSERTs for the hundreds of thousands of rows of a full rebuild;
    elsewhere (the SQLite demo) through ``bulk_create``.
    """
    if not rows:
        return
    columns = COLUMNS[model]
    if connection.vendor == "postgresql":
        stamp = now.isoformat()
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(_copy_text(v) for v in row))
            buffer.write("\t" + stamp + "\n")
        buffer.seek(0)
        fields = [model._meta.get_field(name.removesuffix("_id")).column for name in columns]
        with connection.cursor() as cursor:
            # The raw psycopg2 cursor: Django's wrapper does not expose copy_expert.
            cursor.cursor.copy_expert(
                f"COPY {connection.ops.quote_name(model._meta.db_table)} ({', '.join(fields)}) FROM STDIN",
                buffer,
            )
        return
    model.objects.bulk_create(
        (model(**dict(zip(columns, (*row, now), strict=True))) for row in rows), batch_size=BATCH_SIZE
    )


def _approved_rows(year, quarter, unit_ids=None):
    """The approved figures of one quarter, as ``_build_rows`` takes them (two queries)."""
    answers = NodeAnswer.objects.filter(
        Q(percent_complete__isnull=False) | Q(met__isnull=False),
        report__status=ReportStatus.APPROVED, report__year=year, report__quarter=quarter,
    )
    values = IndicatorValue.objects.filter(
        report__status=ReportStatus.APPROVED, report__year=year, report__quarter=quarter,
        value__isnull=False,
    )
    if unit_ids is not None:
        answers = answers.filter(report__unit_id__in=unit_ids)
        values = values.filter(report__unit_id__in=unit_ids)
    return (
        list(answers.values_list("report__unit_id", "node_id", "percent_complete", "met")),
        list(values.values_list("report__unit_id", "indicator_id", "indicator__rollup", "value")),
    )


def recompute_results(unit, year, quarter):
    """Rewrite the results of ``unit``'s quarter in both views; call after approval or reopening.

    The as-reported rows of ``unit`` come from its approved report (none if it
    has none); the current-boundaries rows of the unit in force today that
    ``unit`` became combine the approved reports of every unit rolling up into
    it. Only that unit and quarter are touched: a constant number of queries,
    whatever the number of units and quarters.
    """
    return recompute_many([(unit.pk, year, quarter)])


def recompute_all(progress=None):
    """Rebuild every result row from the approved reports, in one transaction.

    Works quarter by quarter (two reads and two bulk inserts each), so its cost
    follows the number of quarters and values, never one query per row.
    ``progress(done, total)``, if given, is called after each quarter.
    Returns ``(item rows, indicator rows)`` written.
    """
    periods = sorted(
        Report.objects.filter(status=ReportStatus.APPROVED).order_by().values_list("year", "quarter").distinct()
    )
    with transaction.atomic():
        NodeResult.objects.all().delete()
        IndicatorResult.objects.all().delete()
        bump_now_and_after_commit(bump_results_epoch)
        return _rewrite_quarters([(period, None) for period in periods], progress)


def recompute_many(pairs, progress=None):
    """Rewrite the results of many ``(unit_id, year, quarter)`` pairs, as ``recompute_results`` does one.

    For a bulk import: quarter by quarter, the approved figures of the units
    concerned are read once and combined by the same code as ``recompute_all``,
    and only their rows are replaced, so the cost follows what changed rather
    than the whole history. ``progress(done, total)``, if given, is called
    after each quarter. Returns ``(item rows, indicator rows)`` written.
    """
    by_quarter = defaultdict(set)
    for unit_id, year, quarter in pairs:
        by_quarter[int(year), int(quarter)].add(unit_id)
    with transaction.atomic():
        return _rewrite_quarters(sorted(by_quarter.items()), progress)


def _rewrite_quarters(quarters, progress):
    """Write the results of ``quarters``: ``[((year, quarter), reporting unit ids or None)]``.

    With unit ids, the rows of those units (as reported) and of the units they
    became (current boundaries) are replaced; with ``None``, every unit's rows
    are written, into tables the caller has emptied.
    """
    current_of = units.lineage_map()
    now = timezone.now()
    written = [0, 0]
    for done, ((year, quarter), unit_ids) in enumerate(quarters, start=1):
        current_ids = reporting_ids = None
        if unit_ids is not None:
            current_ids = {current_of[pk] for pk in unit_ids}
            reporting_ids = [pk for pk, current in current_of.items() if current in current_ids]
            for model in (NodeResult, IndicatorResult):
                model.objects.filter(
                    boundaries=Boundaries.AS_REPORTED, unit_id__in=unit_ids, year=year, quarter=quarter
                ).delete()
                model.objects.filter(
                    boundaries=Boundaries.CURRENT, unit_id__in=current_ids, year=year, quarter=quarter
                ).delete()
        answer_rows, value_rows = _approved_rows(year, quarter, reporting_ids)
        node_rows, indicator_rows = _build_rows(
            answer_rows, value_rows, current_of=current_of, year=year, quarter=quarter,
            as_reported_units=unit_ids, current_units=current_ids,
        )
        _insert(NodeResult, node_rows, now)
        _insert(IndicatorResult, indicator_rows, now)
        bump_now_and_after_commit(functools.partial(bump_quarter_version, year, quarter))
        written[0] += len(node_rows)
        written[1] += len(indicator_rows)
        if progress is not None:
            progress(done, len(quarters))
    bump_now_and_after_commit()
    return tuple(written)
