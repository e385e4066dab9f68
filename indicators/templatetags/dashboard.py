"""Dashboard sections shown on pages of other apps: the unit page and the ASEAN network page.

``{% unit_dashboard unit %}`` and ``{% asean_progress %}`` are called by the
placeholders ``provinces/includes/unit_dashboard.html`` and
``provinces/includes/asean_progress.html``; the figures come from
``indicators.selectors`` like every other dashboard.
"""
from django import template
from django.urls import reverse

from indicators import selectors
from indicators.models import Boundaries
from indicators.views import asean_table, unit_dashboard_tables

register = template.Library()


@register.inclusion_tag("indicators/includes/unit_dashboard.html", takes_context=True)
def unit_dashboard(context, unit):
    """Programme(s), progress over time, indicators and report history of ``unit``."""
    request = context.get("request")
    user = getattr(request, "user", None)
    dashboard = selectors.unit_dashboard(unit)
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
        "download_base": reverse("indicators:unit_export", kwargs={"slug": unit.slug}) + "?",
        "computed_at": dashboard.computed_at,
    }


@register.inclusion_tag("indicators/includes/asean_progress.html", takes_context=True)
def asean_progress(context):
    """The Vietnamese members of the ASEAN Smart Cities Network and their units' latest progress."""
    quarter, task_groups, members = selectors.asean_progress()
    return {
        "request": context.get("request"),
        "period": quarter,
        "members": members,
        "table": asean_table(quarter, task_groups, members),
        "download_base": reverse("indicators:asean_export") + "?",
        "computed_at": selectors.computed_at(),
        "boundaries_label": Boundaries.CURRENT.label,
    }
