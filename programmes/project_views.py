"""``/projects/``: the published project register, and the pages where units keep theirs.

Public pages read only what approvals published (``PublishedProject`` and the
approved reports' progress); the register itself (``/projects/manage/``) is
for the unit's reporters and integrators, who change it through
``programmes.projects``, and for the ministry, who read every unit's.
"""
import csv
import io

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from indicators import selectors as reference
from indicators.results import datasets, formats
from indicators.results.exports import download_about, download_error, unknown_format
from programmes import policies, projects
from programmes.filtersets import ProjectFilterSet
from programmes.forms import ProjectForm, RegisterImportForm
from programmes.models import Project
from programmes.views import PROJECT_STATUS_LABELS
from provinces.selectors import unit_name_order
from smartcity_portal.paging import page_or_404
from smartcity_portal.text import neutralise_cell

PER_PAGE = 50
# A register is a unit's projects: a file of more rows is not one.
MAX_REGISTER_ROWS = 2000


class ProjectListView(View):
    """``/projects/``: published projects with filters (unit, status, funding, node); ``?format=csv|xlsx``."""
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = (*ProjectFilterSet.base_filters, "page")

    def get(self, request):
        queryset = projects.published_projects()
        filterset = ProjectFilterSet(request.GET, queryset=queryset)
        fmt = request.GET.get("format")
        if fmt is not None and fmt not in ("csv", "xlsx"):
            return unknown_format()
        if not filterset.is_valid():
            if fmt:
                return download_error(_("Invalid filters."), "invalid", errors=filterset.form.errors.get_json_data())
            found = queryset.none()
        else:
            found = filterset.qs
        if fmt:
            return table_download(datasets.PROJECTS.table("projects"), datasets.project_rows(queryset=found), fmt,
                                  download_about(request))
        page = page_or_404(request, found.order_by(unit_name_order(), "code"), PER_PAGE)
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        return render(request, "programmes/projects/list.html", {
            "filter": filterset, "page": page, "projects": list(page.object_list), "query": query.urlencode(),
            "status_labels": PROJECT_STATUS_LABELS,
            "register_link": policies.can_read_registers(request.user) or _own_unit(request.user) is not None,
        }, status=200 if filterset.is_valid() else 400)


def table_download(table, rows, fmt, about=()):
    name = f"{table.slug}.{fmt}"
    if fmt == "xlsx":
        response = FileResponse(formats.xlsx_file(table, rows, about), content_type=formats.CONTENT_TYPES[fmt])
    else:
        response = StreamingHttpResponse(formats.encoded(formats.csv_chunks(table, rows)),
                                         content_type=formats.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class ProjectDetailView(View):
    """``/projects/<id>/``: a published project, its register as approved, its progress quarter by quarter."""
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = ()

    def get(self, request, pk):
        project = get_object_or_404(projects.published_projects(), pk=pk)
        history = projects.project_history(project.project)
        return render(request, "programmes/projects/detail.html", {
            "project": project,
            "history": [
                {"row": row, "status_label": PROJECT_STATUS_LABELS.get(row.status, "")} for row in reversed(history)
            ],
            "status_label": PROJECT_STATUS_LABELS.get(project.status, ""),
        })


# --- keeping the register -----------------------------------------------------------------------------


class RegisterView(LoginRequiredMixin, View):
    """``/projects/manage/``: the register of the user's unit (the ministry: every unit's)."""

    def get(self, request):
        if not (policies.can_read_registers(request.user) or _own_unit(request.user)):
            raise PermissionDenied(_("The project registers are kept by the units' reporters."))
        rows = policies.readable_projects(request.user, Project.objects.select_related("unit")).order_by(
            unit_name_order(), "code"
        )
        published = set(projects.published_projects().filter(project__in=rows).values_list("pk", flat=True))
        unit = _own_unit(request.user)
        return render(request, "programmes/projects/register.html", {
            "projects": [{"project": p, "published": p.pk in published,
                          "status_label": PROJECT_STATUS_LABELS.get(p.status, "")} for p in rows],
            "unit": unit,
            "can_manage": unit is not None,
        })


def _own_unit(user):
    """The unit whose register ``user`` keeps, or ``None``."""
    unit = getattr(user, "unit", None)
    if unit is not None and policies.can_manage_projects(user, unit):
        return unit
    return None


def _form_choices(unit):
    lookups = projects.Lookups.load(unit)
    return {
        "node_choices": projects.node_choices(),
        "indicator_choices": [(code, f"{code} {i.name}") for code, i in sorted(lookups.indicators.items())],
        "city_choices": [(str(city.pk), city.city) for city in lookups.cities],
    }


@method_decorator(never_cache, name="dispatch")
class ProjectEditView(LoginRequiredMixin, View):
    """``/projects/manage/new/`` and ``/projects/manage/<id>/edit/``: a project of the user's unit."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.project = None
        if "pk" in kwargs:
            self.project = get_object_or_404(policies.readable_projects(request.user), pk=kwargs["pk"])
            self.unit = self.project.unit
        else:
            self.unit = _own_unit(request.user)
        if self.unit is None or not policies.can_manage_projects(request.user, self.unit):
            raise PermissionDenied(_("Only the unit's reporters keep its project register."))
        return super().dispatch(request, *args, **kwargs)

    def form(self, *args, **kwargs):
        return ProjectForm(*args, **_form_choices(self.unit), **kwargs)

    def get(self, request, pk=None):
        initial = ProjectForm.initial_from(self.project) if self.project else None
        return self.show(self.form(initial=initial))

    def post(self, request, pk=None):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                project = projects.save_project(
                    user=request.user, unit=self.unit, values=form.values(), project=self.project
                )
            except projects.ProjectInvalid as error:
                form.add_service_errors(error.errors)
            else:
                messages.success(request, _(
                    "Project %(code)s saved. It is published with the next approved report that gives its progress."
                ) % {"code": project.code})
                return redirect("projects:manage")
        return self.show(form, status=400)

    def show(self, form, status=200):
        return render(self.request, "programmes/projects/form.html", {
            "form": form, "project": self.project, "unit": self.unit,
        }, status=status)


@method_decorator(never_cache, name="dispatch")
class RegisterImportView(LoginRequiredMixin, View):
    """``/projects/manage/import/``: a register file checked whole, then written whole (or not at all)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.unit = _own_unit(request.user)
            if self.unit is None:
                raise PermissionDenied(_("Only the unit's reporters keep its project register."))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.show(RegisterImportForm())

    def post(self, request):
        form = RegisterImportForm(request.POST, request.FILES)
        result = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = projects.import_register(
                user=request.user, unit=self.unit, file=upload, name=upload.name,
                dry_run=form.cleaned_data["dry_run"], max_rows=MAX_REGISTER_ROWS,
            )
            if result.applied:
                messages.success(request, result.message)
                return redirect("projects:manage")
        return self.show(form, result=result, status=200 if result is not None and result.ok else 400)

    def show(self, form, result=None, status=200):
        lines = []
        if result is not None:
            for entry in result.row_report:
                for column, texts in entry["errors"].items():
                    lines.extend((entry["row"], column, text) for text in texts)
        return render(self.request, "programmes/projects/import.html", {
            "form": form, "result": result, "lines": lines, "unit": self.unit, "columns": projects.COLUMNS,
            "required": projects.REQUIRED_COLUMNS,
        }, status=status)


def _csv_file(rows, filename):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise_cell(datasets.text_cell(cell)) if not isinstance(cell, str)
                         else neutralise_cell(cell) for cell in row])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class RegisterFileView(LoginRequiredMixin, View):
    """``/projects/manage/register.csv``: the unit's register in the import's columns; ``template.csv``: an example."""

    template = False

    def get(self, request):
        unit = _own_unit(request.user)
        if unit is None:
            raise PermissionDenied(_("Only the unit's reporters keep its project register."))
        if self.template:
            version = reference.current_version(reference.DEFAULT_FRAMEWORK)
            node = f"{reference.DEFAULT_FRAMEWORK}:{reference.items_of(version)[0].code}" if version else ""
            example = ["IOC-01", _("Example: replace this row with your projects."), "", "", "local-budget", "120.5",
                       "2025-01-15", "2026-12-31", "in-progress", node, "", ""]
            return _csv_file([projects.COLUMNS, example], "project-register-template.csv")
        return _csv_file([projects.COLUMNS, *projects.register_rows(unit)], f"project-register-{unit.slug}.csv")

