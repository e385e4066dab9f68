"""Outages of PostgreSQL, Redis and a Celery worker, against a real gunicorn.

The whole module runs on the private stack of ``tests/faults/conftest.py``:
its own PostgreSQL cluster and Redis server on free ports, migrated and loaded
with the reference data, and gunicorn. The shared services of the other test
runs are never touched. About a minute in all.
"""
import json
import os
import signal
import threading
import time
from collections import Counter

import pytest
import requests

from tests.faults.stack import wait_for

pytestmark = [pytest.mark.services, pytest.mark.slow]

TIMEOUT = 10
# A request during an outage must be answered within this (not hang until a proxy gives up).
FAIL_FAST_SECONDS = 5
# After PostgreSQL is back, requests must succeed again within this.
RECOVERY_SECONDS = 5

def client(stack, user):
    session = requests.Session()
    session.headers["Authorization"] = f"Token {stack.objects['tokens'][user]}"
    session.headers["Accept-Language"] = "en"
    return session


def full_contents(version, marker):
    """Every task group answered and one indicator, all carrying ``marker``."""
    return {
        "version": version,
        "task_groups": [
            {"number": n, "status": "in-progress", "percent_complete": "50", "narrative": f"{marker} tg{n}"}
            for n in range(1, 10)
        ],
        "indicator_values": [{"code": "TG5-01", "value": "40", "note": marker}],
    }


# --- PostgreSQL restarted under load --------------------------------------------------------


class Load:
    """Threads that read pages and the API and save reports until told to stop."""

    def __init__(self, stack):
        self.stack = stack
        self.results = []  # (started, ended, kind, status)
        self.markers = {}  # report id → markers whose save was acknowledged (200), in order
        self.sent = {}  # report id → every marker sent
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = []

    def record(self, started, kind, status):
        with self.lock:
            self.results.append((started, time.monotonic(), kind, status))

    def call(self, session, kind, method, path, **kwargs):
        started = time.monotonic()
        try:
            response = session.request(method, self.stack.base_url + path, timeout=TIMEOUT, **kwargs)
            status = response.status_code
        except requests.RequestException as error:
            response, status = None, f"error: {type(error).__name__}"
        self.record(started, kind, status)
        return response

    def reader(self, paths):
        session = client(self.stack, "hanoi")
        while not self.stop.is_set():
            for kind, path in paths:
                self.call(session, kind, "GET", path)

    def writer(self, report_id):
        session = client(self.stack, "hanoi")
        url = f"/api/v1/reports/{report_id}/"
        version, n = 1, 0
        while not self.stop.is_set():
            n += 1
            marker = f"r{report_id}-{n}"
            self.sent.setdefault(report_id, []).append(marker)
            response = self.call(session, "save", "PATCH", url, json=full_contents(version, marker))
            if response is not None and response.status_code == 200:
                version = response.json()["version"]
                self.markers.setdefault(report_id, []).append(marker)
            elif response is not None and response.status_code == 409:
                # The save committed but its answer was lost (database gone just after): reread.
                current = self.call(session, "read", "GET", url)
                if current is not None and current.status_code == 200:
                    version = current.json()["version"]
            time.sleep(0.02)

    def start(self):
        pages = [
            ("page", "/"), ("page", "/provinces/"), ("page", "/provinces/ha-noi/"),
            ("api", "/api/v1/provinces/"), ("api", "/api/v1/reports/"),
        ]
        for _ in range(2):
            self.threads.append(threading.Thread(target=self.reader, args=(pages,)))
        for report_id in self.stack.objects["load_reports"]:
            self.threads.append(threading.Thread(target=self.writer, args=(report_id,)))
        for thread in self.threads:
            thread.start()

    def finish(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def between(self, start, end):
        return [r for r in self.results if r[0] >= start and r[1] <= end]


def test_postgres_restart_under_load_fails_fast_with_503_and_recovers(stack):
    load = Load(stack)
    load.start()
    try:
        time.sleep(2)
        stopping = time.monotonic()
        stack.postgres.stop(mode="fast")
        down = time.monotonic()
        time.sleep(3)
        restarting = time.monotonic()
        stack.postgres.start()
        up = time.monotonic()
        time.sleep(RECOVERY_SECONDS + 3)
    finally:
        load.finish()

    statuses = Counter(status for *_, status in load.results)
    assert statuses[200] > 50, statuses
    unexpected = {s: n for s, n in statuses.items() if s not in (200, 409, 503)}
    assert not unexpected, f"only 200, 503 (and 409 after a lost answer) are acceptable: {statuses}"
    conflicts = [r for r in load.results if r[3] == 409]
    assert len(conflicts) <= len(load.stack.objects["load_reports"]), conflicts

    slowest = max(ended - started for started, ended, *_ in load.results)
    assert slowest < FAIL_FAST_SECONDS, f"a request took {slowest:.1f} s"

    before = load.between(0, stopping)
    assert before and all(r[3] == 200 for r in before), Counter(r[3] for r in before)
    during = load.between(down, restarting)
    during_statuses = Counter(r[3] for r in during)
    assert during_statuses[503] >= 10, during_statuses
    # Pages may still come from the cache, but nothing needing the database succeeds.
    assert all(r[3] in (200, 503) for r in during), during_statuses
    assert not [r for r in during if r[2] == "save" and r[3] == 200]
    after = load.between(up + RECOVERY_SECONDS, float("inf"))
    assert len(after) > 20 and all(r[3] == 200 for r in after), Counter(r[3] for r in after)
    last_failure = max((ended for started, ended, _, status in load.results if started >= up and status != 200),
                       default=up)
    print(
        f"PostgreSQL restart: {len(load.results)} requests {dict(statuses)}; down {restarting - down:.1f} s, "
        f"{during_statuses[503]} answered 503 meanwhile; slowest answer {slowest * 1000:.0f} ms; "
        f"all requests succeed again {max(0.0, last_failure - up):.1f} s after PostgreSQL accepted connections"
    )

    # No half-written report: each save wrote ten fields in one transaction, and
    # each successful save left exactly one revision.
    for report_id in stack.objects["load_reports"]:
        [(version, revisions)] = stack.postgres.query(
            "SELECT r.version, (SELECT count(*) FROM programmes_reportrevision v WHERE v.report_id = r.id) "
            "FROM programmes_report r WHERE r.id = %s",
            [report_id],
        )
        assert revisions == version, (report_id, version, revisions)
        narratives = stack.postgres.query(
            "SELECT narrative FROM programmes_nodeanswer WHERE report_id = %s", [report_id]
        )
        [(note,)] = stack.postgres.query(
            "SELECT note FROM indicators_indicatorvalue WHERE report_id = %s", [report_id]
        )
        assert sorted(n for (n,) in narratives) == [f"{note} tg{n}" for n in range(1, 10)]
        acknowledged = load.markers[report_id]
        sent = load.sent[report_id]
        # The stored save is the last acknowledged one, or a later one whose answer was lost.
        assert note in sent[sent.index(acknowledged[-1]):], (note, acknowledged[-1])
        [(snapshot,)] = stack.postgres.query(
            "SELECT snapshot FROM programmes_reportrevision WHERE report_id = %s ORDER BY number DESC LIMIT 1",
            [report_id],
        )
        snapshot = snapshot if isinstance(snapshot, dict) else json.loads(snapshot)
        assert snapshot["indicators"]["TG5-01"]["note"] == note


# --- Redis stopped -----------------------------------------------------------------------------


def test_redis_stopped_pages_served_and_submissions_kept_in_the_outbox(stack):
    report_id = stack.objects["reports"]["redis"]
    reporter = client(stack, "reporter")
    stack.redis.stop()
    try:
        for path in (
            "/", "/provinces/", "/provinces/bac-ninh/", "/results/completeness/", "/about/",
            "/api/v1/provinces/", "/api/v1/indicators/", f"/api/v1/reports/{report_id}/",
        ):
            started = time.monotonic()
            response = reporter.get(stack.base_url + path, timeout=TIMEOUT)
            assert response.status_code == 200, (path, response.status_code, response.text[:300])
            assert time.monotonic() - started < FAIL_FAST_SECONDS, path
        assert requests.get(stack.base_url + "/healthz", timeout=TIMEOUT).json()["failing"] == ["redis"]

        url = f"{stack.base_url}/api/v1/reports/{report_id}/"
        saved = reporter.patch(url, json=full_contents(1, "while redis was down"), timeout=TIMEOUT)
        assert saved.status_code == 200, saved.text
        started = time.monotonic()
        submitted = reporter.post(
            url + "submit/", json={"version": saved.json()["version"], "confirm_warnings": True},
            timeout=TIMEOUT,
        )
        assert submitted.status_code == 200, submitted.text
        assert submitted.json()["status"] == "submitted"
        assert time.monotonic() - started < FAIL_FAST_SECONDS
        [(topic, processed, last_error)] = stack.postgres.query(
            "SELECT topic, processed_at, last_error FROM programmes_outboxmessage "
            "WHERE (payload->>'report_id')::int = %s",
            [report_id],
        )
        assert topic == "report.submitted" and processed is None and last_error
        print(f"Redis stopped: pages and API 200; submission saved in {time.monotonic() - started:.2f} s, "
              f"its event kept in the outbox ({last_error.splitlines()[0][:80]})")
    finally:
        stack.redis.start()

    # The outbox catches up: the sweep queues the event again and a worker does it.
    worker = stack.start_worker("catch-up")
    try:
        out = stack.manage("sweep_outbox", "--older-than", "0")
        assert "1 queued" in out or "queued" in out, out

        def processed():
            [(done,)] = stack.postgres.query(
                "SELECT processed_at FROM programmes_outboxmessage WHERE (payload->>'report_id')::int = %s",
                [report_id],
            )
            return done is not None

        wait_for(processed, 60, f"outbox message processed\n{stack.tail('worker-catch-up.log')}")
        [(notified,)] = stack.postgres.query(
            "SELECT count(*) FROM programmes_sentnotification WHERE key IN "
            "(SELECT id::text FROM programmes_outboxmessage WHERE (payload->>'report_id')::int = %s)",
            [report_id],
        )
        assert notified == 1  # the one reviewer
    finally:
        stack.stop_worker(worker)


# --- a Celery worker killed mid-task -------------------------------------------------------------


def _results(stack, report_id):
    return stack.postgres.query(
        "SELECT 'tg', boundaries, unit_id, year, quarter, node_id, percent_complete::text, units_reporting "
        "FROM indicators_noderesult t WHERE (unit_id, year, quarter) IN "
        "  (SELECT unit_id, year, quarter FROM programmes_report WHERE id = %s) "
        "UNION ALL "
        "SELECT 'ind', boundaries, unit_id, year, quarter, indicator_id, value::text, units_reporting "
        "FROM indicators_indicatorresult t WHERE (unit_id, year, quarter) IN "
        "  (SELECT unit_id, year, quarter FROM programmes_report WHERE id = %s) "
        "ORDER BY 1, 2, 3, 4, 5, 6",
        [report_id, report_id],
    )


def _mails_to(stack, address):
    if not stack.mail_dir.exists():
        return 0
    return sum(
        path.read_text(errors="replace").count(f"\nTo: {address}\n")
        for path in stack.mail_dir.iterdir()
        if path.is_file()
    )


def test_worker_killed_mid_task_runs_again_and_has_its_effect_once(stack):
    report_id = stack.objects["reports"]["worker"]
    url = f"{stack.base_url}/api/v1/reports/{report_id}/"
    reporter, reviewer = client(stack, "reporter"), client(stack, "reviewer")
    saved = reporter.patch(url, json=full_contents(1, "approved after a crash"), timeout=TIMEOUT)
    assert saved.status_code == 200, saved.text
    submitted = reporter.post(
        url + "submit/", json={"version": saved.json()["version"], "confirm_warnings": True}, timeout=TIMEOUT
    )
    assert submitted.status_code == 200, submitted.text

    # The stack is shared by the module's tests, run in random order: count only this test's mail.
    mails_before = {name: _mails_to(stack, f"{name}@example.gov.vn") for name in ("colleague", "reporter")}
    marker = stack.workdir / "slow-task.pid"
    worker = stack.start_worker("victim", slow_first_task=marker)
    try:
        approved = reviewer.post(url + "approve/", json={"version": submitted.json()["version"]}, timeout=TIMEOUT)
        assert approved.status_code == 200, approved.text
        wait_for(marker.exists, 60, f"the approval task to start\n{stack.tail('worker-victim.log')}")
        time.sleep(0.5)  # the pid is written just before the pause
        victim = int(marker.read_text())
        assert victim != worker.pid, "the task runs in a pool process, not in the worker's main process"
        os.kill(victim, signal.SIGKILL)
        killed = time.monotonic()

        def approval_processed():
            rows = stack.postgres.query(
                "SELECT processed_at FROM programmes_outboxmessage "
                "WHERE topic = 'report.approved' AND (payload->>'report_id')::int = %s",
                [report_id],
            )
            return rows and rows[0][0] is not None

        wait_for(approval_processed, 60, f"the task to run again\n{stack.tail('worker-victim.log')}")
        redone = time.monotonic() - killed
        log = (stack.logs / "worker-victim.log").read_text(errors="replace")
        assert "SIGKILL" in log or "signal 9" in log, log[-3000:]
        print(f"Celery pool process {victim} killed mid-task; the task ran again and finished {redone:.1f} s later")
    finally:
        stack.stop_worker(worker)

    [(message_id, last_error)] = stack.postgres.query(
        "SELECT id::text, last_error FROM programmes_outboxmessage "
        "WHERE topic = 'report.approved' AND (payload->>'report_id')::int = %s",
        [report_id],
    )
    assert last_error == ""
    # One e-mail per reporter of the unit, each proven by one SentNotification.
    sent = stack.postgres.query(
        "SELECT u.username FROM programmes_sentnotification s JOIN accounts_user u ON u.id = s.recipient_id "
        "WHERE s.kind = 'report-approved' AND s.key = %s ORDER BY 1",
        [message_id],
    )
    assert [name for (name,) in sent] == ["colleague", "reporter"]
    for name in ("colleague", "reporter"):
        assert _mails_to(stack, f"{name}@example.gov.vn") - mails_before[name] == 1, name

    # The results the second run wrote are exactly those of a fresh computation.
    rows = _results(stack, report_id)
    assert rows and {row[6] for row in rows if row[0] == "tg"} == {"50.00"}
    stack.django(
        "import json; from programmes.models import Report; from indicators.results.services import recompute_results; "
        f"r = Report.objects.get(pk={report_id}); recompute_results(r.unit, r.year, r.quarter); print(json.dumps(1))"
    )
    assert _results(stack, report_id) == rows
