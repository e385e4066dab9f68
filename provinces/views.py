"""Pages about provincial units: the list, one unit, the ASEAN Smart Cities Network."""
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import F, Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView
from django_filters.views import FilterView

from indicators import selectors as reference
from indicators.results import fragments
from indicators.results.selectors import REFERENCE, cached, unit_predecessors
from programmes import policies
from provinces import selectors
from provinces.filtersets import AdministrativeUnitFilterSet
from provinces.models import AdministrativeUnit, AseanSmartCity, UnitKind
from provinces.quarters import MERGER_DATE
from smartcity_portal.text import fold

# Country names come from the reference file in English; these let the
# Vietnamese page name them in Vietnamese.
ASEAN_COUNTRY_NAMES = {
    "BN": _("Brunei Darussalam"),
    "KH": _("Cambodia"),
    "ID": _("Indonesia"),
    "LA": _("Lao PDR"),
    "MY": _("Malaysia"),
    "MM": _("Myanmar"),
    "PH": _("Philippines"),
    "SG": _("Singapore"),
    "TH": _("Thailand"),
    "VN": _("Viet Nam"),
}


def join_words(items):
    """``["A", "B", "C"]`` → ``"A, B and C"`` in the active language, HTML-safe.

    Items are escaped unless already marked safe (links built with ``format_html``).
    """
    items = [conditional_escape(item) for item in items]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    # Translators: joins the last item of a list, e.g. "Bắc Giang and Bắc Ninh".
    return format_html(
        gettext("{first} and {last}"), first=mark_safe(", ".join(items[:-1])), last=items[-1]
    )


def unit_link(unit):
    return format_html('<a href="{}">{}</a>', unit.get_absolute_url(), unit.name)


@dataclass
class Lineage:
    """How a unit came about and what it became, for display in words."""

    unit: AdministrativeUnit
    # The unit this one was merged into, if it was dissolved.
    successor: AdministrativeUnit | None = None
    # The unit in force today that it became, when that is not ``successor`` itself.
    now_part_of: AdministrativeUnit | None = None
    # The units merged directly into this one.
    formed_from: list = field(default_factory=list)

    @property
    def merged_on(self):
        if self.successor is None or self.unit.valid_until is None:
            return None
        return self.unit.valid_until + timedelta(days=1)

    @property
    def formed_on(self):
        return self.unit.valid_from if self.formed_from else None

    @property
    def unchanged_on(self):
        """The merger date, for a unit in force before and after it without a merger."""
        unit = self.unit
        if self.successor or self.formed_from or not unit.is_current:
            return None
        if unit.valid_from is not None and unit.valid_from >= MERGER_DATE:
            return None
        return MERGER_DATE

    @property
    def successor_link(self):
        return unit_link(self.successor) if self.successor else ""

    @property
    def now_part_of_link(self):
        return unit_link(self.now_part_of) if self.now_part_of else ""

    @property
    def formed_from_links(self):
        return join_words(unit_link(unit) for unit in self.formed_from)

    @property
    def former_names(self):
        return join_words(former_name_shown(name) for name in self.unit.former_name_list)


# The reference data notes a former name's end as "Thừa Thiên Huế (province until 2024-12-31)".
FORMER_NAME_NOTE = re.compile(
    r"^(?P<name>.+?) \((?P<kind>" + "|".join(UnitKind.values) + r") until (?P<day>\d{4}-\d{2}-\d{2})\)$"
)


def former_name_shown(name):
    """A former name as the page's language says it: the reference data's note in English
    ("(province until 2024-12-31)") becomes "(tỉnh đến 31/12/2024)"; other names are shown as they are."""
    match = FORMER_NAME_NOTE.match(name)
    if match is None:
        return name
    day = date.fromisoformat(match["day"])
    # Translators: a unit's former name and what it was until when, e.g. "Thừa Thiên Huế (province until 31/12/2024)".
    return gettext("%(name)s (%(kind)s until %(day)s)") % {
        "name": match["name"], "kind": UnitKind(match["kind"]).label, "day": day.strftime("%d/%m/%Y"),
    }


def unit_queryset():
    """Units with what their lineage needs, in a fixed number of queries."""
    return AdministrativeUnit.objects.select_related("region", "successor").prefetch_related(
        Prefetch(
            "predecessors",
            queryset=AdministrativeUnit.objects.order_by("name_vi"),
        )
    )


def attach_lineage(units):
    """Set ``unit.lineage`` on each of ``units`` (fetched with ``unit_queryset()``).

    Costs no query when every dissolved unit was merged into a unit still in
    force (as on 1 July 2025), two otherwise, whatever the number of units.
    """
    units = list(units)
    if any(u.successor is not None and not u.successor.is_current for u in units):
        current_of = selectors.lineage_map()
        today_units = AdministrativeUnit.objects.in_bulk(
            {current_of[u.pk] for u in units if u.successor is not None}
        )
    else:
        current_of, today_units = {}, {}
    for unit in units:
        now_part_of = None
        if unit.successor is not None and not unit.successor.is_current:
            now_part_of = today_units.get(current_of.get(unit.pk))
        unit.lineage = Lineage(
            unit=unit,
            successor=unit.successor,
            now_part_of=now_part_of,
            formed_from=list(unit.predecessors.all()),
        )
    return units


class UnitListView(FilterView):
    """``/provinces/``: every unit, filtered by status, region, kind, code and name."""

    filterset_class = AdministrativeUnitFilterSet
    template_name = "provinces/unit_list.html"
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = tuple(AdministrativeUnitFilterSet.base_filters)
    context_object_name = "units"

    def get_queryset(self):
        return unit_queryset().order_by(
            "code", F("valid_from").asc(nulls_first=True), "name_vi"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["units"] = attach_lineage(context["units"])
        return context


class UnitDetailView(DetailView):
    """``/provinces/<slug>/``: one unit, its validity and lineage.

    Lineage and the dashboard sections come from ``get_figures``, rendered
    with ``figures_template_name`` by the view (``fragments.render_figures``):
    a warm request reads them from the cache.
    """

    model = AdministrativeUnit
    template_name = "provinces/unit_detail.html"
    figures_template_name = "provinces/includes/unit_figures.html"
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = ("framework",)
    context_object_name = "unit"

    def get(self, request, *args, **kwargs):
        slug = self.kwargs["slug"]

        def head():
            unit = AdministrativeUnit.objects.select_related("region", "successor").filter(slug=slug).first()
            return None if unit is None else (unit, reference.active_frameworks())

        # The unit and the frameworks in force in one cache round trip: a warm page makes few.
        found = cached("unit-page-head", [slug, timezone.localdate()], head, REFERENCE)
        if found is None:
            raise Http404
        self.unit, self.frameworks = found
        # The progress per item follows one framework: ?framework=<code>, Decision 950 by default.
        code = request.GET.get("framework") or reference.DEFAULT_FRAMEWORK
        self.version = next((version for framework, version in self.frameworks if framework.code == code), None)
        if self.version is None:
            raise Http404(gettext("No framework in force has this code."))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figures_html"] = fragments.render_figures(self, context)
        return context

    def get_object(self, queryset=None):
        return self.unit

    def get_figures(self):
        unit = self.object
        all_predecessors = unit_predecessors(unit)
        today = selectors.current_unit(unit)
        return {
            "lineage": Lineage(
                unit=unit,
                successor=unit.successor,
                now_part_of=today if unit.successor is not None and today != unit.successor else None,
                formed_from=[p for p in all_predecessors if p.successor_id == unit.pk],
            ),
            # Reports of these units are rolled up into this one on the dashboards.
            "predecessors": all_predecessors,
            "current_unit": today,
            "asean_cities": list(unit.asean_cities.all()),
            "framework_version": self.version,
            "frameworks": self.frameworks,
        }

    def figures_cache_name(self):
        return "unit-page"

    def figures_cache_parts(self):
        # The report history links the reports the visitor may read.
        return [self.object.pk, self.version.pk, policies.report_view_scope(self.request.user)]


@dataclass
class AseanCountry:
    code: str
    name: str
    cities: list = field(default_factory=list)


class AseanNetworkView(ListView):
    """``/provinces/asean/``: the ASEAN Smart Cities Network, by country."""

    template_name = "provinces/asean.html"
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = ()
    context_object_name = "cities"

    def get_queryset(self):
        return AseanSmartCity.objects.select_related("unit", "unit__successor")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        countries = {}
        # Sorted here: the database collation puts "Đà Nẵng" after "Hồ Chí Minh".
        cities = sorted(context["cities"], key=lambda c: (c.joined_year, fold(c.city)))
        for city in cities:
            country = countries.get(city.country_code)
            if country is None:
                name = ASEAN_COUNTRY_NAMES.get(city.country_code, city.country)
                country = countries[city.country_code] = AseanCountry(city.country_code, str(name))
            if city.unit is not None:
                # The member joined as this unit; show also what it is today.
                city.current_unit = selectors.current_unit(city.unit)
            country.cities.append(city)
        # Viet Nam first: it is the portal's own country.
        context["countries"] = sorted(
            countries.values(), key=lambda c: (c.code != "VN", fold(c.name))
        )
        context["country_count"] = len(countries)
        return context
