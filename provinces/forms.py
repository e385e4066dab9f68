"""Forms of the units pages."""
from django import forms

from smartcity_portal.text import normalise


class UnitFilterForm(forms.Form):
    """Base form of ``AdministrativeUnitFilterSet``: cleans the free-text fields.

    The same cleaning serves the list page and the API, so "  Bắc   Ninh" typed
    in the filter bar and sent by an integrator find the same units.
    """

    def clean_q(self):
        text = normalise(self.cleaned_data.get("q") or "")
        return " ".join(text.split())

    def clean_code(self):
        code = (self.cleaned_data.get("code") or "").strip()
        # Codes are two digits ("01"); integrators often send "1".
        return code.zfill(2) if code else ""
