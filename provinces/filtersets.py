"""Filters of the unit list: one class for the ``/provinces/`` page and ``/api/v1/provinces/``.

The parameter names (``status``, ``region``, ``kind``, ``code``, ``q``) are part of
the API contract; do not rename them.
"""
from datetime import timedelta

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from provinces.forms import UnitFilterForm
from provinces.models import AdministrativeUnit, Region, UnitKind
from provinces.quarters import MERGER_DATE


class UnitStatus:
    CURRENT = "current"
    HISTORICAL = "historical"
    ALL = "all"
    DEFAULT = CURRENT
    CHOICES = [
        (CURRENT, _("In force now")),
        (HISTORICAL, _("In force before July 2025")),
        (ALL, _("All, past and present")),
    ]


class UnitStatusFilter(django_filters.ChoiceFilter):
    """``current`` (the default), ``historical`` or ``all``.

    ``historical`` is the map before the reorganisation: the 63 units in force
    on 30 June 2025, including the 11 that continue unchanged, because that is
    the set of units whose reports make up the quarters up to 2025-Q2.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", UnitStatus.CHOICES)
        kwargs.setdefault("empty_label", None)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        value = value or UnitStatus.DEFAULT
        if value == UnitStatus.CURRENT:
            return qs.current()
        if value == UnitStatus.HISTORICAL:
            return qs.in_force_on(MERGER_DATE - timedelta(days=1))
        return qs


class AdministrativeUnitFilterSet(django_filters.FilterSet):
    status = UnitStatusFilter(
        label=_("Units"),
        help_text=_("current (default): in force now; historical: in force before July 2025; all."),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"),
        field_name="region",
        to_field_name="slug",
        queryset=Region.objects.all(),
        empty_label=_("All regions"),
        help_text=_("Region slug, e.g. red-river-delta."),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=UnitKind.choices, empty_label=_("Any kind"),
    )
    code = django_filters.CharFilter(
        label=_("Code"),
        method="filter_code",
        validators=[RegexValidator(r"^\d{1,2}$", _("Enter a statistics code of one or two digits."))],
        help_text=_("Two-digit statistics code, e.g. 01."),
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Part of the name, with or without Vietnamese accents."),
    )

    class Meta:
        model = AdministrativeUnit
        fields = ["status", "region", "kind", "code", "q"]
        form = UnitFilterForm

    def __init__(self, data=None, *args, **kwargs):
        # An empty query string must still mean "status=current", which only a
        # bound filterset applies.
        super().__init__(QueryDict() if data is None else data, *args, **kwargs)

    def filter_code(self, queryset, name, value):
        return queryset.filter(code=value)

    def filter_q(self, queryset, name, value):
        return queryset.search(value)
