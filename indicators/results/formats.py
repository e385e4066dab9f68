"""The catalogue's tables written out: CSV (UTF-8), JSON and XLSX, streamed; and their Data Package.

Every writer takes a ``datasets.Table`` and an iterator of its rows and
produces the file piece by piece, so that a download of a large table holds
a few hundred rows in memory at a time (XLSX: XlsxWriter's constant-memory mode,
into a temporary file). Text cells are made formula-safe
(``smartcity_portal.text.neutralise_cell``) in CSV and XLSX; numbers are
written with a dot as decimal separator whatever the language.
"""
import csv
import json
import tempfile

from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.results.datasets import (
    json_cell,
    license_info,
    publisher,
    text_cell,
)
from indicators.results.exports import SCHEMA_KINDS, write_xlsx
from smartcity_portal.text import neutralise_cell

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json", "xlsx": XLSX_CONTENT_TYPE}
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json", "xlsx": XLSX_CONTENT_TYPE}
FORMATS = tuple(MEDIA_TYPES)
BATCH = 500


class _Echo:
    """A file-like object whose ``write`` returns what it is given: csv.writer then returns each line."""

    def write(self, value):
        return value


def csv_value(value):
    return neutralise_cell(value) if isinstance(value, str) else text_cell(value)


def csv_chunks(table, rows):
    """``table`` as CSV text, in pieces: a UTF-8 byte order mark (so that spreadsheets read Vietnamese), the header, the rows."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(table.names)
    batch = []
    for row in rows:
        batch.append(writer.writerow([csv_value(v) for v in row]))
        if len(batch) >= BATCH:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def json_chunks(table, rows):
    """``table`` as a JSON array of objects keyed by column name, in pieces."""
    names = [json.dumps(name) for name in table.names]
    yield "["
    batch, first = [], True
    for row in rows:
        item = "{" + ", ".join(f"{name}: {json_cell(value)}" for name, value in zip(names, row, strict=True)) + "}"
        batch.append(("\n" if first else ",\n") + item)
        first = False
        if len(batch) >= BATCH:
            yield "".join(batch)
            batch = []
    yield "".join(batch) + "\n]\n"


def xlsx_about(table, about=()):
    """The first sheet of an open-data XLSX file: what the table is, under which licence, from where."""
    licence = license_info()
    return [
        (_("Description"), str(table.description)),
        (_("Publisher"), str(publisher())),
        (_("Licence"), f"{licence['title']} ({licence['name']}): {licence['path']}"),
        *about,
    ]


def xlsx_file(table, rows, about=()):
    """``table`` as an XLSX workbook (``exports.write_xlsx``), in a temporary file opened for reading (deleted when closed)."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - the caller (a FileResponse) closes it
    write_xlsx(handle, title=table.title, columns=table.names, rows=rows, about=xlsx_about(table, about),
               kinds=[SCHEMA_KINDS.get(f.type, "text") for f in table.fields])
    handle.seek(0)
    return handle


def encoded(chunks):
    for chunk in chunks:
        yield chunk.encode("utf-8")


def table_bytes(table, rows, fmt, about=()):
    """The whole file at once (releases, which are one quarter's rows)."""
    if fmt == "xlsx":
        with xlsx_file(table, rows, about) as handle:
            return handle.read()
    writer = csv_chunks if fmt == "csv" else json_chunks
    return "".join(writer(table, rows)).encode("utf-8")


def resource(table, *, path=None, extra=None):
    """The Data Package resource of ``table``'s CSV file (its Table Schema included)."""
    found = {
        "name": table.slug,
        "path": path or f"{table.slug}.csv",
        "profile": "tabular-data-resource",
        "title": str(table.title),
        "description": str(table.description),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": table.schema(),
    }
    found.update(extra or {})
    return found


def datapackage(*, name, title, description, resources, keywords=(), homepage=None, version=None,
                temporal=None, created=None):
    """A Frictionless Data Package descriptor (tabular), with the licence and publisher of the catalogue."""
    found = {
        "profile": "tabular-data-package",
        "name": name,
        "title": str(title),
        "description": str(description),
        "licenses": [license_info()],
        "contributors": [{"title": str(publisher()), "role": "publisher"}],
        "keywords": [str(k) for k in keywords],
        "created": (created or timezone.now()).isoformat(timespec="seconds"),
        "resources": resources,
    }
    if homepage:
        found["homepage"] = homepage
    if version is not None:
        found["version"] = str(version)
    if temporal:
        found["temporal"] = {"start": temporal[0].isoformat(), "end": temporal[1].isoformat()}
    return found


def dumps(descriptor):
    return json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
