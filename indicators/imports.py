"""Bulk import of indicator values from CSV or XLSX, whole or not at all.

``read_table`` turns an uploaded file into numbered rows and refuses, with a
message the user can act on, files that are too big, not UTF-8, not a real
workbook or a zip bomb. ``import_indicator_values`` checks every row by the
rules the report form applies (``programmes.validation`` and
``programmes.services.check_can_report``), then hands the values to
``programmes.services.import_report_values`` in one transaction and recomputes
the results of the quarters it changed. Any problem in any row and nothing is
written; the result lists every problem by row and column.

Row numbers are those the user sees in a spreadsheet: the header is row 1.
"""
import bisect
import codecs
import csv
import functools
import io
import logging
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from indicators.models import Indicator, IndicatorValue, ValueType
from programmes import paths, policies, services
from programmes.models import Report, ReportStatus
from programmes.validation import (
    MAX_NOTE_LENGTH,
    check_for_submission,
    clean_indicator_value,
    clean_text,
    running_total_floor,
)
from provinces.models import AdministrativeUnit
from provinces.quarters import FIRST_REPORTING_YEAR, Quarter
from smartcity_portal.text import neutralise_cell

logger = logging.getLogger(__name__)

COLUMNS = ("province", "year", "quarter", "indicator", "value", "note")
REQUIRED_COLUMNS = COLUMNS[:5]


@dataclass(frozen=True)
class Columns:
    """The columns a file may have, and those it must have: ``read_table`` reads any such file."""

    names: tuple
    required: tuple


VALUE_COLUMNS = Columns(COLUMNS, REQUIRED_COLUMNS)
# Key of problems that concern a whole row rather than one of its cells.
ROW = "row"
EXTENSIONS = ("csv", "xlsx")

MAX_ROWS = 200_000
MAX_COLUMNS = 30
MAX_CELL_LENGTH = 5_000
MAX_XLSX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_XLSX_MEMBERS = 1_000
PROGRESS_EVERY = 500


class ImportFileError(Exception):
    """The file as a whole cannot be imported; ``message`` says why and what to do."""

    def __init__(self, message, *, code="invalid_file"):
        super().__init__(message)
        self.message = str(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One row of the file: its number as the user sees it, and its cells by column.

    A column the file does not have is absent from ``cells``.
    """

    number: int
    cells: dict


@dataclass
class Table:
    kind: str
    columns: list
    rows: list


@dataclass
class ImportResult:
    """What an import did, or would do (``dry_run``), or why it did nothing."""

    rows: int = 0
    dry_run: bool = False
    # Problems of the file as a whole (encoding, size, columns…).
    errors: list = field(default_factory=list)
    # [{"row": 7, "errors": {"value": ["…"]}}], in row order.
    row_report: list = field(default_factory=list)
    values: int = 0
    reports_created: int = 0
    reports_updated: int = 0
    reports_unchanged: int = 0
    applied: bool = False

    @property
    def ok(self):
        return not self.errors and not self.row_report

    def summary(self):
        """The counts, for machines (the API's job)."""
        return {
            "rows": self.rows, "dry_run": self.dry_run, "applied": self.applied, "values": self.values,
            "reports_created": self.reports_created, "reports_updated": self.reports_updated,
            "reports_unchanged": self.reports_unchanged, "rows_refused": len(self.row_report),
            "errors": [str(error) for error in self.errors],
        }

    @property
    def message(self):
        if self.errors:
            return " ".join(self.errors)
        if self.row_report:
            count = len(self.row_report)
            return ngettext(
                "%(count)s row has problems; nothing was imported.",
                "%(count)s rows have problems; nothing was imported.",
                count,
            ) % {"count": count}
        if self.dry_run:
            return ngettext(
                "The file is valid: %(count)s value would be imported. Nothing was written (check only).",
                "The file is valid: %(count)s values would be imported. Nothing was written (check only).",
                self.values,
            ) % {"count": self.values}
        text = ngettext("%(count)s value imported.", "%(count)s values imported.", self.values) % {
            "count": self.values
        }
        return " ".join([text, _(
            "Reports created: %(created)s; updated: %(updated)s; already up to date: %(unchanged)s."
        ) % {
            "created": self.reports_created,
            "updated": self.reports_updated,
            "unchanged": self.reports_unchanged,
        }])


# --- reading files ---------------------------------------------------------------------


def _read_bytes(file):
    """The file's bytes, refusing more than ``UPLOAD_MAX_BYTES`` without reading it all."""
    limit = settings.UPLOAD_MAX_BYTES
    if isinstance(file, (str, Path)):
        with open(file, "rb") as handle:
            data = handle.read(limit + 1)
    elif isinstance(file, (bytes, bytearray)):
        data = bytes(file)
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(limit + 1)
    if len(data) > limit:
        raise ImportFileError(
            _("The file is larger than %(limit)s: split it into several files.")
            % {"limit": filesizeformat(limit)},
            code="too_large",
        )
    return data


def _kind(data, name):
    extension = str(name or "").rsplit(".", 1)[-1].lower() if "." in str(name or "") else ""
    if extension == "xls":
        raise ImportFileError(
            _("This is the old Excel format (.xls): save the file as .xlsx or as “CSV UTF-8”."),
            code="file_type",
        )
    if extension and extension not in EXTENSIONS:
        raise ImportFileError(
            _("Only CSV and XLSX files can be imported (this is .%(extension)s).")
            % {"extension": extension[:10]},
            code="file_type",
        )
    is_zip = data[:4] == b"PK\x03\x04"
    if extension == "csv" and is_zip:
        raise ImportFileError(
            _("This file is a workbook, not CSV text: give it the .xlsx extension or save it as “CSV UTF-8”."),
            code="file_type",
        )
    if extension == "xlsx" and not is_zip:
        raise ImportFileError(_("This is not a real XLSX workbook: open it in Excel and save it again."), code="file_type")
    return "xlsx" if (extension == "xlsx" or (not extension and is_zip)) else "csv"


def _header(cells, columns=VALUE_COLUMNS):
    """Column names by position, from the header row; raises ``ImportFileError``."""
    names = [normalised_name(c) for c in cells]
    while names and not names[-1]:
        names.pop()
    if not names:
        raise ImportFileError(
            _("The file is empty: the first row must hold the column names %(columns)s.")
            % {"columns": ", ".join(columns.names)},
            code="empty",
        )
    if len(names) > MAX_COLUMNS:
        raise ImportFileError(
            _("The header row has %(count)s columns; at most %(max)s are accepted.")
            % {"count": len(names), "max": MAX_COLUMNS},
            code="too_many_columns",
        )
    unknown = [n for n in names if n and n not in columns.names]
    if unknown:
        raise ImportFileError(
            _("Unknown columns: %(unknown)s. The columns are: %(columns)s (download the template).")
            % {"unknown": ", ".join(f"“{n[:40]}”" for n in unknown[:5]), "columns": ", ".join(columns.names)},
            code="unknown_columns",
        )
    duplicated = sorted({n for n in names if n and names.count(n) > 1})
    if duplicated:
        raise ImportFileError(
            _("These columns appear more than once: %(columns)s.") % {"columns": ", ".join(duplicated)},
            code="duplicate_columns",
        )
    missing = [c for c in columns.required if c not in names]
    if missing:
        raise ImportFileError(
            _("Missing columns: %(missing)s. The first row must hold the column names %(columns)s.")
            % {"missing": ", ".join(missing), "columns": ", ".join(columns.names)},
            code="missing_columns",
        )
    return names


def normalised_name(cell):
    return str(cell if cell is not None else "").replace("\ufeff", "").strip().lower()


def _row(number, names, cells):
    values = {}
    extra = False
    for position, cell in enumerate(cells):
        if position < len(names) and names[position]:
            values[names[position]] = cell
        elif cell not in (None, ""):
            extra = True
    for name in names:
        if name:
            values.setdefault(name, "")
    if extra:
        values[ROW] = _("This row has more cells than the header row has column names.")
    return ImportRow(number, values)


def _blank(cells):
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _encoding_help():
    return _(
        "Save the file as UTF-8: in Excel choose “Save as” and “CSV UTF-8 (comma delimited)”, "
        "or import the XLSX workbook itself."
    )


def _looks_like_utf16(data):
    """UTF-16 without a byte order mark: text whose every other byte is mostly NUL."""
    sample = data[:4096]
    nuls = sample.count(0)
    if nuls < len(sample) // 4:
        return False
    return max(sample[0::2].count(0), sample[1::2].count(0)) >= 0.9 * nuls


def _decode(data):
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_like_utf16(data):
        raise ImportFileError(" ".join([_("The file is in UTF-16, not UTF-8."), _encoding_help()]), code="encoding")
    if b"\x00" in data:
        # Text never holds NUL characters: this is a binary file (an image, a document…) named .csv.
        raise ImportFileError(
            " ".join([_("This file holds binary data, not CSV text."), _encoding_help()]), code="encoding"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFileError(
            " ".join([
                _("The file is not UTF-8 text (the first wrong character is on line %(line)s).") % {"line": line},
                _encoding_help(),
            ]),
            code="encoding",
        ) from None


# The longest cell a file may hold. The csv module's limit is one setting for the whole
# process, which other libraries change when imported (frictionless raises it): it is
# set again before every read, so that what an import refuses never depends on them.
MAX_CELL_CHARACTERS = 131_072


def _csv_reader(text, delimiter):
    # Lines end at LF (CRLF too: the reader drops the CR). A carriage return alone
    # outside quotes, the old Mac line ending, is then an error that _csv_error
    # explains, instead of a line break in some places and not in others.
    csv.field_size_limit(MAX_CELL_CHARACTERS)
    return csv.reader(io.StringIO(text, newline="\n"), delimiter=delimiter, strict=True)


def _first_record(text, delimiter):
    """The header row's cells; raises ``csv.Error``."""
    return next(_csv_reader(text, delimiter), [])


def _delimiter(text, columns=VALUE_COLUMNS):
    """``,`` or ``;`` (Excel's choice in locales that write decimals with a comma)."""
    best, best_score = ",", -1
    for delimiter in (",", ";"):
        try:
            cells = _first_record(text, delimiter)
        except csv.Error:
            continue  # the reader reports it, with the line
        score = sum(1 for c in cells if normalised_name(c) in columns.names)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_error(error, line):
    """The ``ImportFileError`` for a ``csv.Error`` met near ``line``."""
    text = str(error)
    if "new-line character" in text:
        return ImportFileError(
            _("Line %(line)s ends with a carriage return alone (the line ending of old Mac programs). "
              "Save the file as “CSV UTF-8 (comma delimited)” and import it again.") % {"line": line},
            code="line_endings",
        )
    if "field limit" in text:
        return ImportFileError(
            _("A cell near line %(line)s is far too long (more than %(max)s characters): "
              "a quote is probably missing.") % {
                "line": line, "max": number_format(MAX_CELL_CHARACTERS, force_grouping=True)
            },
            code="malformed",
        )
    return ImportFileError(
        _("The CSV file is malformed near line %(line)s (%(error)s): check its quotes.")
        % {"line": line, "error": text},
        code="malformed",
    )


def _csv_header(text, columns=VALUE_COLUMNS):
    """The header's column names and the delimiter; raises ``ImportFileError``."""
    delimiter = _delimiter(text, columns)
    try:
        cells = _first_record(text, delimiter)
    except csv.Error as error:
        raise _csv_error(error, 1) from None
    if len(cells) == 1 and any(mark in cells[0] for mark in ("\t", "|")):
        raise ImportFileError(
            _("The columns must be separated by commas or semicolons (this file uses tabs or bars). "
              "Save the file as “CSV UTF-8 (comma delimited)”."),
            code="delimiter",
        )
    return _header(cells, columns), delimiter


def _csv_table(data, columns=VALUE_COLUMNS):
    text = _decode(data)
    names, delimiter = _csv_header(text, columns)
    reader = _csv_reader(text, delimiter)
    rows = []
    try:
        next(reader, None)
        # Most rows have one cell per column of a header without gaps: they skip ``_row``.
        width = len(names) if all(names) else None
        for number, cells in enumerate(reader, start=2):
            if not "".join(cells).strip():  # blank (CSV cells are always text)
                continue
            if len(rows) >= MAX_ROWS:
                raise _too_many_rows()
            if len(cells) == width:
                rows.append(ImportRow(number, dict(zip(names, cells, strict=True))))
            else:
                rows.append(_row(number, names, cells))
    except csv.Error as error:
        raise _csv_error(error, reader.line_num) from None
    if not rows:
        raise _no_rows()
    return Table("csv", [n for n in names if n], rows)


def _no_rows():
    return ImportFileError(_("The file has no rows of values under its header row."), code="no_rows")


def _too_many_rows():
    return ImportFileError(
        _("The file has more than %(max)s rows: split it into several files.")
        % {"max": number_format(MAX_ROWS, force_grouping=True)},
        code="too_many_rows",
    )


def check_xlsx_archive(data):
    """Refuse a workbook that is not a zip, or that would unpack to too much (a zip bomb).

    The sizes come from the archive's directory; Python's zipfile stops reading
    a member at its declared size, so a member that lies about it fails instead
    of growing.
    """
    not_a_workbook = _("This is not a real XLSX workbook: open it in Excel and save it again.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise ImportFileError(not_a_workbook, code="file_type") from None
    if len(members) > MAX_XLSX_MEMBERS:
        raise ImportFileError(not_a_workbook, code="file_type")
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_XLSX_UNCOMPRESSED:
        raise ImportFileError(
            _("The workbook would unpack to %(size)s, more than the %(limit)s accepted: "
              "save its values as CSV UTF-8 or split it.")
            % {"size": filesizeformat(unpacked), "limit": filesizeformat(MAX_XLSX_UNCOMPRESSED)},
            code="too_large",
        )
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise ImportFileError(not_a_workbook, code="file_type")


def _xlsx_cell(value):
    if value is None or isinstance(value, (str, int, float, Decimal, bool)):
        return value
    # Array formulas and the like: keep their text so that they are refused as formulas.
    return str(getattr(value, "text", value))


def _xlsx_table(data, columns=VALUE_COLUMNS):
    from openpyxl import load_workbook

    check_xlsx_archive(data)
    try:
        # data_only=False: a formula cell then reads as its "=…" text and is refused,
        # rather than silently taking whatever value the last program cached for it.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:
        logger.info("unreadable workbook", exc_info=True)
        raise ImportFileError(
            _("The workbook could not be read: open it in Excel and save it again as .xlsx."), code="file_type"
        ) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The workbook has no worksheet."), code="empty")
        # Only the first sheet is read; formatting and merged cells are ignored
        # (a merged area's value is in its top-left cell).
        sheet = workbook.worksheets[0]
        # The sheet's recorded dimensions may be wrong (some programs write "A1"), and
        # openpyxl would then cut rows off: read every row the sheet really has.
        sheet.reset_dimensions()
        rows = []
        names = None
        number = 0
        for cells in sheet.iter_rows(values_only=True):
            number += 1
            cells = [_xlsx_cell(c) for c in cells[: MAX_COLUMNS + 1]]
            if names is None:
                names = _header(cells, columns)
                continue
            if _blank(cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise _too_many_rows()
            rows.append(_row(number, names, cells))
        if names is None:
            _header([], columns)
        if not rows:
            raise _no_rows()
    except ImportFileError:
        raise
    except Exception:
        logger.info("unreadable worksheet", exc_info=True)
        raise ImportFileError(
            _("The workbook could not be read: open it in Excel and save it again as .xlsx."), code="file_type"
        ) from None
    finally:
        workbook.close()
    return Table("xlsx", [n for n in names if n], rows)


def _only_file_errors(reader):
    """``reader`` raises ``ImportFileError`` and nothing else, whatever the file holds.

    The readers explain every failure they know of; anything else that a
    hostile or broken file makes the libraries raise (zipfile, openpyxl, XML,
    decoding, memory) is still the file's fault, not a server error.
    """

    @functools.wraps(reader)
    def checked(file, name=None, **options):
        try:
            return reader(file, name, **options)
        except ImportFileError:
            raise
        except UnicodeError:
            raise ImportFileError(
                " ".join([_("The file is not UTF-8 text."), _encoding_help()]), code="encoding"
            ) from None
        except csv.Error as error:
            raise _csv_error(error, 1) from None
        except Exception as error:
            if isinstance(error, OSError) and isinstance(file, (str, Path)):
                raise  # the caller's path cannot be opened: no fault of a file's contents
            logger.warning("unreadable import file", exc_info=True)
            raise ImportFileError(
                _("The file could not be read as CSV or XLSX: save it again as “CSV UTF-8” or .xlsx."),
                code="unreadable",
            ) from None

    return checked


@_only_file_errors
def read_table(file, name=None, columns=VALUE_COLUMNS):
    """The rows of a CSV or XLSX ``file`` (a path, bytes or a file object).

    ``name`` (the uploaded file's name) decides the format by its extension;
    without one, a zip archive is taken for XLSX. ``columns`` names the
    columns the file may and must have (those of indicator values by
    default). Raises ``ImportFileError``, and nothing else, for any file it
    cannot read (``OSError`` if ``file`` is a path that cannot be opened).
    """
    if name is None and isinstance(file, (str, Path)):
        name = str(file)
    elif name is None:
        name = getattr(file, "name", None)
    data = _read_bytes(file)
    if not data.strip():
        _header([], columns)
    kind = _kind(data, name)
    return _xlsx_table(data, columns) if kind == "xlsx" else _csv_table(data, columns)


@_only_file_errors
def check_upload(file, name=None):
    """Quick checks of an upload before a job is queued: size, type, encoding, zip size, header.

    Returns the file's kind ("csv" or "xlsx"); raises ``ImportFileError``, and
    nothing else; the job repeats them (and the rest) when it runs.
    """
    name = name or getattr(file, "name", None)
    data = _read_bytes(file)
    if hasattr(file, "seek"):
        file.seek(0)
    if not data.strip():
        _header([])
    kind = _kind(data, name)
    if kind == "xlsx":
        check_xlsx_archive(data)
    else:
        _csv_header(_decode(data))
    return kind


# --- checking rows --------------------------------------------------------------------


class _Lookups:
    """Everything row checks need, loaded in a handful of queries.

    It also remembers the outcome of each check for each distinct cell, so
    that the rules run once per distinct value rather than once per row: a
    large file repeats the same provinces, quarters, codes and often values.
    """

    def __init__(self):
        self.units = {u.slug.lower(): u for u in AdministrativeUnit.objects.all()}
        self.units_by_id = {u.pk: u for u in self.units.values()}
        self.indicators = {i.code.upper(): i for i in Indicator.objects.all()}
        self._periods = {}
        self._outcomes = {}
        self._predecessors = {}

    def outcome(self, check, raw, indicator=None):
        """``check(self, raw)``, or ``check(self, raw, indicator)`` for a value, once per distinct cell."""
        args = (raw,) if indicator is None else (raw, indicator)
        # The type is part of the key: True == 1 and 1.0 == 1, but the rules tell them apart.
        key = (check, type(raw), raw, None if indicator is None else indicator.code)
        try:
            return self._outcomes[key]
        except KeyError:
            found = self._outcomes[key] = check(self, *args)
        except TypeError:  # an unhashable cell (rows given as dicts may hold anything)
            found = check(self, *args)
        return found

    def period(self, unit, year, quarter, today):
        """``(Quarter, problem)``: the quarter, and the ``ReportError`` if ``unit`` may not report on it."""
        key = (unit.pk, year, quarter)
        if key not in self._periods:
            period = Quarter(year, quarter)
            try:
                services.check_can_report(unit, period, today)
                self._periods[key] = (period, None)
            except services.ReportError as error:
                self._periods[key] = (period, error)
        return self._periods[key]

    def predecessors(self, unit_id):
        """Ids of the units merged, directly or not, into ``unit_id``."""
        if unit_id not in self._predecessors:
            found, frontier = [], [unit_id]
            while frontier:
                level = [u.pk for u in self.units_by_id.values() if u.successor_id in frontier]
                found.extend(level)
                frontier = level
            self._predecessors[unit_id] = found
        return self._predecessors[unit_id]


def _text(raw):
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()


def _integer(raw):
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() else None
    text = _text(raw)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else None


@dataclass(slots=True)
class _Checked:
    row: ImportRow
    # {column: [messages]}; None while the row has none (most rows: no empty dict each).
    errors: dict = None
    unit: object = None
    period: Quarter = None
    indicator: object = None
    value: Decimal = None
    note: str = None
    # (unit_id, year, quarter, indicator_id), once the row names all four; set by _check_row.
    key: tuple = None

    def add(self, column, message):
        if self.errors is None:
            self.errors = {}
        self.errors.setdefault(column, []).append(str(message))


def _province_of(lookups, raw):
    slug = _text(raw).lower()
    if not slug:
        return None, _("Give the province or city by its slug, for example ha-noi.")
    unit = lookups.units.get(slug)
    if unit is None:
        return None, _("There is no province or city “%(slug)s”: use the slugs listed in the template.") % {
            "slug": slug[:60]
        }
    return unit, None


def _year_of(lookups, raw):
    year = _integer(raw)
    if year is None or not 1900 <= year <= 2100:
        return None, _("Enter a year such as 2024.")
    return year, None


def _quarter_of(lookups, raw):
    text = _text(raw).upper()
    quarter = _integer(text[1:] if text.startswith("Q") else raw)
    if quarter not in (1, 2, 3, 4):
        return None, _("Enter the quarter as 1, 2, 3 or 4.")
    return quarter, None


def _indicator_of(lookups, raw):
    code = _text(raw).upper()
    indicator = lookups.indicators.get(code)
    if not code:
        return None, _("Give the indicator's code, for example TG5-01.")
    if indicator is None:
        return None, _("There is no indicator %(code)s.") % {"code": code[:20]}
    if not indicator.is_active:
        return None, _("Indicator %(code)s is no longer reported.") % {"code": code[:20]}
    return indicator, None


def _value_of(lookups, raw, indicator):
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, [_("Give a value.")]
    try:
        return clean_indicator_value(indicator, raw), ()
    except ValidationError as error:
        return None, error.messages


def _note_of(lookups, raw):
    try:
        return clean_text(_text(raw), MAX_NOTE_LENGTH), ()
    except ValidationError as error:
        return None, error.messages


def _check_row(row, lookups, today):
    checked = _Checked(row)
    cells = {}
    if ROW in row.cells:
        checked.add(ROW, row.cells[ROW])
    for column in COLUMNS:
        if column not in row.cells and column not in REQUIRED_COLUMNS:
            continue
        raw = row.cells.get(column, "")
        if isinstance(raw, str):
            if len(raw) > MAX_CELL_LENGTH:
                checked.add(column, _("This cell has more than %(max)s characters.") % {"max": MAX_CELL_LENGTH})
                continue
            if raw.lstrip().startswith("="):
                checked.add(column, _("Formulas are not accepted: type the value itself (in Excel, paste as values)."))
                continue
        cells[column] = raw

    if "province" in cells:
        checked.unit, problem = lookups.outcome(_province_of, cells["province"])
        if problem:
            checked.add("province", problem)
    year = quarter = None
    if "year" in cells:
        year, problem = lookups.outcome(_year_of, cells["year"])
        if problem:
            checked.add("year", problem)
    if "quarter" in cells:
        quarter, problem = lookups.outcome(_quarter_of, cells["quarter"])
        if problem:
            checked.add("quarter", problem)
    if year is not None and quarter is not None and checked.unit is not None:
        period, problem = lookups.period(checked.unit, year, quarter, today)
        if problem is None:
            checked.period = period
        else:
            checked.add("province" if problem.code == "unit_not_in_force" else "quarter", problem.message)

    if "indicator" in cells:
        checked.indicator, problem = lookups.outcome(_indicator_of, cells["indicator"])
        if problem:
            checked.add("indicator", problem)
    if "value" in cells and checked.indicator is not None:
        checked.value, problems = lookups.outcome(_value_of, cells["value"], checked.indicator)
        for message in problems:
            checked.add("value", message)
    if "note" in cells:
        checked.note, problems = lookups.outcome(_note_of, cells["note"])
        for message in problems:
            checked.add("note", message)
    if checked.unit is not None and checked.period is not None and checked.indicator is not None:
        checked.key = (checked.unit.pk, year, quarter, checked.indicator.pk)
    return checked


def _check_duplicates(checked_rows):
    first = {}
    for checked in checked_rows:
        key = checked.key
        if key is None:
            continue
        if key in first:
            checked.add("indicator", _(
                "Row %(row)s already gives %(indicator)s for %(unit)s, %(quarter)s: keep one of the two rows."
            ) % {
                "row": first[key], "indicator": checked.indicator.code, "unit": checked.unit,
                "quarter": checked.period,
            })
        else:
            first[key] = checked.row.number


def _existing_reports(pairs):
    """``{(unit_id, year, quarter): Report}`` for the pairs that already have a report."""
    if not pairs:
        return {}
    reports = Report.objects.filter(
        unit_id__in={p[0] for p in pairs}, year__in={p[1] for p in pairs}
    ).select_related("unit")
    return {
        (r.unit_id, r.year, r.quarter): r
        for r in reports
        if (r.unit_id, r.year, r.quarter) in pairs
    }


def _check_reports(valid, existing):
    problems = {}
    for key, report in existing.items():
        try:
            services.check_can_import_into(report)
        except services.ReportError as error:
            problems[key] = error.message
    if problems:
        for checked in valid:
            if checked.key[:3] in problems:
                checked.add("quarter", problems[checked.key[:3]])


def _check_running_totals(valid, existing, lookups):
    """A cumulative indicator may not fall below its last approved value without a note.

    "Last approved" counts the file's own rows (they will be approved) before
    the database's, and for a unit formed by merger that has no value yet, its
    predecessors' values combined by the indicator's roll-up rule, as
    ``programmes.selectors.last_approved_values`` does for the form.
    """
    cumulative = [c for c in valid if c.indicator.cumulative]
    if not cumulative:
        return
    unit_ids = set()
    for checked in cumulative:
        unit_ids.add(checked.unit.pk)
        unit_ids.update(lookups.predecessors(checked.unit.pk))
    timeline = {}  # (unit_id, indicator_id) → {quarter index: value}
    stored_notes = {}
    rows = IndicatorValue.objects.filter(
        report__status=ReportStatus.APPROVED,
        report__unit_id__in=unit_ids,
        indicator__cumulative=True,
    ).values_list("report__unit_id", "report__year", "report__quarter", "indicator_id", "value", "note")
    for unit_id, year, quarter, indicator_id, value, note in rows.iterator(chunk_size=5000):
        index = Quarter(year, quarter).index
        stored_notes[(unit_id, index, indicator_id)] = note
        if value is not None:
            timeline.setdefault((unit_id, indicator_id), {})[index] = value
    for checked in cumulative:
        timeline.setdefault((checked.unit.pk, checked.indicator.pk), {})[checked.period.index] = checked.value
    ordered = {key: sorted(entries) for key, entries in timeline.items()}

    def latest_before(unit_id, indicator_id, index):
        indexes = ordered.get((unit_id, indicator_id), [])
        position = bisect.bisect_left(indexes, index)
        return timeline[(unit_id, indicator_id)][indexes[position - 1]] if position else None

    for checked in cumulative:
        if checked.value is None:
            continue
        unit_id, indicator, index = checked.unit.pk, checked.indicator, checked.period.index
        own = latest_before(unit_id, indicator.pk, index)
        floor = running_total_floor(
            own, [] if own is not None else [latest_before(p, indicator.pk, index) for p in lookups.predecessors(unit_id)],
            indicator.rollup,
        )
        if floor is None:
            continue
        note = checked.note
        if note is None:
            note = stored_notes.get((unit_id, index, indicator.pk), "")
        content = {
            paths.NODES: {},
            paths.INDICATORS: {indicator.code: {"value": f"{checked.value:f}", "note": note}},
        }
        result = check_for_submission(content, [], [indicator], last_approved={indicator.code: floor}, previous={})
        for message in result.errors.get(str(paths.indicator_path(indicator.code, "note")), []):
            checked.add("note", message)


_COLUMN_ORDER = {name: position for position, name in enumerate((ROW, *COLUMNS))}


def _in_column_order(errors):
    return sorted(errors.items(), key=lambda item: _COLUMN_ORDER.get(item[0], len(_COLUMN_ORDER)))


def _row_report(checked_rows):
    return [
        {"row": c.row.number, "errors": dict(_in_column_order(c.errors))}
        for c in sorted(checked_rows, key=lambda c: c.row.number)
        if c.errors
    ]


def _as_rows(rows):
    for position, row in enumerate(rows):
        yield row if isinstance(row, ImportRow) else ImportRow(position + 2, dict(row))


# --- importing ----------------------------------------------------------------------------


def import_indicator_values(*, user, rows, dry_run=False, progress=None, today=None):
    """Check ``rows`` and, if every one is valid and ``dry_run`` is false, write them all.

    ``rows`` are ``ImportRow``s (from ``read_table``) or plain dicts keyed by
    column name (numbered from 2, as under a header row). ``progress(done,
    total)`` is called every few hundred rows; the total covers checking,
    writing and recomputing. Returns an ``ImportResult``; raises
    ``PermissionDenied`` for users who may not import.
    """
    if not policies.can_import_values(user):
        raise PermissionDenied(_("Only ministry reviewers may import indicator values."))
    rows = list(_as_rows(rows))
    result = ImportResult(rows=len(rows), dry_run=dry_run)
    if not rows:
        result.errors.append(_("The file has no rows of values under its header row."))
        return result
    if len(rows) > MAX_ROWS:
        result.errors.append(_too_many_rows().message)
        return result
    total = 2 * len(rows)
    report = progress or (lambda done, total: None)

    lookups = _Lookups()
    checked_rows = []
    for position, row in enumerate(rows, start=1):
        checked_rows.append(_check_row(row, lookups, today))
        if position % PROGRESS_EVERY == 0:
            report(position, total)
    _check_duplicates(checked_rows)
    valid = [c for c in checked_rows if not c.errors]
    existing = _existing_reports({c.key[:3] for c in valid})
    _check_reports(valid, existing)
    valid = [c for c in valid if not c.errors]
    _check_running_totals(valid, existing, lookups)
    result.row_report = _row_report(checked_rows)
    report(len(rows), total)
    if result.row_report:
        return result

    values = {}
    for checked in checked_rows:
        values.setdefault(checked.key[:3], {})[checked.key[3]] = (checked.value, checked.note)
    result.values = len(checked_rows)
    del checked_rows, valid  # not needed to write: freed, they lower a large import's peak memory
    if dry_run:
        result.reports_created = len(set(values) - set(existing))
        result.reports_updated = len(set(values) & set(existing))
        report(total, total)
        return result

    def writing(done, count):
        report(len(rows) + round(len(rows) * done / max(count, 1)), total)

    try:
        with transaction.atomic():
            # The results are recomputed by the import's events, after commit (programmes.handlers).
            outcome = services.import_report_values(user=user, values=values, progress=writing)
    except services.ReportError as error:
        # A report changed state between the checks and the write: nothing was written.
        result.errors.append(error.message)
        return result
    result.applied = True
    result.reports_created = len(outcome["created"])
    result.reports_updated = len(outcome["updated"])
    result.reports_unchanged = len(outcome["unchanged"])
    report(total, total)
    return result


def import_file(*, user, file, name=None, dry_run=False, progress=None, today=None):
    """``read_table`` then ``import_indicator_values``; file problems come back in the result."""
    if not policies.can_import_values(user):
        raise PermissionDenied(_("Only ministry reviewers may import indicator values."))
    try:
        table = read_table(file, name)
    except ImportFileError as error:
        return ImportResult(dry_run=dry_run, errors=[error.message])
    return import_indicator_values(user=user, rows=table.rows, dry_run=dry_run, progress=progress, today=today)


def row_report_lines(row_report):
    """The row report flattened to ``(row, column, message)`` lines, for tables and CSV."""
    for entry in row_report:
        # In the file's column order (a JSON field stored in PostgreSQL does not keep key order).
        for column, messages in _in_column_order(entry["errors"]):
            for message in messages:
                yield entry["row"], column, message


# --- the template -------------------------------------------------------------------------


def template_rows():
    """The header row and one example row of the import template."""
    example = Indicator.objects.filter(is_active=True, value_type=ValueType.PERCENT).order_by("code").first()
    return [
        list(COLUMNS),
        ["ha-noi", FIRST_REPORTING_YEAR, 1, example.code if example else "TG5-01", "85.5",
         _("Example row: replace it with your own values before importing.")],
    ]


def template_csv():
    """The template as CSV text (the caller adds a UTF-8 BOM so that Excel reads it as UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(template_rows())
    return out.getvalue()


def template_xlsx():
    """The template as XLSX bytes: the values sheet first, then the codes to use."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Values")[:31]
    for row in template_rows():
        sheet.append([neutralise_cell(c) for c in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEF", (18, 8, 9, 12, 12, 50), strict=True):
        sheet.column_dimensions[letter].width = width

    codes = workbook.create_sheet(_("Codes")[:31])
    codes.append([_("Indicator code"), _("Indicator"), _("Value type"), _("Unit of measure"), _("Cumulative"),
                  None, _("Province slug"), _("Province or city"), _("In force from"), _("In force until")])
    indicators = [
        [i.code, i.name, i.get_value_type_display(), i.unit, _("yes") if i.cumulative else _("no")]
        for i in Indicator.objects.filter(is_active=True).order_by("code")
    ]
    units = [
        [u.slug, u.name, u.valid_from, u.valid_until]
        for u in AdministrativeUnit.objects.order_by("valid_until", "slug")
    ]
    for position in range(max(len(indicators), len(units))):
        left = indicators[position] if position < len(indicators) else [None] * 5
        right = units[position] if position < len(units) else [None] * 4
        codes.append([neutralise_cell(str(c)) if isinstance(c, str) else c for c in [*left, None, *right]])
    for cell in codes[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHIJ", (14, 60, 18, 14, 11, 3, 22, 24, 14, 14), strict=True):
        codes.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
