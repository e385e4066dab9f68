"""Imports and exports as background jobs: pages, progress, outcome, permissions, commands."""
import io
import re
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from indicators import imports, jobs, tasks
from indicators.models import Indicator, IndicatorResult, Job
from programmes import services
from programmes.models import Report
from provinces.models import AdministrativeUnit
from tests.factories import unit
from tests.fixtures_files.spreadsheets import csv_bytes, read_csv_text

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("indicators:import")
EXPORT_URL = reverse("indicators:export")


@pytest.fixture(autouse=True)
def _in_english(settings):
    # Messages are compared in English, whatever the portal's default language.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def upload(client, data, name="values.csv", dry_run=False, capture=None):
    payload = {"file": SimpleUploadedFile(name, data)}
    if dry_run:
        payload["dry_run"] = "on"
    with capture(execute=True):
        return client.post(IMPORT_URL, payload)


def job_url(name, job):
    return reverse(f"indicators:{name}", args=[job.pk])


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- the import page and its job ---------------------------------------------------------------


def test_reviewer_uploads_a_file_and_the_job_imports_it(client, personas, django_capture_on_commit_callbacks):
    client.force_login(personas.reviewer)
    data = csv_bytes([["bac-giang", 2025, 2, "TG5-01", "45.5", ""], ["ha-noi", 2024, 4, "TG1-02", "3", ""]])

    response = upload(client, data, capture=django_capture_on_commit_callbacks)

    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url("job_detail", job)
    assert (job.kind, job.owner, job.status) == ("import", personas.reviewer, "succeeded")
    assert job.message.startswith("2 values imported.")
    assert job.parameters["filename"] == "values.csv"
    # Stored under a generated name, never the user's.
    assert re.fullmatch(r"jobs/input/[0-9a-f]{32}\.csv", job.input_file.name)
    assert (job.processed, job.total) == (4, 4) and job.finished_at and job.started_at
    assert Report.objects.filter(status="approved").count() == 2

    page = client.get(job_url("job_detail", job))
    assert page.status_code == 200
    assert "2 values imported." in page.content.decode()
    assert 'class="progress-bar w-100"' in page.content.decode()


def test_a_check_only_upload_writes_nothing(client, personas, django_capture_on_commit_callbacks):
    client.force_login(personas.reviewer)
    upload(client, csv_bytes([["ha-noi", 2024, 4, "TG5-01", "5", ""]]), dry_run=True,
           capture=django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert job.status == "succeeded" and "Nothing was written" in job.message
    assert not Report.objects.exists()


def test_a_file_with_problem_rows_fails_with_the_row_report(client, personas, django_capture_on_commit_callbacks):
    client.force_login(personas.reviewer)
    data = csv_bytes([
        ["ha-noi", 2024, 4, "TG5-01", "5", ""],
        ["ha-noi", 2024, 4, "TG5-02", "500", ""],
        ["bac-ninh", 2025, 2, "TG5-01", "=cmd|' /C calc'!A0", ""],
    ])

    upload(client, data, capture=django_capture_on_commit_callbacks)

    job = Job.objects.get()
    assert job.status == "failed"
    assert job.message == "2 rows have problems; nothing was imported."
    assert job.row_report == [
        {"row": 3, "errors": {"value": ["A percentage must be between 0 and 100."]}},
        {"row": 4, "errors": {
            "province": ["Bac Ninh was formed on 01/07/2025 and cannot report on 2025-Q2."],
            "value": ["Formulas are not accepted: type the value itself (in Excel, paste as values)."],
        }},
    ]
    assert not Report.objects.exists()

    page = client.get(job_url("job_detail", job)).content.decode()
    assert "A percentage must be between 0 and 100." in page
    assert "<td>3</td>" in page and "<code>value</code>" in page
    problems = client.get(job_url("job_problems_csv", job))
    assert problems["Content-Type"] == "text/csv; charset=utf-8"
    assert read_csv_text(problems.content.decode("utf-8")) == [
        ["row", "column", "problem"],
        ["3", "value", "A percentage must be between 0 and 100."],
        ["4", "province", "Bac Ninh was formed on 01/07/2025 and cannot report on 2025-Q2."],
        ["4", "value", "Formulas are not accepted: type the value itself (in Excel, paste as values)."],
    ]


def test_a_file_problem_is_shown_on_the_form_and_no_job_is_made(client, personas, django_capture_on_commit_callbacks):
    client.force_login(personas.reviewer)

    response = upload(client, "province,năm\r\n".encode("cp1258"), capture=django_capture_on_commit_callbacks)

    assert response.status_code == 400
    assert "not UTF-8" in response.content.decode()
    assert not Job.objects.exists()
    missing = client.post(IMPORT_URL, {})
    assert missing.status_code == 400 and "This field is required." in missing.content.decode()


def test_a_csv_with_carriage_returns_alone_reshows_the_form_with_the_error_on_the_file(
    client, personas, django_capture_on_commit_callbacks
):
    client.force_login(personas.reviewer)
    data = b"province,year,quarter,indicator,value,note\rha-noi,2024,4,TG5-01,5,\r"

    response = upload(client, data, capture=django_capture_on_commit_callbacks)

    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [(
        "Line 1 ends with a carriage return alone (the line ending of old Mac programs). "
        "Save the file as “CSV UTF-8 (comma delimited)” and import it again."
    )]
    page = response.content.decode()
    field = re.search(r'<div class="field field-error">\s*<label for="id_file">.*?</div>\s*</div>', page, re.DOTALL)
    assert field and "carriage return alone" in field.group(0)
    assert not Job.objects.exists() and not Report.objects.exists()


def test_a_zip_bomb_upload_is_refused_at_once(client, personas, django_capture_on_commit_callbacks):
    from tests.fixtures_files.spreadsheets import zip_bomb_xlsx

    client.force_login(personas.reviewer)
    response = upload(client, zip_bomb_xlsx(), name="values.xlsx", capture=django_capture_on_commit_callbacks)
    assert response.status_code == 400 and "would unpack to" in response.content.decode()
    assert not Job.objects.exists() and not Report.objects.exists()


def test_when_the_broker_is_down_the_job_says_so(client, personas, django_capture_on_commit_callbacks, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.run_import_job, "delay", down)
    client.force_login(personas.reviewer)

    upload(client, csv_bytes([["ha-noi", 2024, 4, "TG5-01", "5", ""]]), capture=django_capture_on_commit_callbacks)

    job = Job.objects.get()
    assert job.status == "failed" and "could not be reached" in job.message
    assert not Report.objects.exists()


def test_a_finished_job_is_not_run_again(client, personas, django_capture_on_commit_callbacks):
    client.force_login(personas.reviewer)
    upload(client, csv_bytes([["ha-noi", 2024, 4, "TG5-01", "5", ""]]), capture=django_capture_on_commit_callbacks)
    job = Job.objects.get()
    finished_at = job.finished_at

    assert jobs.run_import_job(job.pk) == "skipped"
    tasks.run_import_job.delay(job.pk)

    job.refresh_from_db()
    assert job.finished_at == finished_at
    report = Report.objects.get()
    assert report.version == 1 and report.revisions.count() == 1


# --- attempts: a worker that died, the time limit, the sweep ------------------------------------


def queued_import(user, rows, capture, **fields):
    """An import job as the page queues it, its task not run; then given ``fields`` (e.g. a dead attempt)."""
    with capture(execute=False):
        job = jobs.start_import_job(user=user, upload=SimpleUploadedFile("values.csv", csv_bytes(rows)))
    Job.objects.filter(pk=job.pk).update(**fields)
    return Job.objects.get(pk=job.pk)


ROWS = [["ha-noi", 2024, 4, "TG5-01", "5", ""], ["ha-noi", 2024, 3, "TG5-01", "4", ""]]


def test_a_job_whose_worker_died_is_run_again_from_the_start(personas, django_capture_on_commit_callbacks):
    # The first attempt's worker was killed at 50% a minute ago: the job says "running", nobody runs it.
    job = queued_import(personas.reviewer, ROWS, django_capture_on_commit_callbacks, status="running",
                        attempts=1, started_at=timezone.now() - timedelta(minutes=1), processed=2, total=4)

    assert tasks.run_import_job.delay(job.pk) is not None  # the task Celery hands out again

    job.refresh_from_db()
    assert (job.status, job.attempts, job.processed, job.total) == ("succeeded", 2, 4, 4)
    assert job.message.startswith("2 values imported.")
    assert Report.objects.count() == 2 and all(r.revisions.count() == 1 for r in Report.objects.all())


def test_a_job_whose_worker_died_twice_fails_with_the_reason(client, personas, django_capture_on_commit_callbacks):
    job = queued_import(personas.reviewer, ROWS, django_capture_on_commit_callbacks, status="running",
                        attempts=2, started_at=timezone.now() - timedelta(minutes=1))

    assert jobs.run_import_job(job.pk) == "skipped"

    job.refresh_from_db()
    assert (job.status, job.attempts) == ("failed", 2) and job.finished_at
    assert job.message == (
        "The import was interrupted twice: the background worker running it stopped. Nothing was imported. "
        "Try again; if it happens again, tell the portal's administrators."
    )
    assert not Report.objects.exists()
    client.force_login(personas.reviewer)
    assert escape(job.message) in client.get(job_url("job_detail", job)).content.decode()


def test_a_job_whose_attempt_is_alive_is_left_to_it(personas, django_capture_on_commit_callbacks, monkeypatch):
    from django.db import connections

    job = queued_import(personas.reviewer, ROWS, django_capture_on_commit_callbacks, status="running",
                        attempts=1, started_at=timezone.now())
    monkeypatch.setattr(jobs, "LOCK_WAIT_SECONDS", 0.5)
    attempt = connections.create_connection("default")  # the live attempt's own database session
    try:
        with attempt.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", jobs._lock_key(job.pk))
        assert jobs.run_import_job(job.pk) == "skipped"
    finally:
        attempt.close()

    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 1)
    assert not Report.objects.exists()


def test_an_export_whose_worker_died_is_run_again(personas):
    job = Job.objects.create(kind="export", owner=personas.viewer, status="running", attempts=1,
                             started_at=timezone.now(), parameters={"format": "csv"})
    assert jobs.run_export_job(job.pk) == "succeeded"
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("succeeded", 2) and job.result_file


@pytest.mark.parametrize("how", ["own-clock", "celery-soft-limit"])
def test_an_import_past_its_time_limit_stops_and_keeps_nothing(personas, settings, monkeypatch, how,
                                                               django_capture_on_commit_callbacks):
    settings.JOB_TIME_LIMIT_SECONDS = 60
    if how == "own-clock":
        monkeypatch.setattr(jobs, "soft_time_limit", lambda: -1)  # the deadline has passed at the first report
    else:
        from celery.exceptions import SoftTimeLimitExceeded

        def slow(**kwargs):
            raise SoftTimeLimitExceeded  # what Celery raises in the task at the soft limit

        monkeypatch.setattr(services, "import_report_values", slow)
    job = queued_import(personas.reviewer, ROWS, django_capture_on_commit_callbacks)

    assert jobs.run_import_job(job.pk) == "failed"

    job.refresh_from_db()
    assert job.status == "failed" and job.message.startswith("The import did not finish within 1 minute")
    assert not Report.objects.exists()


def test_an_attempt_whose_job_was_failed_meanwhile_keeps_nothing(personas, monkeypatch,
                                                                 django_capture_on_commit_callbacks):
    job = queued_import(personas.reviewer, ROWS, django_capture_on_commit_callbacks)
    original = imports._existing_reports

    def swept_meanwhile(pairs):
        # While the rows are checked (before the import's transaction), the sweep gives the job up.
        Job.objects.filter(pk=job.pk).update(status="failed", message="Given up by the sweep.")
        return original(pairs)

    monkeypatch.setattr(imports, "_existing_reports", swept_meanwhile)

    assert jobs.run_import_job(job.pk) == "superseded"

    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", "Given up by the sweep.")
    assert not Report.objects.exists()


def test_the_sweep_fails_every_job_running_past_its_time_limit_with_the_reason(client, personas, settings):
    settings.JOB_TIME_LIMIT_SECONDS = 600
    now = timezone.now()
    late = now - timedelta(seconds=jobs.hard_time_limit() + 1)

    def job(kind="import", **fields):
        return Job.objects.create(kind=kind, owner=personas.reviewer, parameters={"language": "en"}, **fields)

    overdue = job(status="running", attempts=1, started_at=late, processed=5, total=10)
    overdue_export = job(kind="export", status="running", attempts=2, started_at=late)
    in_time = job(status="running", attempts=1, started_at=now - timedelta(seconds=jobs.hard_time_limit() - 30))
    waiting = job(status="pending", created_at=late)
    done = job(status="succeeded", started_at=late, message="1 value imported.")

    assert tasks.fail_overdue_jobs() == 2

    statuses = {j.pk: (j.status, j.message) for j in Job.objects.all()}
    assert statuses[overdue.pk] == ("failed", (
        "The import did not finish within 10 minutes (the file may be too large, or the background worker "
        "stopped), so it was stopped and nothing was imported. Split the file into smaller ones, or try again later."
    ))
    assert statuses[overdue_export.pk][0] == "failed"
    assert statuses[overdue_export.pk][1].startswith("The export did not finish within 10 minutes")
    assert statuses[in_time.pk] == ("running", "")
    assert statuses[waiting.pk] == ("pending", "")
    assert statuses[done.pk] == ("succeeded", "1 value imported.")
    assert tasks.fail_overdue_jobs() == 0
    client.force_login(personas.reviewer)
    page = client.get(job_url("job_detail", overdue)).content.decode()
    assert "did not finish within 10 minutes" in page and "notice-error" in page


def test_the_sweep_writes_the_reason_in_the_language_of_the_jobs_owner(personas, settings):
    late = timezone.now() - timedelta(seconds=jobs.hard_time_limit() + 1)
    job = Job.objects.create(kind="import", owner=personas.reviewer, status="running", started_at=late,
                             parameters={"language": "vi"})
    jobs.fail_overdue_jobs()
    job.refresh_from_db()
    with translation.override("vi"):
        assert job.message == jobs.time_limit_message(job)
    assert "did not finish" not in job.message


def test_the_beat_fails_overdue_jobs_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["fail-overdue-jobs"]
    assert entry == {"task": "indicators.tasks.fail_overdue_jobs", "schedule": 60.0}


def test_job_tasks_have_soft_and_hard_time_limits(settings):
    for task in (tasks.run_import_job, tasks.run_export_job):
        assert task.soft_time_limit == settings.JOB_TIME_LIMIT_SECONDS
        assert task.time_limit == settings.JOB_TIME_LIMIT_SECONDS + jobs.KILL_AFTER_SECONDS
        assert task.acks_late


# --- progress -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "processed, total, percent, bar",
    [(0, 0, 0, 0), (50, 200, 25, 25), (74, 200, 37, 35), (199, 200, 99, 95), (200, 200, 100, 100)],
)
def test_status_json_shows_the_progress(client, personas, processed, total, percent, bar):
    job = Job.objects.create(kind="import", owner=personas.reviewer, status="running",
                             processed=processed, total=total)
    client.force_login(personas.reviewer)

    response = client.get(job_url("job_status", job))

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    data = response.json()
    assert (data["status"], data["finished"], data["processed"], data["total"]) == ("running", False, processed, total)
    assert (data["percent"], data["bar"]) == (percent, bar)


def test_progress_is_written_every_percent_not_every_row(personas):
    job = Job.objects.create(kind="import", owner=personas.reviewer, status="running")
    progress = jobs.JobProgress(job)

    with CaptureQueriesContext(connection) as queries:
        for done in range(10_001):
            progress(done, 10_000)

    writes = [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert 95 <= len(writes) <= 102
    job.refresh_from_db()
    assert (job.processed, job.total) == (10_000, 10_000)


def test_the_bar_advances_while_an_import_runs(client, personas, django_capture_on_commit_callbacks, monkeypatch):
    seen = []
    original = jobs.JobProgress.__call__

    def watch(self, done, total):
        original(self, done, total)
        job = Job.objects.get(pk=self.job_id)
        seen.append(jobs.job_status(job)["percent"])

    monkeypatch.setattr(jobs.JobProgress, "__call__", watch)
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 10)
    rows = [["ha-noi", 2023, q, code, "5", ""] for q in (1, 2, 3, 4)
            for code in Indicator.objects.filter(value_type="percent").values_list("code", flat=True)]
    client.force_login(personas.reviewer)

    upload(client, csv_bytes(rows), capture=django_capture_on_commit_callbacks)

    assert Job.objects.get().status == "succeeded"
    assert seen == sorted(seen) and seen[-1] == 100
    assert len(set(seen)) >= 5


def test_progress_inside_the_import_transaction_is_seen_through_the_cache(personas):
    job = Job.objects.create(kind="import", owner=personas.reviewer, status="running", processed=10, total=100)
    from django.core.cache import cache

    cache.set(jobs._progress_key(job.pk), (60, 100))
    assert jobs.job_status(job)["percent"] == 60
    job.status = "succeeded"
    assert jobs.job_status(job)["percent"] == 100


def test_a_running_job_page_refreshes_itself_and_loads_the_progress_script(client, personas):
    job = Job.objects.create(kind="import", owner=personas.reviewer, status="running", processed=30, total=100,
                             parameters={"filename": "values.csv"})
    client.force_login(personas.reviewer)

    page = client.get(job_url("job_detail", job)).content.decode()

    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert 'class="progress-bar w-30"' in page and 'aria-valuenow="30"' in page
    assert f'data-job-status-url="{job_url("job_status", job)}"' in page
    assert re.search(r'<script src="[^"]*js/job_progress\.js"', page)
    assert "style=" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # no inline script
    assert not re.search(r"\son[a-z]+=", page)  # no inline event handler

    job.status, job.message = "succeeded", "Done."
    job.save()
    finished = client.get(job_url("job_detail", job)).content.decode()
    assert "http-equiv" not in finished and "job_progress.js" not in finished


# --- who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["reporter", "viewer", "integrator", "readonly_integrator"])
def test_only_reviewers_reach_the_import_page_and_its_templates(client, personas, who):
    client.force_login(getattr(personas, who))
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"file": SimpleUploadedFile("v.csv", b"x")}).status_code == 403
    assert client.get(reverse("indicators:import_template_csv")).status_code == 403
    assert client.get(reverse("indicators:import_template_xlsx")).status_code == 403
    assert not Job.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client, personas):
    job = Job.objects.create(kind="import", owner=personas.reviewer)
    for url in (IMPORT_URL, EXPORT_URL, job_url("job_detail", job), job_url("job_status", job),
                reverse("indicators:import_template_csv")):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_reviewers_get_the_import_page_and_the_templates(client, personas):
    client.force_login(personas.reviewer)
    page = client.get(IMPORT_URL)
    assert page.status_code == 200
    assert reverse("indicators:import_template_xlsx") in page.content.decode()

    template = client.get(reverse("indicators:import_template_csv"))
    assert template["Content-Type"] == "text/csv; charset=utf-8"
    assert template.content.startswith(b"\xef\xbb\xbfprovince,year,quarter,indicator,value,note\r\n")
    workbook = client.get(reverse("indicators:import_template_xlsx"))
    assert workbook["Content-Type"].startswith("application/vnd.openxmlformats")
    assert workbook.content[:4] == b"PK\x03\x04"


@pytest.mark.parametrize("who", ["other_reviewer", "viewer", "reporter"])
def test_job_pages_belong_to_their_owner(client, personas, who):
    from tests.factories import UserFactory

    job = Job.objects.create(kind="import", owner=personas.reviewer, status="failed",
                             row_report=[{"row": 2, "errors": {"value": ["x"]}}])
    export = Job.objects.create(kind="export", owner=personas.reviewer, status="succeeded",
                                parameters={"format": "csv"})
    export.result_file.save("results.csv", io.BytesIO(b"boundaries\r\n"))
    user = UserFactory(username="other-reviewer", role="ministry-reviewer") if who == "other_reviewer" \
        else getattr(personas, who)
    client.force_login(user)

    for url in (job_url("job_detail", job), job_url("job_status", job), job_url("job_problems_csv", job),
                job_url("job_detail", export), job_url("job_download", export)):
        assert client.get(url).status_code == 404, url

    client.force_login(personas.superuser)
    assert client.get(job_url("job_detail", job)).status_code == 200
    assert client.get(job_url("job_download", export)).status_code == 200
    client.force_login(personas.reviewer)
    assert client.get(job_url("job_status", job)).status_code == 200


# --- the full export --------------------------------------------------------------------------


@pytest.fixture
def results(personas):
    """A few results in both views, one of whose names a spreadsheet would run as a formula."""
    AdministrativeUnit.objects.filter(slug="bac-giang").update(name_en="=cmd|' /C calc'!A0", name_vi="+SUM(1)")
    now = timezone.now()
    rows = []
    for boundaries, slug in (("as-reported", "bac-giang"), ("as-reported", "ha-noi"), ("current", "bac-ninh")):
        for code, value in (("TG5-01", Decimal("45.5")), ("TG1-02", Decimal(12))):
            rows.append(IndicatorResult(
                boundaries=boundaries, unit=unit(slug), year=2025, quarter=2,
                indicator=Indicator.objects.get(code=code), value=value, computed_at=now,
            ))
    IndicatorResult.objects.bulk_create(rows)
    return rows


def expected_rows(boundaries=("as-reported", "current")):
    rows = []
    for r in IndicatorResult.objects.filter(boundaries__in=boundaries).select_related("unit", "indicator").order_by(
        "boundaries", "year", "quarter", "unit__slug", "indicator__code"
    ):
        rows.append([
            r.boundaries, r.unit.slug, r.unit.name_vi, r.unit.name_en, str(r.year), str(r.quarter),
            r.indicator.code, r.indicator.name_vi, r.indicator.name_en, format(r.value.normalize(), "f"),
            str(r.units_reporting),
            timezone.localtime(r.computed_at).replace(tzinfo=None, microsecond=0).isoformat(),
        ])
    return [[f"'{c}" if c[:1] in "=+-@" else c for c in row] for row in rows]


def test_export_job_writes_every_result_and_neutralises_formulas(client, personas, results,
                                                                 django_capture_on_commit_callbacks):
    client.force_login(personas.viewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(EXPORT_URL, {"format": "csv", "boundaries": ["as-reported", "current"]})

    job = Job.objects.get()
    assert response["Location"] == job_url("job_detail", job)
    assert (job.kind, job.status, job.total, job.processed) == ("export", "succeeded", 6, 6)
    assert job.message == "6 results exported."
    page = client.get(job_url("job_detail", job)).content.decode()
    assert job_url("job_download", job) in page

    download = client.get(job_url("job_download", job))
    assert download.status_code == 200
    assert 'attachment; filename="indicator-results-' in download["Content-Disposition"]
    content = body(download)
    assert content.startswith(b"\xef\xbb\xbf")
    table = read_csv_text(content.decode("utf-8"))
    assert table[0] == list(jobs.EXPORT_COLUMNS)
    assert table[1:] == expected_rows()
    assert ["as-reported", "bac-giang", "'+SUM(1)", "'=cmd|' /C calc'!A0"] == table[1][:4]


def test_export_job_as_xlsx_for_one_view(client, personas, results, django_capture_on_commit_callbacks):
    from openpyxl import load_workbook

    client.force_login(personas.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(EXPORT_URL, {"format": "xlsx", "boundaries": ["current"]})

    job = Job.objects.get()
    assert job.status == "succeeded" and job.total == 2
    sheet = load_workbook(io.BytesIO(body(client.get(job_url("job_download", job)))), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == list(jobs.EXPORT_COLUMNS)
    assert [r[:2] + [r[6], r[9]] for r in rows[1:]] == [
        ["current", "bac-ninh", "TG1-02", 12], ["current", "bac-ninh", "TG5-01", 45.5],
    ]
    assert isinstance(rows[1][11], datetime)


def test_the_export_form_reshows_with_errors(client, personas):
    client.force_login(personas.viewer)
    response = client.post(EXPORT_URL, {"format": "pdf"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Select a valid choice." in page and "Choose at least one view of the boundaries." in page
    assert not Job.objects.exists()


@pytest.mark.parametrize("who", ["reporter", "integrator", "readonly_integrator"])
def test_only_ministry_staff_export_everything(client, personas, who):
    client.force_login(getattr(personas, who))
    assert client.get(EXPORT_URL).status_code == 403
    assert client.post(EXPORT_URL, {"format": "csv", "boundaries": ["current"]}).status_code == 403
    assert not Job.objects.exists()


def test_export_streams_in_chunks(personas, results, monkeypatch, tmp_path):
    monkeypatch.setattr(jobs, "EXPORT_CHUNK", 2)
    calls = []
    count = jobs.write_results(tmp_path / "out.csv", progress=lambda done, total: calls.append((done, total)))
    assert count == 6
    assert calls == [(0, 6), (2, 6), (4, 6), (6, 6), (6, 6)]


# --- management commands -------------------------------------------------------------------------


def test_import_values_command_imports_a_file(personas, tmp_path):
    path = tmp_path / "values.csv"
    path.write_bytes(csv_bytes([["ha-noi", 2024, 4, "TG5-01", "5", ""]]))
    out, err = io.StringIO(), io.StringIO()

    call_command("import_values", str(path), "--user", "reviewer", stdout=out, stderr=err)

    assert "1 value imported." in out.getvalue()
    assert Report.objects.get().status == "approved"


def test_import_values_command_prints_the_row_report_and_fails(personas, tmp_path):
    path = tmp_path / "values.xlsx"
    from tests.fixtures_files.spreadsheets import xlsx_bytes

    path.write_bytes(xlsx_bytes([["ha-noi", 2024, 4, "TG5-01", 5, ""], ["ha-noi", 2024, 4, "TG5-02", "=1+1", ""]]))
    err = io.StringIO()

    with pytest.raises(CommandError) as failure:
        call_command("import_values", str(path), "--user", "reviewer", "--no-progress", stderr=err,
                     stdout=io.StringIO())

    assert str(failure.value) == "1 row has problems; nothing was imported."
    assert failure.value.returncode == 1
    assert "row 3, value: Formulas are not accepted" in err.getvalue()
    assert not Report.objects.exists()


def test_import_values_command_refuses_unknown_users_missing_files_and_non_reviewers(personas, tmp_path):
    path = tmp_path / "values.csv"
    path.write_bytes(csv_bytes([["ha-noi", 2024, 4, "TG5-01", "5", ""]]))
    with pytest.raises(CommandError, match="no user"):
        call_command("import_values", str(path), "--user", "nobody")
    with pytest.raises(CommandError, match="no file"):
        call_command("import_values", str(tmp_path / "missing.csv"), "--user", "reviewer")
    with pytest.raises(CommandError, match="reviewers"):
        call_command("import_values", str(path), "--user", "reporter", stdout=io.StringIO())
    call_command("import_values", str(path), "--user", "reviewer", "--dry-run", stdout=io.StringIO())
    assert not Report.objects.exists()


def test_export_results_command_writes_csv_and_xlsx(personas, results, tmp_path):
    from openpyxl import load_workbook

    out = io.StringIO()
    call_command("export_results", str(tmp_path / "all.csv"), stdout=out, stderr=io.StringIO())
    assert "6 results written" in out.getvalue()
    assert read_csv_text((tmp_path / "all.csv").read_text(encoding="utf-8"))[1:] == expected_rows()

    call_command("export_results", str(tmp_path / "current.xlsx"), "--boundaries", "current",
                 stdout=io.StringIO(), stderr=io.StringIO())
    sheet = load_workbook(tmp_path / "current.xlsx", read_only=True).active
    assert len(list(sheet.iter_rows(values_only=True))) == 3


# --- files kept for JOB_FILES_KEEP_DAYS ----------------------------------------------------------


def finished_job(owner, kind, *, days_ago, status=Job.Status.SUCCEEDED):
    from django.core.files.base import ContentFile

    job = Job.objects.create(kind=kind, status=status, owner=owner, parameters={"format": "csv"}, total=1, processed=1,
                             finished_at=timezone.now() - timedelta(days=days_ago))
    job.input_file.save("values.csv", ContentFile(b"province,year\r\n"), save=False)
    job.result_file.save("results.csv", ContentFile(b"unit,value\r\n"), save=False)
    job.save()
    return job


def test_files_of_jobs_finished_long_ago_are_deleted_and_their_records_kept(settings, personas):
    settings.JOB_FILES_KEEP_DAYS = 30
    old = finished_job(personas.reviewer, Job.Kind.EXPORT, days_ago=31)
    old_failed = finished_job(personas.reviewer, Job.Kind.IMPORT, days_ago=40, status=Job.Status.FAILED)
    recent = finished_job(personas.reviewer, Job.Kind.EXPORT, days_ago=29)
    running = finished_job(personas.reviewer, Job.Kind.IMPORT, days_ago=90, status=Job.Status.RUNNING)
    paths = {job.pk: (job.input_file.path, job.result_file.path) for job in (old, old_failed, recent, running)}

    assert tasks.delete_old_job_files() == 2
    for job, kept in ((old, False), (old_failed, False), (recent, True), (running, True)):
        job.refresh_from_db()
        assert bool(job.input_file) is kept and bool(job.result_file) is kept
        assert all(Path(path).exists() is kept for path in paths[job.pk])
    assert tasks.delete_old_job_files() == 0


def test_an_export_whose_file_was_deleted_says_so_on_its_page(client, settings, personas):
    settings.JOB_FILES_KEEP_DAYS = 30
    job = finished_job(personas.reviewer, Job.Kind.EXPORT, days_ago=31)
    jobs.delete_old_job_files()
    client.force_login(personas.reviewer)
    page = client.get(reverse("indicators:job_detail", args=[job.pk])).content.decode()
    assert "The file is no longer kept: export files are deleted 30 days after the export." in page
    assert client.get(reverse("indicators:job_download", args=[job.pk])).status_code == 404


def test_the_beat_deletes_old_job_files_daily(settings):
    assert settings.CELERY_BEAT_SCHEDULE["delete-old-job-files"]["task"] == "indicators.tasks.delete_old_job_files"


def test_where_tasks_run_in_process_an_export_page_answers_at_once_with_its_progress_bar(
    client, personas, settings, monkeypatch, django_capture_on_commit_callbacks
):
    import threading
    import time

    settings.JOBS_RUN_IN_THREAD = True
    release, started = threading.Event(), threading.Event()

    def long_export(job_id):
        started.set()
        release.wait(10)

    monkeypatch.setattr(tasks.run_export_job, "delay", long_export)
    client.force_login(personas.viewer)
    threads_before = set(threading.enumerate())
    try:
        began = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(EXPORT_URL, {"format": "csv", "boundaries": ["current"]})
        # The page answered while the export still runs (not after it, 10 s later).
        assert response.status_code == 302 and time.monotonic() - began < 5
        assert started.wait(5) and not release.is_set()
        page = client.get(response["Location"])
        assert page.status_code == 200 and 'role="progressbar"' in page.content.decode()
    finally:
        release.set()
        for thread in set(threading.enumerate()) - threads_before:
            thread.join(5)


@pytest.mark.parametrize("persona, may_import, may_export", [
    ("reviewer", True, True), ("viewer", False, True), ("reporter", False, False), ("integrator", False, False),
])
def test_import_and_export_are_in_the_navigation_for_those_who_may_use_them(
    client, personas, persona, may_import, may_export
):
    client.force_login(getattr(personas, persona))
    html = client.get(reverse("about")).content.decode()
    nav = html[html.index('class="main-nav"'):html.index("</nav>", html.index('class="main-nav"'))]
    assert (f'href="{IMPORT_URL}"' in nav) is may_import
    assert (f'href="{EXPORT_URL}"' in nav) is may_export
    for url, allowed in ((IMPORT_URL, may_import), (EXPORT_URL, may_export)):
        assert (client.get(url).status_code == 200) is allowed


def test_signed_out_visitors_see_neither_import_nor_export(client):
    html = client.get(reverse("about")).content.decode()
    assert f'href="{IMPORT_URL}"' not in html and f'href="{EXPORT_URL}"' not in html
