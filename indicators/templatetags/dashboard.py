"""Dashboard sections of the ``provinces`` pages, which cannot import ``indicators.views``.

``{% unit_dashboard unit %}`` (inside the unit page's figures, which its view
renders once per version of the data) and ``{% asean_progress %}`` are called by the placeholders
``provinces/includes/unit_dashboard.html`` and
``provinces/includes/asean_progress.html``; the figures come from
``indicators.results.selectors`` like every other dashboard.
"""
from django import template
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext

from indicators.models import Boundaries
from indicators.results import fragments, selectors
from indicators.views import asean_table, unit_dashboard_tables

register = template.Library()


@register.inclusion_tag("indicators/includes/unit_dashboard.html", takes_context=True)
def unit_dashboard(context, unit):
    """Programme(s), progress over time, indicators and report history of ``unit``.

    Rendered inside the unit page's figures (``provinces.views.UnitDetailView``),
    cached by what the visitor may read: the report history links those reports.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    version = context.get("framework_version")
    dashboard = selectors.unit_dashboard(unit, user, version)
    tables = unit_dashboard_tables(dashboard, user)
    return {
        "request": request,
        "dashboard": dashboard,
        "unit": unit,
        "rolled_up": dashboard.boundaries == Boundaries.CURRENT and bool(dashboard.predecessors),
        "progress_table": tables["progress"],
        "indicator_table": tables["indicators"],
        "report_table": tables["reports"],
        "chart": tables["chart"],
        "download_base": reverse("indicators:unit_export", kwargs={"slug": unit.slug})
        + (f"?framework={version.framework.code}&" if version else "?"),
        "framework_version": version,
        "frameworks": context.get("frameworks", []),
        "computed_at": dashboard.computed_at,
    }


@register.simple_tag(takes_context=True)
def asean_progress(context):
    """The Vietnamese members of the ASEAN Smart Cities Network and their units' latest progress."""
    request = context.get("request")

    def render():
        quarter, items, members = selectors.asean_progress()
        return render_to_string("indicators/includes/asean_progress.html", {
            "period": quarter,
            "members": members,
            "table": asean_table(quarter, items, members),
            "download_base": reverse("indicators:asean_export") + "?",
            "computed_at": selectors.computed_at(),
            "boundaries_label": Boundaries.CURRENT.label,
        }, request=request)

    return fragments.cached_html("asean-progress", [], render)


@register.filter
def shown_tiles(tiles):
    """The tiles of ``includes/tile_map.html`` that have a place on the map, with what the map says of each.

    Each gets ``text`` (its name and figure, for the tile's title and screen
    readers), ``css`` (its heat class) and ``figure`` (what the key beside the
    map writes). Worked out here, once per tile, rather than by the template.
    """
    shown = []
    for tile in tiles:
        if not (tile.get("row") and tile.get("col")):
            continue
        value = tile.get("value")
        if tile.get("label"):
            text = gettext("%(name)s: %(label)s") % {"name": tile["name"], "label": tile["label"]}
        elif value is None:
            text = gettext("%(name)s: no data") % {"name": tile["name"]}
        else:
            text = gettext("%(name)s: %(value)s%%") % {"name": tile["name"], "value": floatformat(value, "0")}
        heat = tile.get("heat")
        shown.append({
            **tile, "text": text, "css": "heat-none" if heat is None else f"heat-{heat}",
            "figure": None if value is None else f"{floatformat(value, '0')}%",
        })
    return shown
