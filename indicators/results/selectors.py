"""Reads of approved results: the one place the dashboards' figures are computed.

Every page (and the API, and the exports) reads these functions; they read the
precomputed results tables (``NodeResult``, ``IndicatorResult``) written by
``indicators.results.services`` from approved reports, in either view:

- ``current``: rolled up to today's 34 units;
- ``as-reported``: each unit as it reported, including the units dissolved on
  1 July 2025.

Each function runs a fixed number of queries whatever the number of units and
quarters. The heavier aggregates are cached under keys that include the
results generation, which every recompute (and every change of reference data,
``indicators.signals``) bumps, so a cached figure is never older than the last
approval. The rendered sections of ``indicators.fragments`` also follow the
reports version.
"""
import hashlib
import logging
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from asgiref.local import Local
from django.core.cache import cache
from django.db import connection
from django.db.models import Avg, Count, F, Q, Sum, Value, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import get_language

from indicators import selectors as reference
from indicators.models import (
    Boundaries,
    Indicator,
    IndicatorMapping,
    IndicatorResult,
    NodeKind,
    NodeResult,
    Rollup,
    Target,
)
from indicators.results.progress import choose_target, progress_status
from programmes import policies
from programmes.models import NodeAnswer, Programme, Report, ReportStatus
from programmes.selectors import (
    LATE,
    MISSING,
    NOT_DUE,
    NOT_EXPECTED,
    ON_TIME,
    submission_status,
)
from provinces import selectors as unit_selectors
from provinces.models import AdministrativeUnit, AseanSmartCity
from provinces.quarters import MERGER_DATE, Quarter, quarter_range
from smartcity_portal.codeversion import code_version

logger = logging.getLogger(__name__)

RESULTS_GENERATION_KEY = "indicators:results-generation"
REPORTS_VERSION_KEY = "indicators:reports-version"
REFERENCE_VERSION_KEY = "indicators:reference-version"
# Figures of one quarter (``per_quarter``) follow that quarter's version, bumped when its
# results are rewritten, and the epoch, bumped when all of them are.
RESULTS_EPOCH_KEY = "indicators:results-epoch"
QUARTER_VERSION_PREFIX = "indicators:results-version:"
CACHE_SECONDS = 6 * 3600
HEAT_CLASSES = 10
EXCERPT_LENGTH = 300


# --- caching ------------------------------------------------------------------------


# Within one request the versions are read from the cache once: a page asks
# for them several times (each cached aggregate, each rendered section).
_request_memo = Local()
# What a cached value is stored with when it depends on the results only, and
# when it also depends on the reports (rendered sections).
RESULTS = (RESULTS_GENERATION_KEY,)
RESULTS_AND_REPORTS = (RESULTS_GENERATION_KEY, REPORTS_VERSION_KEY)
# What depends on reference data only (the units of a table): kept across approvals,
# so that the first page after one does not look the units up again.
REFERENCE = (REFERENCE_VERSION_KEY,)


def start_request_memo(**kwargs):
    _request_memo.versions = {}


def end_request_memo(**kwargs):
    _request_memo.versions = None


def forget_version(key):
    """Drop ``key`` from this request's memo (the process that bumped it must see it at once)."""
    memo = getattr(_request_memo, "versions", None)
    if memo:
        memo.pop(key, None)


def _versions_and_values(version_keys, value_keys=()):
    """``(versions, values)``: the data versions (created where missing) and the values found, in one round trip.

    ``None`` while the cache is unavailable. The versions this request already read are not read again.
    A missing version is created: a fresh random value, never a counter restarting at 0, so that
    after an eviction nothing stored under an earlier version comes back.
    """
    memo = getattr(_request_memo, "versions", None)
    versions = {k: memo[k] for k in version_keys if memo and k in memo}
    wanted = [*(k for k in version_keys if k not in versions), *value_keys]
    if not wanted:
        return versions, {}
    try:
        found = cache.get_many(wanted)
        for k in version_keys:
            if k not in versions:
                if found.get(k) is None:
                    cache.add(k, uuid.uuid4().hex, None)
                    found[k] = cache.get(k)
                versions[k] = found[k]
    except Exception:
        logger.warning("cache unavailable: data version unknown", exc_info=True)
        return None
    if any(versions[k] is None for k in version_keys):
        return None
    if memo is not None:
        memo.update(versions)
    return versions, found


def _read(key, version_keys):
    """``(versions, value, fresh)``: ``read_current``, also giving a value stored under earlier versions."""
    got = _versions_and_values(version_keys, [key] if key else [])
    if got is None:
        return None, None, False
    versions, found = got
    current = tuple(versions[k] for k in version_keys)
    stored = found.get(key) if key else None
    if isinstance(stored, tuple) and len(stored) == 2:
        return current, stored[1], stored[0] == current
    return current, None, False


def read_current(key, version_keys):
    """``(versions, value)``: the value stored under ``key`` if it was stored under the current versions.

    One cache round trip reads the versions (those this request has not read
    yet) and the value; ``value`` is ``None`` when missing or stored under
    other versions. ``versions`` is ``None`` while the cache is unavailable.
    A missing version is created: a fresh random value, never a counter
    restarting at 0, so that after an eviction nothing stored under an
    earlier version comes back.
    """
    versions, value, fresh = _read(key, version_keys)
    return versions, value if fresh else None


def store_current(key, versions, value, timeout):
    """Store ``value`` under ``key``, labelled with the ``versions`` it was computed under."""
    try:
        cache.set(key, (versions, value), timeout)
    except Exception:
        logger.warning("cache unavailable: %s not stored", key, exc_info=True)


# --- rendering once per version (no stampede) ---------------------------------------
#
# After an approval every cached page and section is out of date at once. So that
# concurrent requests do not all render the same page again, the first one to find
# it out of date claims its render (a key in Redis, ``cache.add``: atomic across
# processes) and the others are answered with the version they find (the previous
# one) until the new one is stored, or, when there is none at all, wait briefly.

RENDER_CLAIM_SECONDS = 30


def _claim_key(key, versions):
    label = hashlib.sha1(repr(versions).encode()).hexdigest()[:12]
    return f"{key}:rendering:{label}"


@dataclass
class Lookup:
    """What ``read_or_claim`` found: see there."""

    versions: tuple | None
    value: object = None
    fresh: bool = False
    claimed: bool = False

    @property
    def stale(self):
        return self.value is not None and not self.fresh


def read_or_claim(key, version_keys, may_claim=None):
    """Look ``key`` up as ``read_current`` does; when it is out of date, claim its render or take the old value.

    - stored under the current versions: ``value`` set, ``fresh``;
    - missing or out of date, and no other process is rendering it under the
      current versions: ``claimed``; the caller renders it and calls
      ``store_claimed`` (or ``release_claim`` if it ends up not storing it);
    - out of date while another process renders it: ``value`` is the previous
      version (``stale``);
    - missing while another process renders it: nothing (``wait_for`` it, or render).

    ``versions`` is ``None`` while the cache is unavailable: render, store nothing.
    ``may_claim()``, when given, is asked before claiming: if false, nothing is
    claimed or returned besides the versions (the caller does not cache this one).
    """
    versions, value, fresh = _read(key, version_keys)
    if versions is None or fresh:
        return Lookup(versions, value, fresh)
    if may_claim is not None and not may_claim():
        return Lookup(versions)
    try:
        claimed = bool(cache.add(_claim_key(key, versions), 1, RENDER_CLAIM_SECONDS))
    except Exception:
        logger.warning("cache unavailable: render of %s not claimed", key, exc_info=True)
        claimed = True
    if claimed:
        return Lookup(versions, claimed=True)
    return Lookup(versions, value)


def store_claimed(key, versions, value, timeout):
    """Store ``value`` rendered after ``read_or_claim`` claimed it, and end the claim."""
    store_current(key, versions, value, timeout)
    release_claim(key, versions)


def release_claim(key, versions):
    try:
        cache.delete(_claim_key(key, versions))
    except Exception:
        logger.warning("cache unavailable: claim of %s not released", key, exc_info=True)


def wait_for(key, versions, seconds, interval=0.02):
    """The value of ``key`` stored under ``versions`` once another process has stored it, or ``None`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    claim = _claim_key(key, versions)
    while time.monotonic() < deadline:
        time.sleep(interval)
        try:
            found = cache.get_many([key, claim])
        except Exception:
            logger.warning("cache unavailable: not waiting for %s", key, exc_info=True)
            return None
        stored = found.get(key)
        if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == versions:
            return stored[1]
        if claim not in found:
            return None  # the render ended without storing (an error, or not cacheable)
    return None


def results_generation():
    """The current results generation: changes whenever results are recomputed."""
    versions, _ = read_current(None, RESULTS)
    return None if versions is None else versions[0]


def cached(name, parts, compute, version_keys=RESULTS):
    """``compute()``, cached under ``name`` and ``parts`` until the results generation changes.

    ``None`` is never stored: so that, for example, looking up objects that do
    not exist cannot fill the cache. ``version_keys=REFERENCE``: until reference
    data changes (not at every approval).
    """
    # The code that computed it too: a deploy never reads what an older shape of it stored.
    text = "|".join(str(part) for part in (code_version(), *parts))
    key = f"results:{name}:{hashlib.sha1(text.encode()).hexdigest()[:16]}"
    versions, value = read_current(key, version_keys)
    if value is None:
        value = compute()
        if versions is not None and value is not None:
            store_current(key, versions, value, CACHE_SECONDS)
    return value


def quarter_version_key(year, quarter):
    return f"{QUARTER_VERSION_PREFIX}{int(year)}-{int(quarter)}"


def _quarter_version_keys(quarters):
    return [REFERENCE_VERSION_KEY, RESULTS_EPOCH_KEY, *(quarter_version_key(q.year, q.quarter) for q in quarters)]


def _fresh(stored, label):
    return isinstance(stored, tuple) and len(stored) == 2 and stored[0] == label


def _store_many(values, timeout=CACHE_SECONDS):
    try:
        cache.set_many(values, timeout)
    except Exception:
        logger.warning("cache unavailable: figures not stored", exc_info=True)


def _prefix(name, parts):
    text = "|".join(str(part) for part in (code_version(), *parts))
    return f"results:{name}:{hashlib.sha1(text.encode()).hexdigest()[:16]}:"


def per_quarter(name, parts, quarters, compute):
    """``{quarter: value}`` for ``quarters``, each cached until the results of that quarter change.

    An approval rewrites the results of one unit's quarter, not the others:
    what is computed from one quarter's results alone (the national figures
    of a quarter) stays cached across it, and only the quarters not cached
    are computed, in one call: ``compute(missing quarters)`` returns
    ``{quarter: value}``. Each value follows reference data too (units'
    regions and lineage, indicators' rules). One cache round trip reads every
    version and value.
    """
    if not quarters:
        return {}
    prefix = _prefix(name, parts)
    value_keys = {q: f"{prefix}{q.year}-{q.quarter}" for q in quarters}
    got = _versions_and_values(_quarter_version_keys(quarters), value_keys.values())
    if got is None:
        return compute(list(quarters))
    versions, found = got
    result, missing = {}, []
    for q, key in value_keys.items():
        label = (versions[REFERENCE_VERSION_KEY], versions[RESULTS_EPOCH_KEY], versions[quarter_version_key(q.year, q.quarter)])
        if _fresh(found.get(key), label):
            result[q] = found[key][1]
        else:
            missing.append((q, label))
    if missing:
        computed = compute([q for q, _ in missing])
        _store_many({value_keys[q]: (label, computed.get(q)) for q, label in missing})
        result.update({q: computed.get(q) for q, _ in missing})
    return result


def latest_up_to(name, parts, quarters, before, of_quarter):
    """``{key: (value, (year, quarter))}``: the latest of each key over ``quarters`` (in order, up to the last).

    ``before(quarter)`` computes it from every quarter up to ``quarter`` (a
    window query); ``of_quarter(quarter)`` reads one quarter's rows. The
    latest up to a quarter is that up to the quarter before, overwritten by
    its own rows: so each is cached with the versions of every quarter it
    covers, and after an approval of the last quarter only that quarter is
    read again (the value up to the one before is kept whenever it is computed).
    """
    if not quarters:
        return {}
    last, previous = quarters[-1], quarters[-2] if len(quarters) > 1 else None
    prefix = _prefix(name, parts)
    key_last = f"{prefix}{last.year}-{last.quarter}"
    key_previous = None if previous is None else f"{prefix}{previous.year}-{previous.quarter}"
    version_keys = _quarter_version_keys(quarters)
    got = _versions_and_values(version_keys, [key_last, *([key_previous] if key_previous else [])])
    if got is None:
        return {**(before(previous) if previous else {}), **of_quarter(last)}
    versions, found = got

    def label(count):
        # The versions of the first ``count`` quarters, with the reference data's and the epoch.
        text = "|".join(str(versions[k]) for k in version_keys[:2 + count])
        return hashlib.sha1(text.encode()).hexdigest()

    label_last = label(len(quarters))
    if _fresh(found.get(key_last), label_last):
        return found[key_last][1]
    stored = {}
    if previous is None:
        base = {}
    elif _fresh(found.get(key_previous), label(len(quarters) - 1)):
        base = found[key_previous][1]
    else:
        base = before(previous)
        stored[key_previous] = (label(len(quarters) - 1), base)
    value = {**base, **of_quarter(last)}
    stored[key_last] = (label_last, value)
    _store_many(stored)
    return value


def reference_object(queryset, **lookup):
    """The object of ``queryset`` matching ``lookup``, or ``None``: for reference data a page is named by.

    Cached like the aggregates: every change of reference data bumps the results generation.
    """
    label = queryset.model._meta.label_lower
    return cached(f"object:{label}", sorted(lookup.items()), lambda: queryset.filter(**lookup).first())


# --- periods and units ----------------------------------------------------------------


def until(quarter, prefix=""):
    """A filter for rows of ``quarter`` or earlier (fields ``year`` and ``quarter``)."""
    return Q(**{f"{prefix}year__lt": quarter.year}) | Q(
        **{f"{prefix}year": quarter.year, f"{prefix}quarter__lte": quarter.quarter}
    )


def in_quarters(quarters, prefix=""):
    condition = Q(pk__in=[])
    for q in quarters:
        condition |= Q(**{f"{prefix}year": q.year, f"{prefix}quarter": q.quarter})
    return condition


def default_quarter():
    """The last quarter that has any approved figures (the last complete quarter if none)."""
    found = result_quarters().get("node-last")
    return Quarter(*found) if found else Quarter.last_complete()


def _rows_of_all(queries):
    """The rows of every one of ``queries`` (each ordered and sliced), in one query where the database allows."""
    if connection.features.supports_slicing_ordering_in_compound:
        return queries[0].union(*queries[1:], all=True)
    # SQLite, the demo's database: no LIMIT inside a UNION, so one query each.
    return [row for query in queries for row in query]


def result_quarters():
    """The first and the last quarter with results of items (``node-…``) and of indicators (``indicator-…``).

    ``{"node-first": (year, quarter), "node-last": …, "indicator-first": …, "indicator-last": …}``,
    without the keys of a table that is empty. One query (four index lookups; four queries
    on SQLite), cached until the results change. Rows as reported: every approved report has them.
    """

    def compute():
        ends = []
        for model, label in ((NodeResult, "node"), (IndicatorResult, "indicator")):
            rows = model.objects.filter(boundaries=Boundaries.AS_REPORTED)
            for end, order in (("first", ("year", "quarter")), ("last", ("-year", "-quarter"))):
                ends.append(
                    rows.annotate(end=Value(f"{label}-{end}")).order_by(*order).values_list("end", "year", "quarter")[:1]
                )
        return {end: (year, quarter) for end, year, quarter in _rows_of_all(ends)}

    return cached("result-quarters", [], compute)


def computed_at():
    """When the results were last computed (``None`` before any approval)."""

    def compute():
        # The latest of each table in one query (two index lookups).
        latest = [
            model.objects.order_by("-computed_at").values_list("computed_at")[:1]
            for model in (NodeResult, IndicatorResult)
        ]
        return max((stamp for (stamp,) in _rows_of_all(latest)), default=None)

    return cached("computed-at", [], compute)


def first_quarter_with_results():
    found = result_quarters().get("node-first")
    return Quarter(*found) if found else None


# The order of units: one rule, in the reference layer.
unit_sort_key = unit_selectors.unit_sort_key


def units_for(boundaries, quarter, region=None):
    """The units a table shows for ``quarter``, in name order.

    ``current``: today's 34 units. ``as-reported``: every unit that existed at
    some time up to the end of ``quarter``: the 63 units before July 2025; after
    it, those 63 (the dissolved ones with their last figures) and the 23 units
    formed on 1 July 2025.
    """
    def compute():
        if boundaries == Boundaries.CURRENT:
            units = AdministrativeUnit.objects.current()
        else:
            units = AdministrativeUnit.objects.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=quarter.end))
        if region is not None:
            units = units.filter(region=region)
        return sorted(units.select_related("region"), key=unit_sort_key)

    # Sorted by the name in the active language.
    parts = [boundaries, quarter if boundaries != Boundaries.CURRENT else "", getattr(region, "pk", region), get_language()]
    return cached("units-for", parts, compute, REFERENCE)


def map_units(boundaries, region=None):
    """The units of the tile map: today's 34, or the 63 in force before 1 July 2025."""
    def compute():
        if boundaries == Boundaries.CURRENT:
            units = AdministrativeUnit.objects.current()
        else:
            units = AdministrativeUnit.objects.in_force_on(MERGER_DATE - timedelta(days=1))
        if region is not None:
            units = units.filter(region=region)
        return list(units.select_related("region"))

    return cached("map-units", [boundaries, getattr(region, "pk", region)], compute, REFERENCE)


def heat_class(percent):
    """``0``…``9`` for a percent (``None`` for no figure): the ``.heat-N`` colour class."""
    if percent is None:
        return None
    return max(0, min(HEAT_CLASSES - 1, int(Decimal(percent) // 10)))


# --- progress on framework items ---------------------------------------------------------------


def figure_of(percent, met):
    """What a result says: a percent complete (progress) or met / not met (criterion)."""
    return percent if met is None else met


def latest_figures(boundaries, quarter, unit_ids=None, node_ids=None):
    """``{(unit_id, node_id): (figure, Quarter)}``: each unit's latest approved answer up to ``quarter``.

    ``figure`` is a percent complete (progress items) or ``True``/``False`` (criteria).
    """

    def rows_of(queryset):
        if unit_ids is not None:
            queryset = queryset.filter(unit_id__in=unit_ids)
        if node_ids is not None:
            queryset = queryset.filter(node_id__in=node_ids)
        return queryset

    def before(upto):
        rows = rows_of(NodeResult.objects.filter(until(upto), boundaries=boundaries)).annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("unit_id"), F("node_id")],
                order_by=[F("year").desc(), F("quarter").desc()],
            )
        ).filter(rank=1)
        return _latest_figures_of(rows)

    def of_quarter(q):
        return _latest_figures_of(rows_of(NodeResult.objects.filter(boundaries=boundaries, year=q.year, quarter=q.quarter)))

    ids = "all" if unit_ids is None else ",".join(map(str, sorted(unit_ids)))
    nodes = "all" if node_ids is None else ",".join(map(str, sorted(node_ids)))
    found = latest_up_to("latest-figures", [boundaries, ids, nodes], _quarters_up_to(quarter), before, of_quarter)
    return {key: (figure, Quarter(*period)) for key, (figure, period) in found.items()}


def _latest_figures_of(rows):
    return {
        (unit_id, node_id): (figure_of(percent, met), (year, q))
        for unit_id, node_id, percent, met, year, q in rows.values_list(
            "unit_id", "node_id", "percent_complete", "met", "year", "quarter"
        )
    }


def _quarters_up_to(quarter, table="node"):
    """Every quarter from the first with results (of items, or of ``indicator``s) up to ``quarter``."""
    first = result_quarters().get(f"{table}-first")
    return [] if first is None else list(quarter_range(Quarter(*first), quarter))


def latest_values(boundaries, quarter, unit_ids, indicator_ids):
    """``{(unit_id, indicator_id): (value, Quarter)}``: each unit's latest approved value up to ``quarter``."""
    if not indicator_ids:
        return {}

    def before(upto):
        rows = IndicatorResult.objects.filter(
            until(upto), boundaries=boundaries, unit_id__in=unit_ids, indicator_id__in=indicator_ids
        ).annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("unit_id"), F("indicator_id")],
                order_by=[F("year").desc(), F("quarter").desc()],
            )
        ).filter(rank=1)
        return _latest_values_of(rows)

    def of_quarter(q):
        return _latest_values_of(IndicatorResult.objects.filter(
            boundaries=boundaries, year=q.year, quarter=q.quarter, unit_id__in=unit_ids, indicator_id__in=indicator_ids,
        ))

    key = [boundaries, ",".join(map(str, sorted(unit_ids))), ",".join(map(str, sorted(indicator_ids)))]
    found = latest_up_to("latest-values", key, _quarters_up_to(quarter, "indicator"), before, of_quarter)
    return {k: (value, Quarter(*period)) for k, (value, period) in found.items()}


def _latest_values_of(rows):
    return {
        (unit_id, indicator_id): (value, (year, q))
        for unit_id, indicator_id, value, year, q in rows.values_list("unit_id", "indicator_id", "value", "year", "quarter")
    }


def threshold_figures(boundaries, quarter, unit_ids, nodes):
    """``{(unit_id, node_id): (met, Quarter)}`` for criteria whose indicators have thresholds.

    A criterion is met by its values when each indicator with a threshold has
    an approved value up to ``quarter`` that meets it; a criterion without a
    value for one of them is left out (not answered, so not met).
    """
    criteria = [n for n in nodes if n.kind == NodeKind.CRITERION]
    rules = {}
    for mapping in IndicatorMapping.objects.filter(node__in=criteria).exclude(threshold_operator=""):
        rules.setdefault(mapping.node_id, []).append(mapping)
    if not rules:
        return {}
    values = latest_values(
        boundaries, quarter, list(unit_ids), sorted({m.indicator_id for ms in rules.values() for m in ms})
    )
    found = {}
    for unit_id in unit_ids:
        for node_id, mappings in rules.items():
            seen = [values.get((unit_id, m.indicator_id)) for m in mappings]
            if any(v is None for v in seen):
                continue
            met = all(m.is_met_by(value) for m, (value, _q) in zip(mappings, seen, strict=True))
            found[unit_id, node_id] = (met, max(q for _v, q in seen))
    return found


def mean(values):
    values = [Decimal(v) for v in values if v is not None]
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1"))


def share_met(values):
    """Per 100 answers, how many are met (``None`` without answers)."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return (Decimal(100) * sum(1 for v in values if v) / len(values)).quantize(Decimal("0.1"))


def summary(node, figures):
    """The mean percent complete of a progress item, the share of units meeting a criterion."""
    return share_met(figures) if node.kind == NodeKind.CRITERION else mean(figures)


@dataclass
class HeatRow:
    unit: AdministrativeUnit
    cells: list  # (figure | None, Quarter | None) per item
    average: Decimal | None = None


@dataclass
class HeatTable:
    boundaries: str
    quarter: Quarter
    items: list  # the framework version's items (nodes)
    rows: list = field(default_factory=list)
    version: object = None

    def averages(self, rows=None):
        """``(summary, units with a figure)`` per item over ``rows`` (all rows by default)."""
        rows = self.rows if rows is None else rows
        result = []
        for i, node in enumerate(self.items):
            figures = [row.cells[i][0] for row in rows if row.cells[i][0] is not None]
            result.append((summary(node, figures), len(figures)))
        return result

    def by_unit(self):
        return {row.unit.pk: row for row in self.rows}


def default_version(framework_code=None):
    """The framework version a page shows when it names none: the default framework's current version."""
    code = framework_code or reference.DEFAULT_FRAMEWORK
    # Cached with the day: the version in force changes with the calendar.
    return cached("current-version", [code, timezone.localdate()], lambda: reference.current_version(code), REFERENCE)


def version_items(version):
    """The items (not groups) of ``version``, cached with the reference data."""
    if version is None:
        return []
    return cached("version-items", [version.pk], lambda: reference.items_of(version), REFERENCE)


def heat_table(boundaries, quarter, region=None, units=None, version=None):
    """Units × the items of a framework version: each unit's latest approved answer up to ``quarter``."""
    version = version or default_version()
    items = version_items(version)
    units = units_for(boundaries, quarter, region) if units is None else units
    unit_ids = [u.pk for u in units]
    # A criterion is answered in a report, or met by its indicators' values: the report's answer wins.
    found = {
        **threshold_figures(boundaries, quarter, unit_ids, items),
        **latest_figures(boundaries, quarter, unit_ids=unit_ids, node_ids=[n.pk for n in items]),
    }
    table = HeatTable(boundaries, quarter, items, version=version)
    for unit in units:
        cells = [found.get((unit.pk, node.pk), (None, None)) for node in items]
        progress = [c[0] for node, c in zip(items, cells, strict=True) if node.kind != NodeKind.CRITERION]
        criteria = [c[0] for node, c in zip(items, cells, strict=True) if node.kind == NodeKind.CRITERION]
        table.rows.append(HeatRow(unit, cells, mean(progress) if progress else share_met(criteria)))
    return table


def national_progress(boundaries, region=None, last=None, version=None, latest_only=False):
    """Per quarter up to ``last``: the mean figure per item over the units with approved answers.

    Returns ``[(Quarter, {node_id: mean}, overall mean, units reporting)]`` in time order;
    a criterion's mean is the share of units meeting it. ``latest_only``: the last of
    them alone (in a list).
    """
    version = version or default_version()
    node_ids = [n.pk for n in version_items(version)]
    first = first_quarter_with_results()
    if first is None or not node_ids:
        return []
    latest = default_quarter() if last is None else last
    region_id = getattr(region, "pk", None)

    def compute(quarters):
        rows = NodeResult.objects.filter(boundaries=boundaries, node_id__in=node_ids).filter(in_quarters(quarters))
        if region_id is not None:
            rows = rows.filter(unit__region_id=region_id)
        found = {q: ({}, 0) for q in quarters}
        for year, quarter, n in rows.values_list("year", "quarter").annotate(
            n=Count("unit_id", distinct=True)
        ).order_by().values_list("year", "quarter", "n"):
            found[Quarter(year, quarter)] = ({}, n)
        for year, quarter, node_id, mean, n, met_count, answered_count in rows.values_list(
            "year", "quarter", "node_id",
        ).annotate(
            mean=Avg("percent_complete"), n=Count("id"), met_count=Count("id", filter=Q(met=True)),
            answered_count=Count("id", filter=Q(met__isnull=False)),
        ).order_by().values_list("year", "quarter", "node_id", "mean", "n", "met_count", "answered_count"):
            if mean is not None:
                figure, weight = Decimal(str(mean)), n
            elif answered_count:
                figure, weight = Decimal(100) * met_count / answered_count, answered_count
            else:
                continue
            # As text: quicker to unpickle than a Decimal.
            found[Quarter(year, quarter)][0][node_id] = (str(figure), weight)
        return found

    # Each quarter's figures are cached apart (``per_quarter``): after an approval only its quarter is read again.
    sums = sorted(per_quarter(
        "national-progress", [boundaries, region_id, version.pk], list(quarter_range(first, latest)), compute,
    ).items())
    if latest_only:
        return next(([row] for row in map(_progress_row, reversed(sums)) if row is not None), [])
    return [row for row in map(_progress_row, sums) if row is not None]


def _progress_row(item):
    """``(Quarter, {node_id: mean}, overall mean, units reporting)`` of one quarter's sums, ``None`` if it has none."""
    period, sums = item
    per_node, units = sums or ({}, 0)
    means, total, weight_sum = {}, Decimal(0), 0
    for node_id, (figure, weight) in per_node.items():
        figure = Decimal(figure)
        means[node_id] = figure.quantize(Decimal("0.1"))
        total += figure * weight
        weight_sum += weight
    if not means:
        return None
    return period, means, (total / weight_sum).quantize(Decimal("0.1")), units


def unit_progress_series(boundaries, unit, version=None):
    """``[(Quarter, {node_id: figure}, units reporting)]`` of one unit, in time order."""
    version = version or default_version()
    series = defaultdict(dict)
    reporting = {}
    for year, q, node_id, percent, met, n in NodeResult.objects.filter(
        boundaries=boundaries, unit=unit, node__version=version
    ).values_list("year", "quarter", "node_id", "percent_complete", "met", "units_reporting"):
        series[year, q][node_id] = figure_of(percent, met)
        reporting[year, q] = max(n, reporting.get((year, q), 0))
    return [(Quarter(*period), series[period], reporting[period]) for period in sorted(series)]


def latest_narratives(node, quarter, region=None, limit=12):
    """The newest narratives of the item ``node`` in approved reports up to ``quarter``: one per unit.

    ``[(unit, Quarter, excerpt)]``, newest first; excerpts are plain text (escaped
    when shown), cut at about ``EXCERPT_LENGTH`` characters.
    """
    rows = (
        NodeAnswer.objects.filter(
            until(quarter, "report__"), node=node, report__status=ReportStatus.APPROVED,
        )
        .exclude(narrative="")
    )
    if region is not None:
        rows = rows.filter(report__unit__region=region)
    rows = rows.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("report__unit_id")],
            order_by=[F("report__year").desc(), F("report__quarter").desc()],
        )
    ).filter(rank=1)
    found = list(
        rows.values_list("report__unit_id", "report__year", "report__quarter", "narrative")
        .order_by("-report__year", "-report__quarter", "report__unit__name_vi")[:limit]
    )
    units = AdministrativeUnit.objects.in_bulk({row[0] for row in found})
    return [(units[unit_id], Quarter(year, q), excerpt(text)) for unit_id, year, q, text in found]


def excerpt(text, length=EXCERPT_LENGTH):
    """The first ``length`` characters of ``text`` (tags stripped), cut at a word."""
    from django.utils.html import strip_tags

    plain = " ".join(strip_tags(text).split())
    if len(plain) <= length:
        return plain
    cut = plain[:length].rsplit(" ", 1)[0]
    return cut + "…"


# --- indicators --------------------------------------------------------------------------


def indicators(node=None):
    """Active indicators; with ``node``, those mapped to it."""
    found = Indicator.objects.filter(is_active=True)
    if node is not None:
        found = found.filter(mappings__node=node)
    return list(found.order_by("code"))


def targets(indicator_ids=None, unit_ids=()):
    """``{indicator_id: {None: [(year, value)], unit_id: [(year, value)]}}``: national and units' targets.

    Cached with the reference data (targets are kept in the admin): an approval leaves them cached.
    """
    indicator_ids = None if indicator_ids is None else sorted(indicator_ids)
    unit_ids = sorted(unit_ids)

    def compute():
        rows = Target.objects.filter(Q(unit__isnull=True) | Q(unit_id__in=unit_ids))
        if indicator_ids is not None:
            rows = rows.filter(indicator_id__in=indicator_ids)
        found = {}
        for indicator_id, unit_id, year, value in rows.values_list("indicator_id", "unit_id", "year", "value"):
            found.setdefault(indicator_id, {}).setdefault(unit_id, []).append((year, value))
        return found

    found = cached("targets", [indicator_ids, unit_ids], compute, REFERENCE)
    return defaultdict(lambda: defaultdict(list), {
        indicator_id: defaultdict(list, by_unit) for indicator_id, by_unit in found.items()
    })


def active_frameworks(day=None):
    """``reference.active_frameworks``, cached with the reference data and the day."""
    day = day or timezone.localdate()
    return cached("active-frameworks", [day], lambda: reference.active_frameworks(day), REFERENCE)


def target_for(targets_of_indicator, unit_id, latest_year):
    """``(year, value, scope)`` of the target to use: the unit's if it has any, else the national one."""
    if not targets_of_indicator:
        return None
    for scope in ([unit_id, None] if unit_id is not None else [None]):
        chosen = choose_target(targets_of_indicator.get(scope, []), latest_year)
        if chosen is not None:
            return (*chosen, "national" if scope is None else "unit")
    return None


def status_of(indicator, series, targets_of_indicator, unit_id=None):
    """The ``TargetProgress`` of ``series`` (``[(Quarter, value)]``) for ``indicator``."""
    latest_year = max((q.year for q, v in series if v is not None), default=None)
    chosen = target_for(targets_of_indicator, unit_id, latest_year)
    if chosen is None:
        return progress_status(series, None, None, indicator.direction)
    year, value, _scope = chosen
    return progress_status(series, value, year, indicator.direction)


def national_value(rollup, total, average, yes):
    """The national figure of one quarter by the indicator's rule (``any``: the number of units saying yes)."""
    if rollup == Rollup.SUM:
        return total
    if rollup == Rollup.MEAN:
        return None if average is None else Decimal(str(average)).quantize(Decimal("0.0001"))
    return Decimal(yes)


def national_indicator_series(boundaries, indicator_list, region=None, last=None):
    """``{indicator_id: [(Quarter, national value, units reporting)]}`` in time order.

    Units combine by each indicator's roll-up rule: ``sum`` adds them, ``mean``
    averages them, ``any`` counts the units that say yes. Each quarter's sums
    are cached apart (``per_quarter``): after an approval only its quarter is
    added up again.
    """
    ends = result_quarters()
    if "indicator-first" not in ends:
        return {}
    first, latest = Quarter(*ends["indicator-first"]), Quarter(*ends["indicator-last"])
    if last is not None and last < latest:
        latest = last
    region_id = getattr(region, "pk", None)

    def compute(quarters):
        rows = IndicatorResult.objects.filter(boundaries=boundaries).filter(in_quarters(quarters))
        if region_id is not None:
            rows = rows.filter(unit__region_id=region_id)
        found = {q: ([], [], []) for q in quarters}
        for indicator_id, rollup, year, quarter, total, average, yes, n in rows.values_list(
            "indicator_id", "indicator__rollup", "year", "quarter",
        ).annotate(
            total=Sum("value"), average=Avg("value"), yes=Count("id", filter=~Q(value=0)), n=Count("id"),
        ).order_by("year", "quarter", "indicator_id").values_list(
            "indicator_id", "indicator__rollup", "year", "quarter", "total", "average", "yes", "n",
        ):
            ids, values, counts = found[Quarter(year, quarter)]
            value = national_value(rollup, total, average, yes)
            ids.append(indicator_id)
            # As text: a page reads thousands of these, and text is far quicker to unpickle than a Decimal.
            values.append(None if value is None else str(value))
            counts.append(n)
        return {q: tuple(map(tuple, columns)) for q, columns in found.items()}

    # Each quarter's national figures are cached apart (the rules are reference data, in the versions).
    figures = per_quarter(
        "national-indicators", [boundaries, region_id], list(quarter_range(first, latest)), compute,
    )
    wanted = {i.pk for i in indicator_list}
    series = defaultdict(list)
    for q in sorted(figures):
        ids, values, counts = figures[q] or ((), (), ())
        for indicator_id, value, n in zip(ids, values, counts, strict=True):
            if indicator_id in wanted:
                series[indicator_id].append((q, None if value is None else Decimal(value), n))
    return dict(series)


def unit_indicator_series(boundaries, unit_ids, indicator_ids=None, last=None):
    """``{(unit_id, indicator_id): [(Quarter, value)]}`` in time order."""
    rows = IndicatorResult.objects.filter(boundaries=boundaries, unit_id__in=list(unit_ids))
    if indicator_ids is not None:
        rows = rows.filter(indicator_id__in=list(indicator_ids))
    if last is not None:
        rows = rows.filter(until(last))
    found = defaultdict(list)
    for unit_id, indicator_id, year, q, value in rows.values_list(
        "unit_id", "indicator_id", "year", "quarter", "value"
    ).order_by("year", "quarter"):
        found[unit_id, indicator_id].append((Quarter(year, q), value))
    return found


# --- reporting completeness -------------------------------------------------------------------


@dataclass
class CompletenessRate:
    quarter: Quarter
    expected: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    not_due: int = 0

    @property
    def submitted(self):
        return self.on_time + self.late

    def _share(self, count):
        if not self.expected:
            return None
        return (Decimal(100) * count / self.expected).quantize(Decimal("0.1"))

    @property
    def completeness(self):
        """Reports submitted, on time or late, per 100 units expected to report."""
        return self._share(self.submitted)

    @property
    def timeliness(self):
        """Reports submitted by the due date per 100 units expected to report."""
        return self._share(self.on_time)


@dataclass
class Completeness:
    quarters: list
    rows: list  # (unit, [status per quarter])
    rates: list  # CompletenessRate per quarter


def completeness(quarters, region=None, today=None, rows=True):
    """Who reported on each of ``quarters``, among the units in force throughout it.

    One query per quarter for the units expected, one for the reports: a fixed
    number for a fixed number of quarters. Not cached: submissions change it
    without any recompute of results. ``rows=False``: the rates only (no row per unit).
    """
    today = today or timezone.localdate()
    quarters = list(quarters)
    expected = {}
    for quarter in quarters:
        units = unit_selectors.units_in_force_throughout(quarter)
        if region is not None:
            units = units.filter(region=region)
        expected[quarter] = set(units.values_list("pk", flat=True))
    reports = {
        (r["unit_id"], r["year"], r["quarter"]): r
        for r in Report.objects.filter(in_quarters(quarters)).values(
            "unit_id", "year", "quarter", "first_submitted_at", "is_late"
        )
    }
    statuses, rates = defaultdict(dict), []
    for quarter in quarters:
        counts = defaultdict(int)
        for unit_id in expected[quarter]:
            status = submission_status(reports.get((unit_id, quarter.year, quarter.quarter)), quarter, today)
            statuses[unit_id][quarter] = status
            counts[status] += 1
        rates.append(CompletenessRate(
            quarter, expected=len(expected[quarter]), on_time=counts[ON_TIME], late=counts[LATE],
            missing=counts[MISSING], not_due=counts[NOT_DUE],
        ))
    if not rows:
        return Completeness(quarters, [], rates)
    units = sorted(
        AdministrativeUnit.objects.filter(pk__in=list(statuses)).select_related("region"), key=unit_sort_key
    )
    rows = [(u, [statuses[u.pk].get(q, NOT_EXPECTED) for q in quarters]) for u in units]
    return Completeness(quarters, rows, rates)


# --- headline figures ---------------------------------------------------------------------------


@dataclass
class Headline:
    units: int
    units_with_programme: int
    reporting_quarter: Quarter
    reporting: CompletenessRate
    averages: list  # (item, summary figure, units with a figure) over the units in force


def units_with_approved_programme(units):
    """How many of ``units`` have an approved programme (approved, being implemented or completed).

    Cached with the reference data (programmes are reference data, ``indicators.results.signals``).
    """
    unit_ids = sorted({u.pk for u in units})

    def compute():
        programmes = Programme.objects.filter(unit_id__in=unit_ids).only("unit_id", "status")
        return len({p.unit_id for p in programmes if p.is_approved})

    return cached("units-with-programme", unit_ids, compute, REFERENCE)


def headline(boundaries, quarter, region=None, table=None, today=None):
    """The national overview's headline figures for ``quarter`` (``table``: its heat table, if computed).

    Every figure follows the page's filters: the units in force at the end of
    ``quarter`` in ``region``, and the reports on ``quarter`` itself (not the
    last complete quarter whatever was chosen).
    """
    table = table or heat_table(boundaries, quarter, region)
    # Units dissolved before the end of the quarter keep their last figures in
    # the as-reported table, but are not counted again in the headline figures.
    in_force = [row for row in table.rows if row.unit.valid_until is None or row.unit.valid_until >= quarter.end]
    reporting_quarter = quarter
    rates = completeness([reporting_quarter], region, today, rows=False).rates[0]
    return Headline(
        units=len(in_force),
        units_with_programme=units_with_approved_programme([row.unit for row in in_force]),
        reporting_quarter=reporting_quarter,
        reporting=rates,
        averages=[(node, *figures) for node, figures in zip(table.items, table.averages(in_force), strict=True)],
    )


# --- one unit -------------------------------------------------------------------------------------


@dataclass
class IndicatorLine:
    indicator: Indicator
    latest: tuple | None  # (Quarter, value)
    target: tuple | None  # (year, value, scope)
    status: object
    series: list


@dataclass
class UnitDashboard:
    unit: AdministrativeUnit
    boundaries: str
    today_unit: AdministrativeUnit
    predecessors: list
    programmes: list
    progress: list  # unit_progress_series
    items: list  # the default framework version's items
    indicators: list  # IndicatorLine
    reports: list
    computed_at: object = None

    @property
    def latest_quarter(self):
        return self.progress[-1][0] if self.progress else None


def unit_predecessors(unit):
    """``provinces.selectors.predecessors``, cached with the reference data (the lineage is)."""
    return cached("predecessors", [unit.pk], lambda: unit_selectors.predecessors(unit), REFERENCE)


def unit_dashboard(unit, user, version=None):
    """Everything the unit page shows ``user`` about ``unit``'s programme and results.

    A unit in force today is shown rolled up (``current``): for a unit formed on
    1 July 2025 that includes its predecessors' approved history. A dissolved
    unit is shown as it reported. The report history lists the reports ``user``
    may see listed (``policies.listed_reports``): its page section is cached
    per ``policies.report_view_scope``.
    """
    boundaries = Boundaries.CURRENT if unit.is_current else Boundaries.AS_REPORTED
    version = version or default_version()
    predecessors = unit_predecessors(unit) if unit.is_current else []
    lineage_ids = [unit.pk, *(p.pk for p in predecessors)]
    programmes = list(
        Programme.objects.filter(unit_id__in=lineage_ids).select_related("unit").order_by("-start_year", "pk")
    )
    indicator_list = indicators()
    series = unit_indicator_series(boundaries, [unit.pk])
    all_targets = targets(unit_ids=[unit.pk])
    lines = []
    for indicator in indicator_list:
        points = series.get((unit.pk, indicator.pk), [])
        latest = points[-1] if points else None
        latest_year = latest[0].year if latest else None
        target = target_for(all_targets.get(indicator.pk), unit.pk, latest_year)
        lines.append(IndicatorLine(
            indicator, latest, target, status_of(indicator, points, all_targets.get(indicator.pk), unit.pk), points,
        ))
    reports = list(
        policies.listed_reports(user, Report.objects.filter(unit_id__in=lineage_ids))
        .select_related("unit")
        .order_by("-year", "-quarter", "unit__name_vi")
    )
    return UnitDashboard(
        unit=unit,
        boundaries=boundaries,
        today_unit=unit_selectors.current_unit(unit) if not unit.is_current else unit,
        predecessors=predecessors,
        programmes=programmes,
        progress=unit_progress_series(boundaries, unit, version),
        items=version_items(version),
        indicators=lines,
        reports=reports,
        computed_at=computed_at(),
    )


# --- the ASEAN network -------------------------------------------------------------------------------


def asean_progress(quarter=None):
    """The Vietnamese members of the network with their unit today and its latest approved progress.

    ``(quarter, [(city, unit today, HeatRow)])``.
    """
    quarter = quarter or default_quarter()
    cities = list(
        AseanSmartCity.objects.filter(country_code="VN", unit__isnull=False).select_related("unit").order_by("joined_year", "city")
    )
    current_of = unit_selectors.lineage_map() if cities else {}
    today_units = AdministrativeUnit.objects.select_related("region").in_bulk({current_of[c.unit_id] for c in cities})
    table = heat_table(Boundaries.CURRENT, quarter, units=list(today_units.values()))
    rows = table.by_unit()
    members = [(city, today_units[current_of[city.unit_id]], rows[current_of[city.unit_id]]) for city in cities]
    return quarter, table.items, members
