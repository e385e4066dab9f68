"""XLSX downloads open readable (issue 17, item 7): a first sheet saying what the file holds
(source, filters, boundaries, date, rows), then the table on a sheet named after it, with
column widths, a bold header that stays in view, and numbers and dates stored as such
with a number format. One writer makes them all: ``indicators.results.exports.write_xlsx``."""
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indicators import jobs
from indicators.results import exports
from tests.indicators.conftest import approved_report

pytestmark = pytest.mark.django_db


def workbook_of(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(content))


def about(workbook):
    return {label: value for label, value in workbook.worksheets[0].iter_rows(values_only=True)}


@pytest.fixture
def figures(personas):
    approved_report("ha-noi", 2025, 3, percent=62.5, values={"TG5-01": 62.5, "TG1-02": 3})
    approved_report("bac-ninh", 2025, 3, percent=40, values={"TG5-01": 41.25, "TG1-02": 7})


def test_a_pages_table_downloads_with_a_sheet_about_it_then_the_table_with_widths_and_number_formats(client, figures):
    response = client.get("/results/indicators/TG5-01/", {"format": "xlsx", "table": "units", "year": "2025",
                                                          "quarter": "3", "boundaries": "as-reported"},
                          HTTP_ACCEPT_LANGUAGE="vi")

    assert response.status_code == 200
    workbook = workbook_of(response)
    info, sheet = workbook.worksheets
    # Readable names, in the page's language; the file opens on the table.
    assert info.title == "Thông tin về tệp"
    assert sheet.title != "units" and len(sheet.title) <= 31 and workbook.active.title == sheet.title
    facts = about(workbook)
    assert facts["Nguồn"] == "http://testserver/results/indicators/TG5-01/"
    assert "boundaries = as-reported" in facts["Bộ lọc"] and "year = 2025" in facts["Bộ lọc"]
    assert facts["Địa giới"] == "theo đơn vị đã báo cáo"
    assert isinstance(facts["Thời điểm tạo"], datetime)
    rows = list(sheet.iter_rows())
    assert facts["Số dòng"] == len(rows) - 1 > 0
    # A bold header that stays in view; every column as wide as it needs.
    assert all(cell.font.b for cell in rows[0]) and sheet.freeze_panes == "A2"
    assert all(sheet.column_dimensions[cell.column_letter].width >= exports.XLSX_MIN_WIDTH for cell in rows[0])
    numbers = [cell for row in rows[1:] for cell in row if isinstance(cell.value, (int, float))]
    assert numbers, "figures are stored as numbers"
    assert all(cell.number_format in (exports.NUMBER_FORMATS["number"], exports.NUMBER_FORMATS["integer"])
               for cell in numbers)
    assert not any(isinstance(cell.value, str) and cell.value.replace(".", "").replace(",", "").isdigit()
                   for row in rows[1:] for cell in row), "no number is stored as text"


def test_an_open_data_table_keeps_its_column_names_and_types_and_says_its_licence(client, figures):
    response = client.get(reverse("data:download", kwargs={"dataset": "indicator-values", "table": "indicator-values",
                                                          "fmt": "xlsx"}), {"quarter": "2025-Q3"},
                          HTTP_ACCEPT_LANGUAGE="en")

    workbook = workbook_of(response)
    info, sheet = workbook.worksheets
    assert info.title == "About this file" and sheet.title == "Indicator values"
    facts = about(workbook)
    assert "CC-BY-4.0" in facts["Licence"] and facts["Filters"] == "quarter = 2025-Q3"
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    rows = list(sheet.iter_rows(min_row=2))
    year, value = header.index("year"), header.index("value")
    assert {row[year].value for row in rows} == {2025} and rows[0][year].number_format == "0"
    assert all(isinstance(row[value].value, (int, float)) for row in rows if row[value].value is not None)
    assert rows[0][value].number_format == exports.NUMBER_FORMATS["number"]


def test_the_export_job_writes_the_results_with_their_boundaries_and_formats(personas, figures, tmp_path):
    from django.utils import translation

    # The job writes in the language it runs in: English here, whatever ran before.
    with translation.override("en"):
        count = jobs.write_results(tmp_path / "results.xlsx", fmt="xlsx", boundaries=["current"])

    workbook = load_workbook(tmp_path / "results.xlsx")
    _info, sheet = workbook.worksheets
    facts = about(workbook)
    assert facts["Rows"] == count > 0 and "34" in facts["Boundaries"]
    rows = list(sheet.iter_rows(min_row=2))
    value, computed = jobs.EXPORT_COLUMNS.index("value"), jobs.EXPORT_COLUMNS.index("computed_at")
    assert all(isinstance(row[value].value, (int, float)) for row in rows)
    assert rows[0][value].number_format == exports.NUMBER_FORMATS["number"]
    assert isinstance(rows[0][computed].value, datetime)
    assert rows[0][computed].number_format == exports.NUMBER_FORMATS["datetime"]


def test_the_writer_streams_its_rows_guesses_kinds_and_keeps_text_formula_safe():
    produced = []

    def rows():
        for n in range(exports.XLSX_SAMPLE_ROWS + 50):
            produced.append(n)
            yield [f"=cmd{n}", n, Decimal("1.5") * n, date(2025, 1, 1), None]

    target = io.BytesIO()
    count = exports.write_xlsx(target, title="Bảng: kiểm tra / thử [1]", columns=["a", "b", "c", "d", "e"],
                               rows=rows(), about=[("Nguồn", "thử")])

    assert count == len(produced) == exports.XLSX_SAMPLE_ROWS + 50
    workbook = load_workbook(io.BytesIO(target.getvalue()))
    sheet = workbook.worksheets[1]
    assert sheet.title == "Bảng kiểm tra thử 1"
    first = next(iter(sheet.iter_rows(min_row=2, max_row=2)))
    assert first[0].value == "'=cmd0" and first[0].data_type == "s"
    assert (first[1].number_format, first[2].number_format, first[3].number_format) == (
        exports.NUMBER_FORMATS["integer"], exports.NUMBER_FORMATS["number"], exports.NUMBER_FORMATS["date"])
    assert sheet.max_row == count + 1
