"""Forms of the units pages."""

from smartcity_portal.forms import FilterBarForm
from smartcity_portal.text import normalise


class UnitFilterForm(FilterBarForm):
    """Base form of ``AdministrativeUnitFilterSet``: cleans the free-text fields.

    The same cleaning serves the list page and the API, so "  Bắc   Ninh" typed
    in the filter bar and sent by an integrator find the same units. The bar shows
    the search field's help ("Part of the name, with or without Vietnamese accents").
    """

    help_shown = ("q",)

    def clean_q(self):
        text = normalise(self.cleaned_data.get("q") or "")
        return " ".join(text.split())

    def clean_code(self):
        code = (self.cleaned_data.get("code") or "").strip()
        # Codes are two digits ("01"); integrators often send "1".
        return code.zfill(2) if code else ""
