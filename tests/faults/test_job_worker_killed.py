"""A Celery worker killed in the middle of an import job, on the private stack of ``conftest.py``.

The import pauses with its values written inside its transaction (see
``tests/faults/worker.py``) and the test SIGKILLs the worker's pool process
there, as an out-of-memory kill or a crash would. The job must then either
finish after one retry, its values imported once, or fail with a reason the
user sees, nothing imported; never stay "running".
"""
import os
import signal
import time

import pytest

from tests.faults.stack import wait_for

pytestmark = [pytest.mark.services, pytest.mark.slow]

START_JOB = """
import json
from django.core.files.uploadedfile import SimpleUploadedFile
from indicators import jobs
from smartcity_portal.accounts.models import User
data = {data!r}
job = jobs.start_import_job(user=User.objects.get(username="reviewer"), upload=SimpleUploadedFile("values.csv", data))
print(json.dumps(job.pk))
"""


def _rows(slug):
    lines = ["province,year,quarter,indicator,value,note"]
    lines += [f"{slug},2024,{quarter},TG5-01,{40 + quarter},killed mid-import" for quarter in (1, 2, 3, 4)]
    lines += [f"{slug},2024,{quarter},TG1-02,{quarter},killed mid-import" for quarter in (1, 2, 3, 4)]
    return ("\r\n".join(lines) + "\r\n").encode()


def _job(stack, job_id):
    [(status, attempts, message)] = stack.postgres.query(
        "SELECT status, attempts, message FROM indicators_job WHERE id = %s", [job_id]
    )
    return status, attempts, message


def _imported(stack, slug):
    """(reports, revisions, values) of ``slug`` in 2024."""
    [row] = stack.postgres.query(
        "SELECT count(DISTINCT r.id), count(DISTINCT v.id), count(DISTINCT iv.id) "
        "FROM programmes_report r JOIN provinces_administrativeunit u ON u.id = r.unit_id "
        "LEFT JOIN programmes_reportrevision v ON v.report_id = r.id "
        "LEFT JOIN indicators_indicatorvalue iv ON iv.report_id = r.id "
        "WHERE u.slug = %s AND r.year = 2024",
        [slug],
    )
    return tuple(row)


def _kill_paused_attempt(stack, marker, worker, log):
    wait_for(marker.exists, 60, f"the import to pause\n{stack.tail(log)}")
    time.sleep(0.5)  # the pid is written just before the pause
    victim = int(marker.read_text())
    assert victim != worker.pid, "the task runs in a pool process, not in the worker's main process"
    os.kill(victim, signal.SIGKILL)
    return victim


def test_an_import_whose_worker_is_killed_finishes_after_one_retry(stack):
    marker = stack.workdir / "slow-import-once.pid"
    job_id = stack.django(START_JOB.format(data=_rows("bac-giang")))
    worker = stack.start_worker("import-once", slow_import=marker)
    try:
        _kill_paused_attempt(stack, marker, worker, "worker-import-once.log")
        killed = time.monotonic()
        wait_for(lambda: _job(stack, job_id)[0] in ("succeeded", "failed"), 60,
                 f"the job to finish after the kill\n{stack.tail('worker-import-once.log')}")
        print(f"import job {job_id}: pool process killed mid-import; the job finished "
              f"{time.monotonic() - killed:.1f} s later")
        log = (stack.logs / "worker-import-once.log").read_text(errors="replace")
        assert "SIGKILL" in log or "signal 9" in log, log[-3000:]
    finally:
        stack.stop_worker(worker)

    status, attempts, message = _job(stack, job_id)
    assert (status, attempts) == ("succeeded", 2), message
    assert "8" in message, message  # "8 values imported. …", in the language of the one who uploaded it
    # The dead attempt's writes were rolled back; the retry wrote each value once.
    assert _imported(stack, "bac-giang") == (4, 4, 8)


def test_an_import_whose_worker_is_killed_twice_fails_with_the_reason_and_imports_nothing(stack):
    marker = stack.workdir / "slow-import-twice.pid"
    job_id = stack.django(START_JOB.format(data=_rows("ha-nam")))
    worker = stack.start_worker("import-twice", slow_import=marker)
    try:
        _kill_paused_attempt(stack, marker, worker, "worker-import-twice.log")
        marker.unlink()  # the second attempt pauses too
        wait_for(lambda: _job(stack, job_id)[1] == 2, 60,
                 f"the job to start again\n{stack.tail('worker-import-twice.log')}")
        _kill_paused_attempt(stack, marker, worker, "worker-import-twice.log")
        wait_for(lambda: _job(stack, job_id)[0] != "running", 60,
                 f"the job to be given up\n{stack.tail('worker-import-twice.log')}")
    finally:
        stack.stop_worker(worker)

    status, attempts, message = _job(stack, job_id)
    assert (status, attempts) == ("failed", 2), (status, attempts, message)
    assert message, "the job page must say why"
    print(f"import job {job_id}: killed twice; failed with: {message}")
    assert _imported(stack, "ha-nam") == (0, 0, 0)
    assert stack.postgres.query("SELECT id FROM indicators_job WHERE status = 'running'") == []
