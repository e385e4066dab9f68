"""Filters of API lists that have no page of their own, and what the API's report list
adds to ``programmes.filtersets.ReportFilterSet``, the filters it shares with its page."""
import django_filters
from django.utils.translation import gettext_lazy as _

from indicators.filtersets import PeriodFilter, UpdatedAfterFilter
from programmes.filtersets import ReportFilterSet
from programmes.models import Programme, ProgrammeStatus
from provinces.models import AdministrativeUnit


class ProgrammeFilterSet(django_filters.FilterSet):
    province = django_filters.ModelChoiceFilter(
        label=_("Province"), field_name="unit", to_field_name="slug",
        queryset=AdministrativeUnit.objects.all(), help_text=_("Unit slug, e.g. ha-noi."),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ProgrammeStatus.choices)

    class Meta:
        model = Programme
        fields = ["province", "status"]


class ReportApiFilterSet(ReportFilterSet):
    """The report page's filters, and those for scripts that sync: by period and by time of change."""

    period = PeriodFilter(label=_("Quarter"), help_text=_("One quarter, e.g. 2025Q2."))
    period_from = PeriodFilter(label=_("From quarter"), lookup="gte", help_text=_("First quarter, e.g. 2024Q1."))
    period_to = PeriodFilter(label=_("To quarter"), lookup="lte", help_text=_("Last quarter, e.g. 2025Q4."))
    updated_after = UpdatedAfterFilter(
        label=_("Updated after"), field_name="updated_at",
        help_text=_("ISO 8601 date and time: only reports saved or moved in the workflow after it (their updated_at)."),
    )

    class Meta(ReportFilterSet.Meta):
        fields = [*ReportFilterSet.Meta.fields, "period", "period_from", "period_to", "updated_after"]
