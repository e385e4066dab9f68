"""Filters of API lists that have no page of their own."""
import django_filters
from django.utils.translation import gettext_lazy as _

from indicators.filtersets import pillar_nodes, task_group_nodes
from indicators.models import Indicator


class IndicatorFilterSet(django_filters.FilterSet):
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
