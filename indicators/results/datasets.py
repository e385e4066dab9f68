"""The open-data catalogue: every dataset the portal publishes, described once, read by streaming.

Each ``Dataset`` has its metadata (titles and descriptions in Vietnamese and
English, update frequency, temporal and spatial coverage, last modified) and
one or more ``Table``s, each with typed ``Field``s (its Table Schema) and a
``rows(quarter)`` iterator. The catalogue pages, the downloads (CSV, JSON,
XLSX), the Data Packages, the DCAT catalogue and the quarterly releases all
read this registry: adding a dataset is one entry in ``DATASETS``.

Only what is public goes in: results computed from approved reports
(``IndicatorResult``, ``NodeResult``), reference data, the completeness that
the public page already shows, projects as approvals published them
(``PublishedProject``, the approved reports' ``ProjectProgress``), and the
maturity levels of approved assessments (``MaturityResult``).

Rows are produced by iterating querysets in chunks, so that a download of the
whole history streams with flat memory.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators.models import (
    Boundaries,
    Framework,
    FrameworkLevel,
    FrameworkNode,
    FrameworkVersion,
    Indicator,
    IndicatorMapping,
    IndicatorResult,
    MaturityResult,
    NodeKind,
    NodeResult,
)
from indicators.results import selectors
from programmes import policies, projects
from programmes.models import FundingSource, ProjectStatus, PublishedProject, Report
from provinces import selectors as unit_selectors
from provinces.models import AdministrativeUnit, UnitKind
from provinces.quarters import Quarter, quarter_range
from smartcity_portal.licences import licence

CHUNK = 2000

# EU vocabularies that DCAT-AP uses for frequencies.
QUARTERLY = "QUARTERLY"
ANNUAL = "ANNUAL"
IRREGULAR = "IRREG"


@dataclass(frozen=True)
class Field:
    """A column: its name, Table Schema type, title and description, and constraints."""

    name: str
    type: str  # string, integer, number, boolean, date, year
    title: object
    description: object = ""
    required: bool = False
    enum: tuple = ()

    def schema(self):
        found = {"name": self.name, "type": self.type, "title": str(self.title)}
        if self.description:
            found["description"] = str(self.description)
        constraints = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            found["constraints"] = constraints
        return found


@dataclass(frozen=True)
class Table:
    """One table of a dataset: downloaded as ``<slug>.csv``, ``.json`` and ``.xlsx``.

    ``rows(quarter)`` yields tuples in the order of ``fields``; with a
    quarter, only that quarter's rows (tables with ``in_release``).
    """

    slug: str
    title: object
    description: object
    fields: tuple
    rows: object
    primary_key: tuple = ()
    in_release: bool = False

    def schema(self):
        found = {"fields": [f.schema() for f in self.fields], "missingValues": [""]}
        if self.primary_key:
            found["primaryKey"] = list(self.primary_key)
        return found

    @property
    def names(self):
        return [f.name for f in self.fields]


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: object
    description: object
    tables: tuple
    frequency: str
    keywords: tuple
    coverage: object = None  # () -> (first day, last day) or None
    modified: object = None  # () -> datetime or date, or None
    spatial: object = _("Viet Nam: the provincial-level units (63 until 30 June 2025, 34 since 1 July 2025)")

    def table(self, slug):
        return next((t for t in self.tables if t.slug == slug), None)

    def temporal(self):
        return self.coverage() if self.coverage else None

    def last_modified(self):
        return self.modified() if self.modified else None


# --- shared columns --------------------------------------------------------------------------

F_BOUNDARIES = Field(
    "boundaries", "string", _("Boundaries"),
    _("current: rolled up to today's 34 units; as-reported: each unit as it reported, the dissolved units included."),
    required=True, enum=tuple(Boundaries.values),
)
F_UNIT = Field("unit", "string", _("Unit"), _("The unit's slug (see the units dataset)."), required=True)
F_UNIT_VI = Field("unit_name_vi", "string", _("Unit name (Vietnamese)"))
F_UNIT_EN = Field("unit_name_en", "string", _("Unit name (English)"))
F_YEAR = Field("year", "integer", _("Year"), required=True)
F_QUARTER = Field("quarter", "integer", _("Quarter"), _("1 to 4."), required=True)
F_REPORTING = Field("units_reporting", "integer", _("Units reporting"), _("How many units' approved reports make the figure."))


def _quarter_filter(queryset, quarter, prefix=""):
    if quarter is None:
        return queryset
    return queryset.filter(**{f"{prefix}year": quarter.year, f"{prefix}quarter": quarter.quarter})


def _units_by_id():
    return {u.pk: u for u in AdministrativeUnit.objects.only("pk", "slug", "name_vi", "name_en")}


def _result_coverage(model):
    def compute():
        found = model.objects.aggregate(first=Min("year"), last=Max("year"))
        if found["first"] is None:
            return None
        first = model.objects.filter(year=found["first"]).aggregate(q=Min("quarter"))["q"]
        last = model.objects.filter(year=found["last"]).aggregate(q=Max("quarter"))["q"]
        return Quarter(found["first"], first).start, Quarter(found["last"], last).end

    return compute


def _history_modified(*models):
    def compute():
        stamps = [m.history.aggregate(at=Max("history_date"))["at"] for m in models]
        return max((s for s in stamps if s is not None), default=None)

    return compute


# --- units -----------------------------------------------------------------------------------------


def unit_rows(quarter=None):
    lineage = unit_selectors.lineage_map()
    units = _units_by_id()
    rows = AdministrativeUnit.objects.select_related("region", "successor").order_by("valid_until", "slug")
    for unit in rows.iterator(chunk_size=CHUNK):
        today = units.get(lineage.get(unit.pk))
        yield (
            unit.slug, unit.code, unit.name_vi, unit.name_en, unit.kind, unit.region.slug,
            unit.valid_from, unit.valid_until, unit.successor.slug if unit.successor else None,
            today.slug if today else None, unit.former_names,
        )


UNITS = Dataset(
    slug="units",
    title=_("Provincial units and their lineage"),
    description=_(
        "The 63 provinces and centrally-run cities in force until 30 June 2025 and the 34 since 1 July 2025, "
        "with their statistics codes, regions, periods of validity and the unit each dissolved unit was merged into."
    ),
    tables=(
        Table(
            "units", _("Units"), _("One row per provincial-level unit, current or dissolved."),
            (
                Field("slug", "string", _("Slug"), _("The unit's identifier on the portal."), required=True),
                Field("code", "string", _("Statistics code")),
                Field("name_vi", "string", _("Name (Vietnamese)"), required=True),
                Field("name_en", "string", _("Name (English)")),
                Field("kind", "string", _("Kind"), enum=tuple(UnitKind.values)),
                Field("region", "string", _("Region"), _("The region's slug.")),
                Field("valid_from", "date", _("In force from"), _("Empty: before 2018.")),
                Field("valid_until", "date", _("In force until"), _("Empty: in force today.")),
                Field("successor", "string", _("Merged into"), _("The slug of the unit it was merged into.")),
                Field("current_unit", "string", _("Unit today"), _("The slug of the unit in force today it became.")),
                Field("former_names", "string", _("Former names"), _("Separated by semicolons.")),
            ),
            unit_rows,
            primary_key=("slug",),
        ),
    ),
    frequency=IRREGULAR,
    keywords=(_("administrative units"), _("provinces"), _("merger")),
    modified=_history_modified(AdministrativeUnit),
)


# --- frameworks, indicators and the crosswalk ----------------------------------------------------------


def version_rows(quarter=None):
    for v in FrameworkVersion.objects.select_related("framework").order_by("framework__code", "valid_from", "code"):
        yield (
            v.framework.code, v.framework.name_vi, v.framework.name_en, v.framework.issuer, v.code, v.status,
            v.cycle, v.item_kind, v.valid_from, v.valid_until, v.source_number, v.source_date, v.source_title,
            v.source_url, v.is_illustrative,
        )


def node_rows(quarter=None):
    nodes = FrameworkNode.objects.select_related("version__framework", "parent").order_by(
        "version__framework__code", "version__valid_from", "version__code", "order"
    )
    for n in nodes.iterator(chunk_size=CHUNK):
        yield (
            n.version.framework.code, n.version.code, n.code, n.parent.code if n.parent else None, n.depth,
            n.order, n.kind, n.level, n.basic, n.name_vi, n.name_en,
        )


def indicator_rows(quarter=None):
    for i in Indicator.objects.order_by("code"):
        yield (i.code, i.name_vi, i.name_en, i.unit, i.value_type, i.direction, i.rollup, i.cumulative, i.is_active)


def crosswalk_rows(quarter=None):
    mappings = IndicatorMapping.objects.select_related("indicator", "node__version__framework").order_by(
        "indicator__code", "node__version__framework__code", "node__version__code", "node__order"
    )
    for m in mappings.iterator(chunk_size=CHUNK):
        yield (
            m.indicator.code, m.node.version.framework.code, m.node.version.code, m.node.code, m.relation,
            m.threshold or None,
        )


F_FRAMEWORK = Field("framework", "string", _("Framework"), _("The framework's code."), required=True)
F_VERSION = Field("version", "string", _("Version"), _("The framework version's code."), required=True)

FRAMEWORKS = Dataset(
    slug="frameworks",
    title=_("Frameworks, indicators and the crosswalk"),
    description=_(
        "The frameworks units report against (Decision 950/QĐ-TTg, the digital transformation programme, criteria "
        "sets), their versions and trees of nodes, the indicators units report each quarter, and which framework "
        "nodes each indicator counts toward."
    ),
    tables=(
        Table(
            "framework-versions", _("Framework versions"), _("One row per version of each framework, with its document."),
            (
                F_FRAMEWORK,
                Field("framework_name_vi", "string", _("Framework name (Vietnamese)")),
                Field("framework_name_en", "string", _("Framework name (English)")),
                Field("issuer", "string", _("Issuer")),
                F_VERSION,
                Field("status", "string", _("Status"), enum=("draft", "active", "retired")),
                Field("cycle", "string", _("Reporting cycle"), enum=("quarterly", "annual")),
                Field("item_kind", "string", _("Kind of items"), enum=tuple(NodeKind.values)),
                Field("valid_from", "date", _("Valid from")),
                Field("valid_until", "date", _("Valid until")),
                Field("source_number", "string", _("Issuing document number")),
                Field("source_date", "date", _("Issuing document date")),
                Field("source_title", "string", _("Issuing document title")),
                Field("source_url", "string", _("Issuing document link")),
                Field("illustrative", "boolean", _("Illustrative"), _("true: not official content.")),
            ),
            version_rows,
            primary_key=("framework", "version"),
        ),
        Table(
            "framework-nodes", _("Framework nodes"), _("Every group, task and criterion of every framework version."),
            (
                F_FRAMEWORK, F_VERSION,
                Field("code", "string", _("Code"), required=True),
                Field("parent", "string", _("Parent"), _("The code of the group it belongs to.")),
                Field("depth", "integer", _("Depth")),
                Field("order", "integer", _("Order")),
                Field("kind", "string", _("Kind"), enum=tuple(NodeKind.values)),
                Field("level", "integer", _("Maturity level")),
                Field("basic", "boolean", _("Basic criterion")),
                Field("name_vi", "string", _("Name (Vietnamese)")),
                Field("name_en", "string", _("Name (English)")),
            ),
            node_rows,
            primary_key=("framework", "version", "code"),
        ),
        Table(
            "indicators", _("Indicators"), _("What units report each quarter."),
            (
                Field("code", "string", _("Code"), required=True),
                Field("name_vi", "string", _("Name (Vietnamese)")),
                Field("name_en", "string", _("Name (English)")),
                Field("unit_of_measure", "string", _("Unit of measure")),
                Field("value_type", "string", _("Value type"), enum=("percent", "count", "amount", "boolean")),
                Field("direction", "string", _("Direction"), enum=("increase", "decrease")),
                Field("rollup", "string", _("Roll-up rule"), _("How units combine: sum, mean or any."),
                      enum=("sum", "mean", "any")),
                Field("cumulative", "boolean", _("Cumulative")),
                Field("active", "boolean", _("Active")),
            ),
            indicator_rows,
            primary_key=("code",),
        ),
        Table(
            "crosswalk", _("Crosswalk"), _("Each indicator and the framework nodes it counts toward."),
            (
                Field("indicator", "string", _("Indicator"), required=True),
                F_FRAMEWORK, F_VERSION,
                Field("node", "string", _("Node"), required=True),
                Field("relation", "string", _("Relation"), enum=("exact", "partial", "proxy")),
                Field("threshold", "string", _("Met at"), _("For a criterion: the value that meets it, e.g. >= 50.")),
            ),
            crosswalk_rows,
            primary_key=("indicator", "framework", "version", "node"),
        ),
    ),
    frequency=IRREGULAR,
    keywords=(_("frameworks"), _("indicators"), _("Decision 950/QĐ-TTg")),
    modified=_history_modified(Framework, FrameworkVersion, Indicator),
)


# --- approved indicator values ---------------------------------------------------------------------


def indicator_value_rows(quarter=None):
    units = _units_by_id()
    indicators = {i.pk: i for i in Indicator.objects.only("pk", "code", "unit")}
    rows = _quarter_filter(IndicatorResult.objects.all(), quarter).order_by(
        "year", "quarter", "boundaries", "unit__slug", "indicator__code"
    ).values_list("boundaries", "unit_id", "year", "quarter", "indicator_id", "value", "units_reporting")
    for boundaries, unit_id, year, q, indicator_id, value, reporting in rows.iterator(chunk_size=CHUNK):
        unit, indicator = units[unit_id], indicators[indicator_id]
        yield (boundaries, unit.slug, unit.name_vi, unit.name_en, year, q, indicator.code, indicator.unit, value,
               reporting)


INDICATOR_VALUES = Dataset(
    slug="indicator-values",
    title=_("Approved indicator values"),
    description=_(
        "Each unit's approved value of each indicator per quarter, from approved quarterly reports only, both as "
        "the units reported and rolled up to today's 34 units by each indicator's roll-up rule."
    ),
    tables=(
        Table(
            "indicator-values", _("Indicator values"), _("One row per boundaries, unit, quarter and indicator."),
            (
                F_BOUNDARIES, F_UNIT, F_UNIT_VI, F_UNIT_EN, F_YEAR, F_QUARTER,
                Field("indicator", "string", _("Indicator"), _("The indicator's code (see the frameworks dataset)."),
                      required=True),
                Field("unit_of_measure", "string", _("Unit of measure")),
                Field("value", "number", _("Value"), _("Yes/no indicators: 1 or 0."), required=True),
                F_REPORTING,
            ),
            indicator_value_rows,
            primary_key=("boundaries", "unit", "year", "quarter", "indicator"),
            in_release=True,
        ),
    ),
    frequency=QUARTERLY,
    keywords=(_("indicators"), _("smart city"), _("quarterly report")),
    coverage=_result_coverage(IndicatorResult),
    modified=selectors.computed_at,
)


# --- progress per framework node ------------------------------------------------------------------


def node_progress_rows(quarter=None):
    units = _units_by_id()
    nodes = {
        n.pk: n for n in FrameworkNode.objects.exclude(kind=NodeKind.GROUP).select_related("version__framework")
    }
    rows = _quarter_filter(NodeResult.objects.all(), quarter).order_by(
        "year", "quarter", "boundaries", "unit__slug", "node__version__framework__code", "node__order"
    ).values_list("boundaries", "unit_id", "year", "quarter", "node_id", "percent_complete", "met", "units_reporting")
    for boundaries, unit_id, year, q, node_id, percent, met, reporting in rows.iterator(chunk_size=CHUNK):
        unit, node = units[unit_id], nodes[node_id]
        yield (boundaries, unit.slug, unit.name_vi, unit.name_en, year, q, node.version.framework.code,
               node.version.code, node.code, node.name_vi, percent, met, reporting)


NODE_PROGRESS = Dataset(
    slug="node-progress",
    title=_("Progress per framework node"),
    description=_(
        "Each unit's approved answer per quarter for each task or criterion of the frameworks in force: percent "
        "complete, or met and not met, from approved reports only, as reported and rolled up to today's units "
        "(percent complete by the mean; a criterion is met when every unit that answered it met it)."
    ),
    tables=(
        Table(
            "node-progress", _("Progress per node"), _("One row per boundaries, unit, quarter and framework node."),
            (
                F_BOUNDARIES, F_UNIT, F_UNIT_VI, F_UNIT_EN, F_YEAR, F_QUARTER, F_FRAMEWORK, F_VERSION,
                Field("node", "string", _("Node"), _("The node's code in its version."), required=True),
                Field("node_name_vi", "string", _("Node name (Vietnamese)")),
                Field("percent_complete", "number", _("Percent complete"), _("Tasks: 0 to 100.")),
                Field("met", "boolean", _("Met"), _("Criteria: true or false.")),
                F_REPORTING,
            ),
            node_progress_rows,
            primary_key=("boundaries", "unit", "year", "quarter", "framework", "version", "node"),
            in_release=True,
        ),
    ),
    frequency=QUARTERLY,
    keywords=(_("progress"), _("smart city"), _("criteria")),
    coverage=_result_coverage(NodeResult),
    modified=selectors.computed_at,
)


# --- reporting completeness -----------------------------------------------------------------------


def _completeness_quarters():
    first = Report.objects.order_by("year", "quarter").values_list("year", "quarter").first()
    if first is None:
        return []
    return list(quarter_range(Quarter(*first), Quarter.last_complete()))


STATUS_NAMES = {
    selectors.ON_TIME: "on-time", selectors.LATE: "late", selectors.MISSING: "missing", selectors.NOT_DUE: "not-due",
}


def completeness_rows(quarter=None):
    quarters = [quarter] if quarter is not None else _completeness_quarters()
    # A few quarters at a time: each is one query for the units expected and one for the reports.
    for start in range(0, len(quarters), 8):
        chunk = quarters[start:start + 8]
        found = selectors.completeness(chunk)
        for position, q in enumerate(chunk):
            for unit, statuses in sorted(found.rows, key=lambda row: row[0].slug):
                status = statuses[position]
                if status == selectors.NOT_EXPECTED:
                    continue
                yield (q.year, q.quarter, q.due_date, unit.slug, unit.name_vi, unit.name_en, STATUS_NAMES[status])


def _completeness_coverage():
    quarters = _completeness_quarters()
    return (quarters[0].start, quarters[-1].end) if quarters else None


def _completeness_modified():
    # By the day only: when a unit first submitted is not published to the minute.
    stamp = Report.objects.aggregate(at=Max("first_submitted_at"))["at"]
    return timezone.localtime(stamp).date() if stamp else None


COMPLETENESS = Dataset(
    slug="completeness",
    title=_("Reporting completeness"),
    description=_(
        "For each quarter and each unit expected to report on it: whether its report was submitted on time, late, "
        "not at all (missing) or is not yet due. A report counts as submitted once it was first submitted."
    ),
    tables=(
        Table(
            "completeness", _("Completeness"), _("One row per quarter and unit in force throughout it."),
            (
                F_YEAR, F_QUARTER,
                Field("due_date", "date", _("Due date")),
                F_UNIT, F_UNIT_VI, F_UNIT_EN,
                Field("status", "string", _("Status"), required=True, enum=tuple(STATUS_NAMES.values())),
            ),
            completeness_rows,
            primary_key=("year", "quarter", "unit"),
            in_release=True,
        ),
    ),
    frequency=QUARTERLY,
    keywords=(_("reporting"), _("completeness"), _("timeliness")),
    coverage=_completeness_coverage,
    modified=_completeness_modified,
)


# --- projects --------------------------------------------------------------------------------------


def project_row(p):
    """A published project (``projects.published_projects()``) as a row of the projects table."""
    return (
        p.pk, p.code, p.unit.slug, p.unit.name_vi, p.unit.name_en, p.name_vi, p.name_en, p.lead_agency,
        p.funding_source, p.total_investment, p.start_date, p.planned_end_date, p.status or None, p.percent_complete,
        p.spending_to_date, p.period_label, "; ".join(n.key for n in p.nodes.all()),
        "; ".join(i.code for i in p.indicators.all()), p.asean_city.city if p.asean_city else None,
    )


def project_rows(quarter=None, queryset=None):
    queryset = projects.published_projects() if queryset is None else queryset
    for p in queryset.order_by("unit__slug", "code").iterator(chunk_size=CHUNK):
        yield project_row(p)


def project_progress_rows(quarter=None):
    rows = _quarter_filter(projects.approved_progress(), quarter, "report__").select_related("project", "report__unit")
    rows = rows.order_by("report__year", "report__quarter", "project_id")
    for row in rows.iterator(chunk_size=CHUNK):
        yield (row.project_id, row.project.code, row.report.unit.slug, row.report.year, row.report.quarter,
               row.status or None, row.percent_complete, row.spending_to_date)


def _projects_coverage():
    found = projects.approved_progress().aggregate(first=Min("report__year"), last=Max("report__year"))
    if found["first"] is None:
        return None
    rows = projects.approved_progress()
    first = rows.filter(report__year=found["first"]).aggregate(q=Min("report__quarter"))["q"]
    last = rows.filter(report__year=found["last"]).aggregate(q=Max("report__quarter"))["q"]
    return Quarter(found["first"], first).start, Quarter(found["last"], last).end


def _projects_modified():
    return PublishedProject.objects.aggregate(at=Max("report__approved_at"))["at"]


F_PROJECT_STATUS = Field("status", "string", _("Status"), enum=tuple(ProjectStatus.values))
F_PERCENT = Field("percent_complete", "number", _("Percent complete"))
F_SPENDING = Field("spending_to_date", "number", _("Spending to date (billion VND)"))

PROJECTS = Dataset(
    slug="projects",
    title=_("Smart-city projects"),
    description=_(
        "The smart-city projects of each unit's register as approved quarterly reports published them: lead agency, "
        "funding source, total investment, dates, the framework nodes and indicators each is meant to move, and "
        "their status, percent complete and spending to date quarter by quarter."
    ),
    tables=(
        Table(
            "projects", _("Projects"), _("One row per published project, with its latest approved progress."),
            (
                Field("id", "integer", _("Id"), _("The project's id on the portal (/projects/<id>/)."), required=True),
                Field("code", "string", _("Code"), _("The unit's code of the project.")),
                F_UNIT, F_UNIT_VI, F_UNIT_EN,
                Field("name_vi", "string", _("Name (Vietnamese)")),
                Field("name_en", "string", _("Name (English)")),
                Field("lead_agency", "string", _("Lead agency")),
                Field("funding_source", "string", _("Funding source"), enum=tuple(FundingSource.values)),
                Field("total_investment", "number", _("Total investment (billion VND)")),
                Field("start_date", "date", _("Start")),
                Field("planned_end_date", "date", _("Planned end")),
                F_PROJECT_STATUS, F_PERCENT, F_SPENDING,
                Field("as_of", "string", _("As of"), _("The quarter of the latest approved report giving its progress.")),
                Field("nodes", "string", _("Framework nodes"), _("framework:code, separated by semicolons.")),
                Field("indicators", "string", _("Indicators"), _("Codes, separated by semicolons.")),
                Field("asean_city", "string", _("ASEAN network city")),
            ),
            project_rows,
            primary_key=("id",),
        ),
        Table(
            "project-progress", _("Project progress per quarter"),
            _("One row per project and quarter, from approved reports only."),
            (
                Field("project", "integer", _("Project"), _("The project's id."), required=True),
                Field("code", "string", _("Code")),
                F_UNIT, F_YEAR, F_QUARTER, F_PROJECT_STATUS, F_PERCENT, F_SPENDING,
            ),
            project_progress_rows,
            primary_key=("project", "year", "quarter"),
            in_release=True,
        ),
    ),
    frequency=QUARTERLY,
    keywords=(_("projects"), _("investment"), _("smart city")),
    coverage=_projects_coverage,
    modified=_projects_modified,
)


# --- maturity levels ---------------------------------------------------------------------------------


def published_maturity_results():
    """The ``MaturityResult`` rows of published (approved) assessments: what /results/maturity/ shows.

    A result is written when its assessment is approved and removed when it is
    reopened; the filter on the assessment keeps a reopened one out even before
    its result is removed.
    """
    return MaturityResult.objects.filter(assessment__in=policies.published_assessments())


def _level_names():
    """``{(version_id, number): FrameworkLevel}`` of every maturity level."""
    return {(lv.version_id, lv.number): lv for lv in FrameworkLevel.objects.all()}


def _maturity_results():
    versions = {v.pk: v for v in FrameworkVersion.objects.select_related("framework")}
    results = published_maturity_results().order_by(
        "year", "version__framework__code", "version__valid_from", "version__code", "unit__slug"
    )
    return versions, results


def maturity_level_rows(quarter=None):
    units, names = _units_by_id(), _level_names()
    versions, results = _maturity_results()
    for r in results.iterator(chunk_size=CHUNK):
        unit, version = units[r.unit_id], versions[r.version_id]
        level = names.get((r.version_id, r.level))
        yield (
            unit.slug, unit.name_vi, unit.name_en, r.year, version.framework.code, version.code, r.level,
            level.name_vi if level else None, level.name_en if level else None, r.criteria_met,
            sum(item.get("assessed", 0) for item in r.per_level), "; ".join(r.gaps) or None,
            version.is_illustrative,
        )


def maturity_per_level_rows(quarter=None):
    units, names = _units_by_id(), _level_names()
    versions, results = _maturity_results()
    for r in results.iterator(chunk_size=CHUNK):
        unit, version = units[r.unit_id], versions[r.version_id]
        for item in sorted(r.per_level, key=lambda entry: entry["level"]):
            level = names.get((r.version_id, item["level"]))
            yield (
                unit.slug, r.year, version.framework.code, version.code, item["level"],
                level.name_vi if level else None, level.name_en if level else None, item.get("met", 0),
                item.get("assessed", 0), r.level >= item["level"],
            )


def _maturity_coverage():
    found = published_maturity_results().aggregate(first=Min("year"), last=Max("year"))
    if found["first"] is None:
        return None
    return date(found["first"], 1, 1), date(found["last"], 12, 31)


def _maturity_modified():
    return published_maturity_results().aggregate(at=Max("computed_at"))["at"]


F_LEVEL = Field("level", "integer", _("Level"), _("The level's number in its framework version."), required=True)
F_LEVEL_VI = Field("level_name_vi", "string", _("Level name (Vietnamese)"))
F_LEVEL_EN = Field("level_name_en", "string", _("Level name (English)"))

MATURITY_LEVELS = Dataset(
    slug="maturity-levels",
    title=_("Maturity levels of smart urban development"),
    description=_(
        "The level each unit reached in its yearly maturity self-assessment against a framework version, once the "
        "Ministry verified every criterion and approved it, with the criteria verified met per level and those "
        "missing for the next level. A unit reaches a level when every assessed criterion (basic or chosen) of that "
        "level and of every level below is verified met. Units are as they were assessed (levels are not rolled up "
        "across the 2025 merger); a version marked illustrative is not official content."
    ),
    tables=(
        Table(
            "maturity-levels", _("Level reached"),
            _("One row per unit, year and framework version: the level reached and the criteria verified met. Each "
              "row's self-assessment has a public page among the published self-assessments."),
            (
                F_UNIT, F_UNIT_VI, F_UNIT_EN, F_YEAR, F_FRAMEWORK, F_VERSION,
                Field("level", "integer", _("Level reached"), _("0: not even the first level."), required=True),
                F_LEVEL_VI, F_LEVEL_EN,
                Field("criteria_met", "integer", _("Criteria verified met"),
                      _("Assessed criteria answered met and accepted by the Ministry, every level together.")),
                Field("criteria_assessed", "integer", _("Criteria assessed"),
                      _("The basic criteria and the optional ones the unit chose, of every level together.")),
                Field("next_level_gaps", "string", _("Missing for the next level"),
                      _("Codes of the next level's assessed criteria not verified met, separated by semicolons.")),
                Field("illustrative", "boolean", _("Illustrative"), _("true: the framework version is not official "
                                                                      "content.")),
            ),
            maturity_level_rows,
            primary_key=("unit", "year", "framework", "version"),
        ),
        Table(
            "maturity-criteria-per-level", _("Criteria verified met per level"),
            _("One row per unit, year, framework version and level of the version."),
            (
                F_UNIT, F_YEAR, F_FRAMEWORK, F_VERSION, F_LEVEL, F_LEVEL_VI, F_LEVEL_EN,
                Field("criteria_met", "integer", _("Criteria verified met"), required=True),
                Field("criteria_assessed", "integer", _("Criteria assessed"), required=True),
                Field("reached", "boolean", _("Reached"), _("true: the unit reached this level."), required=True),
            ),
            maturity_per_level_rows,
            primary_key=("unit", "year", "framework", "version", "level"),
        ),
    ),
    frequency=ANNUAL,
    keywords=(_("maturity"), _("self-assessment"), _("smart city")),
    coverage=_maturity_coverage,
    modified=_maturity_modified,
)


# Adding a dataset is one entry here.
DATASETS = (INDICATOR_VALUES, NODE_PROGRESS, COMPLETENESS, MATURITY_LEVELS, PROJECTS, UNITS, FRAMEWORKS)


def dataset(slug):
    return next((d for d in DATASETS if d.slug == slug), None)


def release_tables():
    """``[(dataset, table)]`` of the tables a quarter's release holds."""
    return [(d, t) for d in DATASETS for t in d.tables if t.in_release]


CATALOG_TITLE = _("Open data of the smart-city progress portal")
CATALOG_DESCRIPTION = _(
    "The approved figures of the provinces' and centrally-run cities' smart-city programmes, the frameworks and "
    "indicators they report against, reporting completeness, maturity levels and the project register, free to "
    "reuse."
)
PACKAGE_DESCRIPTION = _("The Frictionless Data Package of the dataset: a Table Schema for each of its CSV files.")
RELEASE_DESCRIPTION = _(
    "A quarter's approved figures as published, numbered and never changed: a correction makes a new release "
    "with a change log."
)


def release_title(period):
    """The title of a quarter's releases, lazily translated."""
    from django.utils.functional import lazy

    def text():
        return str(_("Approved figures of %(quarter)s")) % {"quarter": period}

    return lazy(text, str)()


def publisher():
    return _("Ministry of Construction of Viet Nam")


def license_info():
    return licence(settings.OPEN_DATA_LICENSE)


# --- cells of each format ---------------------------------------------------------------------------


def text_cell(value):
    """A value as CSV writes it: dot decimals, ISO dates, true/false; ``None`` is empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def plain_decimal(value):
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def json_cell(value):
    """A value as JSON text: numbers as numbers (decimals exactly), dates ISO."""
    import json

    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return json.dumps(value.isoformat())
    return json.dumps(str(value), ensure_ascii=False)
