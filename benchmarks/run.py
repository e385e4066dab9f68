"""The portal's benchmark suite: ``make benchmark`` (see docs/performance.md).

Serves the portal as production would (gunicorn, DEBUG off, PostgreSQL, Redis
cache) and drives it with wrk from a second process, at data size 1 and 10.
Every figure is reported beside a baseline measured in the same run on the
same server: a trivial Django view behind the same middleware (the baseline), and the
same view with no middleware at all (the bare view). Pages are measured signed in and,
the public ones, signed out (whole pages from the cache); and cold: the first request
after the data changed, as after an approval. It also
measures SQL query counts per page, the report write path, a full CSV export
(time, peak memory), a 100,000-row import against PostgreSQL's COPY, and the
recomputation after an approval. Results go to docs/performance.md.

Not part of ``make test``: it takes minutes and needs wrk (``apt-get install wrk``).
"""
import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14")
# The benchmark's databases are <BENCH_DB>_s<size>.
DATABASE = os.environ.get("BENCH_DB", "portal_bench")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
NOTES_MARKER = "<!-- notes: kept by hand below this line -->"

PAGES = [
    ("baseline", "/_benchmark/baseline", None),
    ("bare view (no middleware)", "/_benchmark/bare", None),
    ("national overview", "/", None),
    ("unit page", "/provinces/bac-ninh/", None),
    ("task group page", "/results/task-groups/5/", None),
    ("indicator page", "/results/indicators/TG5-01/", None),
    ("completeness page", "/results/completeness/", None),
    ("API provinces", "/api/v1/provinces/", None),
    ("API indicator-values (100)", "/api/v1/indicator-values/?page_size=100", None),
    ("API progress", "/api/v1/progress/", None),
    ("assessment list", "/assessments/", None),
    ("maturity levels page", "/results/maturity/", None),
    ("API assessments", "/api/v1/assessments/", None),
    ("API maturity", "/api/v1/maturity/", None),
    ("open data catalogue", "/data/", None),
    ("published reports", "/published-reports/", None),
    ("project register", "/projects/", None),
    ("standards page", "/results/standards/", None),
    # Not a target: a page of static text in the portal's frame, to show what the frame costs.
    ("about page (frame only)", "/about/", None),
]


# Public pages, measured again signed out: served whole from the page cache.
ANONYMOUS = [
    "national overview", "unit page", "task group page", "indicator page", "completeness page",
    "maturity levels page", "open data catalogue", "published reports", "project register", "standards page",
    "about page (frame only)",
]
# Pages rendered cold: the first request after the data changed.
COLD = ["national overview", "unit page", "task group page", "indicator page", "completeness page"]
COLD_ROUNDS = 8


def log(message):
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def env_for(size):
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("WRK_")},
        "DATABASE_URL": f"{PG}/{DATABASE}_s{size}",
        "REDIS_URL": REDIS,
        "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdef",
        "DEBUG": "0",
        "HTTPS": "0",
        "BENCHMARK": "1",
        "LOG_LEVEL": "WARNING",
        "API_THROTTLE_ANON": "100000000/minute",
        "API_THROTTLE_USER": "100000000/minute",
        "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
        "MEDIA_ROOT": str(ROOT / "var" / "bench-media"),
    }


def manage(size, *args, capture=False):
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env_for(size),
        capture_output=capture, text=True, check=True,
    )
    return result.stdout if capture else None


def django_snippet(size, code):
    """Run ``code`` inside Django against the size's database; returns the last stdout line as JSON."""
    out = manage(size, "shell", "-c", code, capture=True)
    return json.loads(out.strip().splitlines()[-1])


def prepare(size, reseed):
    name = f"{DATABASE}_s{size}"
    admin = psycopg2.connect(f"{PG}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if exists and reseed:
            cursor.execute(f'DROP DATABASE "{name}"')
            exists = False
        if not exists:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    seeded = None
    if not exists:
        log(f"size {size}: migrate, load reference data, seed")
        manage(size, "migrate", "--noinput", "-v0")
        manage(size, "load_reference_data")
        started = time.perf_counter()
        manage(size, "seed_demo", "--size", str(size))
        seeded = time.perf_counter() - started
        log(f"size {size}: seeded in {seeded:.1f} s")
    manage(size, "collectstatic", "--noinput", "-v0")
    counts = django_snippet(size, (
        "import json; from programmes.models import Report, ReportRevision; "
        "from indicators.models import IndicatorValue, Indicator; "
        "print(json.dumps({'reports': Report.objects.count(), 'values': IndicatorValue.objects.count(), "
        "'revisions': ReportRevision.objects.count(), 'indicators': Indicator.objects.count()}))"
    ))
    counts["seed_seconds"] = seeded
    return counts


def start_server(size, workers):
    command = [
        str(Path(PYTHON).with_name("gunicorn")), "smartcity_portal.wsgi:application",
        "-c", "smartcity_portal/gunicorn.conf.py", "--bind", f"127.0.0.1:{PORT}",
        "--workers", str(workers), "--access-logfile", "/dev/null",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env_for(size), start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{BASE}/_benchmark/baseline", timeout=2):
                return server
        except (TimeoutError, urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    stop_server(server)
    raise SystemExit("gunicorn did not start within 60 s")


def stop_server(server):
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(server.pid, signal.SIGKILL)


def server_rss_mb(server):
    """Resident memory of gunicorn's master and workers, in MB."""
    pids = [server.pid] + [
        int(p) for p in subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=False).stdout.split()
    ]
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


# What every browser sends: the portal may answer compressed (signed-out pages, from the cache).
BROWSER_HEADERS = ("Accept-Encoding: gzip, deflate, br",)


def wrk(path, seconds, connections, headers=()):
    env = {**os.environ, "WRK_HEADERS": "\n".join((*BROWSER_HEADERS, *headers))}
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
         "-s", str(ROOT / "benchmarks" / "wrk_report.lua"), BASE + path],
        capture_output=True, text=True, env=env, check=True,
    )
    line = next(l for l in result.stdout.splitlines() if l.startswith("WRKJSON "))
    return json.loads(line[len("WRKJSON "):])


def get(path, cookie=None):
    request = urllib.request.Request(BASE + path, headers={"Cookie": f"sessionid={cookie}"} if cookie else {})
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        return response.status


def cold_renders(cookie, workers):
    """Median time of the first request of a page after the data changed (as after an approval).

    Each round marks the data changed (``/_benchmark/change``), then asks for
    the page once: signed out, the page is rendered whole (no previous version
    is served to the one request that renders it); signed in, its figures.
    First, unmeasured rounds until every worker has rendered the page once: the
    warm-up served pages from the cache, and a worker's first render also loads
    and compiles its templates, which a long-running server does once.
    """
    pages = {name: path for name, path, _ in PAGES}
    out = {}
    for name in COLD:
        for session in (None, cookie):
            for _ in range(2 * workers):
                get("/_benchmark/change")
                get(pages[name], session)
        for who, session in (("signed out", None), ("signed in", cookie)):
            times = []
            for _ in range(COLD_ROUNDS):
                get("/_benchmark/change")
                started = time.perf_counter()
                get(pages[name], session)
                times.append(time.perf_counter() - started)
            times.sort()
            out[f"{name}, {who}"] = {"median_ms": times[len(times) // 2] * 1000, "max_ms": times[-1] * 1000}
    return out


def stampede(path, requests=8):
    """After a change, ``requests`` signed-out requests of ``path`` at once: their times, fastest first (ms).

    One renders the page; the others are answered with the previous version meanwhile.
    """
    import threading

    get(path)
    get("/_benchmark/change")
    times, start = [], threading.Barrier(requests)

    def one():
        start.wait()
        started = time.perf_counter()
        get(path)
        times.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=one) for _ in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(times)


DOWNLOADS = ["/data/indicator-values/indicator-values.csv", "/data/indicator-values/indicator-values.xlsx"]


def download(server, path):
    """Download ``path`` signed out; the server's memory (all workers, MB) before and at its peak meanwhile."""
    import threading

    before = server_rss_mb(server)
    peak, done = [before], threading.Event()

    def watch():
        while not done.wait(0.05):
            peak.append(server_rss_mb(server))

    watcher = threading.Thread(target=watch)
    watcher.start()
    started, size = time.perf_counter(), 0
    try:
        with urllib.request.urlopen(BASE + path, timeout=600) as response:
            while chunk := response.read(1 << 16):
                size += len(chunk)
    finally:
        done.set()
        watcher.join()
    return {"path": path, "mb": size / 2**20, "seconds": time.perf_counter() - started,
            "rss_before_mb": before, "rss_peak_mb": max(peak)}


def query_counts(size):
    """SQL queries of each page as a ministry viewer: on an empty cache, then warm."""
    paths = [p for _, p, _ in PAGES if not p.startswith("/_benchmark")]
    code = (
        "import json; from django.test import Client; from django.db import connection; "
        "from django.core.cache import cache; from django.test.utils import CaptureQueriesContext; "
        "from smartcity_portal.accounts.models import User; "
        "u, _ = User.objects.get_or_create(username='bench-viewer', defaults={'role': 'ministry-viewer'}); "
        "c = Client(); c.force_login(u); out = {}\n"
        f"for path in {paths!r}:\n"
        "    cache.clear(); c.force_login(u); counts = []\n"
        "    for _ in range(2):\n"
        "        with CaptureQueriesContext(connection) as q:\n"
        "            r = c.get(path)\n"
        "        counts.append(len(q.captured_queries))\n"
        "    out[path] = [r.status_code, *counts]\n"
        "print(json.dumps(out))"
    )
    return django_snippet(size, code)


def recompute_time(size):
    code = (
        "import json, time; from indicators.results.services import recompute_results; "
        "from provinces.models import AdministrativeUnit as U; u = U.objects.get(slug='bac-ninh'); "
        "times = []\n"
        "for _ in range(20):\n"
        "    t = time.perf_counter(); recompute_results(u, 2025, 3); times.append(time.perf_counter() - t)\n"
        "times.sort(); print(json.dumps({'median_ms': times[10] * 1000}))"
    )
    return django_snippet(size, code)


def write_path(size, rounds):
    """Save and submit through the API, sequentially, as a reporter's client would."""
    code = f"""
import json, time
from django.test import Client
from django.core.management import call_command
from programmes.models import Report
from programmes import services
from provinces.quarters import Quarter
from provinces.models import AdministrativeUnit
from smartcity_portal.accounts.models import User
unit = AdministrativeUnit.objects.get(slug='ha-noi')
user, _ = User.objects.get_or_create(username='bench-reporter', defaults={{'role': 'province-reporter', 'unit': unit}})
q = Quarter.last_complete()
saves, submits = [], []
for i in range({rounds}):
    report = Report.objects.filter(unit=unit, year=q.year, quarter=q.quarter).first()
    if report is not None:
        report.revisions.all().delete(); report.delete()
    client = Client(); client.force_login(user)
    report = services.start_report(user=user, unit=unit, year=q.year, quarter=q.quarter)
    body = {{"version": report.version, "task_groups": [{{"number": n, "status": "in-progress", "percent_complete": "50", "narrative": "bench"}} for n in range(1, 10)],
            "indicator_values": [{{"code": "TG5-01", "value": "55", "note": "bench"}}]}}
    t = time.perf_counter()
    r = client.patch(f"/api/v1/reports/{{report.pk}}/", data=json.dumps(body), content_type="application/json")
    saves.append((time.perf_counter() - t, r.status_code))
    version = r.json().get("version", report.version + 1)
    t = time.perf_counter()
    r = client.post(f"/api/v1/reports/{{report.pk}}/submit/", data=json.dumps({{"version": version, "confirm_warnings": True}}), content_type="application/json")
    submits.append((time.perf_counter() - t, r.status_code))
def stats(rows):
    times = sorted(t for t, _ in rows)
    return {{"median_ms": times[len(times) // 2] * 1000, "p95_ms": times[int(len(times) * 0.95) - 1] * 1000,
             "statuses": sorted(set(s for _, s in rows))}}
print(json.dumps({{"save": stats(saves), "submit": stats(submits)}}))
"""
    return django_snippet(size, code)


def measure_child(command, size):
    """Run ``command``; return (seconds, peak RSS in MB) of that process alone."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env_for(size), stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed with status {status}")
    return elapsed, usage.ru_maxrss / 1024


def export_full(size, workdir):
    target = workdir / f"export-s{size}.csv"
    seconds, peak = measure_child([PYTHON, "manage.py", "export_results", str(target)], size)
    rows = sum(1 for _ in target.open(encoding="utf-8")) - 1
    return {"seconds": seconds, "peak_mb": peak, "rows": rows}


def import_vs_copy(size, workdir, rows_wanted=100_000):
    """A 100,000-row import through every validation rule, against COPY of the same file."""
    path = workdir / "import.csv"
    code = f"""
import csv, json
from indicators.models import Indicator
from programmes.models import Report
from provinces.quarters import Quarter, quarter_range
from provinces.models import AdministrativeUnit
blocked = set(Report.objects.exclude(status='approved').values_list('unit_id', 'year', 'quarter'))
indicators = list(Indicator.objects.filter(is_active=True).exclude(value_type='boolean').order_by('code'))
rows = 0
with open({str(path)!r}, 'w', newline='', encoding='utf-8') as handle:
    out = csv.writer(handle); out.writerow(['province', 'year', 'quarter', 'indicator', 'value', 'note'])
    for q in quarter_range(Quarter(2018, 1), Quarter.last_complete()):
        for unit in AdministrativeUnit.objects.in_force_throughout(q.start, q.end).order_by('slug'):
            if (unit.pk, q.year, q.quarter) in blocked:
                continue
            for ind in indicators:
                if rows >= {rows_wanted}:
                    break
                out.writerow([unit.slug, q.year, q.quarter, ind.code, 40, 'benchmark'])
                rows += 1
print(json.dumps({{'rows': rows}}))
"""
    made = django_snippet(size, code)
    seconds, peak = measure_child(
        [PYTHON, "manage.py", "import_values", str(path), "--user", "bench-importer"], size
    )
    connection = psycopg2.connect(f"{PG}/{DATABASE}_s{size}")
    with connection, connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_copy (province text, year int, quarter int, indicator text, value numeric, note text)"
        )
        started = time.perf_counter()
        with path.open(encoding="utf-8") as handle:
            cursor.copy_expert("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)", handle)
        copy_seconds = time.perf_counter() - started
    connection.close()
    # What starting Python and Django costs the command before it reads a row.
    startup, _ = measure_child([PYTHON, "manage.py", "shell", "-c", "pass"], size)
    return {"rows": made["rows"], "import_seconds": seconds, "import_peak_mb": peak,
            "copy_seconds": copy_seconds, "ratio": seconds / copy_seconds,
            "rows_per_second": made["rows"] / seconds, "startup_seconds": startup,
            "ratio_after_startup": (seconds - startup) / copy_seconds}


def session_cookie(size):
    code = (
        "import json; from django.test import Client; from smartcity_portal.accounts.models import User; "
        "u, _ = User.objects.get_or_create(username='bench-viewer', defaults={'role': 'ministry-viewer'}); "
        "c = Client(); c.force_login(u); print(json.dumps({'sessionid': c.cookies['sessionid'].value}))"
    )
    return django_snippet(size, code)["sessionid"]


def run_size(size, args, workdir):
    counts = prepare(size, args.reseed)
    manage(size, "create_portal_user", "bench-importer", "--role", "ministry-reviewer")
    results = {"size": size, "data": counts}
    log(f"size {size}: query counts")
    results["queries"] = query_counts(size)
    cookie = session_cookie(size)
    server = start_server(size, args.workers)
    try:
        for name, path, _ in PAGES:
            # Warm the cache, and every worker (its templates, translations, connections).
            for _ in range(3):
                get(path, cookie)
                if name in ANONYMOUS:
                    get(path)
            wrk(path, 2, args.connections, [f"Cookie: sessionid={cookie}"])
            if name in ANONYMOUS:
                wrk(path, 2, args.connections)
        results["rss_after_warmup_mb"] = server_rss_mb(server)
        results["http"] = {}
        for name, path, _ in PAGES:
            log(f"size {size}: wrk {name}")
            results["http"][name] = wrk(path, args.seconds, args.connections, [f"Cookie: sessionid={cookie}"])
        paths = {name: path for name, path, _ in PAGES}
        for name in ANONYMOUS:
            log(f"size {size}: wrk {name}, signed out")
            results["http"][f"{name}, signed out"] = wrk(paths[name], args.seconds, args.connections)
        log(f"size {size}: cold renders")
        results["cold"] = cold_renders(cookie, args.workers)
        results["stampede"] = stampede("/")
        # The baseline again at the end, so that a slower or faster spell of a shared
        # machine during the run weighs on the yardstick as on the targets.
        log(f"size {size}: wrk baseline again")
        for name, path in (("baseline", PAGES[0][1]), ("bare view (no middleware)", PAGES[1][1])):
            runs = [results["http"][name], wrk(path, args.seconds, args.connections, [f"Cookie: sessionid={cookie}"])]
            results["baseline_runs" if name == "baseline" else "bare_runs"] = runs
            results["http"][name] = {key: sum(run[key] for run in runs) / 2 for key in runs[0]}
        results["rss_end_mb"] = server_rss_mb(server)
        log(f"size {size}: catalogue downloads")
        results["downloads"] = []
        for path in DOWNLOADS:
            try:
                results["downloads"].append(download(server, path))
            except (OSError, urllib.error.URLError) as error:
                log(f"size {size}: download {path} failed: {error}")
                results["downloads"].append({"path": path, "error": str(error)})
    finally:
        stop_server(server)
    log(f"size {size}: recompute, write path, export")
    results["recompute"] = recompute_time(size)
    results["writes"] = write_path(size, args.write_rounds)
    results["export"] = export_full(size, workdir)
    if size == max(args.sizes) and not args.skip_import:
        log(f"size {size}: import of 100,000 rows vs COPY")
        results["import"] = import_vs_copy(size, workdir)
    return results


def render(all_results, args, notes):
    from report import render_markdown

    return render_markdown(all_results, args, notes)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per target")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--write-rounds", type=int, default=30)
    parser.add_argument("--reseed", action="store_true", help="drop and rebuild the benchmark databases")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--output", default=str(ROOT / "docs" / "performance.md"))
    parser.add_argument("--json", default=str(ROOT / "var" / "benchmark.json"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    sys.path.insert(0, str(ROOT))
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    all_results = [run_size(size, args, workdir) for size in args.sizes]
    meta = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                   f"{round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB, "
                   f"Python {platform.python_version()}, {platform.platform()}",
        "args": vars(args),
    }
    Path(args.json).parent.mkdir(exist_ok=True)
    Path(args.json).write_text(json.dumps({"meta": meta, "results": all_results}, indent=2))
    output = Path(args.output)
    notes = ""
    if output.exists():
        # The notes below the marker are written by hand: a new run keeps them.
        previous = output.read_text(encoding="utf-8")
        if NOTES_MARKER in previous:
            notes = previous.split(NOTES_MARKER, 1)[1].lstrip("\n")
    output.write_text(render({"meta": meta, "results": all_results}, args, notes), encoding="utf-8")
    log(f"wrote {args.output} and {args.json}")


if __name__ == "__main__":
    main()
