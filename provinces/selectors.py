"""Reads about provincial units: which were in force when, and their lineage."""
from django.utils import timezone

from provinces.models import AdministrativeUnit


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
