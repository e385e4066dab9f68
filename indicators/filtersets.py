"""Filters of results pages and their API endpoints."""
from datetime import UTC

import django_filters
from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from indicators import selectors as reference
from indicators.models import (
    Boundaries,
    Framework,
    FrameworkNode,
    FrameworkStatus,
    Indicator,
    IndicatorResult,
    MaturityResult,
    NodeKind,
    NodeResult,
)
from indicators.results.selectors import default_version
from provinces.models import AdministrativeUnit, Region
from provinces.quarters import FIRST_REPORTING_YEAR, Quarter

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


class CommaSeparatedField(forms.CharField):
    """``a,b,c`` → ``["a", "b", "c"]`` (blanks dropped); each part checked by ``check_part``."""

    def __init__(self, *args, check_part=None, **kwargs):
        self.check_part = check_part
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return []
        parts = list(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
        if len(parts) > MAX_LIST_VALUES:
            raise forms.ValidationError(
                _("Give at most %(count)d values, separated by commas.") % {"count": MAX_LIST_VALUES},
                code="too_many",
            )
        return [self.check_part(part) for part in parts] if self.check_part else parts


# More values than units would be a mistake, and a bound on the query.
MAX_LIST_VALUES = 100


class UnitListFilter(django_filters.Filter):
    """Units named by slug (``to_field``) or statistics code, several at once: ``ha-noi,bac-ninh``.

    An unknown one is an error naming it, never a silently shorter list.
    """

    field_class = CommaSeparatedField

    def __init__(self, *args, to_field="slug", **kwargs):
        self.to_field = to_field
        kwargs.setdefault("field_name", "unit")
        super().__init__(*args, check_part=self.check_part, **kwargs)

    def check_part(self, part):
        if self.to_field == "code":
            part = part.zfill(2) if part.isdigit() else part
        if not AdministrativeUnit.objects.filter(**{self.to_field: part}).exists():
            raise forms.ValidationError(
                _("There is no unit %(value)s.") % {"value": part}, code="invalid_choice",
            )
        return part

    def filter(self, qs, value):
        if not value:
            return qs
        # A code may have named a unit before 1 July 2025 and another since: each
        # row belongs to the unit of its quarter, so the code resolves by date.
        return qs.filter(**{f"{self.field_name}__{self.to_field}__in": value})


class PeriodField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return Quarter.parse(value)
        except ValueError:
            raise forms.ValidationError(
                _("Give a quarter as YYYYQn, e.g. 2025Q2."), code="invalid",
            ) from None


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-?[Qq][1-4]$", "example": "2025Q2"})
class PeriodFilter(django_filters.Filter):
    """A quarter written ``2025Q2`` (or ``2025-Q2``); ``lookup`` ``exact``, ``gte`` or ``lte``."""

    field_class = PeriodField

    def __init__(self, *args, lookup="exact", **kwargs):
        self.lookup = lookup
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        if self.lookup == "gte":
            return qs.filter(Q(year__gt=value.year) | Q(year=value.year, quarter__gte=value.quarter))
        if self.lookup == "lte":
            return qs.filter(Q(year__lt=value.year) | Q(year=value.year, quarter__lte=value.quarter))
        return qs.filter(year=value.year, quarter=value.quarter)


class UtcDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date and time, turned into UTC: an offset the database does not take
    (``+16:28``) or a time outside the calendar once moved to UTC is an error, not a 500."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is not None and moment.utcoffset() is not None:
            try:
                moment = moment.astimezone(UTC)
            except OverflowError:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        return moment


class UpdatedAfterFilter(django_filters.IsoDateTimeFilter):
    """Rows changed after an ISO 8601 moment (``2025-10-01T00:00:00+07:00``)."""

    field_class = UtcDateTimeField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "gt")
        super().__init__(*args, **kwargs)


class ResultFilterSet(django_filters.FilterSet):
    """What the two results tables share: boundaries, unit and quarter."""

    boundaries = BoundariesFilter(
        label=_("Boundaries"),
        help_text=_("current (default): rolled up to today's 34 units; as-reported: as the units reported."),
    )
    province = UnitListFilter(
        label=_("Province"), help_text=_("Unit slug, e.g. bac-ninh; several separated by commas."),
    )
    province_code = UnitListFilter(
        label=_("Province code"), to_field="code",
        help_text=_(
            "Statistics code of the unit, e.g. 24; several separated by commas. A code that named "
            "a unit before 1 July 2025 and another since finds each in its own quarters."
        ),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), field_name="unit__region", to_field_name="slug",
        queryset=Region.objects.all(), help_text=_("Region slug."),
    )
    year = YearFilter(label=_("Year"))
    quarter = django_filters.TypedChoiceFilter(
        label=_("Quarter"), choices=[(q, str(q)) for q in range(1, 5)], coerce=int,
    )
    period = PeriodFilter(label=_("Quarter"), help_text=_("One quarter, e.g. 2025Q2."))
    period_from = PeriodFilter(label=_("From quarter"), lookup="gte", help_text=_("First quarter, e.g. 2024Q1."))
    period_to = PeriodFilter(label=_("To quarter"), lookup="lte", help_text=_("Last quarter, e.g. 2025Q4."))
    updated_after = UpdatedAfterFilter(
        label=_("Updated after"), field_name="computed_at",
        help_text=_(
            "ISO 8601 date and time: only rows written after it (each row's updated_at). Rows are "
            "rewritten when a report of their unit and quarter is approved or reopened."
        ),
    )

    def __init__(self, data=None, *args, **kwargs):
        # An empty query string must still mean "boundaries=current", which only a
        # bound filterset applies.
        super().__init__(QueryDict() if data is None else data, *args, **kwargs)


def pillar_nodes():
    """The groups of the digital-transformation framework: API v1's and the pages' pillars."""
    return FrameworkNode.objects.filter(
        version__framework__code=reference.PILLARS_FRAMEWORK, version__status=FrameworkStatus.ACTIVE,
        kind=NodeKind.GROUP, depth=0,
    )


def task_group_nodes():
    """The items of Decision 950: API v1's task groups, named by number (their code)."""
    return FrameworkNode.objects.filter(
        version__framework__code=reference.DEFAULT_FRAMEWORK, version__status=FrameworkStatus.ACTIVE,
        kind=NodeKind.PROGRESS,
    )


class FrameworkFilter(django_filters.CharFilter):
    """Results of one framework's items: ``decision-950`` when the request names none."""

    def filter(self, qs, value):
        return qs.filter(node__version__framework__code=value or reference.DEFAULT_FRAMEWORK)


class NodeResultFilterSet(ResultFilterSet):
    framework = FrameworkFilter(
        label=_("Framework"), help_text=_("Framework code; decision-950 when not given."),
    )
    task_group = django_filters.ModelChoiceFilter(
        label=_("Task group"), field_name="node", to_field_name="code", queryset=task_group_nodes(),
        help_text=_("Task group number of Decision 950."),
    )

    class Meta:
        model = NodeResult
        fields = [
            "boundaries", "province", "province_code", "region", "year", "quarter", "period", "period_from",
            "period_to", "updated_after", "framework", "task_group",
        ]


class MappedToFrameworkFilter(django_filters.CharFilter):
    """Values of the indicators counted toward a framework's nodes; every indicator when not given."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(indicator__mappings__node__version__framework__code=value).distinct()


class IndicatorResultFilterSet(ResultFilterSet):
    indicator = django_filters.ModelChoiceFilter(
        label=_("Indicator"), to_field_name="code", queryset=Indicator.objects.all(),
        help_text=_("Indicator code, e.g. TG5-01."),
    )
    framework = MappedToFrameworkFilter(
        label=_("Framework"), help_text=_("Framework code: only the indicators counted toward its nodes."),
    )

    class Meta:
        model = IndicatorResult
        fields = [
            "boundaries", "province", "province_code", "region", "year", "quarter", "period", "period_from",
            "period_to", "updated_after", "indicator", "framework",
        ]


# --- dashboard pages (/, /results/…) ----------------------------------------------------------


class DashboardFilterForm(forms.Form):
    """The filters of the dashboard pages; the names are those of the results API.

    ``year`` and ``quarter`` choose the quarter the figures are "as of" (the
    last quarter with approved figures by default); ``boundaries`` is
    ``current`` (today's 34 units, the default) or ``as-reported``.
    """

    year = forms.IntegerField(label=_("Year"), required=False, min_value=FIRST_REPORTING_YEAR, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), required=False, coerce=int, empty_value=None,
        choices=[("", "—")] + [(q, f"Q{q}") for q in range(1, 5)],
    )
    region = forms.ModelChoiceField(
        label=_("Region"), required=False, queryset=Region.objects.all(), to_field_name="slug",
        empty_label=_("All regions"),
    )
    pillar = forms.ModelChoiceField(
        label=_("Pillar"), required=False, queryset=FrameworkNode.objects.none(), to_field_name="code",
        empty_label=_("All pillars"),
    )
    boundaries = forms.ChoiceField(label=_("Boundaries"), required=False, choices=Boundaries.choices)
    framework = forms.ModelChoiceField(
        label=_("Framework"), required=False, to_field_name="code", empty_label=None,
        queryset=Framework.objects.filter(versions__status=FrameworkStatus.ACTIVE).distinct().order_by("code"),
    )

    def __init__(self, data=None, *, default_quarter, last_quarter=None, fields=None, **kwargs):
        super().__init__(data if data is not None else QueryDict(), **kwargs)
        self.default_quarter = default_quarter
        # Figures exist only for quarters that have ended.
        self.last_quarter = last_quarter or Quarter.last_complete()
        if fields is not None:
            for name in list(self.fields):
                if name not in fields:
                    del self.fields[name]
        if "pillar" in self.fields:
            self.fields["pillar"].queryset = pillar_nodes().order_by("order")

    def clean(self):
        cleaned = super().clean()
        year, quarter = cleaned.get("year"), cleaned.get("quarter")
        if self.errors:
            return cleaned
        if quarter is not None and year is None:
            self.add_error("year", _("Enter the year of the quarter."))
            return cleaned
        if year is None:
            period = self.default_quarter
        elif quarter is None:
            # A year alone means its last quarter that has ended.
            period = min(Quarter(year, 4), self.last_quarter)
            if period.year != year:
                self.add_error("year", _("No quarter of this year has ended yet."))
                return cleaned
        else:
            period = Quarter(year, quarter)
            if period > self.last_quarter:
                self.add_error(
                    "quarter",
                    _("This quarter has not ended yet; the last quarter that has is %(quarter)s.")
                    % {"quarter": self.last_quarter},
                )
                return cleaned
        cleaned["period"] = period
        cleaned["boundaries"] = cleaned.get("boundaries") or Boundaries.CURRENT
        framework = cleaned.get("framework")
        cleaned["version"] = default_version(framework.code if framework else None)
        return cleaned

    @property
    def values(self):
        """The cleaned filters with their defaults: period, boundaries, region, pillar."""
        data = self.cleaned_data
        return {
            "period": data["period"],
            "boundaries": data.get("boundaries") or Boundaries.CURRENT,
            "region": data.get("region"),
            "pillar": data.get("pillar"),
            "version": data.get("version"),
        }


# --- maturity levels (/api/v1/maturity/) ---------------------------------------------------------------


class MaturityResultFilterSet(django_filters.FilterSet):
    """Approved maturity levels per unit, year and framework version."""

    year = YearFilter(label=_("Year"))
    framework = django_filters.ModelChoiceFilter(
        label=_("Framework"), field_name="version__framework", to_field_name="code",
        queryset=Framework.objects.all(), help_text=_("Framework code."),
    )
    framework_version = django_filters.CharFilter(
        label=_("Framework version"), field_name="version__code", help_text=_("Version code, e.g. 2026."),
    )
    province = django_filters.ModelChoiceFilter(
        label=_("Province"), field_name="unit", to_field_name="slug",
        queryset=AdministrativeUnit.objects.all(), help_text=_("Unit slug, e.g. bac-ninh."),
    )
    level = django_filters.NumberFilter(
        label=_("Level reached"), field_name="level", help_text=_("0 when no level is reached."),
    )

    class Meta:
        model = MaturityResult
        fields = ["year", "framework", "framework_version", "province", "level"]
