from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from programmes import policies
from programmes.selectors import holds_demo_data


def portal(request):
    """Values every page needs: whether the database holds demo data, the page's canonical address,
    whether the user lands on the own unit's page (a province reporter: "My unit" in the navigation),
    whether the navigation offers the import and the export, and which of its links
    leads to the page (``nav``, see ``main_nav_item``).

    The canonical address is the page's path without its query (filters,
    downloads and the language live in the query or a cookie), on the host
    the request came to; ``/overview/`` is the overview, whose address is ``/``.
    """
    path = reverse("home") if request.path == reverse("overview") else request.path
    return {
        "portal_is_demo": holds_demo_data(),
        "canonical_url": request.build_absolute_uri(path),
        "lands_on_unit_page": lambda: policies.lands_on_unit_page(getattr(request, "user", None)),
        # Import and export in the navigation, for those who may use them.
        "may_import": lambda: policies.can_import_values(getattr(request, "user", None)),
        "may_export": lambda: policies.can_export_results(getattr(request, "user", None)),
        # Worked out once, at the first link that asks (a lambda would run again for each).
        "nav": SimpleLazyObject(lambda: main_nav_item(request.path)),
    }


# The main navigation's links (templates/base.html), by URL name.
MAIN_NAV = [
    "overview", "programmes:my_unit", "provinces:unit_list", "provinces:asean", "programmes:report_list",
    "assessments:list", "indicators:import", "indicators:export", "indicators:maturity",
    "indicators:completeness", "projects:list", "data:index", "api-docs", "admin:index",
]


def main_nav_item(path):
    """The navigation link a page belongs to, for ``aria-current``: ``{"name": ..., "current": ...}``.

    The link whose address is the longest start of ``path`` ("/reports/mine/" is
    "My unit", not "Reports"); "current" is "page" on the link's own address and
    "true" below it. The home page belongs to "Overview". Empty when no link leads there.
    """
    if path == reverse("home"):
        return {"name": "overview", "current": "page"}
    best = None
    for name in MAIN_NAV:
        href = reverse(name)
        if path.startswith(href) and (best is None or len(href) > len(best[1])):
            best = (name, href)
    if best is None:
        return {}
    return {"name": best[0], "current": "page" if path == best[1] else "true"}
