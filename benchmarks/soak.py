"""Soak test: a mixed read/write load against gunicorn for ten minutes (not in CI).

    .venv/bin/python benchmarks/soak.py [--minutes 10] [--clients 8] [--workers 4]

Runs on a private stack (its own PostgreSQL cluster and Redis server on free
ports, as the fault tests do: ``tests/faults/stack.py``), seeded with the demo
data, with gunicorn configured as in production (``smartcity_portal/
gunicorn.conf.py``, DEBUG off, whitenoise's manifest, JSON logs at WARNING) and
one Celery worker processing the report events. Client threads read pages and
the API and take reports through their whole workflow (save, submit, approve,
reopen) with API tokens.

Pass criteria: zero errors (every answer is the expected 2xx) and the server's
memory (RSS of gunicorn's master and workers) at the end within 10% of what it
was after the warm-up. Writes the figures to var/soak.json and prints them as
Markdown for docs/security.md.
"""
import argparse
import json
import random
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.faults.stack import Stack, available

SETUP = """
import json
from knox.models import AuthToken
from programmes import services
from programmes.models import Report, ReportStatus
from provinces.quarters import Quarter
from provinces.models import AdministrativeUnit
from smartcity_portal.accounts.models import Role, User

reviewer, _ = User.objects.get_or_create(username="soak-reviewer", defaults={"role": Role.MINISTRY_REVIEWER, "email": "soak-reviewer@example.gov.vn"})
viewer, _ = User.objects.get_or_create(username="soak-viewer", defaults={"role": Role.MINISTRY_VIEWER})
out = {"reviewer": AuthToken.objects.create(reviewer)[1], "viewer": AuthToken.objects.create(viewer)[1], "writers": []}
quarter = Quarter.last_complete()
units = list(AdministrativeUnit.objects.current().order_by("slug")[:WRITERS])
for unit in units:
    user, _ = User.objects.get_or_create(username=f"soak-{unit.slug}", defaults={"role": Role.PROVINCE_REPORTER, "unit": unit, "email": f"soak-{unit.slug}@example.gov.vn"})
    report = Report.objects.filter(unit=unit, year=quarter.year, quarter=quarter.quarter).first()
    if report is None:
        report = services.start_report(user=user, unit=unit, year=quarter.year, quarter=quarter.quarter)
    if report.status == ReportStatus.SUBMITTED:
        report = services.return_report(user=reviewer, report=report, version=report.version, comment="soak")
    if report.status == ReportStatus.APPROVED:
        report = services.reopen_report(user=reviewer, report=report, version=report.version, reason="soak")
    out["writers"].append({"token": AuthToken.objects.create(user)[1], "report": report.pk, "version": report.version, "unit": unit.slug})
out["units"] = list(AdministrativeUnit.objects.order_by("slug").values_list("slug", flat=True))
out["indicators"] = list(__import__("indicators.models", fromlist=["Indicator"]).Indicator.objects.values_list("code", flat=True))
print(json.dumps(out))
"""

READS = [
    ("page", "/"),
    ("page", "/provinces/"),
    ("page", "/provinces/{unit}/"),
    ("page", "/results/task-groups/{tg}/"),
    ("page", "/results/indicators/{indicator}/"),
    ("page", "/results/completeness/"),
    ("page", "/about/"),
    ("api", "/api/v1/provinces/?q=ninh"),
    ("api", "/api/v1/indicator-values/?page_size=100"),
    ("api", "/api/v1/progress/"),
    ("api", "/api/v1/reports/?page_size=20"),
]


class Soak:
    def __init__(self, stack, objects, args):
        self.stack, self.objects, self.args = stack, objects, args
        self.base = stack.base_url
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.counts = Counter()
        self.errors = []
        self.latencies = defaultdict(list)

    def call(self, session, kind, method, path, expected=(200,), **kwargs):
        started = time.perf_counter()
        try:
            response = session.request(method, self.base + path, timeout=30, **kwargs)
            status = response.status_code
        except requests.RequestException as error:
            response, status = None, type(error).__name__
        elapsed = time.perf_counter() - started
        with self.lock:
            self.counts[kind] += 1
            self.latencies[kind].append(elapsed)
            if status not in expected:
                body = response.text[:300] if response is not None else ""
                self.errors.append({"kind": kind, "path": path, "status": status, "body": body})
        return response if status in expected else None

    def reader(self, seed):
        rng = random.Random(seed)
        session = requests.Session()
        session.headers["Authorization"] = f"Token {self.objects['viewer']}"
        while not self.stop.is_set():
            kind, path = rng.choice(READS)
            path = path.format(
                unit=rng.choice(self.objects["units"]), tg=rng.randint(1, 9),
                indicator=rng.choice(self.objects["indicators"]),
            )
            self.call(session, f"read {kind}", "GET", path)

    def writer(self, index):
        spec = self.objects["writers"][index]
        rng = random.Random(index)
        session = requests.Session()
        session.headers["Authorization"] = f"Token {spec['token']}"
        review = requests.Session()
        review.headers["Authorization"] = f"Token {self.objects['reviewer']}"
        url = f"/api/v1/reports/{spec['report']}/"
        version = spec["version"]
        saves = 0
        while not self.stop.is_set():
            # The next run (after the warm-up) goes on from here.
            spec["version"] = version
            percent = rng.randint(10, 90)
            body = {
                "version": version,
                "task_groups": [
                    {"number": n, "status": "in-progress", "percent_complete": str(percent),
                     "narrative": f"Soak {saves}: tiến độ nhóm {n} <b>ổn định</b>."}
                    for n in range(1, 10)
                ],
            }
            response = self.call(session, "write save", "PATCH", url, json=body)
            if response is None:
                version = self.reread(session, url, version)
                continue
            version = response.json()["version"]
            saves += 1
            self.call(session, "read report", "GET", url)
            if saves % 5:
                continue
            # Every fifth save: the whole workflow, which also feeds the Celery worker.
            for actor, action, extra in (
                (session, "submit", {"confirm_warnings": True}),
                (review, "approve", {"comment": "soak"}),
                (review, "reopen", {"reason": "soak"}),
            ):
                response = self.call(actor, f"write {action}", "POST", f"{url}{action}/",
                                     json={"version": version, **extra})
                if response is None:
                    version = self.reread(session, url, version)
                    break
                version = response.json()["version"]
        spec["version"] = version

    def reread(self, session, url, version):
        response = self.call(session, "read report", "GET", url)
        return response.json()["version"] if response is not None else version

    def run(self, seconds, clients):
        writers = min(len(self.objects["writers"]), max(1, clients // 4))
        threads = [threading.Thread(target=self.writer, args=(i,)) for i in range(writers)]
        threads += [threading.Thread(target=self.reader, args=(i,)) for i in range(clients - writers)]
        for thread in threads:
            thread.start()
        try:
            self.stop.wait(seconds)
        finally:
            self.stop.set()
            for thread in threads:
                thread.join(timeout=60)
        return writers


def gunicorn_rss_mb(stack):
    pid = stack.gunicorn.pid
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout.split()
    total = 0
    for process in [pid, *map(int, children)]:
        try:
            for line in Path(f"/proc/{process}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return round(total / 1024, 1)


def percentile(values, fraction):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * fraction))] * 1000 if values else 0


def log(message):
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--warmup-seconds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--json", default=str(ROOT / "var" / "soak.json"))
    args = parser.parse_args()
    reason = available()
    if reason:
        raise SystemExit(f"The soak needs a private PostgreSQL and Redis: {reason}")

    stack = Stack()
    try:
        log(f"private stack in {stack.workdir}: migrate, reference data, demo data")
        stack.start()
        stack.manage("seed_demo", "--size", "1")
        objects = stack.django(SETUP.replace("WRITERS", str(max(1, args.clients // 4))))
        stack.start_gunicorn(workers=args.workers)
        worker = stack.start_worker("soak")

        log(f"warm-up: {args.warmup_seconds} s")
        Soak(stack, objects, args).run(args.warmup_seconds, args.clients)
        rss_warm = gunicorn_rss_mb(stack)
        log(f"after warm-up: gunicorn RSS {rss_warm} MB; soaking for {args.minutes} min")

        soak = Soak(stack, objects, args)
        samples = []
        sampler_stop = threading.Event()

        def sample():
            while not sampler_stop.wait(30):
                samples.append(gunicorn_rss_mb(stack))
                log(f"RSS {samples[-1]} MB, {sum(soak.counts.values())} requests, {len(soak.errors)} errors")

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.perf_counter()
        writers = soak.run(args.minutes * 60, args.clients)
        elapsed = time.perf_counter() - started
        sampler_stop.set()
        sampler.join()
        rss_end = gunicorn_rss_mb(stack)
        # The worker may still be on the last events: give it a moment to drain.
        for _ in range(60):
            pending = stack.postgres.query(
                "SELECT count(*) FROM programmes_outboxmessage WHERE processed_at IS NULL"
            )[0][0]
            if not pending:
                break
            time.sleep(1)
        stack.stop_worker(worker)
    finally:
        stack.close()

    total = sum(soak.counts.values())
    result = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "minutes": args.minutes, "clients": args.clients, "writers": writers, "gunicorn_workers": args.workers,
        "requests": total, "requests_per_second": round(total / elapsed, 1),
        "errors": len(soak.errors), "error_samples": soak.errors[:10],
        "by_kind": {
            kind: {"count": soak.counts[kind], "p50_ms": round(percentile(times, 0.5), 1),
                   "p95_ms": round(percentile(times, 0.95), 1), "max_ms": round(percentile(times, 1.0), 1)}
            for kind, times in sorted(soak.latencies.items())
        },
        "rss_after_warmup_mb": rss_warm, "rss_end_mb": rss_end,
        "rss_change_percent": round(100 * (rss_end - rss_warm) / rss_warm, 1),
        "rss_samples_mb": samples, "outbox_unprocessed_at_end": pending,
    }
    result["passed"] = result["errors"] == 0 and abs(result["rss_change_percent"]) <= 10
    Path(args.json).parent.mkdir(exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=2))
    print(markdown(result))
    log(f"wrote {args.json}")
    sys.exit(0 if result["passed"] else 1)


def markdown(r):
    lines = [
        (f"Run {r['when']}: {r['minutes']} min, {r['clients']} clients ({r['writers']} writing), "
         f"gunicorn {r['gunicorn_workers']} workers, one Celery worker."),
        "",
        f"- requests: {r['requests']} ({r['requests_per_second']}/s); errors: **{r['errors']}**",
        (f"- gunicorn RSS after warm-up {r['rss_after_warmup_mb']} MB, at the end {r['rss_end_mb']} MB "
         f"(**{r['rss_change_percent']:+}%**); samples every 30 s: {r['rss_samples_mb']}"),
        f"- outbox messages unprocessed at the end: {r['outbox_unprocessed_at_end']}",
        "",
        "| request | count | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|",
    ]
    for kind, s in r["by_kind"].items():
        lines.append(f"| {kind} | {s['count']} | {s['p50_ms']} | {s['p95_ms']} | {s['max_ms']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
