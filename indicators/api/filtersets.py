"""Filters of API lists that have no page of their own."""
import django_filters
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator
from programmes.models import Pillar, TaskGroup


class IndicatorFilterSet(django_filters.FilterSet):
    task_group = django_filters.ModelChoiceFilter(
        label=_("Task group"), to_field_name="number", queryset=TaskGroup.objects.all(),
        help_text=_("Task group number, 1 to 9."),
    )
    pillar = django_filters.ModelChoiceFilter(
        label=_("Pillar"), to_field_name="code", queryset=Pillar.objects.all(),
        help_text=_("Pillar code."),
    )

    class Meta:
        model = Indicator
        fields = ["task_group", "pillar", "is_active"]
