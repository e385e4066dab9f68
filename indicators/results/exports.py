"""Spreadsheet downloads (CSV and XLSX): helpers every export shares."""
import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import formats, timezone
from django.utils.text import slugify

from smartcity_portal.text import neutralise_cell

# --- tables shown on a page and downloaded as CSV or XLSX ------------------------------------

FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Cell:
    """One cell: ``value`` is what downloads contain; the rest is for the page."""

    value: object = None
    text: str | None = None
    url: str = ""
    css: str = ""
    title: str = ""
    badge: str = ""

    @property
    def display(self):
        if self.text is not None:
            return self.text
        return display_value(self.value)

    @property
    def is_number(self):
        return isinstance(self.value, (int, float, Decimal)) and not isinstance(self.value, bool)

    @property
    def is_token(self):
        """A date, or a code or a quarter written without spaces ("TG5-01", "2025-Q3"): the page keeps
        it on one line (``nowrap``), where a browser would break it after its hyphen."""
        if isinstance(self.value, (date, datetime)):
            return True
        if self.is_number:
            return False  # "num" keeps numbers on one line already
        shown = self.display
        return (
            isinstance(shown, str) and 0 < len(shown) <= 24 and not any(c.isspace() for c in shown)
            and any(c.isdigit() for c in shown)
        )

    @property
    def classes(self):
        """The cell's classes on the page: its own, ``num`` for a number, ``nowrap`` for a token."""
        return " ".join(c for c in (self.css, "num" if self.is_number else "", "nowrap" if self.is_token else "") if c)


def display_value(value):
    """``value`` as the page shows it, in the active language's number format."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        value = value.normalize() if value == value.to_integral_value() else value.quantize(Decimal("0.01")).normalize()
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


@dataclass
class Table:
    """A table of a page: rendered by ``indicators/includes/table.html`` and downloaded as is.

    ``rows`` hold plain values or ``Cell``s; the first cell of a row is its header.
    """

    name: str
    title: str
    columns: list
    rows: list = field(default_factory=list)
    caption: str = ""

    def __post_init__(self):
        self.columns = [c if isinstance(c, Cell) else Cell(c) for c in self.columns]
        self.rows = [[c if isinstance(c, Cell) else Cell(c) for c in row] for row in self.rows]

    def add(self, row):
        self.rows.append([c if isinstance(c, Cell) else Cell(c) for c in row])

    def values(self):
        """Header and rows as they go into a spreadsheet, each cell made safe."""
        yield [neutralise_cell(str(column.value)) for column in self.columns]
        for row in self.rows:
            yield [neutralise_cell(spreadsheet_value(cell.value)) for cell in row]


def spreadsheet_value(value):
    """A cell value as CSV and XLSX store it: numbers stay numbers, the rest becomes text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def filename(table, suffix, extension):
    parts = [slugify(table.name), slugify(str(suffix)) if suffix else ""]
    return "-".join(p for p in parts if p) + "." + extension


def csv_response(table, suffix=""):
    """``table`` as a UTF-8 CSV download (with a BOM, so spreadsheets read Vietnamese right)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(table, suffix, "csv")}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    for row in table.values():
        writer.writerow(row)
    return response


def xlsx_response(table, suffix=""):
    """``table`` as an XLSX workbook of one sheet."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=slugify(table.name)[:31] or "table")
    for row in table.values():
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename(table, suffix, "xlsx")}"'
    return response


def table_response(table, format, suffix=""):
    return csv_response(table, suffix) if format == "csv" else xlsx_response(table, suffix)
