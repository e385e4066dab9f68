"""Forms shared by the apps' pages."""
from django import forms


class FilterBarForm(forms.Form):
    """Base form of a filterset that a list page shows as its filter bar.

    A filter's help text documents the API parameter ("Unit slug, e.g. bac-ninh");
    drf-spectacular reads it from the filter, not from this form. On the page it
    would sit beside a list of unit names, so the form keeps only the help of the
    fields named in ``help_shown``, which the bar shows; Django then points a field's
    ``aria-describedby`` at help that is on the page, never at help that is not.
    """

    help_shown = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name not in self.help_shown:
                field.help_text = ""
