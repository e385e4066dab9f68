"""Bulk import of indicator values: every rule, all or nothing, and the file formats."""
import csv
import random
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators import imports
from indicators.models import IndicatorResult, IndicatorValue
from indicators.results import services as results
from programmes.models import Report, ReportRevision, ReportStatus
from provinces.models import AdministrativeUnit
from tests.factories import ReportFactory, set_values, unit
from tests.fixtures_files.spreadsheets import (
    HEADER,
    csv_bytes,
    unsupported_zip_xlsx,
    xlsx_bytes,
    zip_bomb_xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(settings):
    # Messages are compared in English, whatever the portal's default language.
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


def run(user, data, name="values.csv", **kwargs):
    with _after_commit(execute=True):
        return imports.import_file(user=user, file=data, name=name, **kwargs)


def errors_of(result):
    return {entry["row"]: entry["errors"] for entry in result.row_report}


@pytest.fixture
def recomputed(monkeypatch):
    """The (unit slug, year, quarter) triples the import's events had recomputed."""
    calls = []
    original = results.recompute_many

    def spy(pairs, progress=None):
        slugs = dict(AdministrativeUnit.objects.values_list("pk", "slug"))
        calls.extend((slugs[u], y, q) for u, y, q in pairs)
        return original(pairs, progress)

    monkeypatch.setattr(results, "recompute_many", spy)
    return calls


# --- success -------------------------------------------------------------------------------


def test_import_creates_approved_reports_with_imported_revisions(personas, recomputed):
    data = csv_bytes([
        ["bac-giang", 2025, 2, "TG5-01", "45.5", "Theo báo cáo của Sở"],
        ["bac-giang", 2025, 2, "TG1-01", "có", ""],
        ["ha-noi", 2024, 4, "TG1-02", "12", ""],
    ])
    result = run(personas.reviewer, data)

    assert result.ok, result.row_report
    assert result.values == 3 and result.reports_created == 2
    assert result.message.startswith("3 values imported.")
    report = Report.objects.get(unit=unit("bac-giang"), year=2025, quarter=2)
    assert report.status == ReportStatus.APPROVED and report.version == 1
    assert report.approved_by == personas.reviewer
    assert report.answers.count() == 9
    assert not report.answers.exclude(status="").exists()  # the nine task groups stay unanswered
    values = dict(report.indicator_values.values_list("indicator__code", "value"))
    assert values == {"TG5-01": Decimal("45.5"), "TG1-01": Decimal(1)}
    assert report.indicator_values.get(indicator__code="TG5-01").note == "Theo báo cáo của Sở"
    revision = report.revisions.get()
    assert (revision.action, revision.status, revision.actor) == ("imported", "approved", personas.reviewer)
    assert revision.snapshot["indicators"]["TG5-01"] == {"value": "45.5000", "note": "Theo báo cáo của Sở"}
    assert revision.snapshot["status"] == "approved"
    assert sorted(recomputed) == [("bac-giang", 2025, 2), ("ha-noi", 2024, 4)]


def test_imported_values_reach_the_results_tables(personas):
    result = run(personas.reviewer, csv_bytes([["bac-giang", 2025, 2, "TG5-01", "45.5", ""]]))

    assert result.ok, result.row_report
    stored = IndicatorResult.objects.get(
        boundaries="as-reported", unit=unit("bac-giang"), year=2025, quarter=2, indicator__code="TG5-01"
    )
    assert stored.value == Decimal("45.5")
    assert IndicatorResult.objects.filter(
        boundaries="current", unit=unit("bac-ninh"), year=2025, quarter=2, indicator__code="TG5-01"
    ).exists()


def test_import_into_an_approved_report_adds_a_version_and_keeps_the_old_values(personas, recomputed):
    report = ReportFactory(unit=unit("ha-noi"), year=2024, quarter=3, status=ReportStatus.APPROVED)
    set_values(report, {"TG5-01": 30, "TG5-02": 60})
    ReportRevision.objects.create(report=report, number=1, version=1, action="approved", status="approved",
                                  snapshot={"indicators": {"TG5-01": {"value": "30.0000", "note": ""}}})

    result = run(personas.reviewer, csv_bytes([["ha-noi", 2024, 3, "TG5-01", "35", "đã rà soát"]]))

    assert result.ok, result.row_report
    assert (result.reports_created, result.reports_updated) == (0, 1)
    report.refresh_from_db()
    assert report.version == 2 and report.status == ReportStatus.APPROVED
    values = {v.indicator.code: (v.value, v.note) for v in report.indicator_values.select_related("indicator")}
    assert values == {"TG5-01": (Decimal(35), "đã rà soát"), "TG5-02": (Decimal(60), "")}
    first, second = report.revisions.order_by("number")
    assert first.snapshot["indicators"]["TG5-01"]["value"] == "30.0000"
    assert (second.number, second.version, second.action) == (2, 2, "imported")
    assert second.snapshot["indicators"]["TG5-01"] == {"value": "35.0000", "note": "đã rà soát"}
    assert second.snapshot["indicators"]["TG5-02"]["value"] == "60.0000"
    assert len(second.snapshot["nodes"]) == 9
    assert recomputed == [("ha-noi", 2024, 3)]


def test_importing_the_same_values_again_changes_nothing(personas, recomputed):
    data = csv_bytes([["ha-noi", 2024, 4, "TG5-01", "50", "x"]])
    assert run(personas.reviewer, data).ok
    recomputed.clear()

    again = run(personas.reviewer, data)

    assert again.ok and again.reports_unchanged == 1 and again.reports_updated == 0
    report = Report.objects.get(unit=unit("ha-noi"), year=2024, quarter=4)
    assert report.version == 1 and report.revisions.count() == 1
    assert recomputed == []


def test_without_a_note_column_stored_notes_are_kept(personas):
    report = ReportFactory(unit=unit("ha-noi"), year=2024, quarter=3, status=ReportStatus.APPROVED)
    set_values(report, {"TG5-01": 30})
    IndicatorValue.objects.filter(report=report).update(note="giữ nguyên")

    result = run(personas.reviewer, csv_bytes([["ha-noi", 2024, 3, "TG5-01", "31"]], header=HEADER[:5]))

    assert result.ok, result.row_report
    assert report.indicator_values.get().note == "giữ nguyên"


def test_dry_run_checks_everything_and_writes_nothing(personas, recomputed):
    result = run(personas.reviewer, csv_bytes([["ha-noi", 2024, 4, "TG5-01", "50", ""]]), dry_run=True)

    assert result.ok and result.dry_run and not result.applied
    assert result.values == 1 and result.reports_created == 1
    assert "Nothing was written" in result.message
    assert not Report.objects.exists()
    assert recomputed == []


def test_rows_may_be_given_as_dicts(personas):
    result = imports.import_indicator_values(
        user=personas.reviewer,
        rows=[{"province": "ha-noi", "year": 2024, "quarter": 4, "indicator": "TG5-01", "value": 50}],
    )
    assert result.ok
    assert IndicatorValue.objects.get().value == Decimal(50)


# --- all or nothing --------------------------------------------------------------------------


def test_one_bad_row_among_many_changes_nothing_and_only_that_row_is_reported(personas, recomputed):
    before = ReportFactory(unit=unit("ha-noi"), year=2024, quarter=3, status=ReportStatus.APPROVED)
    set_values(before, {"TG5-01": 30})
    rows = [["ha-noi", 2024, 3, "TG5-01", "40", ""]]
    rows += [["ha-noi", 2023, q, code, "10", ""] for q in (1, 2, 3, 4) for code in ("TG5-01", "TG5-02", "TG5-03")]
    rows.insert(7, ["ha-noi", 2022, 1, "TG5-01", "140", ""])  # a percentage above 100: file row 9
    rows += [["da-nang-pre2025", 2022, 2, "TG7-01", "5", ""] for _ in range(1)]

    result = run(personas.reviewer, csv_bytes(rows))

    assert not result.ok
    assert result.row_report == [{"row": 9, "errors": {"value": ["A percentage must be between 0 and 100."]}}]
    assert result.message == "1 row has problems; nothing was imported."
    assert Report.objects.count() == 1
    assert before.indicator_values.get().value == Decimal(30)
    assert ReportRevision.objects.count() == 0
    assert recomputed == []


def test_every_problem_of_every_row_is_reported_at_once(personas):
    result = run(personas.reviewer, csv_bytes([
        ["nowhere", "twenty", 5, "XX-99", "1", ""],
        ["ha-noi", 2024, 4, "TG5-01", "", ""],
    ]))

    assert errors_of(result) == {
        2: {
            "province": ["There is no province or city “nowhere”: use the slugs listed in the template."],
            "year": ["Enter a year such as 2024."],
            "quarter": ["Enter the quarter as 1, 2, 3 or 4."],
            "indicator": ["There is no indicator XX-99."],
        },
        3: {"value": ["Give a value."]},
    }


# --- each rule -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "row, column, message",
    [
        (["ha-noi", 2024, 4, "TG5-01", "100.5", ""], "value", "A percentage must be between 0 and 100."),
        (["ha-noi", 2024, 4, "TG1-02", "-1", ""], "value", "A count cannot be negative."),
        (["ha-noi", 2024, 4, "TG1-02", "2.5", ""], "value", "A count must be a whole number."),
        (["ha-noi", 2024, 4, "TG4-04", "-3", ""], "value", "An amount cannot be negative."),
        (["ha-noi", 2024, 4, "TG1-01", "maybe", ""], "value", "Answer yes or no."),
        (["ha-noi", 2024, 4, "TG5-01", "forty", ""], "value", "Enter a number."),
        (["ha-noi", 2024, 4, "TG5-01", "1.23456", ""], "value", "Use at most four decimal places."),
        (["atlantis", 2024, 4, "TG5-01", "1", ""], "province",
         "There is no province or city “atlantis”: use the slugs listed in the template."),
        (["ha-noi", 2024, 4, "TG99-01", "1", ""], "indicator", "There is no indicator TG99-01."),
        (["bac-ninh", 2025, 2, "TG5-01", "1", ""], "province",
         "Bac Ninh was formed on 01/07/2025 and cannot report on 2025-Q2."),
        (["bac-giang", 2025, 3, "TG5-01", "1", ""], "province",
         "Bac Giang was dissolved on 30/06/2025 and cannot report on 2025-Q3."),
        (["ha-noi", 2017, 4, "TG5-01", "1", ""], "quarter", "Reports start in 2018."),
        (["ha-noi", 2024, 0, "TG5-01", "1", ""], "quarter", "Enter the quarter as 1, 2, 3 or 4."),
        (["ha-noi", "2024x", 1, "TG5-01", "1", ""], "year", "Enter a year such as 2024."),
        (["", 2024, 1, "TG5-01", "1", ""], "province", "Give the province or city by its slug, for example ha-noi."),
        (["ha-noi", 2024, 1, "", "1", ""], "indicator", "Give the indicator's code, for example TG5-01."),
        (["ha-noi", 2024, 1, "TG5-01", "1", "x" * 2001], "note", "Use at most 2000 characters (this has 2001)."),
        (["ha-noi", 2024, 1, "TG5-01", "1", "x" * 6000], "note", "This cell has more than 5000 characters."),
        (["ha-noi", 2024, 1, "TG5-01", "=1+1", ""], "value",
         "Formulas are not accepted: type the value itself (in Excel, paste as values)."),
    ],
)
def test_each_rule_is_reported_on_its_column(personas, row, column, message):
    result = run(personas.reviewer, csv_bytes([row]))

    assert result.row_report == [{"row": 2, "errors": {column: [message]}}]
    assert not Report.objects.exists()


def test_a_dissolved_unit_may_have_values_for_the_quarters_it_existed(personas):
    result = run(personas.reviewer, csv_bytes([
        ["bac-giang", 2025, 2, "TG5-01", "1", ""],
        ["bac-ninh-pre2025", "2025", "Q2", "tg5-01", "2", ""],
        ["bac-ninh", 2025, 3, "TG5-01", "3", ""],
    ]), today=date(2025, 10, 1))
    assert result.ok, result.row_report
    assert Report.objects.count() == 3


def test_a_quarter_that_has_not_ended_is_refused(personas):
    result = run(personas.reviewer, csv_bytes([["ha-noi", 2025, 4, "TG5-01", "1", ""]]), today=date(2025, 12, 31))
    assert errors_of(result) == {2: {"quarter": ["2025-Q4 has not ended yet: it can be reported from 01/01/2026."]}}


def test_duplicate_rows_are_errors_naming_the_first(personas):
    result = run(personas.reviewer, csv_bytes([
        ["ha-noi", 2024, 4, "TG5-01", "1", ""],
        ["ha-noi", 2024, 4, "TG5-02", "1", ""],
        ["HA-NOI", 2024, 4, "tg5-01", "2", ""],
    ]))
    assert errors_of(result) == {
        4: {"indicator": ["Row 2 already gives TG5-01 for Hanoi, 2024-Q4: keep one of the two rows."]}
    }
    assert not Report.objects.exists()


@pytest.mark.parametrize("status", ["draft", "submitted", "returned"])
def test_a_report_in_the_workflow_cannot_be_changed_by_import(personas, status):
    report = ReportFactory(unit=unit("ha-noi"), year=2024, quarter=4, status=status)

    result = run(personas.reviewer, csv_bytes([
        ["ha-noi", 2024, 3, "TG5-01", "1", ""],
        ["ha-noi", 2024, 4, "TG5-01", "1", ""],
    ]))

    label = {"draft": "draft", "submitted": "submitted", "returned": "returned"}[status]
    assert errors_of(result) == {3: {"quarter": [
        f"A report in status “{label}” exists for Hanoi, 2024-Q4: change it through the report workflow, not by import."
    ]}}
    assert Report.objects.count() == 1 and not report.indicator_values.exists()


def test_a_running_total_may_not_fall_below_the_last_approved_value_without_a_note(personas):
    earlier = ReportFactory(unit=unit("ha-noi"), year=2024, quarter=2, status=ReportStatus.APPROVED)
    set_values(earlier, {"TG1-02": 10})

    result = run(personas.reviewer, csv_bytes([["ha-noi", 2024, 4, "TG1-02", "8", ""]]))

    assert errors_of(result) == {2: {"note": [
        "This is a running total: it was 10 in the last approved report. Explain in the note why it fell to 8."
    ]}}
    explained = run(personas.reviewer, csv_bytes([["ha-noi", 2024, 4, "TG1-02", "8", "gộp hai văn bản"]]))
    assert explained.ok, explained.row_report


def test_a_running_total_is_checked_against_earlier_rows_of_the_file(personas):
    result = run(personas.reviewer, csv_bytes([
        ["ha-noi", 2024, 2, "TG1-02", "9", ""],
        ["ha-noi", 2024, 1, "TG1-02", "5", ""],
        ["ha-noi", 2024, 3, "TG1-02", "7", ""],
        ["ha-noi", 2024, 3, "TG5-01", "1", ""],  # not cumulative: may fall
    ]))
    assert errors_of(result) == {4: {"note": [
        "This is a running total: it was 9 in the last approved report. Explain in the note why it fell to 7."
    ]}}


def test_a_running_total_of_a_merged_unit_starts_from_its_predecessors(personas):
    for slug, value in (("bac-giang", 6), ("bac-ninh-pre2025", 4)):
        report = ReportFactory(unit=unit(slug), year=2025, quarter=2, status=ReportStatus.APPROVED)
        set_values(report, {"TG1-02": value})
    draft = ReportFactory(unit=unit("bac-ninh-pre2025"), year=2025, quarter=1, status=ReportStatus.DRAFT)
    set_values(draft, {"TG1-02": 100})  # not approved: does not count

    result = run(personas.reviewer, csv_bytes([["bac-ninh", 2025, 3, "TG1-02", "9", ""]]), today=date(2025, 10, 2))

    assert errors_of(result) == {2: {"note": [
        "This is a running total: it was 10 in the last approved report. Explain in the note why it fell to 9."
    ]}}
    assert run(personas.reviewer, csv_bytes([["bac-ninh", 2025, 3, "TG1-02", "10", ""]]),
               today=date(2025, 10, 2)).ok


def test_an_inactive_indicator_is_refused(personas):
    from indicators.models import Indicator

    Indicator.objects.filter(code="TG9-02").update(is_active=False)
    result = run(personas.reviewer, csv_bytes([["ha-noi", 2024, 4, "TG9-02", "yes", ""]]))
    assert errors_of(result) == {2: {"indicator": ["Indicator TG9-02 is no longer reported."]}}


def test_a_row_with_more_cells_than_the_header_is_refused(personas):
    data = csv_bytes([["ha-noi", 2024, 4, "TG5-01", "1", "", "stray"]])
    assert errors_of(run(personas.reviewer, data)) == {
        2: {"row": ["This row has more cells than the header row has column names."]}
    }


# --- CSV files ------------------------------------------------------------------------------


def test_csv_with_a_byte_order_mark_and_semicolons_and_decimal_commas(personas):
    data = csv_bytes([["ha-noi", 2024, 4, "TG5-01", "45,5", "Hà Nội – ghi chú"]], delimiter=";", bom=True)

    result = run(personas.reviewer, data)

    assert result.ok, (result.errors, result.row_report)
    value = IndicatorValue.objects.get()
    assert (value.value, value.note) == (Decimal("45.5"), "Hà Nội – ghi chú")


def test_blank_lines_are_skipped_but_keep_the_row_numbers(personas):
    data = b"province,year,quarter,indicator,value,note\r\n\r\nha-noi,2024,4,TG5-01,1,\r\n,,,,,\r\nha-noi,2024,4,TG5-02,x,\r\n"
    assert errors_of(run(personas.reviewer, data)) == {5: {"value": ["Enter a number."]}}


@pytest.mark.parametrize("encoding", ["latin-1", "cp1258", "utf-16", "utf-16-le"])
def test_a_csv_that_is_not_utf8_is_refused_with_a_clear_message(personas, encoding):
    note = "café" if encoding == "latin-1" else "Đ café"
    data = csv_bytes([["ha-noi", 2024, 4, "TG5-01", "1", note]], encoding=encoding)

    result = run(personas.reviewer, data)

    assert not result.ok and result.row_report == []
    assert "not UTF-8" in result.message or "UTF-16" in result.message
    assert "CSV UTF-8" in result.message
    assert not Report.objects.exists()


def test_a_malformed_csv_is_refused(personas):
    data = b'province,year,quarter,indicator,value,note\r\nha-noi,2024,4,TG5-01,"1\r\n'
    result = run(personas.reviewer, data)
    assert result.errors and "malformed" in result.message


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"", "The file is empty"),
        (b"   \r\n", "The file is empty"),
        (b"province,year,quarter,indicator,value,note\r\n", "no rows of values"),
        (b"province,year,quarter,value\r\nha-noi,2024,4,1\r\n", "Missing columns: indicator."),
        (b"province,year,quarter,indicator,value,colour\r\n", "Unknown columns: “colour”."),
        (b"province,year,quarter,indicator,value,value\r\n", "These columns appear more than once: value."),
    ],
)
def test_files_without_usable_columns_or_rows_are_refused(personas, data, expected):
    result = run(personas.reviewer, data)
    assert not result.ok and expected in result.message
    assert not Report.objects.exists()


def test_other_file_types_are_refused(personas):
    assert "Only CSV and XLSX" in run(personas.reviewer, b"%PDF-1.4", name="values.pdf").message
    assert "old Excel format" in run(personas.reviewer, b"\xd0\xcf\x11\xe0", name="values.xls").message
    assert "not a real XLSX" in run(personas.reviewer, b"province,year", name="values.xlsx").message
    workbook = xlsx_bytes([["ha-noi", 2024, 4, "TG5-01", 1, ""]])
    assert "is a workbook, not CSV" in run(personas.reviewer, workbook, name="values.csv").message
    assert run(personas.reviewer, workbook, name=None).ok  # no name: the content decides


def test_a_file_above_the_size_limit_is_refused(personas, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    rows = [["ha-noi", 2024, 4, "TG5-01", "1", "x" * 100]] * 20
    result = run(personas.reviewer, csv_bytes(rows))
    assert "larger than 1.0\xa0KB" in result.message and not Report.objects.exists()


def test_a_file_above_the_row_limit_is_refused(personas, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    rows = [["ha-noi", 2024, q, "TG5-01", "1", ""] for q in (1, 2, 3, 4)]
    result = run(personas.reviewer, csv_bytes(rows))
    assert "more than 3 rows" in result.message and not Report.objects.exists()


def test_a_header_with_too_many_columns_is_refused(personas):
    header = HEADER + [""] * 10 + ["x"] * 30
    assert "columns; at most 30" in run(personas.reviewer, csv_bytes([], header=header)).message


# --- XLSX files -----------------------------------------------------------------------------


def test_xlsx_import_reads_numbers_and_text_of_the_first_sheet(personas):
    data = xlsx_bytes(
        [["ha-noi", 2024, 4, "TG5-01", 45.5, "ghi chú"], ["ha-noi", 2024.0, "Q4", "TG1-01", True, None]],
        extra_sheets=[("ignored", [["not", "a", "header"], ["=1+1"]])],
    )

    result = run(personas.reviewer, data, name="values.xlsx")

    assert result.ok, (result.errors, result.row_report)
    values = dict(IndicatorValue.objects.values_list("indicator__code", "value"))
    assert values == {"TG5-01": Decimal("45.5"), "TG1-01": Decimal(1)}


def test_xlsx_formulas_are_refused_not_evaluated(personas):
    def formulas(sheet):
        sheet["E2"] = "=1+1"
        sheet["A3"] = '=CONCATENATE("ha-","noi")'

    data = xlsx_bytes(
        [["ha-noi", 2024, 4, "TG5-01", None, ""], [None, 2024, 4, "TG5-02", 3, ""]], prepare=formulas
    )

    result = run(personas.reviewer, data, name="values.xlsx")

    formula = "Formulas are not accepted: type the value itself (in Excel, paste as values)."
    assert errors_of(result) == {2: {"value": [formula]}, 3: {"province": [formula]}}
    assert not Report.objects.exists()


def test_xlsx_merged_cells_and_formatting_are_ignored(personas):
    from openpyxl.styles import Font, PatternFill

    def decorate(sheet):
        sheet["A1"].font = Font(bold=True)
        sheet["E2"].fill = PatternFill("solid", fgColor="FFFF00")
        sheet.merge_cells("F2:H2")
        sheet.merge_cells("A6:F6")  # a merged, empty footer row

    data = xlsx_bytes(
        [["ha-noi", 2024, 4, "TG5-01", 45, "ghi chú gộp ô"], ["ha-noi", 2024, 4, "TG5-02", 50, None]],
        prepare=decorate,
    )

    result = run(personas.reviewer, data, name="values.xlsx")

    assert result.ok, (result.errors, result.row_report)
    assert IndicatorValue.objects.get(indicator__code="TG5-01").note == "ghi chú gộp ô"


def test_xlsx_row_numbers_are_those_of_the_sheet(personas):
    def gap(sheet):
        sheet.insert_rows(3, amount=2)

    data = xlsx_bytes([["ha-noi", 2024, 4, "TG5-01", 1, ""], ["ha-noi", 2024, 4, "TG5-02", 500, ""]], prepare=gap)
    assert list(errors_of(run(personas.reviewer, data, name="values.xlsx"))) == [5]


def test_an_xlsx_zip_bomb_is_refused_before_it_is_opened(personas, monkeypatch):
    def must_not_open(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr("openpyxl.load_workbook", must_not_open)
    data = zip_bomb_xlsx()
    assert len(data) < 1024 * 1024

    result = run(personas.reviewer, data, name="values.xlsx")

    assert not result.ok and "would unpack to" in result.message
    assert not Report.objects.exists()
    with pytest.raises(imports.ImportFileError):
        imports.check_upload(data, "values.xlsx")


def test_a_broken_workbook_is_refused(personas):
    data = xlsx_bytes([["ha-noi", 2024, 4, "TG5-01", 1, ""]])
    broken = data[: len(data) // 2]
    assert not run(personas.reviewer, broken, name="values.xlsx").ok


def test_an_empty_workbook_is_refused(personas):
    result = run(personas.reviewer, xlsx_bytes([], header=None), name="values.xlsx")
    assert "The file is empty" in result.message


# --- broken and hostile files: the reader raises nothing but ImportFileError ------------------------------

HEADER_LINE = b"province,year,quarter,indicator,value,note"
ROW_LINE = b"ha-noi,2024,4,TG5-01,1,x"


# Problems below the header: the upload's quick checks let them through, the job's reader refuses them.
AFTER_THE_HEADER = {"mixed-line-endings", "huge-field", "open-quote", "header-only", "bom-header-only",
                    "xlsx-header-only"}


@pytest.mark.parametrize(
    "data, name, code, words",
    [
        (HEADER_LINE + b"\r" + ROW_LINE + b"\r", "values.csv", "line_endings", "carriage return alone"),
        (HEADER_LINE + b"\r\n" + ROW_LINE + b"\r" + ROW_LINE + b"\n", "values.csv", "line_endings", "Line 2"),
        (HEADER_LINE + b"\n" + ROW_LINE + b"\x00\n", "values.csv", "encoding", "binary data"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "values.csv", "encoding", "binary data"),
        (HEADER_LINE + b'\n"' + b"x" * 200_000 + b'"\n', "values.csv", "malformed", "far too long"),
        (HEADER_LINE + b'\nha-noi,"2024\n', "values.csv", "malformed", "malformed near line 2"),
        (b"", "values.csv", "empty", "The file is empty"),
        (HEADER_LINE, "values.csv", "no_rows", "no rows of values"),
        (b"\xef\xbb\xbf" + HEADER_LINE + b"\r\n", "values.csv", "no_rows", "no rows of values"),
        (HEADER_LINE.replace(b",", b"\t") + b"\n" + ROW_LINE.replace(b",", b"\t"), "values.csv", "delimiter", "tabs"),
        (b"\xff\xfeprovince", "values.csv", "encoding", "UTF-16"),
        (b"province,n\xe4m\n", "values.csv", "encoding", "not UTF-8"),
        (b"just some text", "values.xlsx", "file_type", "not a real XLSX"),
        (b"PK\x03\x04 and then nothing", "values.xlsx", "file_type", "not a real XLSX"),
        (unsupported_zip_xlsx(), "values.xlsx", "file_type", "not a real XLSX"),
        (zip_bomb_xlsx(), "values.xlsx", "too_large", "would unpack to"),
        (xlsx_bytes([]), "values.xlsx", "no_rows", "no rows of values"),
    ],
    ids=[
        "cr-only", "mixed-line-endings", "nul-byte", "binary-named-csv", "huge-field", "open-quote", "empty",
        "header-only", "bom-header-only", "tab-delimited", "utf-16", "latin-1", "xlsx-not-a-zip",
        "xlsx-truncated-zip", "xlsx-unsupported-zip", "xlsx-zip-bomb", "xlsx-header-only",
    ],
)
def test_a_broken_file_is_refused_with_the_imports_own_error(personas, request, data, name, code, words):
    for reader in (imports.read_table, imports.check_upload):
        try:
            reader(data, name)
        except imports.ImportFileError as error:
            assert error.code == code and words in error.message, (reader.__name__, error.code, error.message)
        else:
            # The upload's quick checks read the header only; the job's reader refuses the rest.
            assert reader is imports.check_upload and request.node.callspec.id in AFTER_THE_HEADER, reader.__name__
    result = run(personas.reviewer, data, name=name)
    assert not result.ok and words in result.message
    assert not Report.objects.exists()


def test_a_csv_with_carriage_returns_alone_names_the_fix_in_the_users_language(personas):
    data = HEADER_LINE + b"\r" + ROW_LINE + b"\r"
    with translation.override("vi"), pytest.raises(imports.ImportFileError) as refused:
        imports.read_table(data, "values.csv")
    assert "CSV UTF-8" in refused.value.message and "carriage return" not in refused.value.message


WORKBOOK = xlsx_bytes([["ha-noi", 2024, 4, "TG5-01", 1, "x"]])


def _damaged(seed):
    """A real workbook with a few of its bytes changed (the same ones for the same seed)."""
    chance = random.Random(seed)
    damaged = bytearray(WORKBOOK)
    for _ in range(chance.randint(1, 12)):
        damaged[chance.randrange(len(damaged))] = chance.randrange(256)
    return bytes(damaged)


CSV_PIECES = [
    b",", b";", b'"', b"\r", b"\n", b"\r\n", b"\x00", b"\t", b"x", b" ", b"=1+1", b"\xef\xbb\xbf", b"\xff",
    b"\xc3", b"\xe1\xbb\x87", HEADER_LINE, ROW_LINE, b"PK\x03\x04",
]
ANY_FILE = st.one_of(
    st.binary(max_size=3000),
    st.lists(st.sampled_from(CSV_PIECES), max_size=40).map(b"".join),
    st.integers(min_value=0, max_value=2**32).map(_damaged),
)


@settings(max_examples=400, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=ANY_FILE, name=st.sampled_from(["values.csv", "values.xlsx", "VALUES.CSV", "values.txt", None]))
def test_any_bytes_at_all_are_read_or_refused_with_the_imports_own_error(data, name):
    for reader in (imports.read_table, imports.check_upload):
        try:
            reader(data, name)
        except imports.ImportFileError as error:
            assert error.message and error.code
        # Anything else (csv.Error, UnicodeDecodeError, zipfile's, openpyxl's…) fails the test.


# --- permission -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["reporter", "viewer", "integrator", "readonly_integrator"])
def test_only_reviewers_may_import(personas, who):
    user = getattr(personas, who)
    with pytest.raises(PermissionDenied):
        run(user, csv_bytes([["ha-noi", 2024, 4, "TG5-01", "1", ""]]))
    with pytest.raises(PermissionDenied):
        imports.import_indicator_values(user=user, rows=[])
    assert not Report.objects.exists()


def test_superusers_may_import(personas):
    assert run(personas.superuser, csv_bytes([["ha-noi", 2024, 4, "TG5-01", "1", ""]])).ok


# --- the template ---------------------------------------------------------------------------


def test_the_templates_hold_the_header_an_example_and_the_codes(personas):
    import io

    from openpyxl import load_workbook

    text = imports.template_csv()
    assert text.splitlines()[0] == ",".join(imports.COLUMNS)
    assert len(text.splitlines()) == 2

    workbook = load_workbook(io.BytesIO(imports.template_xlsx()), read_only=True)
    values, codes = workbook.worksheets
    rows = list(values.iter_rows(values_only=True))
    assert list(rows[0]) == list(imports.COLUMNS) and len(rows) == 2
    listed = list(codes.iter_rows(values_only=True))
    indicator_codes = {row[0] for row in listed[1:] if row[0]}
    unit_slugs = {row[6] for row in listed[1:] if row[6]}
    assert {"TG5-01", "TG1-02", "DS-05"} <= indicator_codes
    assert {"ha-noi", "bac-giang", "bac-ninh", "bac-ninh-pre2025"} <= unit_slugs
    assert len(unit_slugs) == 86


def test_the_example_row_of_the_template_is_itself_valid(personas):
    result = run(personas.reviewer, imports.template_xlsx(), name="template.xlsx", dry_run=True)
    assert result.ok, result.row_report


def test_a_library_that_raises_the_csv_cell_limit_does_not_change_what_an_import_refuses():
    # frictionless raises the csv module's process-wide limit when it is imported (the open-data tests do).
    previous = csv.field_size_limit(10_000_000)
    try:
        with pytest.raises(imports.ImportFileError) as refused:
            imports.read_table(HEADER_LINE + b'\n"' + b"x" * 200_000 + b'"\n', "values.csv")
        assert refused.value.code == "malformed"
    finally:
        csv.field_size_limit(previous)
