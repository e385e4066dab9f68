"""Filters of API lists that have no page of their own."""
import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.filtersets import pillar_nodes, task_group_nodes
from indicators.models import Indicator


class StrictBooleanField(forms.NullBooleanField):
    """true/false (1/0) or empty (no filter); anything else is an error, not an unfiltered list
    (Django's field reads every other text as "unknown": found by schemathesis' negative data)."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in (True, "True", "true", "1"):
            return True
        if value in (False, "False", "false", "0"):
            return False
        raise forms.ValidationError(_("Give true or false."), code="invalid")

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class IndicatorFilterSet(django_filters.FilterSet):
    is_active = StrictBooleanFilter(label=_("active"))

    task_group = django_filters.ModelChoiceFilter(
        label=_("Task group"), field_name="mappings__node", to_field_name="code", queryset=task_group_nodes(),
        help_text=_("Task group number of Decision 950."),
    )
    pillar = django_filters.ModelChoiceFilter(
        label=_("Pillar"), field_name="mappings__node", to_field_name="code", queryset=pillar_nodes(),
        help_text=_("Pillar code."),
    )

    class Meta:
        model = Indicator
        fields = ["task_group", "pillar", "is_active"]
