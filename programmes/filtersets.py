"""Filters of the report list: one class for the ``/reports/`` page and ``/api/v1/reports/``;
likewise the assessment list's for ``/assessments/`` and ``/api/v1/assessments/``.

The parameter names (``province``, ``year``, ``quarter``, ``status``) are part of
the API contract; do not rename them. The filterset only narrows a queryset: who
may see which report is decided before, by ``programmes.policies.listed_reports``.
"""
import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from indicators.models import Framework, FrameworkStatus, NodeKind
from programmes.models import (
    Assessment,
    FundingSource,
    ProjectStatus,
    PublishedProject,
    Report,
    ReportStatus,
)
from provinces import selectors as unit_selectors
from provinces.models import AdministrativeUnit
from provinces.quarters import FIRST_REPORTING_YEAR
from smartcity_portal.forms import FilterBarForm

QUARTER_CHOICES = [(n, f"Q{n}") for n in range(1, 5)]


class UnitChoiceIterator(forms.models.ModelChoiceIterator):
    """Today's units in Vietnamese (or, in English, English) name order, then the dissolved ones."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for unit in unit_selectors.sorted_units(self.queryset, dissolved_last=True):
            yield self.choice(unit)


class UnitChoiceField(forms.ModelChoiceField):
    """A unit select in which the units dissolved on 1 July 2025 say so, in name order (``sorted_units``)."""

    iterator = UnitChoiceIterator

    def label_from_instance(self, unit):
        if unit.valid_until is not None:
            # Translators: a unit that no longer exists, in a drop-down list, e.g. "Bắc Giang (until 30/06/2025)".
            return _("%(unit)s (until %(day)s)") % {
                "unit": unit.name, "day": unit.valid_until.strftime("%d/%m/%Y"),
            }
        return unit.name


class UnitFilter(django_filters.ModelChoiceFilter):
    field_class = UnitChoiceField


class IntegerFilter(django_filters.NumberFilter):
    # Years are whole numbers: "2025.5" is an error, not an empty list.
    field_class = forms.IntegerField


class ReportFilterSet(django_filters.FilterSet):
    province = UnitFilter(
        label=_("Unit"),
        field_name="unit",
        to_field_name="slug",
        # Current units first, then the dissolved ones: most reports are filed by today's units.
        queryset=AdministrativeUnit.objects.order_by("valid_until", "name_vi"),
        empty_label=_("All units"),
        help_text=_("Unit slug, e.g. bac-ninh; reports filed by that unit itself."),
    )
    year = IntegerFilter(
        label=_("Year"),
        field_name="year",
        min_value=FIRST_REPORTING_YEAR,
        max_value=2100,
        widget=forms.NumberInput(attrs={"min": FIRST_REPORTING_YEAR, "max": 2100, "step": 1, "class": "input-year"}),
        help_text=_("Year of the quarter reported on, e.g. 2025."),
    )
    quarter = django_filters.ChoiceFilter(
        label=_("Quarter"),
        choices=QUARTER_CHOICES,
        empty_label=_("Any quarter"),
        help_text=_("Quarter of the year, 1 to 4."),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=ReportStatus.choices,
        empty_label=_("Any status"),
        help_text=_("draft, submitted, returned or approved."),
    )

    class Meta:
        model = Report
        fields = ["province", "year", "quarter", "status"]
        form = FilterBarForm


class FrameworkCodeFilter(django_filters.ModelChoiceFilter):
    """A framework named by its code, among those with a version assessed by maturity level."""


def _maturity_frameworks():
    return Framework.objects.filter(
        versions__item_kind=NodeKind.CRITERION, versions__levels__isnull=False,
        versions__status__in=[FrameworkStatus.ACTIVE, FrameworkStatus.RETIRED],
    ).distinct().order_by("code")


class AssessmentFilterSet(django_filters.FilterSet):
    """Filters of the assessment list: the ``/assessments/`` page and ``/api/v1/assessments/``."""

    province = UnitFilter(
        label=_("Unit"),
        field_name="unit",
        to_field_name="slug",
        queryset=AdministrativeUnit.objects.order_by("valid_until", "name_vi"),
        empty_label=_("All units"),
        help_text=_("Unit slug, e.g. bac-ninh."),
    )
    year = IntegerFilter(
        label=_("Year"),
        field_name="year",
        min_value=FIRST_REPORTING_YEAR,
        max_value=2100,
        widget=forms.NumberInput(attrs={"min": FIRST_REPORTING_YEAR, "max": 2100, "step": 1, "class": "input-year"}),
        help_text=_("The year assessed, e.g. 2026."),
    )
    framework = FrameworkCodeFilter(
        label=_("Framework"),
        field_name="framework_version__framework",
        to_field_name="code",
        queryset=_maturity_frameworks(),
        empty_label=_("All frameworks"),
        help_text=_("Framework code."),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=ReportStatus.choices,
        empty_label=_("Any status"),
        help_text=_("draft, submitted, returned or approved."),
    )

    class Meta:
        model = Assessment
        fields = ["province", "year", "framework", "status"]
        form = FilterBarForm


class PublishedReportFilterSet(ReportFilterSet):
    """The public list of published reports (``/published-reports/``): the report list's filters but the status."""

    status = None

    class Meta(ReportFilterSet.Meta):
        fields = ["province", "year", "quarter"]


class PublishedAssessmentFilterSet(AssessmentFilterSet):
    """The public list of published self-assessments: the assessment list's filters but the status."""

    status = None

    class Meta(AssessmentFilterSet.Meta):
        fields = ["province", "year", "framework"]


@extend_schema_field(OpenApiTypes.STR)
class NodeFilter(django_filters.ChoiceFilter):
    """A framework node named ``framework:code`` (``decision-950:5``), among the versions in force."""

    def __init__(self, *args, **kwargs):
        from programmes.projects import node_choice_groups

        kwargs.setdefault("choices", node_choice_groups)
        super().__init__(*args, **kwargs)

    def filter(self, queryset, value):
        if not value:
            return queryset
        framework, _, code = str(value).partition(":")
        return queryset.filter(nodes__version__framework__code=framework, nodes__code=code).distinct()


class ProjectFilterSet(django_filters.FilterSet):
    """Filters of the published projects: one class for the ``/projects/`` page and ``/api/v1/projects/``.

    The filterset only narrows published projects (``PublishedProject``): what
    is public is decided before, by the approvals that published them.
    """

    province = UnitFilter(
        label=_("Unit"), field_name="unit", to_field_name="slug",
        queryset=AdministrativeUnit.objects.current().order_by("name_vi"),
        empty_label=_("All units"), help_text=_("Unit slug, e.g. bac-ninh."),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ProjectStatus.choices, empty_label=_("Any status"),
        help_text=_("As the latest approved report gives it: planned, in-progress, completed, suspended or cancelled."),
    )
    funding = django_filters.ChoiceFilter(
        label=_("Funding source"), field_name="funding_source", choices=FundingSource.choices,
        empty_label=_("Any funding source"), help_text=_("central-budget, local-budget, oda, ppp or private."),
    )
    node = NodeFilter(
        label=_("Framework node"), empty_label=_("Any framework node"),
        help_text=_("Projects meant to move this node, named framework:code, e.g. decision-950:5."),
    )

    class Meta:
        model = PublishedProject
        fields = ["province", "status", "funding", "node"]
        form = FilterBarForm
