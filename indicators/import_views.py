"""Pages of the bulk import, the full export and the background jobs that run them.

The rules live in ``indicators.imports`` and ``indicators.jobs``; permissions
in ``programmes.policies``. A job's pages are its owner's: anyone else gets 404.
"""
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from indicators import imports, jobs
from indicators.models import Boundaries, Job
from programmes import policies

# The job page lists at most this many problem rows; the CSV download has them all.
SHOWN_PROBLEM_ROWS = 500


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("With the columns named above. CSV files must be UTF-8."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=_("Only check the file, import nothing"),
        required=False,
    )


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("csv", _("CSV (UTF-8)")), ("xlsx", _("Excel workbook (XLSX)"))],
        initial="csv",
        widget=forms.RadioSelect,
    )
    boundaries = forms.MultipleChoiceField(
        label=_("Boundaries"),
        choices=Boundaries.choices,
        initial=Boundaries.values,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one view of the boundaries.")},
    )


def _require(allowed):
    if not allowed:
        raise PermissionDenied


class ImportView(LoginRequiredMixin, View):
    """``/results/import/``: upload a file of values; a background job imports it."""

    template_name = "indicators/imports/import.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _require(policies.can_import_values(request.user))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._render(request, ImportForm())

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = jobs.start_import_job(
                    user=request.user, upload=form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"]
                )
            except imports.ImportFileError as error:
                form.add_error("file", error.message)
            else:
                return redirect("indicators:job_detail", pk=job.pk)
        return self._render(request, form, status=400)

    def _render(self, request, form, status=200):
        return render(request, self.template_name, {
            "form": form,
            "columns": imports.COLUMNS,
            # Column names are code, not words of the page's language.
            "columns_code": format_html_join(", ", "<code>{}</code>", ((name,) for name in imports.COLUMNS)),
            "max_rows": imports.MAX_ROWS,
            "recent_jobs": jobs.recent_jobs(request.user, Job.Kind.IMPORT),
        }, status=status)


class ExportView(LoginRequiredMixin, View):
    """``/results/export/``: export every approved result as a background job."""

    template_name = "indicators/jobs/export.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _require(policies.can_export_results(request.user))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._render(request, ExportForm())

    def post(self, request):
        form = ExportForm(request.POST)
        if form.is_valid():
            job = jobs.start_export_job(
                user=request.user, fmt=form.cleaned_data["format"], boundaries=form.cleaned_data["boundaries"]
            )
            return redirect("indicators:job_detail", pk=job.pk)
        return self._render(request, form, status=400)

    def _render(self, request, form, status=200):
        return render(request, self.template_name, {
            "form": form,
            "recent_jobs": jobs.recent_jobs(request.user, Job.Kind.EXPORT),
        }, status=status)


def _job_or_404(request, pk):
    job = jobs.visible_job(request.user, pk)
    if job is None:
        raise Http404
    return job


class JobDetailView(LoginRequiredMixin, View):
    """``/results/jobs/<pk>/``: a job's progress, then its outcome."""

    template_name = "indicators/jobs/detail.html"

    def get(self, request, pk):
        job = _job_or_404(request, pk)
        row_report = job.row_report or []
        title = _("Import #%(number)s") if job.kind == Job.Kind.IMPORT else _("Export #%(number)s")
        return render(request, self.template_name, {
            "job": job,
            "title": title % {"number": job.pk},
            "status": jobs.job_status(job),
            "problems": list(imports.row_report_lines(row_report[:SHOWN_PROBLEM_ROWS])),
            "problem_rows": len(row_report),
            "problems_cut": len(row_report) > SHOWN_PROBLEM_ROWS,
            "shown_problem_rows": SHOWN_PROBLEM_ROWS,
            "files_kept_days": settings.JOB_FILES_KEEP_DAYS,
        })


@require_GET
@never_cache
@login_required
def job_status(request, pk):
    """``/results/jobs/<pk>/status.json``: polled by ``static/js/job_progress.js``."""
    return JsonResponse(jobs.job_status(_job_or_404(request, pk)))


@require_GET
@login_required
def job_problems_csv(request, pk):
    job = _job_or_404(request, pk)
    response = HttpResponse("\ufeff" + jobs.row_report_csv(job.row_report or []), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-problems.csv"'
    return response


@require_GET
@login_required
def job_download(request, pk):
    job = _job_or_404(request, pk)
    if job.status != Job.Status.SUCCEEDED or not job.result_file:
        raise Http404
    return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=jobs.export_filename(job))


@require_GET
@login_required
def template_csv(request):
    _require(policies.can_import_values(request.user))
    # The BOM makes Excel read the file as UTF-8.
    response = HttpResponse("\ufeff" + imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="indicator-values-template.csv"'
    return response


@require_GET
@login_required
def template_xlsx(request):
    _require(policies.can_import_values(request.user))
    response = HttpResponse(
        imports.template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="indicator-values-template.xlsx"'
    return response
