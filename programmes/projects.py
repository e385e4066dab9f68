"""The project register: each unit's smart-city projects, kept by its reporters, published by approvals.

A unit's reporters and integrators add and change its projects
(``save_project``) or import a whole register from CSV or XLSX
(``import_register``, every row checked before any is written). Each
quarterly report gives each project's status, percent complete and spending
to date (the ``projects`` section of a report, ``programmes.services``).

Nothing of a register is public by itself. When a report giving a project's
progress is approved, ``publish`` copies the project's register entry and
that progress to ``PublishedProject``; when such a report is reopened, the
published progress falls back to the latest report still approved (or the
project leaves the public pages if none is). Public pages, downloads and the
API read ``PublishedProject`` and the approved reports' ``ProjectProgress`` only.
"""
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from indicators import selectors as reference
from indicators.models import FrameworkNode, FrameworkStatus, Indicator
from programmes import policies
from programmes.models import (
    PROJECT_CODE_PATTERN,
    FundingSource,
    Project,
    ProjectProgress,
    ProjectStatus,
    PublishedProject,
    ReportStatus,
)
from programmes.validation import clean_spending, clean_text
from provinces import selectors as units
from provinces.models import AseanSmartCity
from smartcity_portal.text import fold, normalise

# The columns of a register file (import and export), and those it must have.
COLUMNS = (
    "code", "name_vi", "name_en", "lead_agency", "funding_source", "total_investment", "start_date",
    "planned_end_date", "status", "nodes", "indicators", "asean_city",
)
REQUIRED_COLUMNS = ("code", "name_vi", "funding_source")
MAX_NAME_LENGTH = 500
MAX_AGENCY_LENGTH = 255
MAX_LINKS = 50  # framework nodes or indicators of one project
_SEPARATORS = re.compile(r"[;,\s]+")


class ProjectInvalid(Exception):
    """A project that breaks a rule: ``errors`` is ``{column: [messages]}``."""

    def __init__(self, errors):
        super().__init__(_("The project has problems: see the marked fields."))
        self.errors = errors
        self.message = str(self.args[0])


# --- reading cells -----------------------------------------------------------------------


def _cell(raw):
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return normalise(str(raw)).strip()


def _choice(raw, choices):
    """The value of ``choices`` that ``raw`` names by its value or its label in either language."""
    text = fold(_cell(raw))
    for value, label in choices:
        names = {fold(value)}
        for language in ("vi", "en"):
            with translation.override(language):
                names.add(fold(str(label)))
        if text in names:
            return value
    raise ValidationError(
        _("Use one of: %(choices)s.") % {"choices": ", ".join(value for value, _label in choices)}, code="invalid"
    )


def parse_date(raw):
    """A date from ``2025-07-01``, ``01/07/2025`` or a spreadsheet's date cell; ``None`` if empty."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = _cell(raw)
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValidationError(_("Enter a date as 2025-07-01 or 01/07/2025."), code="invalid_date")


def _words(raw):
    return [word for word in _SEPARATORS.split(_cell(raw)) if word]


@dataclass
class Lookups:
    """What checking a project needs, read once for a whole register file."""

    nodes: dict = field(default_factory=dict)  # "framework:code" → node, of the versions in force
    indicators: dict = field(default_factory=dict)  # code → indicator
    cities: list = field(default_factory=list)  # the ASEAN network's Vietnamese cities of the unit

    @classmethod
    def load(cls, unit):
        versions = [version for _framework, version in reference.active_frameworks()]
        nodes = FrameworkNode.objects.filter(version__in=versions).select_related("version__framework")
        lineage = units.lineage_map()
        cities = [
            city for city in AseanSmartCity.objects.filter(country_code="VN", unit__isnull=False).order_by("city")
            if lineage.get(city.unit_id) == unit.pk
        ]
        return cls(
            nodes={f"{n.version.framework.code}:{n.code}": n for n in nodes},
            indicators={i.code: i for i in Indicator.objects.filter(is_active=True)},
            cities=cities,
        )

    def city(self, raw):
        text = _cell(raw)
        if not text:
            return None
        for city in self.cities:
            if text == str(city.pk) or fold(text) == fold(city.city):
                return city
        names = ", ".join(city.city for city in self.cities) or _("none for this unit")
        raise ValidationError(
            _("“%(city)s” is not a member city of the ASEAN Smart Cities Network in this unit (%(cities)s).")
            % {"city": text[:60], "cities": names},
            code="unknown_city",
        )


def clean_project(values, unit, *, project=None, lookups=None):
    """Check a project's register entry: ``(cleaned, errors)``, both keyed by column name.

    ``values`` holds raw cells (text, or what a spreadsheet gives); a column
    it lacks keeps ``project``'s value (or the default of a new project).
    ``nodes`` and ``indicators`` are lists, or text separated by ``;``,
    ``,`` or spaces; nodes are named ``framework:code`` (``decision-950:5``)
    among the versions in force.
    """
    lookups = lookups or Lookups.load(unit)
    errors, cleaned = {}, {}

    def check(name, cleaner):
        if name not in values:
            return
        try:
            cleaned[name] = cleaner(values[name])
        except ValidationError as error:
            errors.setdefault(name, []).extend(error.messages)

    def code(raw):
        text = _cell(raw)
        if not text:
            raise ValidationError(_("Give the project's code."), code="required")
        if not re.match(PROJECT_CODE_PATTERN, text):
            raise ValidationError(_("Letters, digits, “.”, “-” and “_” only, at most 32."), code="invalid")
        taken = Project.objects.filter(unit=unit, code__iexact=text)
        if project is not None:
            taken = taken.exclude(pk=project.pk)
        if taken.exists():
            raise ValidationError(_("Another project of the unit has the code %(code)s.") % {"code": text}, code="taken")
        return text

    def name_vi(raw):
        text = clean_text(_cell(raw), MAX_NAME_LENGTH)
        if not text:
            raise ValidationError(_("Give the project's name in Vietnamese."), code="required")
        return text

    def nodes(raw):
        keys = list(dict.fromkeys(raw if isinstance(raw, (list, tuple)) else _words(raw)))
        if len(keys) > MAX_LINKS:
            raise ValidationError(_("At most %(max)s.") % {"max": MAX_LINKS}, code="too_many")
        unknown = [key for key in keys if str(key) not in lookups.nodes]
        if unknown:
            raise ValidationError(
                _("Unknown framework nodes: %(keys)s. Name them as framework:code, e.g. decision-950:5.")
                % {"keys": ", ".join(str(k)[:40] for k in unknown[:5])},
                code="unknown_node",
            )
        return [lookups.nodes[str(key)] for key in keys]

    def indicators(raw):
        codes = list(dict.fromkeys(raw if isinstance(raw, (list, tuple)) else _words(raw)))
        if len(codes) > MAX_LINKS:
            raise ValidationError(_("At most %(max)s.") % {"max": MAX_LINKS}, code="too_many")
        unknown = [code for code in codes if str(code) not in lookups.indicators]
        if unknown:
            raise ValidationError(
                _("Unknown indicators: %(codes)s.") % {"codes": ", ".join(str(c)[:20] for c in unknown[:5])},
                code="unknown_indicator",
            )
        return [lookups.indicators[str(code)] for code in codes]

    check("code", code)
    check("name_vi", name_vi)
    check("name_en", lambda raw: clean_text(_cell(raw), MAX_NAME_LENGTH))
    check("lead_agency", lambda raw: clean_text(_cell(raw), MAX_AGENCY_LENGTH))
    check("funding_source", lambda raw: _choice(raw, FundingSource.choices))
    check("total_investment", lambda raw: clean_spending(_cell(raw)))
    check("start_date", parse_date)
    check("planned_end_date", parse_date)
    default_status = project.status if project is not None else ProjectStatus.PLANNED
    check("status", lambda raw: _choice(raw, ProjectStatus.choices) if _cell(raw) else default_status)
    check("nodes", nodes)
    check("indicators", indicators)
    check("asean_city", lookups.city)

    if project is None:
        for name in REQUIRED_COLUMNS:
            if name not in values and name not in errors:
                errors[name] = [_("This column is required.")]
    start = cleaned.get("start_date", getattr(project, "start_date", None))
    end = cleaned.get("planned_end_date", getattr(project, "planned_end_date", None))
    if start and end and end < start and "planned_end_date" not in errors:
        errors.setdefault("planned_end_date", []).append(_("The planned end is before the start."))
    return cleaned, errors


def _write(project, cleaned, user):
    for name in ("code", "name_vi", "name_en", "lead_agency", "funding_source", "total_investment", "start_date",
                 "planned_end_date", "status"):
        if name in cleaned:
            setattr(project, name, cleaned[name])
    if "asean_city" in cleaned:
        project.asean_city = cleaned["asean_city"]
    project.updated_by = user if getattr(user, "pk", None) else None
    project.save()
    if "nodes" in cleaned:
        project.nodes.set(cleaned["nodes"])
    if "indicators" in cleaned:
        project.indicators.set(cleaned["indicators"])
    return project


def _check_may_manage(user, unit):
    if not policies.can_manage_projects(user, unit):
        raise PermissionDenied(_("Only the reporters of %(unit)s keep its project register.") % {"unit": unit})


@transaction.atomic
def save_project(*, user, unit, values, project=None):
    """Add a project to ``unit``'s register, or change ``project``; ``ProjectInvalid`` and nothing saved on a problem."""
    _check_may_manage(user, unit)
    if project is not None and project.unit_id != unit.pk:
        raise PermissionDenied(_("This project is not in the register of %(unit)s.") % {"unit": unit})
    cleaned, errors = clean_project(values, unit, project=project)
    if errors:
        raise ProjectInvalid(errors)
    return _write(project or Project(unit=unit), cleaned, user)


# --- importing a register ------------------------------------------------------------------


@dataclass
class RegisterImportResult:
    """What a register import did, or would do (``dry_run``), or why it did nothing."""

    rows: int = 0
    dry_run: bool = False
    errors: list = field(default_factory=list)  # problems of the file as a whole
    row_report: list = field(default_factory=list)  # [{"row": 3, "errors": {"code": ["…"]}}]
    created: int = 0
    updated: int = 0
    applied: bool = False

    @property
    def ok(self):
        return not self.errors and not self.row_report

    @property
    def message(self):
        if self.errors:
            return " ".join(self.errors)
        if self.row_report:
            count = len(self.row_report)
            return ngettext(
                "%(count)s row has problems; nothing was imported.",
                "%(count)s rows have problems; nothing was imported.",
                count,
            ) % {"count": count}
        counts = {"created": self.created, "updated": self.updated}
        if self.dry_run:
            return _(
                "The file is valid: %(created)s projects would be added and %(updated)s changed. "
                "Nothing was written (check only)."
            ) % counts
        return _("Register imported: %(created)s projects added, %(updated)s changed.") % counts


def import_register(*, user, unit, file, name=None, dry_run=False, max_rows=None):
    """Check every row of a register file and, if all are valid and not ``dry_run``, write them all.

    Rows are matched to the unit's projects by ``code``: a known code changes
    that project (only the columns the file has), a new code adds one. The
    file is read by ``indicators.imports.read_table`` with its rules (size,
    encoding, zip bombs, formulas are text); any problem in any row and
    nothing is written.
    """
    from indicators.imports import Columns, ImportFileError, read_table

    _check_may_manage(user, unit)
    result = RegisterImportResult(dry_run=dry_run)
    try:
        table = read_table(file, name, columns=Columns(COLUMNS, REQUIRED_COLUMNS))
    except ImportFileError as error:
        result.errors.append(error.message)
        return result
    result.rows = len(table.rows)
    if max_rows is not None and result.rows > max_rows:
        result.errors.append(
            _("The file has %(count)s rows; a register of more than %(max)s projects cannot be imported at once.")
            % {"count": result.rows, "max": max_rows}
        )
        return result
    lookups = Lookups.load(unit)
    existing = {p.code.lower(): p for p in Project.objects.filter(unit=unit)}
    seen, checked = {}, []
    for row in table.rows:
        errors = {}
        if "row" in row.cells:  # the reader's note: more cells than column names
            errors["row"] = [row.cells.pop("row")]
        values = {name: value for name, value in row.cells.items() if name in COLUMNS}
        code = _cell(values.get("code")).lower()
        project = existing.get(code)
        cleaned, problems = clean_project(values, unit, project=project, lookups=lookups)
        errors.update(problems)
        if code and code in seen:
            errors.setdefault("code", []).append(
                _("The code %(code)s is also on row %(row)s.") % {"code": _cell(values.get("code")), "row": seen[code]}
            )
        seen.setdefault(code, row.number)
        if errors:
            result.row_report.append({"row": row.number, "errors": _in_column_order(errors)})
        checked.append((project, cleaned))
    if result.row_report:
        return result
    result.created = sum(1 for project, _cleaned in checked if project is None)
    result.updated = len(checked) - result.created
    if dry_run:
        return result
    with transaction.atomic():
        for project, cleaned in checked:
            _write(project or Project(unit=unit), cleaned, user)
    result.applied = True
    return result


def _in_column_order(errors):
    order = {name: position for position, name in enumerate(("row", *COLUMNS))}
    return dict(sorted(errors.items(), key=lambda item: order.get(item[0], len(order))))


def register_rows(unit):
    """The unit's register in the columns of ``COLUMNS``: a file that imports back unchanged."""
    projects = Project.objects.filter(unit=unit).select_related("asean_city").prefetch_related(
        Prefetch("nodes", queryset=FrameworkNode.objects.select_related("version__framework")), "indicators",
    ).order_by("code")
    for project in projects:
        yield [
            project.code, project.name_vi, project.name_en, project.lead_agency, project.funding_source,
            project.total_investment, project.start_date, project.planned_end_date, project.status,
            "; ".join(sorted(n.key for n in project.nodes.all())),
            "; ".join(sorted(i.code for i in project.indicators.all())),
            project.asean_city.city if project.asean_city else "",
        ]


# --- publishing -------------------------------------------------------------------------------


def approved_progress(project_ids=None):
    """Progress rows of approved reports (newest quarter first): all the public may see of projects' progress."""
    rows = ProjectProgress.objects.filter(report__in=policies.published_reports()).select_related("report__unit")
    if project_ids is not None:
        rows = rows.filter(project_id__in=list(project_ids))
    return rows.order_by("-report__year", "-report__quarter", "project_id")


def publish(report):
    """Bring the public copy of every project ``report`` gives the progress of up to date.

    Called by the services when ``report`` is approved (the approval publishes
    each project's register entry as it is now, and its latest approved
    progress) and when it is reopened (the published progress falls back to
    the latest report still approved; the register entry published before
    stays; a project no approved report gives leaves the public pages).
    """
    project_ids = list(ProjectProgress.objects.filter(report=report).values_list("project_id", flat=True))
    if not project_ids:
        return
    latest = {}
    for row in approved_progress(project_ids):
        latest.setdefault(row.project_id, row)
    PublishedProject.objects.filter(project_id__in=[pk for pk in project_ids if pk not in latest]).delete()
    published = PublishedProject.objects.in_bulk([pk for pk in latest])
    now = timezone.now()
    for project in Project.objects.filter(pk__in=list(latest)).prefetch_related("nodes", "indicators"):
        row = latest[project.pk]
        copy = published.get(project.pk)
        republish = report.status == ReportStatus.APPROVED or copy is None
        if copy is None:
            copy = PublishedProject(project=project, published_at=now)
        if republish:
            for name in ("unit_id", "code", "name_vi", "name_en", "lead_agency", "funding_source", "total_investment",
                         "start_date", "planned_end_date", "asean_city_id"):
                setattr(copy, name, getattr(project, name))
        copy.report_id, copy.year, copy.quarter = row.report_id, row.report.year, row.report.quarter
        copy.status, copy.percent_complete, copy.spending_to_date = row.status, row.percent_complete, row.spending_to_date
        copy.save()
        if republish:
            copy.nodes.set(project.nodes.all())
            copy.indicators.set(project.indicators.all())


# --- reading what is public ---------------------------------------------------------------------


def published_projects():
    """Every published project with what its pages and downloads show, in a fixed number of queries."""
    return PublishedProject.objects.select_related("unit", "asean_city", "report").prefetch_related(
        Prefetch("nodes", queryset=FrameworkNode.objects.select_related("version__framework").order_by(
            "version__framework__code", "order")),
        Prefetch("indicators", queryset=Indicator.objects.order_by("code")),
    )


def project_history(project):
    """The project's progress in every approved report, oldest quarter first."""
    return list(reversed(list(approved_progress([project.pk]))))


def node_choice_groups():
    """``[(framework name, [(key, label)])]`` of the nodes a project may name: those of the
    framework versions in force, grouped by framework (a select's optgroups)."""
    groups = []
    for framework, version in reference.active_frameworks():
        if version.status != FrameworkStatus.ACTIVE:
            continue
        options = [(node.key, f"{'— ' * node.depth}{node.label}") for node in reference.version_nodes(version)]
        groups.append((framework.name, options))
    return groups


def node_choices():
    """``[(key, label)]`` of ``node_choice_groups``, each label after its framework's name: a list
    of checkboxes has no groups to name it."""
    return [(key, f"{name} · {label}") for name, options in node_choice_groups() for key, label in options]

