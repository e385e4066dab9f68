"""Loading the reference data that ships in each app's ``fixtures/`` folder.

Loading is idempotent: a row already in the database is left as it is. Where
an administrator has since edited a field, the edit is kept and reported
(``ReferenceLoadReport.kept_edits``) instead of being overwritten silently;
``overwrite=True`` restores the shipped values.

The shipped frameworks (``indicators/fixtures/frameworks/*.json``) are loaded by
the framework loader (``indicators.frameworks``), after the indicators they map.
A shipped version that is already in the database and differs from its document
(an active version is frozen) is reported as a kept edit, never changed.
"""
import csv
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.db import transaction

from indicators import frameworks
from indicators.models import Framework, FrameworkVersion, Indicator, Target
from provinces.models import AdministrativeUnit, AseanSmartCity, Region
from smartcity_portal.text import normalise

NATIONAL_TARGET_YEAR = 2025


class _KeptEdit(Exception):
    """A shipped framework version that an administrator changed: rolled back, reported."""


@dataclass
class ReferenceLoadReport:
    created: dict = field(default_factory=dict)
    unchanged: dict = field(default_factory=dict)
    kept_edits: list = field(default_factory=list)
    overwritten: list = field(default_factory=list)

    def count(self, bucket, model):
        name = model._meta.verbose_name_plural
        bucket[name] = bucket.get(name, 0) + 1

    @property
    def changed_anything(self):
        return bool(self.created or self.overwritten)


def _rows(app_label, filename):
    path = Path(apps.get_app_config(app_label).path) / "fixtures" / filename
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: normalise(v.strip()) for k, v in row.items()} for row in csv.DictReader(handle)]


def _upsert(model, lookup, values, report, *, overwrite):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.save()
        report.count(report.created, model)
        return obj
    differences = {
        name: (getattr(obj, name), value)
        for name, value in values.items()
        if getattr(obj, name) != value
    }
    if not differences:
        report.count(report.unchanged, model)
        return obj
    for name, (current, shipped) in differences.items():
        entry = {
            "model": model._meta.verbose_name,
            "object": str(obj),
            "field": name,
            "database": str(current),
            "reference": str(shipped),
        }
        if overwrite:
            setattr(obj, name, shipped)
            report.overwritten.append(entry)
        else:
            report.kept_edits.append(entry)
    if overwrite:
        obj.save()
    return obj


def _date(text):
    return date.fromisoformat(text) if text else None


@transaction.atomic
def load_reference_data(*, overwrite=False):
    """Load regions, units, ASEAN cities, indicators and the shipped frameworks."""
    report = ReferenceLoadReport()

    def upsert(model, lookup, values):
        return _upsert(model, lookup, values, report, overwrite=overwrite)

    regions = {
        row["slug"]: upsert(Region, {"slug": row["slug"]}, {"name_vi": row["name_vi"], "name_en": row["name_en"]})
        for row in _rows("provinces", "regions.csv")
    }

    # Units in force today first, so that dissolved units can name their successor.
    unit_rows = sorted(
        _rows("provinces", "administrative_units.csv"), key=lambda row: bool(row["successor_code"])
    )
    # Tile-map positions shipped after the first release: a unit that has never had
    # one gets it now; a position an administrator changed is a kept edit like any other.
    positions = {
        row["slug"]: {"map_row": int(row["row"]), "map_col": int(row["col"])}
        for row in _rows("provinces", "map_tiles.csv")
    }
    unplaced = {
        unit.slug: unit
        for unit in AdministrativeUnit.objects.filter(map_row__isnull=True, map_col__isnull=True)
    }
    units, current_by_code = {}, {}
    for row in unit_rows:
        position = positions.get(row["slug"], {"map_row": None, "map_col": None})
        if row["slug"] in unplaced and position["map_row"] is not None:
            unplaced_unit = unplaced[row["slug"]]
            unplaced_unit.map_row, unplaced_unit.map_col = position["map_row"], position["map_col"]
            unplaced_unit.save(update_fields=["map_row", "map_col"])
        unit = units[row["slug"]] = upsert(
            AdministrativeUnit,
            {"slug": row["slug"]},
            {
                "code": row["code"],
                "name_vi": row["name_vi"],
                "name_en": row["name_en"],
                "kind": row["kind"],
                "region": regions[row["region"]],
                "valid_from": _date(row["valid_from"]),
                "valid_until": _date(row["valid_until"]),
                "successor": current_by_code[row["successor_code"]] if row["successor_code"] else None,
                "former_names": row["former_names"],
                **position,
            },
        )
        if not row["valid_until"]:
            current_by_code[row["code"]] = unit

    for row in _rows("provinces", "asean_smart_cities.csv"):
        upsert(
            AseanSmartCity,
            {"country_code": row["country_code"], "city": row["city"]},
            {
                "country": row["country"],
                "joined_year": int(row["joined_year"]),
                "unit": units[row["vn_unit_slug"]] if row["vn_unit_slug"] else None,
            },
        )

    for row in _rows("indicators", "indicators.csv"):
        indicator = upsert(
            Indicator,
            {"code": row["code"]},
            {
                "name_vi": row["name_vi"],
                "name_en": row["name_en"],
                "unit": row["unit"],
                "value_type": row["value_type"],
                "direction": row["direction"],
                "rollup": row["rollup"],
                "cumulative": row["cumulative"] == "yes",
            },
        )
        if row["national_target_2025"]:
            upsert(
                Target,
                {"indicator": indicator, "year": NATIONAL_TARGET_YEAR, "unit": None},
                {"value": Decimal(row["national_target_2025"])},
            )

    framework_dir = Path(apps.get_app_config("indicators").path) / "fixtures" / "frameworks"
    for path in sorted(framework_dir.glob("*.json")):
        document = frameworks.read_document(path)
        name = f"{document['framework']['code']} {document['version']['code']}"
        try:
            with transaction.atomic():
                loaded = frameworks.load_document(document)
                if loaded.changed and not overwrite:
                    raise _KeptEdit(", ".join(loaded.changed))
        except (frameworks.FrameworkDocumentError, _KeptEdit) as difference:
            report.kept_edits.append({
                "model": FrameworkVersion._meta.verbose_name, "object": name, "field": "",
                "database": "", "reference": str(difference)[:300],
            })
            continue
        if loaded.created:
            report.count(report.created, FrameworkVersion)
        elif loaded.changed:
            report.overwritten.append({
                "model": Framework._meta.verbose_name, "object": name, "field": ", ".join(loaded.changed),
                "database": "", "reference": "",
            })
        else:
            report.count(report.unchanged, FrameworkVersion)
    return report
