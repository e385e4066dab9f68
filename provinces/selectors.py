"""Reads about provincial units: which were in force when, and their lineage."""
from django.db import connection
from django.db.models import F
from django.db.models.functions import Collate
from django.utils import timezone
from django.utils.translation import get_language

from provinces.models import AdministrativeUnit
from smartcity_portal.text import collation_key


def unit_sort_key(unit):
    """The one order of units on every page, list and file: by the name shown, in the active language.

    Vietnamese dictionary order (``smartcity_portal.text.collation_key``: Hà Nội
    before Huế, Đ after every D); English pages sort by the English name. A
    dissolved unit comes before the unit of the same name formed later.
    """
    return collation_key(unit.name), unit.valid_from is not None, unit.slug


def sorted_units(units, *, dissolved_last=False):
    """``units`` (any iterable, a queryset included) as a list in ``unit_sort_key`` order.

    With ``dissolved_last`` today's units come first and the dissolved ones
    after them, each group in name order (the units of a drop-down list).
    """
    if dissolved_last:
        return sorted(units, key=lambda unit: (unit.valid_until is not None, unit_sort_key(unit)))
    return sorted(units, key=unit_sort_key)


# PostgreSQL's ICU Vietnamese collation; SQLite (the demo's database) is given one
# of the same name, ordering by ``collation_key`` (``add_vietnamese_collation``).
VIETNAMESE_COLLATION = "vi-x-icu"


def unit_name_order(prefix="unit__"):
    """``unit_sort_key``'s order for a database ``order_by`` (lists paged by the database).

    Vietnamese dictionary order (Hà Nội before Huế); on English pages by the English name.
    """
    name = F(f"{prefix}name_en" if (get_language() or "vi").startswith("en") else f"{prefix}name_vi")
    if connection.vendor in ("postgresql", "sqlite"):
        return Collate(name, VIETNAMESE_COLLATION)
    return name


def _compare(a, b):
    a, b = collation_key(a), collation_key(b)
    return (a > b) - (a < b)


def add_vietnamese_collation(sender, connection, **kwargs):
    """Give a new SQLite connection the collation ``unit_name_order`` asks for (``connection_created``)."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(VIETNAMESE_COLLATION, _compare)


def units_in_force(day=None):
    """Units in force on ``day`` (today by default)."""
    return AdministrativeUnit.objects.in_force_on(day or timezone.localdate())


def units_in_force_throughout(quarter):
    """Units that existed for the whole of ``quarter`` and so may report on it."""
    return AdministrativeUnit.objects.in_force_throughout(quarter.start, quarter.end)


def predecessors(unit):
    """Every unit that was merged, directly or through others, into ``unit``."""
    found, frontier = [], [unit.pk]
    while frontier:
        level = list(
            AdministrativeUnit.objects.filter(successor_id__in=frontier).select_related("region")
        )
        found.extend(level)
        frontier = [u.pk for u in level]
    return sorted(found, key=lambda u: u.name_vi)


def current_unit(unit):
    """The unit in force today that ``unit`` became (``unit`` itself if still in force)."""
    seen = set()
    while unit.successor_id is not None and unit.pk not in seen:
        seen.add(unit.pk)
        unit = unit.successor
    return unit


def lineage_map():
    """``{unit_id: current_unit_id}`` for every unit, in one query."""
    parents = dict(AdministrativeUnit.objects.values_list("pk", "successor_id"))
    result = {}
    for pk in parents:
        current, seen = pk, set()
        while parents.get(current) is not None and current not in seen:
            seen.add(current)
            current = parents[current]
        result[pk] = current
    return result


def reporting_units_of(current):
    """The units whose reports roll up into ``current``: itself and its predecessors."""
    return [current, *predecessors(current)]
