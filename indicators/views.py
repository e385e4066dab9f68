"""The dashboards: the nation, each framework item and indicator, who has reported, and the method.

Figures come from ``indicators.results.selectors`` (approved results only); each page
builds its tables once (``indicators.exports.Table``) and either renders them
or, with ``?format=csv`` or ``?format=xlsx`` (and ``table=<name>`` when the
page has several), downloads one of them with the same filters.
"""
from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from indicators import selectors as reference
from indicators.filtersets import DashboardFilterForm
from indicators.models import (
    Boundaries,
    Framework,
    FrameworkNode,
    FrameworkVersion,
    Indicator,
    NodeKind,
    Rollup,
)
from indicators.results import fragments, selectors
from indicators.results.exports import (
    FORMATS,
    Cell,
    Table,
    display_value,
    download_about,
    download_error,
    table_response,
    unknown_format,
)
from indicators.results.progress import choose_target
from programmes import policies
from provinces.models import AdministrativeUnit
from provinces.quarters import FIRST_REPORTING_YEAR, MERGER_DATE, Quarter, quarter_range
from smartcity_portal.text import fold

# Quarters shown side by side in the indicator and completeness tables.
QUARTERS_SHOWN = 8


# --- shared pieces ----------------------------------------------------------------------------


def unit_label(unit):
    """The unit's name, with its end date when it was dissolved (two units may share a name)."""
    return unit.dated_name


def unit_cell(unit):
    return Cell(unit_label(unit), url=unit.get_absolute_url())


def quarter_cell(quarter):
    """A quarter (``2025-Q3``) kept on one line: a phone's narrow column would break it at the hyphen."""
    return Cell(str(quarter), css="nowrap")


def percent_cell(percent, period=None, unit=None):
    """A heat-coloured percent cell; its title says which quarter the figure is from."""
    heat = selectors.heat_class(percent)
    shown = None if percent is None else display_value(round_percent(percent))
    title = ""
    if shown is not None and period is not None:
        title = gettext("%(percent)s%% in %(quarter)s") % {"percent": shown, "quarter": period}
    return Cell(percent, text=shown, css=f"heat-{heat}" if heat is not None else "heat-none", title=title)


def round_percent(percent):
    """A percent to one decimal for the page; downloads keep the stored figure."""
    return Decimal(percent).quantize(Decimal("0.1"))


def year_cell(year):
    """A year, never written with a thousands separator."""
    return Cell(year, text="" if year is None else str(year))


def number(value):
    return None if value is None else float(value)


def _initial(word):
    # "Đ" is a letter of its own in Vietnamese (Đà Nẵng is not D…); other accents are dropped.
    return "Đ" if word[0] in "Đđ" else fold(word[0]).upper()


def short_names(units):
    """``{unit id: label}`` for the tiles of one map: the initials of each name (``HCM``),
    lengthened where two units of the map would share one: with the next letters of the last
    word (Quảng Ninh ``QNi``, Quảng Ngãi ``QNg``), or else of the first (Hà Giang ``HaG``,
    Hậu Giang ``HauG``). A name of one word gives its first three letters.
    """
    words = {unit.pk: [w for w in unit.name_vi.replace("-", " ").split() if w] for unit in units}

    def initials(parts):
        return parts[0][:3] if len(parts) == 1 else "".join(_initial(w) for w in parts)

    def lengthened(parts, k):
        if len(parts) == 1:
            return parts[0][:3 + k]
        last, first = fold(parts[-1]).lower(), fold(parts[0]).lower()
        if k <= 4:
            return initials(parts) + last[1:1 + k]
        return _initial(parts[0]) + first[1:k - 3] + "".join(_initial(w) for w in parts[1:])

    labels = {pk: initials(parts) for pk, parts in words.items()}
    groups = {}
    for pk, label in labels.items():
        groups.setdefault(label, []).append(pk)
    for pks in (pks for pks in groups.values() if len(pks) > 1):
        for k in range(1, 9):
            tried = {pk: lengthened(words[pk], k) for pk in pks}
            if len(set(tried.values())) == len(pks):
                labels.update(tried)
                break
    return labels


def tiles_for(units, values):
    """The ``tiles`` of ``includes/tile_map.html``: ``values`` maps unit id → percent."""
    tiles = []
    # North to south, west to east: the order in which the map's key lists them.
    units = sorted((unit for unit in units if unit.map_row is not None and unit.map_col is not None),
                   key=lambda unit: (unit.map_row, unit.map_col))
    shorts = short_names(units)
    for unit in units:
        value = values.get(unit.pk)
        tiles.append({
            "slug": unit.slug,
            "name": unit_label(unit),
            "short": shorts[unit.pk],
            "row": unit.map_row,
            "col": unit.map_col,
            "value": number(value),
            "heat": selectors.heat_class(value),
            "url": unit.get_absolute_url(),
        })
    return tiles


def item_columns(items):
    """Column headers of framework items: the code on the page, the full name in downloads."""
    return [Cell(f"{node.code}. {node.name}", text=node.code, title=node.name) for node in items]


def item_title(node):
    return node.label


def met_cell(met, period=None):
    """A criterion's answer: met or not met, with the quarter it is from."""
    if met is None:
        return Cell(None, css="heat-none")
    text = gettext("met") if met else gettext("not met")
    title = gettext("%(answer)s in %(quarter)s") % {"answer": text, "quarter": period} if period else ""
    return Cell(text, text=text, css="heat-9" if met else "heat-0", title=title)


def figure_cell(node, figure, period=None):
    """A cell of a framework item: percent complete, or met / not met for a criterion."""
    if isinstance(figure, bool) or (figure is None and node.kind == NodeKind.CRITERION):
        return met_cell(figure, period)
    return percent_cell(figure, period)


def item_url(node):
    return reverse("indicators:node_detail", kwargs={
        "framework": node.version.framework.code, "version": node.version.code, "code": node.code,
    })


def indicator_heads(indicators):
    """``{indicator_id: (address, pillar name, national rule)}``: the reference part of the overview's indicator rows.

    Cached with the reference data, in the page's language: an approval does not change them.
    """
    def compute():
        mappings = reference.mappings_of_indicators([i.pk for i in indicators])
        heads = {}
        for indicator in indicators:
            node = reference.home_node(mappings.get(indicator.pk, []), reference.PILLARS_FRAMEWORK)
            heads[indicator.pk] = (indicator.get_absolute_url(), node.name if node else "", str(national_rule_label(indicator)))
        return heads

    ids = ",".join(str(i.pk) for i in indicators)
    return selectors.cached("indicator-heads", [get_language(), ids], compute, selectors.REFERENCE)


def progress_chart(periods, datasets, y_label="%", y_max=100, chart_type="line"):
    return {
        "type": chart_type,
        "labels": [str(p) for p in periods],
        "datasets": datasets,
        "y_max": y_max,
        "y_label": y_label,
    }


def report_link(user, report):
    """The report page's address if ``user`` may read the report, else its public page if it is published ("")."""
    try:
        if policies.can_view_report(user, report):
            return reverse("programmes:report_detail", kwargs={"pk": report.pk})
        if policies.is_published(report):
            return reverse("published:report", kwargs={"slug": report.unit.slug, "period": report.period_label})
    except NoReverseMatch:
        pass
    return ""


FILTERS_TEMPLATE = "indicators/includes/filters.html"


class DashboardView(TemplateView):
    """A page of figures with the shared filters and table downloads."""

    filter_fields = ("year", "quarter", "region", "pillar", "boundaries", "framework")
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = filter_fields

    def default_quarter(self):
        return selectors.default_quarter()

    def get(self, request, *args, **kwargs):
        self.format = request.GET.get("format")
        if self.format is None:
            # A warm page needs neither the filters checked nor anything computed:
            # only addresses whose filters were valid are in the cache.
            html = fragments.read(self.figures_cache_name(), self.figures_cache_parts())
            self.figures_missing = html is None
            if html is not None:
                context = self.get_page_context(**kwargs)
                context.update(filters_valid=True, figures_html=html)
                return self.render_to_response(context)
        self.form = DashboardFilterForm(
            request.GET, default_quarter=self.default_quarter(), fields=self.filter_fields
        )
        if self.format is not None and self.format not in FORMATS:
            return unknown_format()
        if not self.form.is_valid():
            if self.format:
                return download_error(gettext("Invalid filters."), "invalid",
                                      errors=self.form.errors.get_json_data())
            context = self.get_base_context(**kwargs)
            context["figures_html"] = fragments.render_figures(self, context, cache=False)
            return self.render_to_response(context, status=400)
        self.filters = self.form.values
        context = self.get_context_data(**kwargs)
        if self.format:
            context.update(self.get_figures())
            tables = {table.name: table for table in context["tables"]}
            name = request.GET.get("table") or context["tables"][0].name
            if name not in tables:
                return download_error(gettext("Unknown table."), "invalid_table", tables=list(tables))
            about = download_about(request, boundaries=self.filters.get("boundaries"))
            return table_response(tables[name], self.format, context.get("period", ""), about)
        context["filters_html"] = self.render_filters()
        context["figures_html"] = fragments.render_figures(self, context)
        return self.render_to_response(context)

    def render_filters(self):
        """The filters as HTML for valid filters, cached with the reference data (their choices are).

        Building the form's choices and widgets is a good part of a cold page; the
        form shows only the address's own filters, so the address keys it.
        """
        def render():
            return render_to_string(FILTERS_TEMPLATE, {"form": self.form, "request": self.request})

        if self.figures_cache_parts() is None:
            return mark_safe(render())
        parts = [get_language(), self.request.path, sorted(self.request.GET.lists()), self.filter_fields]
        return mark_safe(selectors.cached("filters-html", parts, render, selectors.REFERENCE))

    def get_page_context(self, **kwargs):
        """What the page shows around its figures (title, breadcrumbs): cheap to build."""
        return super().get_context_data(**kwargs)

    def get_base_context(self, **kwargs):
        context = self.get_page_context(**kwargs)
        context.update(form=self.form, tables=[], filters_valid=False)
        return context

    def get_context_data(self, **kwargs):
        context = self.get_base_context(**kwargs)
        context.update(
            filters_valid=True,
            period=self.filters["period"],
            boundaries=self.filters["boundaries"],
            boundaries_label=Boundaries(self.filters["boundaries"]).label,
            region=self.filters["region"],
            pillar=self.filters["pillar"],
            version=self.filters["version"],
            computed_at=selectors.computed_at(),
        )
        return context

    def get_figures(self):
        """The page's tables, charts and figures, for ``figures_template_name`` (``fragments.render_figures``).

        ``tables`` lists the tables that ``?format=`` can download.
        """
        return {"tables": []}

    def figures_cache_name(self):
        return f"dashboard:{type(self).__name__}"

    def figures_cache_parts(self):
        """What the rendered figures depend on besides the data; ``None`` not to cache them.

        Only addresses made of the page's own filters are cached: any other
        parameter (which the download links would carry) could fill the cache.
        """
        query = self.request.GET
        if any(name not in self.filter_fields for name in query) or len(query.urlencode()) > 200:
            return None
        return [sorted(self.kwargs.items()), sorted(query.lists())]


# --- /: national overview -------------------------------------------------------------------------


class NationalOverviewView(DashboardView):
    """``/``: headline figures, the heat table and map of units × task groups, the national trend."""

    template_name = "indicators/national_overview.html"
    figures_template_name = "indicators/includes/overview_figures.html"

    def get(self, request, *args, **kwargs):
        # A province reporter lands on what is due for the unit; the overview stays at /overview/.
        if request.path == reverse("home") and not request.GET and policies.lands_on_unit_page(request.user):
            return redirect("programmes:my_unit")
        return super().get(request, *args, **kwargs)

    def get_figures(self):
        context = {}
        period, boundaries, region, pillar, version = (
            self.filters["period"], self.filters["boundaries"], self.filters["region"], self.filters["pillar"],
            self.filters["version"],
        )
        heat = selectors.heat_table(boundaries, period, region, version=version)
        headline = selectors.headline(boundaries, period, region, table=heat)
        trend = selectors.national_progress(boundaries, region, last=period, version=version)
        indicator_list = selectors.indicators(pillar)
        heads = indicator_heads(indicator_list)
        national = selectors.national_indicator_series(boundaries, indicator_list, region, last=period)
        all_targets = selectors.targets([i.pk for i in indicator_list])

        heat_table = Table(
            "heat", gettext("Latest approved answer per item"),
            [gettext("Unit"), *item_columns(heat.items), gettext("Average")],
        )
        for row in heat.rows:
            heat_table.add([
                unit_cell(row.unit),
                *(figure_cell(node, figure, q) for node, (figure, q) in zip(heat.items, row.cells, strict=True)),
                percent_cell(row.average),
            ])

        averages = Table(
            "averages", gettext("Average progress per item"),
            [gettext("Item"), gettext("Average percent complete (criteria: share of units meeting it)"),
             gettext("Units with figures")],
            caption=gettext("over the units in force at the end of %(quarter)s") % {"quarter": period},
        )
        for node, average, count in headline.averages:
            averages.add([Cell(item_title(node), url=item_url(node)), percent_cell(average), count])

        trend_table = Table(
            "trend", gettext("National average progress per quarter"),
            [gettext("Quarter"), gettext("All items"), *item_columns(heat.items), gettext("Units reporting")],
        )
        # Latest quarter first (in the file too, which has the page's rows): the table scrolls in its box.
        for q, means, overall, units in reversed(trend):
            trend_table.add([quarter_cell(q), percent_cell(overall), *(percent_cell(means.get(n.pk)) for n in heat.items), units])
        trend_chart = progress_chart(
            [q for q, *_ in trend],
            [{"label": gettext("All items"), "data": [number(o) for _, _, o, _ in trend], "dashed": False}]
            + [
                {"label": item_title(node), "data": [number(m.get(node.pk)) for _, m, _, _ in trend], "dashed": True}
                for node in heat.items
            ],
        )

        indicator_table = Table(
            "indicators", gettext("Indicators: national figure"),
            [gettext("Code"), gettext("Indicator"), gettext("Pillar"), gettext("Combined by"),
             gettext("Quarter"), gettext("National figure"), gettext("Units reporting"),
             gettext("National target"), gettext("Target year"), gettext("Progress status")],
        )
        for indicator in indicator_list:
            series = national.get(indicator.pk, [])
            latest = series[-1] if series else None
            status = selectors.status_of(indicator, [(q, v) for q, v, _ in series], all_targets.get(indicator.pk))
            url, pillar, rule = heads[indicator.pk]
            indicator_table.add([
                Cell(indicator.code, url=url),
                indicator.name,
                pillar,
                rule,
                str(latest[0]) if latest else None,
                latest[1] if latest else None,
                latest[2] if latest else None,
                status.target,
                year_cell(status.target_year),
                status_cell(status),
            ])

        by_unit = heat.by_unit()
        map_units = selectors.map_units(boundaries, region)
        tiles = tiles_for(map_units, {u.pk: by_unit[u.pk].average for u in map_units if u.pk in by_unit})
        frameworks = frameworks_table(boundaries, period, region)
        context.update(
            headline=headline,
            heat=heat,
            frameworks_table=frameworks,
            tiles=tiles,
            trend_chart=trend_chart,
            tables=[heat_table, averages, trend_table, indicator_table, frameworks],
            heat_table=heat_table,
            averages_table=averages,
            trend_table=trend_table,
            indicator_table=indicator_table,
            map_count=len(tiles),
            after_merger=period.start >= MERGER_DATE,
        )
        return context


def frameworks_table(boundaries, period, region):
    """The active frameworks: their version in force, items, units with approved answers, national average."""
    table = Table(
        "frameworks", gettext("Frameworks in force"),
        [gettext("Framework"), gettext("Version"), gettext("Items"), gettext("Units reporting"),
         gettext("National average (%)")],
    )
    for framework, version in selectors.active_frameworks(period.end):
        items = selectors.version_items(version)
        trend = selectors.national_progress(boundaries, region, last=period, version=version, latest_only=True) if items else []
        latest = trend[-1] if trend else None
        overview = f"{reverse('home')}?framework={framework.code}"
        table.add([
            Cell(framework.name, url=overview if items else reverse("indicators:framework_detail", args=[framework.code])),
            Cell(version.code, url=f"{reverse('indicators:framework_detail', args=[framework.code])}?version={version.code}"),
            len(items) if items else gettext("indicators only"),
            latest[3] if latest else None,
            percent_cell(latest[2]) if latest else None,
        ])
    return table


def national_rule_label(indicator):
    if indicator.rollup == Rollup.ANY:
        return gettext("number of units saying yes")
    return indicator.get_rollup_display()


def status_cell(status):
    if status.code == "no-target":
        return Cell(str(status.label), text=str(status.label))
    title = ""
    if status.percent_of_expected is not None:
        title = gettext("%(percent)s%% of the change expected by now") % {"percent": status.percent_of_expected}
    return Cell(str(status.label), badge=status.css, title=title)


# --- /results/frameworks/<framework>/<version>/<code>/ and /results/task-groups/<number>/ --------------


class NodeDetailView(DashboardView):
    """Units ranked by their latest answer on one framework item, the distribution, the latest narratives.

    ``/results/task-groups/<number>/`` is the page of Decision 950's task group ``number``.
    """

    template_name = "indicators/node_detail.html"
    figures_template_name = "indicators/includes/node_figures.html"
    filter_fields = ("year", "quarter", "region", "boundaries")
    public_page_query = filter_fields

    def get(self, request, *args, **kwargs):
        if "number" in kwargs:
            version = selectors.default_version()
            lookup = {"version_id": getattr(version, "pk", None), "code": str(kwargs["number"])}
        else:
            version = selectors.reference_object(
                FrameworkVersion.objects.select_related("framework"),
                framework__code=kwargs["framework"], code=kwargs["version"],
            )
            lookup = {"version_id": getattr(version, "pk", None), "code": kwargs["code"]}
        self.node = version and selectors.reference_object(
            FrameworkNode.objects.select_related("version__framework", "parent"), **lookup
        )
        if not self.node or self.node.kind == NodeKind.GROUP:
            raise Http404
        return super().get(request, *args, **kwargs)

    def get_page_context(self, **kwargs):
        return {**super().get_page_context(**kwargs), "node": self.node}

    def get_figures(self):
        context = {}
        tg = self.node
        period, boundaries, region = self.filters["period"], self.filters["boundaries"], self.filters["region"]
        units = selectors.units_for(boundaries, period, region)
        unit_ids = [u.pk for u in units]
        found = {
            **selectors.threshold_figures(boundaries, period, unit_ids, [tg]),
            **selectors.latest_figures(boundaries, period, unit_ids=unit_ids, node_ids=[tg.pk]),
        }
        ranked = sorted(
            ((u, *found.get((u.pk, tg.pk), (None, None))) for u in units),
            key=lambda item: (item[1] is None, -(item[1] or 0), fold(item[0].name_vi)),
        )
        ranking = Table(
            "ranking", gettext("Units ranked by latest approved percent complete"),
            [gettext("Rank"), gettext("Unit"), gettext("Percent complete"), gettext("Quarter of the figure")],
        )
        rank = 0
        for position, (unit, percent, q) in enumerate(ranked, start=1):
            if percent is not None:
                rank = position
            ranking.add([rank if percent is not None else None, unit_cell(unit), figure_cell(tg, percent, q),
                         quarter_cell(q) if q else None])

        buckets = [0] * 10
        for _unit, percent, _q in ranked:
            if percent is not None:
                buckets[selectors.heat_class(100 if percent is True else 0 if percent is False else percent)] += 1
        labels = [f"{10 * i}–{10 * i + 10} %" for i in range(10)]
        distribution = Table(
            "distribution", gettext("Distribution of units by percent complete"),
            [gettext("Percent complete"), gettext("Units")],
            [[Cell(label, css=f"heat-{i}"), count] for i, (label, count) in enumerate(zip(labels, buckets, strict=True))],
        )
        distribution_chart = progress_chart(
            labels, [{"label": gettext("Units"), "data": buckets, "dashed": False}],
            y_label=gettext("Units"), y_max=None, chart_type="bar",
        )

        trend = selectors.national_progress(boundaries, region, last=period, version=tg.version)
        trend_table = Table(
            "trend", gettext("National average per quarter"),
            [gettext("Quarter"), gettext("Average percent complete")],
            # Latest quarter first, as every quarterly table: the earliest would fill its box.
            [[quarter_cell(q), percent_cell(means.get(tg.pk))] for q, means, _overall, _n in reversed(trend)],
        )
        trend_chart = progress_chart(
            [q for q, *_ in trend],
            [{"label": item_title(tg), "data": [number(m.get(tg.pk)) for _, m, _, _ in trend],
              "dashed": False}],
        )
        mapped = mapped_indicators_table(tg)
        context.update(
            items=selectors.version_items(tg.version),
            mapped=mapped,
            ranking_table=ranking,
            distribution_table=distribution,
            distribution_chart=distribution_chart,
            trend_table=trend_table,
            trend_chart=trend_chart,
            narratives=selectors.latest_narratives(tg, period, region=region),
            tables=[ranking, distribution, trend_table, *([mapped] if mapped else [])],
        )
        return context


def mapped_indicators_table(node):
    """The indicators counted toward ``node``, with the relation and, for a criterion, the threshold."""
    table = Table(
        "crosswalk", gettext("Indicators behind this item"),
        [gettext("Code"), gettext("Indicator"), gettext("Relation"), gettext("Met at")],
    )
    for mapping in node.mappings.select_related("indicator").order_by("indicator__code"):
        table.add([
            Cell(mapping.indicator.code, url=mapping.indicator.get_absolute_url()),
            mapping.indicator.name, mapping.get_relation_display(), mapping.threshold_label or None,
        ])
    return table if table.rows else None


# --- /results/indicators/<code>/ ----------------------------------------------------------------------


class IndicatorDetailView(DashboardView):
    """The national figure of one indicator over time, its target line, and each unit's series."""

    template_name = "indicators/indicator_detail.html"
    figures_template_name = "indicators/includes/indicator_figures.html"
    filter_fields = ("year", "quarter", "region", "boundaries")
    public_page_query = filter_fields

    def get(self, request, *args, **kwargs):
        self.indicator = selectors.reference_object(Indicator.objects.all(), code=kwargs["code"])
        if self.indicator is None:
            raise Http404
        return super().get(request, *args, **kwargs)

    def get_page_context(self, **kwargs):
        return {**super().get_page_context(**kwargs), "indicator": self.indicator}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["mappings"] = reference.mappings_of_indicators([self.indicator.pk]).get(self.indicator.pk, [])
        return context

    def get_figures(self):
        context = {}
        indicator = self.indicator
        period, boundaries, region = self.filters["period"], self.filters["boundaries"], self.filters["region"]
        units = selectors.units_for(boundaries, period, region)
        series = selectors.national_indicator_series(boundaries, [indicator], region, last=period).get(indicator.pk, [])
        all_targets = selectors.targets([indicator.pk], unit_ids=[u.pk for u in units]).get(indicator.pk, {})
        national_targets = sorted(all_targets.get(None, []))

        def national_target(year):
            chosen = choose_target(national_targets, year)
            return chosen[1] if chosen else None

        national = Table(
            "national", gettext("National figure per quarter"),
            [gettext("Quarter"), gettext("National figure"), gettext("Units reporting"), gettext("National target")],
            # Latest quarter first, as every quarterly table: the earliest would fill its box.
            [[quarter_cell(q), value, n, national_target(q.year)] for q, value, n in reversed(series)],
        )
        national_status = selectors.status_of(indicator, [(q, v) for q, v, _ in series], all_targets)
        chart = progress_chart(
            [q for q, *_ in series],
            [{"label": gettext("National figure"), "data": [number(v) for _, v, _ in series], "dashed": False}]
            + ([{"label": gettext("National target"), "data": [number(national_target(q.year)) for q, *_ in series],
                 "dashed": True}] if national_targets else []),
            y_label=indicator.unit_label,
            y_max=100 if indicator.value_type == "percent" else None,
        )

        first = max(period.index - QUARTERS_SHOWN + 1, Quarter(FIRST_REPORTING_YEAR, 1).index)
        shown = list(quarter_range(Quarter(first // 4, first % 4 + 1), period))
        unit_series = selectors.unit_indicator_series(boundaries, [u.pk for u in units], [indicator.pk], last=period)
        units_table = Table(
            "units", gettext("Each unit's approved values"),
            # Latest quarter first, beside the unit's name: the box scrolls sideways.
            [gettext("Unit"), *(quarter_cell(q) for q in reversed(shown)), gettext("Target"), gettext("Target year"),
             gettext("Progress status")],
        )
        for unit in units:
            points = unit_series.get((unit.pk, indicator.pk), [])
            values = dict(points)
            status = selectors.status_of(indicator, points, all_targets, unit.pk)
            units_table.add([
                unit_cell(unit), *(Cell(values.get(q)) for q in reversed(shown)),
                status.target, year_cell(status.target_year), status_cell(status),
            ])
        context.update(
            national_table=national,
            national_status=national_status,
            national_targets=national_targets,
            national_chart=chart,
            units_table=units_table,
            tables=[national, units_table],
        )
        return context


# --- /results/completeness/ --------------------------------------------------------------------------------


STATUS_LABELS = {
    selectors.ON_TIME: _("on time"),
    selectors.LATE: _("late"),
    selectors.MISSING: _("missing"),
    selectors.NOT_DUE: _("not yet due"),
}


class CompletenessView(DashboardView):
    """Quarters × units: submitted on time, late or missing, with the rates per quarter."""

    template_name = "indicators/completeness.html"
    figures_template_name = "indicators/includes/completeness_figures.html"
    filter_fields = ("year", "quarter", "region")
    public_page_query = filter_fields

    def default_quarter(self):
        return Quarter.last_complete()

    def get_figures(self):
        context = {}
        period, region = self.filters["period"], self.filters["region"]
        first = max(period.index - QUARTERS_SHOWN + 1, Quarter(FIRST_REPORTING_YEAR, 1).index)
        quarters = list(quarter_range(Quarter(first // 4, first % 4 + 1), period))
        found = selectors.completeness(quarters, region)
        rates = Table(
            "rates", gettext("Completeness and timeliness per quarter"),
            [gettext("Quarter"), gettext("Due date"), gettext("Units expected"), gettext("On time"), gettext("Late"),
             gettext("Missing"), gettext("Not yet due"), gettext("Completeness (%)"), gettext("Timeliness (%)")],
            [[str(r.quarter), r.quarter.due_date, r.expected, r.on_time, r.late, r.missing, r.not_due,
              r.completeness, r.timeliness] for r in reversed(found.rates)],
        )
        units = Table(
            "units", gettext("Reports per unit and quarter"),
            [gettext("Unit"), *(quarter_cell(q) for q in reversed(quarters))],
        )
        # Latest quarter first in both tables: they scroll inside their boxes.
        for unit, statuses in found.rows:
            units.add([unit_cell(unit), *(status_badge(s) for s in reversed(statuses))])
        chart = progress_chart(
            quarters,
            [
                {"label": gettext("Completeness (%)"), "data": [number(r.completeness) for r in found.rates], "dashed": False},
                {"label": gettext("Timeliness (%)"), "data": [number(r.timeliness) for r in found.rates], "dashed": True},
            ],
        )
        context.update(
            quarters=quarters, rates_table=rates, units_table=units, chart=chart, tables=[rates, units],
        )
        return context


def status_badge(status):
    if status == selectors.NOT_EXPECTED:
        return Cell("", text="")
    label = str(STATUS_LABELS[status])
    return Cell(label, badge=f"badge-{status}")


# --- /results/method/ ------------------------------------------------------------------------------------


class MethodView(TemplateView):
    """How the figures are computed: approval, roll-up, progress status, completeness."""

    template_name = "indicators/method.html"
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = ()


# --- the unit page and the ASEAN page (through indicators/templatetags/dashboard.py) ----------------------------


def unit_dashboard_tables(dashboard, user):
    """The tables of a unit's dashboard: progress per quarter, indicators, report history."""
    progress = Table(
        "progress", gettext("Answers per item and quarter"),
        [gettext("Quarter"), *item_columns(dashboard.items), gettext("Average"), gettext("Units reporting")],
    )
    for q, figures, reporting in reversed(dashboard.progress):
        cells = [figures.get(node.pk) for node in dashboard.items]
        percents = [c for c in cells if c is not None and not isinstance(c, bool)]
        progress.add([quarter_cell(q), *(figure_cell(node, c) for node, c in zip(dashboard.items, cells, strict=True)),
                      percent_cell(selectors.mean(percents)), reporting])
    indicators = Table(
        "indicators", gettext("Indicators"),
        [gettext("Code"), gettext("Indicator"), gettext("Unit of measure"), gettext("Latest value"), gettext("Quarter"),
         gettext("Target"), gettext("Target year"), gettext("Target set for"), gettext("Progress status")],
    )
    scopes = {"unit": gettext("this unit"), "national": gettext("the nation")}
    heads = indicator_heads([line.indicator for line in dashboard.indicators])
    for line in dashboard.indicators:
        indicator = line.indicator
        indicators.add([
            Cell(indicator.code, url=heads[indicator.pk][0]),
            indicator.name,
            indicator.unit_label,
            line.latest[1] if line.latest else None,
            str(line.latest[0]) if line.latest else None,
            line.target[1] if line.target else None,
            year_cell(line.target[0] if line.target else None),
            scopes[line.target[2]] if line.target else None,
            status_cell(line.status),
        ])
    reports = Table(
        "reports", gettext("Report history"),
        [gettext("Quarter"), gettext("Unit"), gettext("Status"), gettext("First submitted"), gettext("Submitted late"),
         gettext("Approved")],
    )
    for report in dashboard.reports:
        reports.add([
            Cell(report.period_label, url=report_link(user, report)),
            unit_label(report.unit),
            Cell(capfirst(report.get_status_display()), badge=f"badge-{report.status}"),
            report.first_submitted_at,
            Cell(gettext("yes") if report.is_late else gettext("no")) if report.first_submitted_at else None,
            report.approved_at,
        ])
    chart = progress_chart(
        [q for q, *_ in dashboard.progress],
        [{"label": item_title(node), "data": [number(p.get(node.pk)) for _, p, _ in dashboard.progress],
          "dashed": False} for node in dashboard.items if node.kind != NodeKind.CRITERION],
    )
    return {"progress": progress, "indicators": indicators, "reports": reports, "chart": chart}


def asean_table(quarter, items, members):
    table = Table(
        "asean", gettext("Vietnamese members: latest approved progress of their unit today"),
        [gettext("City"), gettext("Year joined"), gettext("Unit today"), *item_columns(items),
         gettext("Average")],
    )
    for city, unit, row in members:
        table.add([
            city.display_name, year_cell(city.joined_year), unit_cell(unit),
            *(figure_cell(node, p, q) for node, (p, q) in zip(items, row.cells, strict=True)),
            percent_cell(row.average),
        ])
    return table


class UnitResultsExportView(View):
    """``/results/units/<slug>/export/?table=progress|indicators|reports&format=csv|xlsx&framework=``."""

    def get(self, request, slug):
        unit = get_object_or_404(AdministrativeUnit.objects.select_related("region", "successor"), slug=slug)
        fmt, name = request.GET.get("format", "csv"), request.GET.get("table", "progress")
        if fmt not in FORMATS:
            return unknown_format()
        version = reference.current_version(request.GET.get("framework") or reference.DEFAULT_FRAMEWORK)
        if version is None:
            return download_error(gettext("No framework in force has this code."), "invalid_framework")
        tables = unit_dashboard_tables(selectors.unit_dashboard(unit, request.user, version), request.user)
        if name not in tables or name == "chart":
            return download_error(gettext("Unknown table."), "invalid_table", tables=["progress", "indicators", "reports"])
        return table_response(tables[name], fmt, unit.slug, download_about(request))


class AseanExportView(View):
    """``/results/asean/export/?format=csv|xlsx``: the ASEAN members' progress table."""

    def get(self, request):
        fmt = request.GET.get("format", "csv")
        if fmt not in FORMATS:
            return unknown_format()
        quarter, items, members = selectors.asean_progress()
        return table_response(asean_table(quarter, items, members), fmt, quarter, download_about(request))



# --- /results/frameworks/ and /results/crosswalk/ ------------------------------------------------------


class FrameworkListView(TemplateView):
    """``/results/frameworks/``: every framework with its versions, and the document behind each."""

    template_name = "indicators/framework_list.html"
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = ()

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "frameworks": reference.frameworks()}


class FrameworkDetailView(TemplateView):
    """``/results/frameworks/<code>/?version=``: a version's tree of groups and items with their indicators."""

    template_name = "indicators/framework_detail.html"
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = ()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        framework = get_object_or_404(Framework, code=kwargs["code"])
        versions = list(framework.versions.order_by("-valid_from"))
        wanted = self.request.GET.get("version")
        if wanted:
            version = next((v for v in versions if v.code == wanted), None)
            if version is None:
                raise Http404
        else:
            version = reference.current_version(framework.code) or (versions[0] if versions else None)
        context.update(
            framework=framework, versions=versions, version=version,
            nodes=reference.version_nodes(version) if version else [],
            levels=list(version.levels.all()) if version else [],
        )
        return context


class CrosswalkView(TemplateView):
    """``/results/crosswalk/``: for each indicator, every framework node it counts toward.

    ``?indicator=<code>`` shows one indicator; each node links to its page,
    which lists every indicator behind it.
    """

    template_name = "indicators/crosswalk.html"
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = ("indicator",)

    def get(self, request, *args, **kwargs):
        self.format = request.GET.get("format")
        if self.format is not None and self.format not in FORMATS:
            return unknown_format()
        context = self.get_context_data(**kwargs)
        if self.format:
            return table_response(context["table"], self.format, "crosswalk", download_about(request))
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        indicators = reference.active_indicators()
        code = self.request.GET.get("indicator")
        if code:
            indicators = [i for i in indicators if i.code == code]
            if not indicators:
                raise Http404
        mappings = reference.mappings_of_indicators([i.pk for i in indicators])
        table = Table(
            "crosswalk", gettext("Indicators and the framework nodes they count toward"),
            [gettext("Code"), gettext("Indicator"), gettext("Framework"), gettext("Version"), gettext("Node"),
             gettext("Relation"), gettext("Met at")],
        )
        for indicator in indicators:
            for mapping in mappings.get(indicator.pk, []):
                node = mapping.node
                table.add([
                    Cell(indicator.code, url=indicator.get_absolute_url()), indicator.name,
                    node.version.framework.name, node.version.code,
                    Cell(node.label, url=node.get_absolute_url() if node.is_item else ""),
                    mapping.get_relation_display(), mapping.threshold_label or None,
                ])
        context.update(table=table, indicator_code=code or "")
        return context


# --- /results/standards/: the documents behind each framework version --------------------------------


class StandardsView(TemplateView):
    """``/results/standards/``: every framework version with the legal documents and standards behind it."""
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = ()

    template_name = "indicators/standards.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        versions = FrameworkVersion.objects.select_related("framework").prefetch_related("documents").order_by(
            "framework__code", "-valid_from"
        )
        context["versions"] = list(versions)
        return context


class VersionStandardsView(TemplateView):
    """``/results/standards/<framework>/<version>/``: the documents behind one framework version."""
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = ()

    template_name = "indicators/standards_version.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = get_object_or_404(
            FrameworkVersion.objects.select_related("framework"),
            framework__code=kwargs["framework"], code=kwargs["version"],
        )
        context.update(version=version, documents=list(version.documents.all()))
        return context
