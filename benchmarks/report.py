"""Turns benchmark results into docs/performance.md."""


BARE = "bare view (no middleware)"
SIGNED_OUT = ", signed out"


def _ms(microseconds):
    return f"{microseconds / 1000:.1f}"


def _verdict(ok):
    return "met" if ok else "**not met**"


def render_markdown(data, args, notes=""):
    meta, results = data["meta"], data["results"]
    by_size = {r["size"]: r for r in results}
    small, large = min(by_size), max(by_size)
    lines = [
        "# Performance",
        "",
        "Measured by `make benchmark` (`benchmarks/run.py`): gunicorn with DEBUG off, PostgreSQL, the Redis",
        "cache, driven by wrk from a second process on the same machine. Every throughput is also given as",
        "a ratio to the **baseline**, a trivial Django view behind the same middleware, and to the **bare",
        "view**, the same view with no middleware at all, both measured in the same run on the same server",
        "(the mean of one wrk run before the targets and one after). Rows *signed out* are public pages",
        "asked for without a session: whole pages from the cache. Reproduce",
        "with `make benchmark` (needs `apt-get install wrk`; about",
        "15 minutes; `make benchmark BENCH_ARGS=\"--reseed\"` rebuilds the data).",
        "",
        f"- Run: {meta['when']}",
        f"- Machine: {meta['machine']}",
        f"- wrk: {args.connections} connections, {args.seconds} s per target; gunicorn {args.workers} workers",
        "",
        "## Data",
        "",
        "| size | reports | indicator values | revisions | indicators | seed time (s) |",
        "|---|---|---|---|---|---|",
    ]
    for size, r in sorted(by_size.items()):
        d = r["data"]
        seed = f"{d['seed_seconds']:.0f}" if d.get("seed_seconds") else "(existing)"
        lines.append(f"| {size} | {d['reports']:,} | {d['values']:,} | {d['revisions']:,} | {d['indicators']} | {seed} |")

    lines += ["", "## Pages and API reads (warm cache)", ""]
    header = "| target |"
    rule = "|---|"
    for size in sorted(by_size):
        header += f" rps (size {size}) | × baseline | × bare view | p50 ms | p95 ms | p99 ms | p99 ÷ baseline p99 |"
        rule += "---|---|---|---|---|---|---|"
    header += " p95 growth 1→10 | errors |"
    rule += "---|---|"
    lines += [header, rule]
    failures = []
    for name in results[0]["http"]:
        row = f"| {name} |"
        errors = 0
        for size, r in sorted(by_size.items()):
            h, base = r["http"][name], r["http"]["baseline"]
            bare = r["http"].get(BARE, base)
            ratio = h["rps"] / base["rps"]
            bare_ratio = h["rps"] / bare["rps"]
            p99_ratio = h["p99"] / max(base["p99"], 1)
            row += (f" {h['rps']:.0f} | {ratio:.2f} | {bare_ratio:.2f} | {_ms(h['p50'])} | {_ms(h['p95'])} | {_ms(h['p99'])}"
                    f" | {p99_ratio:.1f} |")
            errors += h["errors_connect"] + h["errors_read"] + h["errors_timeout"] + h["non_2xx"]
            if name in (BARE, "baseline"):
                continue
            if name.endswith(SIGNED_OUT):
                if bare_ratio < 0.5:
                    failures.append(f"{name} at size {size}: {bare_ratio:.2f}× the bare view's throughput (target ≥ 0.5×)")
            elif ratio < 0.5 or p99_ratio > 4:
                failures.append(f"{name} at size {size}: {ratio:.2f}× baseline throughput, p99 {p99_ratio:.1f}× baseline")
        growth = by_size[large]["http"][name]["p95"] / max(by_size[small]["http"][name]["p95"], 1)
        if name not in ("baseline", BARE) and growth > 1.5:
            failures.append(f"{name}: p95 grew {growth:.2f}× from size {small} to {large}")
        row += f" {growth:.2f} | {errors} |"
        lines.append(row)

    lines += [
        "", "## SQL queries per request", "",
        "As a signed-in ministry viewer; *cold*: the first request after the cache was emptied, *warm*: the next one.",
        "",
        f"| path | status | cold (size {small}) | cold (size {large}) | warm (size {small}) | warm (size {large}) |",
        "|---|---|---|---|---|---|",
    ]
    for path, (status, cold, warm) in by_size[small]["queries"].items():
        _, big_cold, big_warm = by_size[large]["queries"].get(path, [None, None, None])
        lines.append(f"| `{path}` | {status} | {cold} | {big_cold} | {warm} | {big_warm} |")
        if big_cold is not None and (big_cold > cold or big_warm > warm):
            failures.append(f"{path}: queries grew from {cold}/{warm} to {big_cold}/{big_warm} (cold/warm)")

    if all("cold" in r for r in results):
        lines += [
            "", "## Cold renders: the first request after the data changed", "",
            "Each round marks the data changed as an approval of the latest quarter does (`/_benchmark/change`: new",
            "results generation, reports version and version of that quarter), then asks for the page once; first,",
            "unmeasured rounds until every worker has rendered the page once (as on a server that has run a while).",
            f"*rps*: {args.connections} connections ÷ median time, as if",
            "every request were cold; *× bare view*: that rate over the bare view's throughput (target ≥ 0.03×).",
            "",
            "| page | " + " | ".join(f"median ms (size {s}) | max ms | rps | × bare view" for s in sorted(by_size)) + " |",
            "|---|" + "---|---|---|---|" * len(by_size),
        ]
        for name in results[0]["cold"]:
            row_text = f"| {name} |"
            for size, r in sorted(by_size.items()):
                cold = r["cold"][name]
                rate = args.connections / (cold["median_ms"] / 1000)
                bare_ratio = rate / r["http"].get(BARE, r["http"]["baseline"])["rps"]
                row_text += f" {cold['median_ms']:.0f} | {cold['max_ms']:.0f} | {rate:.0f} | {bare_ratio:.3f} |"
                if bare_ratio < 0.03:
                    failures.append(f"cold render of {name} at size {size}: {bare_ratio:.3f}× the bare view (target ≥ 0.03×)")
            lines.append(row_text)
        lines += ["", ("After a change, 8 signed-out requests of the national overview at once, their times in ms "
                  "(one renders the page, the others get the previous version meanwhile):"), ""]
        for size, r in sorted(by_size.items()):
            lines.append(f"- size {size}: " + ", ".join(f"{t:.0f}" for t in r["stampede"]))

    lines += ["", "## Writes, recomputation, export, import", "", "| measure | " + " | ".join(f"size {s}" for s in sorted(by_size)) + " |", "|---|" + "---|" * len(by_size)]

    def row(label, getter):
        cells = []
        for size in sorted(by_size):
            try:
                cells.append(getter(by_size[size]))
            except (KeyError, TypeError):
                cells.append("–")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    row("report save via API, median / p95 ms", lambda r: f"{r['writes']['save']['median_ms']:.0f} / {r['writes']['save']['p95_ms']:.0f} (HTTP {r['writes']['save']['statuses']})")
    row("report submit via API, median / p95 ms", lambda r: f"{r['writes']['submit']['median_ms']:.0f} / {r['writes']['submit']['p95_ms']:.0f} (HTTP {r['writes']['submit']['statuses']})")
    row("recompute after one approval, median ms", lambda r: f"{r['recompute']['median_ms']:.1f}")
    row("full CSV export: rows, seconds, peak MB", lambda r: f"{r['export']['rows']:,} rows, {r['export']['seconds']:.1f} s, {r['export']['peak_mb']:.0f} MB")
    row("server memory after warm-up → end, MB", lambda r: f"{r['rss_after_warmup_mb']:.0f} → {r['rss_end_mb']:.0f}")
    for index, path in enumerate(d["path"] for d in results[0].get("downloads", [])):
        row(f"catalogue download `{path}` (signed out): MB, seconds, server memory before → peak, MB",
            lambda r, i=index: (f"{r['downloads'][i]['mb']:.1f} MB, {r['downloads'][i]['seconds']:.1f} s, "
                                f"{r['downloads'][i]['rss_before_mb']:.0f} → {r['downloads'][i]['rss_peak_mb']:.0f}"))
    rec_growth = by_size[large]["recompute"]["median_ms"] / max(by_size[small]["recompute"]["median_ms"], 0.001)
    if rec_growth > 1.5:
        failures.append(f"recompute time grew {rec_growth:.2f}× from size {small} to {large}")
    if by_size[large]["export"]["peak_mb"] >= 200:
        failures.append(f"export peak memory {by_size[large]['export']['peak_mb']:.0f} MB at size {large}")
    imported = by_size[large].get("import")
    if imported:
        lines += [
            "",
            (f"Import of {imported['rows']:,} rows (every validation rule applied): {imported['import_seconds']:.1f} s "
             f"({imported['rows_per_second']:,.0f} rows/s, peak {imported['import_peak_mb']:.0f} MB); PostgreSQL `COPY` "
             f"of the same file into a scratch table: {imported['copy_seconds']:.2f} s; ratio **{imported['ratio']:.1f}×** "
             "(target ≤ 5×)."),
        ]
        if "startup_seconds" in imported:
            lines += [
                "",
                (f"Of the import's time, {imported['startup_seconds']:.1f} s is starting Python and Django "
                 f"(`manage.py shell -c pass`); without it the ratio is {imported['ratio_after_startup']:.1f}×."),
            ]
        if imported["ratio"] > 5:
            failures.append(f"import is {imported['ratio']:.1f}× COPY")

    lines += ["", "## Targets", ""]
    lines.append("- Signed-out public pages (warm) ≥ 0.5× the bare view's throughput; cold renders ≥ 0.03× the bare view.")
    lines.append(f"- Reads ≥ 0.5× baseline throughput and p99 < 4× baseline p99; p95 growth ≤ 1.5×; no query-count growth; "
                 f"recompute independent of size (growth {rec_growth:.2f}×); export < 200 MB; import ≤ 5× COPY.")
    if failures:
        lines.append("- Not met in this run:")
        lines += [f"  - {f}" for f in failures]
    else:
        lines.append("- All met in this run.")
    lines += ["", "## Notes", "", "<!-- notes: kept by hand below this line -->", ""]
    return "\n".join(lines) + "\n" + notes
