"""Long imports and exports as background jobs (``indicators.models.Job``).

Pages start a job here; after the transaction commits, a Celery task
(``indicators.tasks``) runs it through ``run_import_job`` / ``run_export_job``.
A job records its progress as it goes and, at the end, its outcome: the
per-row report of a failed import, or the file of an export. Running a job is
idempotent: a job that has finished, or that another worker is running, is
left alone.

A run of a job is an *attempt*. A worker killed during an attempt (a deploy,
out of memory, a crashed host) leaves the job "running"; Celery hands its task
to a worker again (``acks_late`` and ``reject_on_worker_lost``), which starts
the job again from the beginning (an import is all or nothing, so the dead
attempt left nothing behind) if it has had fewer than ``MAX_ATTEMPTS``, and
otherwise marks it failed with the reason. An attempt holds a PostgreSQL
advisory lock for as long as it runs; the lock goes with the attempt's database
session, so a "running" job whose lock is free is one whose attempt died.

No job runs longer than ``JOB_TIME_LIMIT_SECONDS``: the attempt stops itself
(Celery's soft time limit, and its own progress reports check the clock), fails
with the reason and keeps nothing; Celery kills the worker process a minute
later (the hard limit); and ``fail_overdue_jobs`` (beat, every minute) marks
failed any job still "running" after that, whatever became of its worker.
"""
import csv
import io
import logging
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from pathlib import Path

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from indicators import imports
from indicators.models import Boundaries, IndicatorResult, Job
from indicators.results.exports import write_xlsx
from programmes import policies
from smartcity_portal.text import neutralise_cell

logger = logging.getLogger(__name__)

EXPORT_FORMATS = ("csv", "xlsx")
EXPORT_COLUMNS = (
    "boundaries", "province", "province_name_vi", "province_name_en", "year", "quarter",
    "indicator", "indicator_name_vi", "indicator_name_en", "value", "units_reporting", "computed_at",
)
# How the XLSX export shows each column (indicators.results.exports.NUMBER_FORMATS).
EXPORT_KINDS = ("text", "text", "text", "text", "integer", "integer", "text", "text", "text", "number", "integer",
                "datetime")
EXPORT_CHUNK = 5000
# A job's row report keeps this many rows; the message gives the full count.
MAX_STORED_ROW_REPORT = 10_000
FINISHED = {Job.Status.SUCCEEDED, Job.Status.FAILED}
# The first attempt and one more after a worker died during it.
MAX_ATTEMPTS = 2
# Celery kills a job's worker process this long after the job was told to stop.
KILL_AFTER_SECONDS = 60
# The database session of a worker process that just died may hold its lock a moment longer.
LOCK_WAIT_SECONDS = 10
_LOCK_NAMESPACE = 0x4A4F42  # "JOB": the first key of the jobs' advisory locks


def soft_time_limit():
    """Seconds after which a job's attempt stops itself (``JOB_TIME_LIMIT_SECONDS``)."""
    return settings.JOB_TIME_LIMIT_SECONDS


def hard_time_limit():
    """Seconds after which Celery kills the attempt's process; past it a "running" job is failed."""
    return settings.JOB_TIME_LIMIT_SECONDS + KILL_AFTER_SECONDS


class JobStopped(Exception):
    """The attempt must stop: nothing of it is kept."""


class JobTimeLimitExceeded(JobStopped):
    pass


class JobSuperseded(JobStopped):
    """The job is no longer this attempt's: the sweep marked it failed meanwhile."""


# --- starting jobs ------------------------------------------------------------------------


def start_import_job(*, user, upload, dry_run=False, source="file"):
    """Store ``upload`` under a generated name and queue its import.

    The quick file checks (size, type, encoding, zip size) run now, so the
    page can show them at once: ``imports.ImportFileError``. ``source`` says
    where the rows came from (``file``, ``json``), for the API's row numbers.
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
                "source": source,
            },
        )
        # The stored name never comes from the user.
        job.input_file.save(f"{uuid.uuid4().hex}.{kind}", upload, save=False)
        job.save()
        transaction.on_commit(partial(_enqueue, "run_import_job", job.pk))
    return job


def start_value_set_job(*, user, values, dry_run=False):
    """Queue the import of ``values`` (dicts keyed by ``imports.COLUMNS``), as ``start_import_job`` does a file.

    The values are written as the CSV file the web import takes, so that they meet the
    same rules, the same all-or-nothing write and the same events. A ``bool`` is
    written ``1`` / ``0``, ``None`` as an empty cell.
    """
    if not policies.can_import_values(user):
        raise PermissionDenied(_("Only ministry reviewers may import indicator values."))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(imports.COLUMNS)
    for value in values:
        writer.writerow([_cell(value.get(column)) for column in imports.COLUMNS])
    upload = ContentFile(buffer.getvalue().encode("utf-8"), name="data-value-set.csv")
    return start_import_job(user=user, upload=upload, dry_run=dry_run, source="json")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


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
    """Hand the job to Celery; if the broker is down, say so on the job instead of waiting forever.

    Where tasks run in-process (the demo without Redis, ``JOBS_RUN_IN_THREAD``)
    the job runs in a thread of its own, so that the page that started it
    answers at once and the job's page shows its progress bar while it runs.
    """
    if getattr(settings, "JOBS_RUN_IN_THREAD", False):
        worker = threading.Thread(target=_run_in_thread, args=(task_name, job_id), daemon=True,
                                  name=f"job-{job_id}")
        worker.start()
        return worker
    _hand_over(task_name, job_id)
    return None


def _run_in_thread(task_name, job_id):
    try:
        _hand_over(task_name, job_id)
    finally:
        connections.close_all()


def _hand_over(task_name, job_id):
    try:
        # By name: the tasks module wraps this one (indicators.tasks).
        current_app.tasks[f"indicators.tasks.{task_name}"].delay(job_id)
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

    It is also where a long attempt notices that it must stop: past the job's
    time limit it raises ``JobTimeLimitExceeded``, and once the job is no longer
    this attempt's (marked failed by the sweep) ``JobSuperseded``. An import's
    last report comes inside its transaction, so such an import keeps nothing.
    """

    def __init__(self, job):
        self.job_id = job.pk
        self.attempt = job.attempts
        self.deadline = job.started_at + timedelta(seconds=soft_time_limit()) if job.started_at else None
        self.last_done = 0
        self.last_total = None

    def __call__(self, done, total):
        if self.deadline is not None and timezone.now() > self.deadline:
            raise JobTimeLimitExceeded
        done = max(0, min(int(done), int(total)))
        step = max(1, min(1000, total // 100))
        if total == self.last_total and done - self.last_done < step and done < total:
            return
        self.last_done, self.last_total = done, total
        if not _this_attempt(self.job_id, self.attempt).update(processed=done, total=total):
            raise JobSuperseded
        try:
            cache.set(_progress_key(self.job_id), (done, total), timeout=6 * 3600)
        except Exception:
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


def _this_attempt(job_id, attempt):
    return Job.objects.filter(pk=job_id, status=Job.Status.RUNNING, attempts=attempt)


def _lock_key(job_id):
    return [_LOCK_NAMESPACE, job_id % 2**31]


def _hold_attempt_lock(job_id):
    """Take the job's attempt lock: ``True``, ``False`` if a live attempt keeps it, ``None`` without PostgreSQL.

    Waits up to ``LOCK_WAIT_SECONDS`` for the session of a process that just
    died to end.
    """
    if connection.vendor != "postgresql":
        return None
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", _lock_key(job_id))
            if cursor.fetchone()[0]:
                return True
        if time.monotonic() >= deadline or Job.objects.filter(pk=job_id, status__in=FINISHED).exists():
            return False
        time.sleep(0.2)


def _release_attempt_lock(job_id):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", _lock_key(job_id))
    except DatabaseError:
        logger.warning("job %s: lock not released (its database session is gone, and the lock with it)", job_id)


@contextmanager
def _attempt(job_id, kind):
    """The job, marked running for a new attempt, or ``None`` when this delivery has nothing to do."""
    locked = _hold_attempt_lock(job_id)
    try:
        yield None if locked is False else _start_attempt(job_id, kind, locked=bool(locked))
    finally:
        if locked:
            _release_attempt_lock(job_id)


def _start_attempt(job_id, kind, *, locked):
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update(of=("self",)).select_related("owner").filter(pk=job_id, kind=kind).first()
        if job is None or job.status in FINISHED:
            return None
        if job.status == Job.Status.RUNNING:
            recent = job.started_at and job.started_at > now - timedelta(seconds=hard_time_limit())
            if not locked and recent:
                return None  # without locks (SQLite: the demo) a recent attempt may still be running
            if job.attempts >= MAX_ATTEMPTS:
                logger.warning("job %s: attempt %s died too; the job is given up", job.pk, job.attempts)
                _fail(job, interrupted_message(job), now)
                return None
            logger.warning("job %s: attempt %s died; starting the job again", job.pk, job.attempts)
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.started_at = now
        job.processed = 0
        job.message = ""
        job.save(update_fields=["status", "attempts", "started_at", "processed", "message"])
    # The degrading cache swallows an unreachable Redis.
    cache.delete(_progress_key(job_id))
    return job


def _fail(job, message, now):
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, message=str(message), finished_at=now)


def _in_job_language(job):
    return translation.override(job.parameters.get("language") or settings.LANGUAGE_CODE)


def interrupted_message(job):
    """Why a job whose worker died in each of its attempts failed, in the job's language."""
    with _in_job_language(job):
        if job.kind == Job.Kind.IMPORT:
            return _(
                "The import was interrupted twice: the background worker running it stopped. Nothing was "
                "imported. Try again; if it happens again, tell the portal's administrators."
            )
        return _(
            "The export was interrupted twice: the background worker running it stopped. Try again; if it "
            "happens again, tell the portal's administrators."
        )


def time_limit_message(job):
    """Why a job that ran past its time limit failed, in the job's language."""
    minutes = max(1, soft_time_limit() // 60)
    with _in_job_language(job):
        if job.kind == Job.Kind.IMPORT:
            return ngettext(
                "The import did not finish within %(count)s minute (the file may be too large, or the background "
                "worker stopped), so it was stopped and nothing was imported. Split the file into smaller ones, "
                "or try again later.",
                "The import did not finish within %(count)s minutes (the file may be too large, or the background "
                "worker stopped), so it was stopped and nothing was imported. Split the file into smaller ones, "
                "or try again later.",
                minutes,
            ) % {"count": minutes}
        return ngettext(
            "The export did not finish within %(count)s minute (the background worker may have stopped), so it "
            "was stopped. Try again later; if it happens again, tell the portal's administrators.",
            "The export did not finish within %(count)s minutes (the background worker may have stopped), so it "
            "was stopped. Try again later; if it happens again, tell the portal's administrators.",
            minutes,
        ) % {"count": minutes}


def _finish(job, status, message, *, row_report=None, processed=None, summary=None):
    """Record the attempt's outcome; ``False`` if the job is no longer this attempt's."""
    job.status = status
    job.message = str(message)
    job.row_report = row_report or []
    if summary is not None:
        job.parameters = {**job.parameters, "summary": summary}
    if processed is not None:
        job.processed = processed
    elif status == Job.Status.SUCCEEDED:
        job.processed = job.total
    job.finished_at = timezone.now()
    finished = _this_attempt(job.pk, job.attempts).update(
        status=job.status, message=job.message, row_report=job.row_report, processed=job.processed,
        result_file=job.result_file.name or "", finished_at=job.finished_at, parameters=job.parameters,
    )
    if not finished:
        logger.warning("job %s: attempt %s ended after the job was marked failed; its outcome is dropped",
                       job.pk, job.attempts)
    return bool(finished)


def _stopped(job, error):
    """The outcome of an attempt told to stop (``JobStopped`` or Celery's soft time limit)."""
    if isinstance(error, JobSuperseded):
        logger.warning("job %s: attempt %s stopped, the job having been marked failed", job.pk, job.attempts)
        return "superseded"
    logger.warning("job %s: attempt %s stopped at the time limit", job.pk, job.attempts)
    _finish(job, Job.Status.FAILED, time_limit_message(job))
    return "failed"


def run_import_job(job_id):
    """Run a queued import job. Returns ``"skipped"`` when it is not this delivery's to run."""
    with _attempt(job_id, Job.Kind.IMPORT) as job:
        if job is None:
            return "skipped"
        return _run_import(job)


def _run_import(job):
    with _in_job_language(job):
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
        except (JobStopped, SoftTimeLimitExceeded) as error:
            return _stopped(job, error)
        except Exception:
            logger.exception("import job %s failed", job.pk)
            _finish(job, Job.Status.FAILED, _(
                "The import stopped because of an unexpected error, and nothing was imported. "
                "The administrators can find the details in the log."
            ))
            return "failed"
        job.refresh_from_db(fields=["total"])
        if result.ok:
            _finish(job, Job.Status.SUCCEEDED, result.message, summary=result.summary())
            return "succeeded"
        message = result.message
        if len(result.row_report) > MAX_STORED_ROW_REPORT:
            message = " ".join([message, _("The first %(count)s of them are listed.") % {
                "count": number_format(MAX_STORED_ROW_REPORT, force_grouping=True)
            }])
        _finish(job, Job.Status.FAILED, message, row_report=result.row_report[:MAX_STORED_ROW_REPORT],
                summary=result.summary())
        return "failed"


def run_export_job(job_id):
    """Run a queued export job: write the file, attach it to the job."""
    with _attempt(job_id, Job.Kind.EXPORT) as job:
        if job is None:
            return "skipped"
        return _run_export(job)


def _run_export(job):
    with _in_job_language(job):
        try:
            fmt, boundaries = _export_options(job.parameters.get("format"), job.parameters.get("boundaries"))
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"export.{fmt}"
                count = write_results(path, fmt=fmt, boundaries=boundaries, progress=JobProgress(job))
                with open(path, "rb") as handle:
                    job.result_file.save(f"results-{job.pk}-{uuid.uuid4().hex[:12]}.{fmt}", File(handle), save=False)
        except (JobStopped, SoftTimeLimitExceeded) as error:
            return _stopped(job, error)
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
        if not _finish(job, Job.Status.SUCCEEDED, message, processed=count):
            job.result_file.delete(save=False)
            return "superseded"
        return "succeeded"


def fail_overdue_jobs(*, now=None):
    """Mark failed every job "running" for longer than its hard time limit; returns how many.

    By then Celery has killed the attempt's process if it was still alive, so
    whatever became of its worker (killed without its task being handed on, a
    host that crashed), the job is given up with the reason on its page. A job
    whose row an attempt is writing at this very moment is left for the next
    sweep.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=hard_time_limit())
    count = 0
    with transaction.atomic():
        overdue = Job.objects.select_for_update(skip_locked=True).filter(
            status=Job.Status.RUNNING, started_at__lt=cutoff
        )
        for job in overdue:
            logger.warning("job %s: still running %s s after attempt %s started; marked failed",
                           job.pk, hard_time_limit(), job.attempts)
            _fail(job, time_limit_message(job), now)
            count += 1
    return count


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
        def exported_rows():
            nonlocal count
            for row in queryset.iterator(chunk_size=EXPORT_CHUNK):
                yield _export_row(row, fmt)
                count += 1
                if count % EXPORT_CHUNK == 0:
                    progress(count, total)

        about = [
            (_("Source"), _("Every approved result of the portal (its export)") + f": {settings.PORTAL_BASE_URL}"),
            (_("Boundaries"), "; ".join(str(Boundaries(b).label) for b in boundaries)),
        ]
        write_xlsx(path, title=_("Approved results"), columns=list(EXPORT_COLUMNS), rows=exported_rows(),
                   about=about, kinds=EXPORT_KINDS)
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
