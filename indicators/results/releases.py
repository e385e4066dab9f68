"""Quarterly releases: numbered, immutable publications of a quarter's approved figures.

``build_release(quarter)`` writes the quarter's tables (those of the
catalogue marked ``in_release``) as CSV, JSON and XLSX, with a Data Package
and a ``SHA256SUMS`` file, and stores them under the next number, unless the
figures are exactly those of the quarter's latest release. From the second
release on, ``changes.csv`` and the release's change log say what changed,
row by row and field by field, against the release before.

A release is never rebuilt and its files never rewritten: they are served
byte for byte as stored, with their SHA-256. The results' event handler
(``indicators.results.handlers.publish_releases``) builds one after every
approval or import that touches a quarter; ``manage.py publish_releases``
catches up a database that had approved reports before releases existed.
"""
import csv
import hashlib
import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from indicators.models import DataRelease, DataReleaseFile
from indicators.results import datasets, formats
from provinces.quarters import Quarter

RELEASE_FORMATS = ("csv", "json", "xlsx")
CHANGES = "changes.csv"
SUMS = "SHA256SUMS"
DATAPACKAGE = "datapackage.json"
# Tables whose rows are figures: a change of an earlier row in them makes a release a correction.
FIGURE_TABLES = {"indicator-values", "node-progress", "project-progress"}
# The language of the stored descriptors and change logs: the portal's, Vietnamese.
RELEASE_LANGUAGE = "vi"
LOCK_CLASS = 16_016  # pg_advisory_xact_lock's first key: "data releases"

CHANGES_TABLE = datasets.Table(
    "changes", _("Changes since the previous release"),
    _("One row per row added or removed, and per field changed, in each table of the release."),
    (
        datasets.Field("table", "string", _("Table"), required=True),
        datasets.Field("key", "string", _("Row"), _("The row's primary key, as column=value separated by semicolons."),
                       required=True),
        datasets.Field("change", "string", _("Change"), required=True, enum=("added", "removed", "changed")),
        datasets.Field("field", "string", _("Field")),
        datasets.Field("old", "string", _("Before")),
        datasets.Field("new", "string", _("After")),
    ),
    rows=None,
)


def _lock(quarter):
    """Serialise the releases of one quarter (two workers approving at once get numbers 1 and 2)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, quarter.index])


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def _text_rows(table, rows):
    """The rows as CSV writes them (text), for comparing releases."""
    return [[formats.csv_value(value) for value in row] for row in rows]


def _keyed(table, text_rows):
    positions = [table.names.index(name) for name in table.primary_key]
    return {tuple(row[p] for p in positions): row for row in text_rows}


def _stored_rows(release, table):
    """The text rows of ``table`` in a stored release (``None`` if that release did not have it)."""
    item = release.files.filter(name=f"{table.slug}.csv").first()
    if item is None:
        return None
    with item.file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    if header != table.names:
        return None  # a table whose columns changed since: every row counts as replaced
    return list(reader)


def diff_tables(table, old_rows, new_rows):
    """``[{"table", "key", "change", "field", "old", "new"}]`` from ``old_rows`` to ``new_rows`` (text rows)."""
    old, new = _keyed(table, old_rows or []), _keyed(table, new_rows)
    changes = []

    def key_text(key):
        return "; ".join(f"{name}={value}" for name, value in zip(table.primary_key, key, strict=True))

    for key in sorted(set(old) | set(new)):
        if key not in old:
            changes.append({"table": table.slug, "key": key_text(key), "change": "added", "field": "", "old": "",
                            "new": ""})
        elif key not in new:
            changes.append({"table": table.slug, "key": key_text(key), "change": "removed", "field": "", "old": "",
                            "new": ""})
        else:
            for name, before, after in zip(table.names, old[key], new[key], strict=False):
                if before != after:
                    changes.append({"table": table.slug, "key": key_text(key), "change": "changed", "field": name,
                                    "old": before, "new": after})
    return changes


def build_release(quarter, *, units=(), now=None):
    """Store the next release of ``quarter`` if its figures differ from the latest one; return it (or ``None``).

    ``units``: slugs of the units whose approvals led to it, shown on its page.
    A quarter without any approved figure gets no release.
    """
    with transaction.atomic(), translation.override(RELEASE_LANGUAGE):
        _lock(quarter)
        tables = [table for _dataset, table in datasets.release_tables()]
        rows = {table.slug: list(table.rows(quarter)) for table in tables}
        latest = DataRelease.objects.filter(year=quarter.year, quarter=quarter.quarter).order_by("-number").first()
        if latest is None and not any(rows[slug] for slug in FIGURE_TABLES if slug in rows):
            return None
        files = {}
        for table in tables:
            for fmt in RELEASE_FORMATS:
                files[f"{table.slug}.{fmt}"] = formats.table_bytes(table, rows[table.slug], fmt, about=[
                    (_("Quarter"), str(quarter)),
                    (_("Source"), settings.PORTAL_BASE_URL + reverse("data:release_quarter", args=[quarter])),
                ])
        content_hash = sha256("\n".join(
            f"{table.slug}.csv:{sha256(files[f'{table.slug}.csv'])}" for table in tables
        ).encode())
        if latest is not None and latest.content_hash == content_hash:
            return None

        change_log = []
        if latest is not None:
            for table in tables:
                change_log += diff_tables(table, _stored_rows(latest, table), _text_rows(table, rows[table.slug]))
        if latest is None:
            kind = DataRelease.Kind.FIRST
        elif any(c["table"] in FIGURE_TABLES and c["change"] != "added" for c in change_log):
            kind = DataRelease.Kind.CORRECTION
        else:
            kind = DataRelease.Kind.UPDATE
        release = DataRelease.objects.create(
            year=quarter.year, quarter=quarter.quarter, number=latest.number + 1 if latest else 1, kind=kind,
            created_at=now or timezone.now(), content_hash=content_hash, change_log=change_log,
            units=sorted(set(units)),
        )
        if change_log:
            files[CHANGES] = formats.table_bytes(
                CHANGES_TABLE, ([c[name] for name in CHANGES_TABLE.names] for c in change_log), "csv"
            )
        files[DATAPACKAGE] = formats.dumps(_descriptor(release, tables, files)).encode("utf-8")
        files[SUMS] = "".join(f"{sha256(data)}  {name}\n" for name, data in sorted(files.items())).encode()
        for name, data in files.items():
            _store(release, name, data)
        return release


def _descriptor(release, tables, files):
    period = Quarter(release.year, release.quarter)
    by_slug = {table.slug: table for table in tables}
    resources = []
    for name in [f"{table.slug}.csv" for table in tables] + ([CHANGES] if CHANGES in files else []):
        table = by_slug.get(name.removesuffix(".csv"), CHANGES_TABLE)
        data = files[name]
        resources.append(formats.resource(table, path=name, extra={
            "bytes": len(data), "hash": f"sha256:{sha256(data)}",
        }))
    return formats.datapackage(
        name=f"smart-city-figures-{release.year}-q{release.quarter}",
        title=_("Approved figures of %(quarter)s, release %(number)s") % {"quarter": period, "number": release.number},
        description=_(
            "The quarter's approved indicator values, progress per framework node and project progress, and its "
            "reporting completeness, as published on %(day)s. This release never changes; a later correction is a "
            "new release."
        ) % {"day": timezone.localtime(release.created_at).strftime("%d/%m/%Y")},
        resources=resources,
        keywords=["smart city", str(period)],
        version=release.number,
        temporal=(period.start, period.end),
        created=release.created_at,
    )


def _store(release, name, data):
    DataReleaseFile.objects.create(
        release=release, name=name, file=ContentFile(data, name=name),
        media_type=media_type(name), size=len(data), sha256=sha256(data),
    )


def media_type(name):
    if name == SUMS:
        return "text/plain"
    extension = name.rsplit(".", 1)[-1]
    return formats.MEDIA_TYPES.get(extension, "application/octet-stream")


def publish_quarters(quarters, *, units=()):
    """Build the next release of each quarter of ``quarters`` that needs one; return those built."""
    built = []
    for quarter in sorted(set(quarters)):
        release = build_release(quarter, units=units)
        if release is not None:
            built.append(release)
    return built


def quarters_with_figures():
    """Every quarter with approved figures (results or project progress), oldest first."""
    from indicators.models import IndicatorResult, NodeResult
    from programmes.projects import approved_progress

    found = set(NodeResult.objects.values_list("year", "quarter").distinct())
    found |= set(IndicatorResult.objects.values_list("year", "quarter").distinct())
    found |= set(approved_progress().values_list("report__year", "report__quarter").distinct())
    return [Quarter(*pair) for pair in sorted(found)]
