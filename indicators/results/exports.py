"""Spreadsheet downloads (CSV and XLSX): helpers every export shares, and the portal's one XLSX writer."""
import csv
import functools
import html
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice

from django.http import HttpResponse, JsonResponse
from django.utils import formats, timezone
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language, gettext

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
    def classes(self):
        """The cell's classes on the page: its own, ``num`` for a number, ``nowrap`` for a token."""
        return self.classes_for(self.display)

    def classes_for(self, shown):
        """``classes``, given what the cell shows (worked out once by the caller).

        A token is a date, or a code or a quarter written without spaces ("TG5-01", "2025-Q3"):
        the page keeps it on one line (``nowrap``), where a browser would break it after its
        hyphen; "num" keeps numbers on one line already.
        """
        number = self.is_number
        token = not number and (isinstance(self.value, (date, datetime)) or _looks_like_token(shown))
        return " ".join(c for c in (self.css, "num" if number else "", "nowrap" if token else "") if c)


def display_value(value):
    """``value`` as the page shows it, in the active language's number format."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        value = value.normalize() if value == value.to_integral_value() else value.quantize(Decimal("0.01")).normalize()
        return grouped_number(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return grouped_number(value)
    if isinstance(value, float):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


@functools.lru_cache(maxsize=16)
def _number_format(language):
    return tuple(formats.get_format(name, language, use_l10n=True) for name in (
        "DECIMAL_SEPARATOR", "THOUSAND_SEPARATOR", "NUMBER_GROUPING",
    ))


def grouped_number(value):
    """An integer or a decimal as ``formats.number_format(value, force_grouping=True)`` writes it, faster.

    A page's tables hold thousands of numbers; Django's general formatter is
    most of the time spent on them. Grouping other than by three (English) or none
    (Vietnamese, Django's format) falls back to it.
    """
    decimal_separator, thousand_separator, grouping = _number_format(get_language())
    text = str(value) if isinstance(value, int) else f"{value:f}"
    if grouping not in (0, 3) or len(text) > 200:
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    sign = ""
    if text[0] == "-":
        sign, text = "-", text[1:]
    whole, _, fraction = text.partition(".")
    if grouping:
        whole = f"{int(whole):,}".replace(",", thousand_separator)
    return sign + whole + (decimal_separator + fraction if fraction else "")


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

    def body_html(self):
        """The rows as ``<tr>`` elements, for ``indicators/includes/table.html``.

        Written here rather than in the template: a page's tables hold thousands
        of cells, and a template loop over them is most of a cold page's time.
        """
        return mark_safe("\n".join(
            "<tr>" + "".join(cell_html(cell, header=index == 0) for index, cell in enumerate(row)) + "</tr>"
            for row in self.rows
        ))

    def values(self):
        """Header and rows as they go into a spreadsheet, each cell made safe."""
        yield [neutralise_cell(str(column.value)) for column in self.columns]
        for row in self.rows:
            yield [neutralise_cell(spreadsheet_value(cell.value)) for cell in row]


def cell_html(cell, header=False):
    """One cell of a page's table: the row's header (``<th scope="row">``) or a ``<td>``.

    Written here rather than by a template, and what the cell shows worked out once:
    a page's tables hold thousands of cells.
    """
    shown = cell.display
    classes = cell.classes_for(shown)
    attributes = ' scope="row"' if header else ""
    if classes:
        attributes += f' class="{_escape(classes)}"'
    if cell.title:
        attributes += f' title="{_escape(cell.title)}"'
    shown = _escape(shown if isinstance(shown, str) else localize(shown, use_l10n=True))
    if cell.url:
        shown = f'<a href="{_escape(cell.url)}">{shown}</a>'
    elif cell.badge:
        shown = f'<span class="badge {_escape(cell.badge)}">{shown}</span>'
    tag = "th" if header else "td"
    return f"<{tag}{attributes}>{shown}</{tag}>"


def _escape(text):
    """``conditional_escape`` without its lazy-string wrapper, which costs more than the escaping here."""
    if hasattr(text, "__html__"):
        return text.__html__()
    return html.escape(str(text))


def _looks_like_token(shown):
    return (
        isinstance(shown, str) and 0 < len(shown) <= 24
        and not any(map(str.isspace, shown)) and any(map(str.isdigit, shown))
    )


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


def xlsx_response(table, suffix="", about=()):
    """``table`` as an XLSX workbook: a sheet about the file (``about``: label, value pairs), then the table."""
    # As in the CSV: booleans as 1/0, nothing as an empty cell; the writer gives dates and numbers their formats.
    rows = ([int(v) if isinstance(v, bool) else "" if v is None else v for v in (cell.value for cell in row)]
            for row in table.rows)
    buffer = io.BytesIO()
    write_xlsx(buffer, title=table.title or table.name, columns=[str(column.value) for column in table.columns],
               rows=rows, about=about)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename(table, suffix, "xlsx")}"'
    return response


def table_response(table, format, suffix="", about=()):
    return csv_response(table, suffix) if format == "csv" else xlsx_response(table, suffix, about)


def download_error(detail, code, status=400, **extra):
    """A download that cannot be made: ``{"detail", "code", …extra}`` as JSON, for scripts and people alike.

    The text stays as written (not ``\\u`` escapes), so that a browser shows the
    Vietnamese message readably.
    """
    return JsonResponse({"detail": str(detail), "code": code, **extra}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def unknown_format():
    return download_error(gettext("Unknown format; use csv or xlsx."), "invalid_format")


# --- the one XLSX writer ------------------------------------------------------------------------------------

# Column widths are measured on the first rows only: the rest is streamed, never held.
XLSX_SAMPLE_ROWS = 200
XLSX_MIN_WIDTH, XLSX_MAX_WIDTH = 8, 60
# A long heading wraps rather than widening a column of figures.
XLSX_HEADING_WIDTH = {"text": 40, "other": 18}
# Numbers are stored as numbers and shown with these formats (the spreadsheet shows its own
# decimal separator); integers such as years and quarters without thousands separators.
NUMBER_FORMATS = {
    "integer": "0",
    "number": "#,##0.0##",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
# Kinds of the open data's Table Schema types.
SCHEMA_KINDS = {"integer": "integer", "year": "integer", "number": "number", "date": "date", "datetime": "datetime"}


def sheet_title(text, fallback="Sheet"):
    """``text`` as a sheet's name: without the characters Excel refuses, at most 31 characters."""
    name = re.sub(r"[\[\]:*?/\\]", " ", str(text)).strip(" '")
    return " ".join(name.split())[:31].strip() or fallback


def xlsx_value(value):
    """A value as the writer stores it: text formula-safe, times local and naive, numbers as numbers."""
    if value is None or isinstance(value, (bool, int, float, Decimal, date)):
        if isinstance(value, datetime) and timezone.is_aware(value):
            return timezone.localtime(value).replace(tzinfo=None)
        return value
    return neutralise_cell(str(value))


def kind_of(values):
    """The kind of a column from its values: integer, number, date, datetime or text."""
    present = [v for v in values if v is not None and v != ""]
    if not present:
        return "text"
    if all(isinstance(v, datetime) for v in present):
        return "datetime"
    if all(isinstance(v, date) and not isinstance(v, datetime) for v in present):
        return "date"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "integer"
    if all(isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) for v in present):
        return "number"
    return "text"


def _shown_length(value, kind):
    if value is None:
        return 0
    if kind == "date":
        return 10
    if kind == "datetime":
        return 16
    if kind == "number" and isinstance(value, (int, float, Decimal)):
        return len(f"{value:,.3f}".rstrip("0"))
    return max((len(line) for line in str(value).splitlines()), default=0)


def write_xlsx(target, *, title, columns, rows, about=(), kinds=None):
    """Write a table to ``target`` (a path or a binary file) as the portal's XLSX workbook.

    The first sheet says what the file holds: its title, ``about`` (label, value pairs given
    by the caller: source, filters, boundaries…), when it was made and how many rows it has;
    the second holds the table, under a bold header that stays in view, each column as wide
    as its first rows need, numbers and dates stored as such with a number format (``kinds``
    per column: integer, number, date, datetime, text; guessed from the first rows if not
    given). XlsxWriter in constant-memory mode: rows go to disk as they come, so memory
    stays flat, and text is always written as text, never read as a formula or a link.
    """
    import xlsxwriter

    rows = iter(rows)
    sample = [[xlsx_value(v) for v in row] for row in islice(rows, XLSX_SAMPLE_ROWS)]
    kinds = list(kinds) if kinds else [kind_of([row[i] for row in sample]) for i in range(len(columns))]
    title = str(title)

    workbook = xlsxwriter.Workbook(target, {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
    })
    info = workbook.add_worksheet(sheet_title(gettext("About this file")))
    table_name = sheet_title(title, "Data")
    sheet = workbook.add_worksheet(table_name if table_name.lower() != info.get_name().lower() else "Data")
    # The file opens on the table; the sheet about it is the first tab.
    sheet.activate()
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    formats_of = {kind: workbook.add_format({"num_format": number_format}) for kind, number_format in NUMBER_FORMATS.items()}

    for index, (name, kind) in enumerate(zip(columns, kinds, strict=True)):
        heading = min(len(str(name)), XLSX_HEADING_WIDTH["text" if kind == "text" else "other"])
        longest = max([heading] + [_shown_length(row[index] if index < len(row) else None, kind) for row in sample])
        sheet.set_column(index, index, min(max(longest + 2, XLSX_MIN_WIDTH), XLSX_MAX_WIDTH))
    sheet.freeze_panes(1, 0)
    for index, name in enumerate(columns):
        sheet.write_string(0, index, neutralise_cell(str(name)), bold)

    # One writer per column, chosen once: the kind of each cell is not looked up again per row.
    writers = [_cell_writer(sheet, formats_of.get(kind)) for kind in kinds]
    count = 0
    for count, row in enumerate(chain(sample, ([xlsx_value(v) for v in row] for row in rows)), start=1):
        for index, (value, write) in enumerate(zip(row, writers, strict=True)):
            if value is not None and value != "":
                write(count, index, value)

    info.set_column(0, 0, 24)
    info.set_column(1, 1, 90)
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    info_formats = {}
    lines = 0

    def info_row(label, value, number_format=None):
        nonlocal lines
        info.write_string(lines, 0, neutralise_cell(str(label)), bold)
        style = wrap
        if number_format:
            style = info_formats.setdefault(number_format, workbook.add_format(
                {"text_wrap": True, "valign": "top", "num_format": number_format}))
        _cell_writer(info, style)(lines, 1, xlsx_value(value))
        lines += 1

    info_row(gettext("Title"), title)
    for label, value in about:
        if value not in (None, ""):
            info_row(label, value)
    info_row(gettext("Made on"), timezone.localtime().replace(tzinfo=None, microsecond=0), NUMBER_FORMATS["datetime"])
    info_row(gettext("Rows"), count, NUMBER_FORMATS["integer"])
    info_row(gettext("Sheet of the table"), sheet.get_name())
    workbook.close()
    return count


def _cell_writer(sheet, style):
    """A function writing one value as what it is: text, a number, a date, a truth value."""
    def write(row, column, value):
        if isinstance(value, str):
            sheet.write_string(row, column, value)
        elif isinstance(value, bool):
            sheet.write_boolean(row, column, value)
        elif isinstance(value, (int, float, Decimal)):
            sheet.write_number(row, column, value, style)
        elif isinstance(value, date):
            sheet.write_datetime(row, column, value, style)
        else:
            sheet.write_string(row, column, str(value))

    return write


def download_about(request, *, boundaries=None, ignore=("format", "table", "page")):
    """What the first sheet of a download says about it: the page it came from and its filters."""
    from indicators.models import Boundaries

    filters = [f"{name} = {', '.join(values)}" for name, values in request.GET.lists()
               if name not in ignore and any(values)]
    found = [
        (gettext("Source"), request.build_absolute_uri(request.path)),
        (gettext("Filters"), "; ".join(filters) or gettext("none")),
    ]
    if boundaries:
        labels = [str(Boundaries(b).label) for b in ([boundaries] if isinstance(boundaries, str) else boundaries)]
        found.append((gettext("Boundaries"), "; ".join(labels)))
    return found
