"""The maturity dashboards: levels per unit on the map and in a table, the distribution,
each unit's gap list, the ranking, and the method page.

Figures come from ``MaturityResult`` (approved assessments only, computed by
``indicators.results.maturity``); each table downloads as CSV or XLSX with
``?format=csv|xlsx&table=<name>`` and the same filters. The rendered figures are
cached like the other dashboards' (``indicators.results.fragments``), under the
results generation that every recomputation bumps.
"""
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from indicators.models import Framework, FrameworkNode, MaturityResult, NodeKind
from indicators.results import fragments, maturity
from indicators.results.exports import (
    FORMATS,
    Cell,
    Table,
    download_about,
    download_error,
    table_response,
    unknown_format,
)
from indicators.views import progress_chart, short_names, unit_cell, unit_label
from programmes import assessment_selectors
from provinces.models import Region
from provinces.quarters import FIRST_REPORTING_YEAR

LEVEL_CSS = "level-{}"


def maturity_frameworks():
    """Frameworks with a version assessed by maturity level, by code."""
    codes = sorted({v.framework.code for v in assessment_selectors.maturity_versions()})
    return Framework.objects.filter(code__in=codes).order_by("code")


class MaturityFilterForm(forms.Form):
    """``?framework=&year=&region=``: the framework (the first one by default), the year, a region."""

    framework = forms.ModelChoiceField(
        label=_("Framework"), required=False, to_field_name="code", queryset=Framework.objects.none(),
        empty_label=None,
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=FIRST_REPORTING_YEAR, max_value=2100)
    region = forms.ModelChoiceField(
        label=_("Region"), required=False, queryset=Region.objects.all(), to_field_name="slug",
        empty_label=_("All regions"),
    )

    def __init__(self, data, *, frameworks, today, **kwargs):
        super().__init__(data, **kwargs)
        self.today = today
        self.fields["framework"].queryset = frameworks

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and year > self.today.year:
            raise forms.ValidationError(
                _("%(year)s has not begun yet: no unit is assessed for it.") % {"year": year}
            )
        return year


def level_heat(level, top):
    """The heat class of a level (0…9) on a scale whose top is the version's highest level."""
    if level is None:
        return None
    return 0 if not top else round(9 * level / top)


def public_page(version, year, unit):
    """The public page of ``unit``'s approved self-assessment of ``year`` against ``version``."""
    return reverse("published:assessment", kwargs={
        "slug": unit.slug, "year": year, "framework": version.framework.code, "version": version.code,
    })


def level_name(levels, number):
    level = next((lv for lv in levels if lv.number == number), None)
    if level is None:
        return gettext("no level reached")
    return f"{level.number}. {level.name}"


class MaturityView(TemplateView):
    """``/results/maturity/``: the level each unit reached in a year, with the tables and the map."""

    template_name = "indicators/maturity.html"
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = ("framework", "year", "region")

    def get(self, request, *args, **kwargs):
        self.format = request.GET.get("format")
        if self.format is not None and self.format not in FORMATS:
            return unknown_format()
        today = timezone.localdate()
        frameworks = maturity_frameworks()
        self.form = MaturityFilterForm(request.GET, frameworks=frameworks, today=today)
        if not self.form.is_valid():
            if self.format:
                return download_error(gettext("Invalid filters."), "invalid",
                                      errors=self.form.errors.get_json_data())
            return self.render_to_response({**self.base_context(), "filters_valid": False}, status=400)
        data = self.form.cleaned_data
        framework = data.get("framework") or frameworks.first()
        self.framework, self.region = framework, data.get("region")
        self.year = data.get("year") or self.default_year(framework, today)
        self.version = assessment_selectors.version_for_year(framework.code, self.year) if framework else None
        context = {**self.base_context(), "filters_valid": True}
        if self.format:
            figures = self.figures()
            tables = {table.name: table for table in figures["tables"]}
            name = request.GET.get("table") or next(iter(tables), "")
            if name not in tables:
                return download_error(gettext("Unknown table."), "invalid_table", tables=list(tables))
            return table_response(tables[name], self.format, f"{framework.code}-{self.year}",
                                  download_about(self.request))
        context["figures_html"] = fragments.cached_html(
            "dashboard:MaturityView", self.cache_parts(),
            lambda: render_to_string(
                "indicators/includes/maturity_figures.html", {**context, **self.figures()}, request=request
            ),
        )
        return self.render_to_response(context)

    def cache_parts(self):
        query = self.request.GET
        if any(name not in ("framework", "year", "region") for name in query) or len(query.urlencode()) > 200:
            return None
        return [getattr(self.framework, "code", None), self.year, getattr(self.region, "slug", None)]

    def default_year(self, framework, today):
        if framework is None:
            return today.year
        latest = (
            MaturityResult.objects.filter(version__framework=framework).order_by("-year")
            .values_list("year", flat=True).first()
        )
        return latest or today.year

    def base_context(self):
        return {
            "view": self,
            "form": self.form,
            "framework": getattr(self, "framework", None),
            "year": getattr(self, "year", None),
            "version_obj": getattr(self, "version", None),
            "region": getattr(self, "region", None),
        }

    def figures(self):
        version, year = self.version, self.year
        if version is None:
            return {"tables": [], "no_version": True}
        levels = list(version.levels.all())
        top = max((lv.number for lv in levels), default=0)
        rows = maturity.level_rows(version, year, self.region)
        criteria = {
            node.code: node for node in FrameworkNode.objects.filter(version=version, kind=NodeKind.CRITERION)
        }

        level_table = Table(
            "levels", gettext("Level reached per unit"),
            [gettext("Unit"), gettext("Level reached"),
             *(Cell(gettext("Level %(number)s: criteria verified met / assessed") % {"number": lv.number},
                    text=gettext("L%(number)s met") % {"number": lv.number}, title=lv.name) for lv in levels),
             gettext("Criteria verified met")],
            caption=gettext("%(year)s, %(version)s") % {"year": year, "version": version},
        )
        for row in rows:
            result = row.result
            if result is None:
                level_table.add([unit_cell(row.unit), Cell(None, text=gettext("not assessed"), css="heat-none"),
                                 *(None for _lv in levels), None])
                continue
            counts = {item["level"]: item for item in result.per_level}
            level_table.add([
                unit_cell(row.unit),
                Cell(result.level, text=level_name(levels, result.level),
                     css=f"heat-{level_heat(result.level, top)}"),
                *(Cell(f"{counts.get(lv.number, {}).get('met', 0)}/{counts.get(lv.number, {}).get('assessed', 0)}")
                  for lv in levels),
                result.criteria_met,
            ])

        distribution = Table(
            "distribution", gettext("Units per level reached"), [gettext("Level reached"), gettext("Units")],
        )
        counts = maturity.distribution(rows, levels)
        for number, count in counts:
            label = gettext("not assessed") if number is None else level_name(levels, number)
            css = "heat-none" if number is None else f"heat-{level_heat(number, top)}"
            distribution.add([Cell(label, css=css), count])
        chart = progress_chart(
            [gettext("not assessed") if n is None else level_name(levels, n) for n, _c in counts],
            [{"label": gettext("Units"), "data": [c for _n, c in counts], "dashed": False}],
            y_label=gettext("Units"), y_max=None, chart_type="bar",
        )

        gaps = Table(
            "gaps", gettext("What each unit lacks to reach the next level"),
            [gettext("Unit"), gettext("Level reached"), gettext("Next level"), gettext("Criteria to be verified met")],
        )
        for row in rows:
            result = row.result
            if result is None:
                continue
            following = next((lv for lv in levels if lv.number == result.level + 1), None)
            missing = "; ".join(
                f"{code}. {criteria[code].name}" if code in criteria else code for code in result.gaps
            )
            gaps.add([
                unit_cell(row.unit),
                Cell(result.level, text=level_name(levels, result.level), url=public_page(version, year, row.unit)),
                Cell(following.number if following else None,
                     text=f"{following.number}. {following.name}" if following else gettext("highest level reached")),
                Cell(missing, text=missing or "—"),
            ])

        ranking = Table(
            "ranking", gettext("Ranking"),
            [gettext("Rank"), gettext("Unit"), gettext("Level reached"), gettext("Criteria verified met")],
            caption=gettext("by level reached, then by the number of criteria verified met"),
        )
        for rank, row in maturity.ranking(rows):
            ranking.add([rank, unit_cell(row.unit),
                         Cell(row.result.level, text=level_name(levels, row.result.level),
                              url=public_page(version, year, row.unit)),
                         row.result.criteria_met])

        by_unit = {row.unit.pk: row for row in rows}
        tiles = []
        # North to south, west to east: the order in which the map's key lists them.
        placed = sorted((row for row in rows if row.unit.map_row is not None and row.unit.map_col is not None),
                        key=lambda row: (row.unit.map_row, row.unit.map_col))
        shorts = short_names([row.unit for row in placed])
        for row in placed:
            unit = row.unit
            level = row.level
            tiles.append({
                "slug": unit.slug, "name": unit_label(unit), "short": shorts[unit.pk],
                "row": unit.map_row, "col": unit.map_col, "value": level,
                "heat": level_heat(level, top), "url": unit.get_absolute_url(),
                "label": gettext("not assessed") if level is None else level_name(levels, level),
            })
        return {
            "levels": levels,
            "level_table": level_table,
            "distribution_table": distribution,
            "distribution_chart": chart,
            "gaps_table": gaps,
            "ranking_table": ranking,
            "tiles": tiles,
            "legend": [(n, level_name(levels, n), level_heat(n, top)) for n in [0, *(lv.number for lv in levels)]],
            "assessed": sum(1 for row in by_unit.values() if row.result is not None),
            "unit_count": len(rows),
            "computed_at": max((row.result.computed_at for row in rows if row.result), default=None),
            "tables": [level_table, distribution, gaps, ranking],
        }


# The method page's worked example: three levels, five criteria (code, level, verified met).
EXAMPLE = [("A1", 1, True), ("A2", 1, True), ("B1", 2, True), ("B2", 2, False), ("C1", 3, True)]


class MaturityMethodView(TemplateView):
    """``/results/maturity/method/``: how levels are computed, the evidence rule, verification, the versions.

    Its worked example is computed by the rule itself (``indicators.results.maturity.summarise``).
    """

    template_name = "indicators/maturity_method.html"
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = ()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        versions = assessment_selectors.maturity_versions()
        for version in versions:
            version.level_list = list(version.levels.all())
        example = maturity.summarise([1, 2, 3], [maturity.CriterionState(*row) for row in EXAMPLE])
        context.update(
            versions=versions,
            any_illustrative=any(v.is_illustrative for v in versions),
            example_rows=EXAMPLE,
            example=example,
        )
        return context
