"""Filters of API lists that have no page of their own (the report list uses
``programmes.filtersets.ReportFilterSet``, shared with its page)."""
import django_filters
from django.utils.translation import gettext_lazy as _

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
