from django.urls import reverse

from programmes import policies
from programmes.selectors import holds_demo_data


def portal(request):
    """Values every page needs: whether the database holds demo data, the page's canonical address,
    whether the user lands on the own unit's page (a province reporter: "My unit" in the navigation),
    and whether the navigation offers the import and the export.

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
    }
