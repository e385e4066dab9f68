"""Filters of results pages and their API endpoints."""
import django_filters
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from indicators.models import Boundaries, Indicator, IndicatorResult, TaskGroupResult
from programmes.models import TaskGroup
from programmes.quarters import FIRST_REPORTING_YEAR
from provinces.models import AdministrativeUnit

# --- results of approved reports (/api/v1/progress/, /api/v1/indicator-values/) -----------


class BoundariesFilter(django_filters.ChoiceFilter):
    """``current`` (the default): rolled up to today's 34 units; ``as-reported``: as the units reported."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", Boundaries.choices)
        kwargs.setdefault("empty_label", None)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return qs.filter(boundaries=value or Boundaries.CURRENT)


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", FIRST_REPORTING_YEAR)
        kwargs.setdefault("max_value", 2100)
        super().__init__(*args, **kwargs)


class ResultFilterSet(django_filters.FilterSet):
    """What the two results tables share: boundaries, unit and quarter."""

    boundaries = BoundariesFilter(
        label=_("Boundaries"),
        help_text=_("current (default): rolled up to today's 34 units; as-reported: as the units reported."),
    )
    province = django_filters.ModelChoiceFilter(
        label=_("Province"), field_name="unit", to_field_name="slug",
        queryset=AdministrativeUnit.objects.all(), help_text=_("Unit slug, e.g. bac-ninh."),
    )
    year = YearFilter(label=_("Year"))
    quarter = django_filters.TypedChoiceFilter(
        label=_("Quarter"), choices=[(q, str(q)) for q in range(1, 5)], coerce=int,
    )

    def __init__(self, data=None, *args, **kwargs):
        # An empty query string must still mean "boundaries=current", which only a
        # bound filterset applies.
        super().__init__(QueryDict() if data is None else data, *args, **kwargs)


class TaskGroupResultFilterSet(ResultFilterSet):
    task_group = django_filters.ModelChoiceFilter(
        label=_("Task group"), to_field_name="number", queryset=TaskGroup.objects.all(),
        help_text=_("Task group number, 1 to 9."),
    )

    class Meta:
        model = TaskGroupResult
        fields = ["boundaries", "province", "year", "quarter", "task_group"]


class IndicatorResultFilterSet(ResultFilterSet):
    indicator = django_filters.ModelChoiceFilter(
        label=_("Indicator"), to_field_name="code", queryset=Indicator.objects.all(),
        help_text=_("Indicator code, e.g. TG5-01."),
    )

    class Meta:
        model = IndicatorResult
        fields = ["boundaries", "province", "year", "quarter", "indicator"]
