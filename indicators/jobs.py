"""Long imports and exports as background jobs (``indicators.models.Job``).

Pages start a job here; after the transaction commits, a Celery task
(``indicators.tasks``) runs it through ``run_import_job`` / ``run_export_job``.
A job records its progress as it goes and, at the end, its outcome: the
per-row report of a failed import, or the file of an export. Running a job is
idempotent: a job that has finished, or that another worker is running, is
left alone.
"""
import csv
import io
import logging
import tempfile
import uuid
from datetime import timedelta
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from indicators import imports
from smartcity_portal.text import neutralise_cell
from indicators.models import Boundaries, IndicatorResult, Job
from programmes import policies

logger = logging.getLogger(__name__)

EXPORT_FORMATS = ("csv", "xlsx")
EXPORT_COLUMNS = (
    "boundaries", "province", "province_name_vi", "province_name_en", "year", "quarter",
    "indicator", "indicator_name_vi", "indicator_name_en", "value", "units_reporting", "computed_at",
)
EXPORT_CHUNK = 5000
# A job's row report keeps this many rows; the message gives the full count.
MAX_STORED_ROW_REPORT = 10_000
# A job "running" for longer than this lost its worker (imports take about a minute
# at most); a redelivered task may then run it again. Imports are all or nothing,
# so a lost run left nothing behind.
STALE_AFTER = timedelta(hours=1)
FINISHED = {Job.Status.SUCCEEDED, Job.Status.FAILED}


# --- starting jobs ------------------------------------------------------------------------


def start_import_job(*, user, upload, dry_run=False):
    """Store ``upload`` under a generated name and queue its import.

    The quick file checks (size, type, encoding, zip size) run now, so the
    page can show them at once: ``imports.ImportFileError``.
    """
    if not policies.can_import_values(user):
        raise PermissionDenied(_("Only ministry reviewers may import indicator values."))
    kind = imports.check_upload(upload)
    with transaction.atomic():
        job = Job(
            kind=Job.Kind.IMPORT,
            owner=user,
            parameters={
                "filename": Path(upload.name or "").name[:200],
                "dry_run": bool(dry_run),
                "language": translation.get_language() or settings.LANGUAGE_CODE,
            },
        )
        # The stored name never comes from the user.
        job.input_file.save(f"{uuid.uuid4().hex}.{kind}", upload, save=False)
        job.save()
        transaction.on_commit(partial(_enqueue, "run_import_job", job.pk))
    return job


def start_export_job(*, user, fmt="csv", boundaries=None):
    """Queue an export of every approved result, as CSV or XLSX."""
    if not policies.can_export_results(user):
        raise PermissionDenied(_("Only ministry staff may export all results."))
    fmt, boundaries = _export_options(fmt, boundaries)
    with transaction.atomic():
        job = Job.objects.create(
            kind=Job.Kind.EXPORT,
            owner=user,
            parameters={
                "format": fmt,
                "boundaries": boundaries,
                "language": translation.get_language() or settings.LANGUAGE_CODE,
            },
        )
        transaction.on_commit(partial(_enqueue, "run_export_job", job.pk))
    return job


def _export_options(fmt, boundaries):
    fmt = (fmt or "csv").lower()
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"format must be one of {EXPORT_FORMATS}, not {fmt!r}")
    boundaries = list(boundaries or Boundaries.values)
    unknown = [b for b in boundaries if b not in Boundaries.values]
    if unknown or not boundaries:
        raise ValueError(f"boundaries must be among {Boundaries.values}, not {unknown}")
    return fmt, [b for b in Boundaries.values if b in boundaries]


def _enqueue(task_name, job_id):
    """Hand the job to Celery; if the broker is down, say so on the job instead of waiting forever."""
    from indicators import tasks

    try:
        getattr(tasks, task_name).delay(job_id)
    except Exception as error:  # noqa: BLE001 - any broker failure
        logger.warning("job %s not queued: %s", job_id, error)
        job = Job.objects.filter(pk=job_id).first()
        if job is None or job.status != Job.Status.PENDING:
            return
        with translation.override(job.parameters.get("language") or settings.LANGUAGE_CODE):
            message = _("The background worker could not be reached, so nothing was done. Try again in a few minutes.")
        Job.objects.filter(pk=job_id, status=Job.Status.PENDING).update(
            status=Job.Status.FAILED, message=message, finished_at=timezone.now()
        )


# --- progress ------------------------------------------------------------------------------


def _progress_key(job_id):
    return f"job-progress:{job_id}"


class JobProgress:
    """``progress(done, total)`` for services: writes the job's progress every ~1% or 1000 items.

    It also goes to the cache, because an import writes inside one transaction
    whose progress updates other connections cannot see until it commits.
    """

    def __init__(self, job):
        self.job_id = job.pk
        self.last_done = 0
        self.last_total = None

    def __call__(self, done, total):
        done = max(0, min(int(done), int(total)))
        step = max(1, min(1000, total // 100))
        if total == self.last_total and done - self.last_done < step and done < total:
            return
        self.last_done, self.last_total = done, total
        Job.objects.filter(pk=self.job_id).update(processed=done, total=total)
        try:
            cache.set(_progress_key(self.job_id), (done, total), timeout=6 * 3600)
        except Exception:  # noqa: BLE001 - progress is a nicety; the job goes on without the cache
            logger.debug("job progress not cached", exc_info=True)


def job_progress(job):
    """``(processed, total)`` of ``job``, including progress not yet committed."""
    processed, total = job.processed, job.total
    if job.status == Job.Status.RUNNING:
        try:
            cached = cache.get(_progress_key(job.pk))
        except Exception:  # noqa: BLE001
            cached = None
        if cached and (cached[1] > total or (cached[1] == total and cached[0] > processed)):
            processed, total = cached
    return processed, total


def job_status(job):
    """What the job page and its ``status.json`` show."""
    processed, total = job_progress(job)
    if job.status == Job.Status.SUCCEEDED:
        percent = 100
    elif total:
        percent = min(100, int(100 * processed / total))
    else:
        percent = 0
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "status_display": job.get_status_display(),
        "finished": job.status in FINISHED,
        "processed": processed,
        "total": total,
        "percent": percent,
        # The progress bar's width class (.w-0 … .w-100) moves in steps of 5.
        "bar": percent - percent % 5,
        "message": job.message,
        "problem_rows": len(job.row_report or []),
        "download_url": reverse("indicators:job_download", args=[job.pk]) if job.result_file else None,
        "url": reverse("indicators:job_detail", args=[job.pk]),
    }


# --- reading jobs --------------------------------------------------------------------------


def visible_job(user, pk):
    """The job ``pk`` if ``user`` may see it, else ``None`` (pages answer 404)."""
    job = Job.objects.select_related("owner").filter(pk=pk).first()
    if job is None or not policies.can_view_job(user, job):
        return None
    return job


def recent_jobs(user, kind, limit=10):
    return list(Job.objects.filter(owner=user, kind=kind).order_by("-created_at")[:limit])


# --- running jobs -------------------------------------------------------------------------


def _claim(job_id, kind):
    """Mark the job running and return it, or ``None`` if it is not this run's to do."""
    now = timezone.now()
    claimed = (
        Job.objects.filter(pk=job_id, kind=kind)
        .filter(Q(status=Job.Status.PENDING) | Q(status=Job.Status.RUNNING, started_at__lt=now - STALE_AFTER))
        .update(status=Job.Status.RUNNING, started_at=now, processed=0, message="")
    )
    if not claimed:
        return None
    try:
        cache.delete(_progress_key(job_id))
    except Exception:  # noqa: BLE001
        pass
    return Job.objects.select_related("owner").get(pk=job_id)


def _finish(job, status, message, *, row_report=None, processed=None):
    job.status = status
    job.message = str(message)
    job.row_report = row_report or []
    if processed is not None:
        job.processed = processed
    elif status == Job.Status.SUCCEEDED:
        job.processed = job.total
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "row_report", "processed", "result_file", "finished_at"])


def run_import_job(job_id):
    """Run a queued import job. Returns ``"skipped"`` when it is not pending."""
    job = _claim(job_id, Job.Kind.IMPORT)
    if job is None:
        return "skipped"
    with translation.override(job.parameters.get("language") or settings.LANGUAGE_CODE):
        progress = JobProgress(job)
        try:
            with job.input_file.open("rb") as handle:
                result = imports.import_file(
                    user=job.owner,
                    file=handle,
                    name=job.input_file.name,
                    dry_run=job.parameters.get("dry_run", False),
                    progress=progress,
                )
        except PermissionDenied as error:
            _finish(job, Job.Status.FAILED, error)
            return "failed"
        except Exception:
            logger.exception("import job %s failed", job.pk)
            _finish(job, Job.Status.FAILED, _(
                "The import stopped because of an unexpected error, and nothing was imported. "
                "The administrators can find the details in the log."
            ))
            return "failed"
        job.refresh_from_db(fields=["total"])
        if result.ok:
            _finish(job, Job.Status.SUCCEEDED, result.message)
            return "succeeded"
        message = result.message
        if len(result.row_report) > MAX_STORED_ROW_REPORT:
            message = " ".join([message, _("The first %(count)s of them are listed.") % {
                "count": number_format(MAX_STORED_ROW_REPORT, force_grouping=True)
            }])
        _finish(job, Job.Status.FAILED, message, row_report=result.row_report[:MAX_STORED_ROW_REPORT])
        return "failed"


def run_export_job(job_id):
    """Run a queued export job: write the file, attach it to the job."""
    job = _claim(job_id, Job.Kind.EXPORT)
    if job is None:
        return "skipped"
    with translation.override(job.parameters.get("language") or settings.LANGUAGE_CODE):
        try:
            fmt, boundaries = _export_options(job.parameters.get("format"), job.parameters.get("boundaries"))
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"export.{fmt}"
                count = write_results(path, fmt=fmt, boundaries=boundaries, progress=JobProgress(job))
                with open(path, "rb") as handle:
                    job.result_file.save(f"results-{job.pk}-{uuid.uuid4().hex[:12]}.{fmt}", File(handle), save=False)
        except Exception:
            logger.exception("export job %s failed", job.pk)
            _finish(job, Job.Status.FAILED, _(
                "The export stopped because of an unexpected error. "
                "The administrators can find the details in the log."
            ))
            return "failed"
        job.total = count
        message = ngettext("%(count)s result exported.", "%(count)s results exported.", count) % {
            "count": number_format(count, force_grouping=True)
        }
        _finish(job, Job.Status.SUCCEEDED, message, processed=count)
        return "succeeded"


# --- the full export ------------------------------------------------------------------------


def export_queryset(boundaries=None):
    """Every approved indicator result, as tuples in ``EXPORT_COLUMNS`` order."""
    queryset = IndicatorResult.objects.all()
    if boundaries:
        queryset = queryset.filter(boundaries__in=boundaries)
    return queryset.order_by("boundaries", "year", "quarter", "unit__slug", "indicator__code").values_list(
        "boundaries", "unit__slug", "unit__name_vi", "unit__name_en", "year", "quarter",
        "indicator__code", "indicator__name_vi", "indicator__name_en", "value", "units_reporting", "computed_at",
    )


def _decimal_text(value):
    return None if value is None else format(value.normalize(), "f")


def _export_row(row, fmt):
    *head, value, units_reporting, computed_at = row
    computed_at = timezone.localtime(computed_at).replace(tzinfo=None, microsecond=0) if computed_at else None
    cells = [neutralise_cell(c) for c in head]
    if fmt == "csv":
        return [*cells, _decimal_text(value), units_reporting, computed_at.isoformat() if computed_at else ""]
    return [*cells, value, units_reporting, computed_at]


def write_results(path, *, fmt="csv", boundaries=None, progress=None):
    """Write every approved result to ``path``; returns the number of rows.

    Rows are streamed from the database in chunks and written as they come
    (XLSX in write-only mode), so memory stays flat however many there are.
    Text that a spreadsheet would run as a formula is neutralised.
    """
    fmt, boundaries = _export_options(fmt, boundaries)
    queryset = export_queryset(boundaries)
    total = queryset.count()
    progress = progress or (lambda done, total: None)
    progress(0, total)
    count = 0
    if fmt == "csv":
        # utf-8-sig: Excel then reads the Vietnamese names correctly.
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(EXPORT_COLUMNS)
            for row in queryset.iterator(chunk_size=EXPORT_CHUNK):
                writer.writerow(_export_row(row, fmt))
                count += 1
                if count % EXPORT_CHUNK == 0:
                    progress(count, total)
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Results")[:31])
        sheet.append(list(EXPORT_COLUMNS))
        for row in queryset.iterator(chunk_size=EXPORT_CHUNK):
            sheet.append(_export_row(row, fmt))
            count += 1
            if count % EXPORT_CHUNK == 0:
                progress(count, total)
        workbook.save(path)
    progress(count, max(total, count))
    return count


def delete_old_job_files(*, now=None):
    """Delete the files of jobs that finished more than ``JOB_FILES_KEEP_DAYS`` ago; how many jobs lost theirs.

    An uploaded file is kept a while after its import for whoever checks what
    was imported, an export for its owner to download again; then they only
    take space. The jobs' records (who, when, the message, the row report) stay.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.JOB_FILES_KEEP_DAYS)
    old = Job.objects.filter(status__in=FINISHED, finished_at__lt=cutoff).filter(
        ~Q(input_file="") | ~Q(result_file="")
    )
    count = 0
    for job in old.iterator():
        for field in (job.input_file, job.result_file):
            if field:
                # save=False, then one update: the job's other fields may be changing elsewhere.
                field.delete(save=False)
        Job.objects.filter(pk=job.pk).update(input_file="", result_file="")
        count += 1
    if count:
        logger.info("deleted the files of %s finished jobs", count)
    return count


def export_filename(job):
    fmt = job.parameters.get("format", "csv")
    return f"indicator-results-{timezone.localtime(job.created_at):%Y%m%d-%H%M}.{fmt}"


def row_report_csv(row_report):
    """The per-row report as CSV text (row, column, problem)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("row"), _("column"), _("problem")])
    for row, column, message in imports.row_report_lines(row_report):
        writer.writerow([row, neutralise_cell(column), neutralise_cell(message)])
    return out.getvalue()
