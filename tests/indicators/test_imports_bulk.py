"""Bulk import at size: the set-based writes and the recomputation limited to what changed.

The rules and their messages are covered one by one in test_imports.py; these
tests import thousands of rows and check that the fast paths keep the same
behaviour: all or nothing, revisions with the old values, the same results as
a full rebuild, notes stored exactly, checks remembered per distinct cell.
"""
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from indicators import imports
from indicators.models import Indicator, IndicatorResult, IndicatorValue, NodeResult
from indicators.results.services import recompute_all, recompute_many, recompute_results
from programmes import services
from programmes.models import Report, ReportRevision, ReportStatus
from provinces.models import AdministrativeUnit
from provinces.quarters import Quarter
from tests.factories import ReportFactory, set_values, unit
from tests.fixtures_files.spreadsheets import csv_bytes

pytestmark = pytest.mark.django_db

QUARTERS = [Quarter(year, quarter) for year in (2019, 2020) for quarter in (1, 2, 3, 4)]


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _events_after_commit(django_capture_on_commit_callbacks):
    # An import's events are handed over when it commits: the results are recomputed then.
    global _after_commit
    _after_commit = django_capture_on_commit_callbacks
    yield
    _after_commit = None


_after_commit = None


def run(user, rows, **kwargs):
    with _after_commit(execute=True):
        return imports.import_file(user=user, file=csv_bytes(rows), name="values.csv", **kwargs)


def numeric_codes(count):
    """Codes of active indicators for which "12" is valid (any type but yes/no)."""
    codes = list(
        Indicator.objects.filter(is_active=True).exclude(value_type="boolean").order_by("code")
        .values_list("code", flat=True)[:count]
    )
    assert len(codes) == count
    return codes


def big_file(units=25, indicators=10):
    """``units`` × 8 quarters × ``indicators`` rows (2,000 by default), every one valid."""
    slugs = list(
        AdministrativeUnit.objects.in_force_throughout(QUARTERS[0].start, QUARTERS[-1].end)
        .order_by("slug").values_list("slug", flat=True)[:units]
    )
    assert len(slugs) == units
    codes = numeric_codes(indicators)
    return [
        [slug, q.year, q.quarter, code, "12", f"ghi chú {slug}"] for q in QUARTERS for slug in slugs for code in codes
    ]


def results_table():
    """Every result row, without ids and times, to compare two ways of computing them."""
    return (
        set(IndicatorResult.objects.values_list(
            "boundaries", "unit_id", "year", "quarter", "indicator_id", "value", "units_reporting"
        )),
        set(NodeResult.objects.values_list(
            "boundaries", "unit_id", "year", "quarter", "node_id", "percent_complete", "units_reporting"
        )),
    )


def test_a_large_import_writes_every_value_a_revision_per_report_and_the_results(personas):
    rows = big_file()
    first_slug, first_code, other_code = rows[0][0], rows[0][3], numeric_codes(11)[-1]
    # An approved report the file changes: its other values must stay, and show in the new revision.
    changed = ReportFactory(unit=unit(first_slug), year=2019, quarter=1, status=ReportStatus.APPROVED, answered=60)
    set_values(changed, {first_code: 30, other_code: 7})
    # An approved report that already holds the file's values: it must be left alone.
    same_slug = rows[-1][0]
    same = ReportFactory(unit=unit(same_slug), year=2020, quarter=4, status=ReportStatus.APPROVED)
    set_values(same, {code: 12 for code in numeric_codes(10)})
    IndicatorValue.objects.filter(report=same).update(note=f"ghi chú {same_slug}")
    recompute_all()
    seen = []

    result = run(personas.reviewer, rows, progress=lambda done, total: seen.append((done, total)))

    assert result.ok, result.row_report[:3]
    assert result.values == 2000
    assert (result.reports_created, result.reports_updated, result.reports_unchanged) == (198, 1, 1)
    assert IndicatorValue.objects.count() == 2000 + 1  # the changed report keeps its other value
    assert not IndicatorValue.objects.exclude(value=Decimal(12)).exclude(indicator__code=other_code).exists()

    created = Report.objects.exclude(pk__in=[changed.pk, same.pk])
    assert set(created.values_list("status", "version")) == {(ReportStatus.APPROVED, 1)}
    assert {r.answers.count() for r in created[:5]} == {9}
    assert ReportRevision.objects.filter(action="imported").count() == 198 + 1
    some = created.first().revisions.get()
    assert len(some.snapshot["indicators"]) == 10 and len(some.snapshot["nodes"]) == 9

    changed.refresh_from_db()
    assert changed.version == 2
    revision = changed.revisions.get(action="imported")
    assert revision.snapshot["indicators"][first_code] == {"value": "12.0000", "note": f"ghi chú {first_slug}"}
    assert revision.snapshot["indicators"][other_code] == {"value": "7.0000", "note": ""}
    assert revision.snapshot["nodes"]["decision-950:1"]["percent_complete"] == "60.00"
    same.refresh_from_db()
    assert same.version == 1 and not same.revisions.exists()

    # The results of the quarters it changed, and only those, are what a full rebuild gives.
    after_import = results_table()
    recompute_all()
    assert results_table() == after_import
    assert IndicatorResult.objects.filter(year__in=(2019, 2020)).exists()

    assert seen == sorted(seen) and seen[-1] == (4000, 4000)


def test_one_bad_row_among_thousands_changes_nothing_and_only_that_row_is_reported(personas):
    before = ReportFactory(unit=unit("ha-noi"), year=2024, quarter=3, status=ReportStatus.APPROVED)
    set_values(before, {"TG5-01": 30})
    recompute_all()
    results_before = results_table()
    rows = big_file()
    rows.insert(1234, ["ha-noi", 2024, 3, "TG5-01", "140", ""])  # file row 1236

    result = run(personas.reviewer, rows)

    assert not result.ok
    assert result.row_report == [{"row": 1236, "errors": {"value": ["A percentage must be between 0 and 100."]}}]
    assert result.message == "1 row has problems; nothing was imported."
    assert list(Report.objects.all()) == [before]
    assert before.indicator_values.get().value == Decimal(30)
    assert not ReportRevision.objects.exists()
    assert results_table() == results_before


def test_the_same_bad_cell_is_reported_on_every_row_that_has_it(personas):
    rows = [["ha-noi", 2024, q, "TG5-01", "140", ""] for q in (1, 2, 3)]
    rows.append(["nowhere", 2024, 4, "TG5-01", "1", ""])
    rows.append(["nowhere", 2024, 4, "TG5-02", "1", ""])

    report = {entry["row"]: entry["errors"] for entry in run(personas.reviewer, rows).row_report}

    percent = {"value": ["A percentage must be between 0 and 100."]}
    nowhere = {"province": ["There is no province or city “nowhere”: use the slugs listed in the template."]}
    assert report == {2: percent, 3: percent, 4: percent, 5: nowhere, 6: nowhere}


def test_remembered_checks_tell_apart_cells_that_compare_equal(personas):
    # True == 1 == 1.0 in Python, but a yes/no answer is not a number.
    rows = [
        {"province": "ha-noi", "year": 2024, "quarter": 1, "indicator": "TG1-01", "value": True},
        {"province": "ha-noi", "year": 2024, "quarter": 1, "indicator": "TG1-02", "value": True},
        {"province": "ha-noi", "year": 2024, "quarter": 2, "indicator": "TG1-02", "value": 1},
        {"province": "ha-noi", "year": 2024, "quarter": 3, "indicator": "TG1-02", "value": 1.0},
    ]

    result = imports.import_indicator_values(user=personas.reviewer, rows=rows)

    assert result.row_report == [{"row": 3, "errors": {"value": ["Enter a number."]}}]
    rows.pop(1)
    assert imports.import_indicator_values(user=personas.reviewer, rows=rows).ok
    assert IndicatorValue.objects.get(indicator__code="TG1-01").value == Decimal(1)


def test_notes_with_commas_quotes_line_breaks_tabs_and_backslashes_are_stored_exactly(personas):
    note = 'Sở TT&TT, "đã rà soát";\ndòng hai\ttab \\N \\ cuối, '
    result = run(personas.reviewer, [
        ["ha-noi", 2024, 4, "TG5-01", "45.5", note],
        ["ha-noi", 2024, 4, "TG5-02", "1", ""],
    ])

    assert result.ok, result.row_report
    stored = dict(IndicatorValue.objects.values_list("indicator__code", "note"))
    assert stored == {"TG5-01": note.strip(), "TG5-02": ""}
    snapshot = ReportRevision.objects.get().snapshot["indicators"]
    assert snapshot["TG5-01"]["note"] == note.strip() and snapshot["TG5-02"]["note"] == ""


@pytest.mark.parametrize("vendor", ["postgresql", "sqlite"])
def test_values_are_written_across_batches_and_kept_notes_survive(personas, monkeypatch, vendor):
    if vendor != "postgresql":
        # The portable path (the SQLite demo's), run here against PostgreSQL.
        monkeypatch.setattr(services, "connection", SimpleNamespace(vendor=vendor))
    report = ReportFactory(unit=unit("ha-noi"), year=2024, quarter=3, status=ReportStatus.APPROVED)
    set_values(report, {"TG5-01": 30, "TG5-02": 40, "TG5-03": 50})
    IndicatorValue.objects.filter(report=report).update(note="giữ nguyên")
    ids = dict(Indicator.objects.values_list("code", "pk"))
    key = (report.unit_id, 2024, 3)
    values = {
        key: {
            ids["TG5-01"]: (Decimal(31), None),  # the stored note stays
            ids["TG5-02"]: (Decimal(40), "giữ nguyên"),  # already so: not rewritten
            ids["TG5-03"]: (Decimal(51), "mới"),
            ids["TG4-04"]: (Decimal(5), None),  # a new value: no note
        },
        (unit("da-nang-pre2025").pk, 2024, 3): {ids[code]: (Decimal(n), "") for n, code in enumerate(
            ["TG5-01", "TG5-02", "TG5-03", "TG4-04", "TG1-02", "TG2-01", "TG3-01"], start=1
        )},
    }
    seen = []

    outcome = services.import_report_values(
        user=personas.reviewer, values=values, batch_size=3, progress=lambda *args: seen.append(args)
    )

    assert outcome["updated"] == [report.pk] and len(outcome["created"]) == 1 and outcome["values"] == 3 + 7
    assert {
        code: (value, note)
        for code, value, note in report.indicator_values.values_list("indicator__code", "value", "note")
    } == {
        "TG5-01": (Decimal(31), "giữ nguyên"),
        "TG5-02": (Decimal(40), "giữ nguyên"),
        "TG5-03": (Decimal(51), "mới"),
        "TG4-04": (Decimal(5), ""),
    }
    created = Report.objects.get(pk=outcome["created"][0])
    assert created.indicator_values.count() == 7
    assert seen == [(3, 10), (6, 10), (9, 10), (10, 10), (10, 10)]


def test_recompute_many_gives_the_rows_of_recompute_results_one_pair_at_a_time():
    from tests.indicators.conftest import approved_report

    # Both halves of new Bắc Ninh, before and after the merger, and a unit that did not merge.
    pairs = [("bac-giang", 2025, 2), ("bac-ninh-pre2025", 2025, 2), ("bac-ninh", 2025, 3), ("ha-noi", 2025, 2)]
    for position, (slug, year, quarter) in enumerate(pairs):
        approved_report(slug, year, quarter, percent=10 * position, values={"TG1-02": position, "TG2-01": 20},
                        recompute=False)
    ids = [(unit(slug).pk, year, quarter) for slug, year, quarter in pairs]

    recompute_many(ids)
    at_once = results_table()
    IndicatorResult.objects.all().delete()
    NodeResult.objects.all().delete()
    for slug, year, quarter in pairs:
        recompute_results(unit(slug), year, quarter)

    assert results_table() == at_once
    assert IndicatorResult.objects.filter(boundaries="current", unit=unit("bac-ninh"), year=2025, quarter=2).exists()
