#!/usr/bin/env python3
"""File a quarterly report through the portal's REST API, from start to published values.

Python standard library only. Environment:

  PORTAL_URL             e.g. https://portal.example.gov.vn (default http://127.0.0.1:8000)
  PORTAL_TOKEN           the API token of a province reporter or of an integrator bound to a unit
  PORTAL_REVIEWER_TOKEN  optional: a ministry reviewer's token, to approve the report too
  PORTAL_PROVINCE        optional: the slug of the unit to report for (default bac-ninh)
  PORTAL_QUARTER         optional: e.g. 2025-Q4 (default: the last quarter that has ended)

Get a token on your profile page in the portal ("API tokens"), or ask an
administrator to run ``python manage.py create_api_token USERNAME``.

Run:  PORTAL_URL=… PORTAL_TOKEN=… python3 docs/integrator_example.py
"""
import datetime
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

BASE = os.environ.get("PORTAL_URL", "http://127.0.0.1:8000").rstrip("/")
TOKEN = os.environ.get("PORTAL_TOKEN", "")
REVIEWER_TOKEN = os.environ.get("PORTAL_REVIEWER_TOKEN", "")
PROVINCE = os.environ.get("PORTAL_PROVINCE", "bac-ninh")


class ApiError(Exception):
    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {json.dumps(body, ensure_ascii=False)}")
        self.status, self.body = status, body


def problems(body, prefix=""):
    """The ``(path, {code, message})`` pairs of a 400 body, e.g. ``("task_groups.3.percent_complete", …)``."""
    for name, value in body.items():
        path = f"{prefix}.{name}" if prefix else name
        if isinstance(value, dict):
            yield from problems(value, path)
        else:
            yield from ((path, problem) for problem in value)


def call(method, path, token=None, body=None, params=None):
    """One request; returns the decoded JSON body or raises ApiError with it."""
    url = BASE + path + ("?" + urllib.parse.urlencode(params) if params else "")
    headers = {"Accept": "application/json", "Accept-Language": "en"}
    data = None
    if token:
        headers["Authorization"] = f"Token {token}"
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = {"detail": raw.decode(errors="replace")[:200]}
        if error.code == 429:  # throttled: wait as told, then try once more
            time.sleep(int(payload.get("retry_after", 5)))
            return call(method, path, token, body, params)
        raise ApiError(error.code, payload) from None


def last_ended_quarter(today=None):
    today = today or datetime.date.today()
    quarter = (today.month - 1) // 3  # the current quarter's number minus one
    return (today.year - 1, 4) if quarter == 0 else (today.year, quarter)


def sample_value(indicator):
    """A plausible value for an indicator of each type, for the demonstration."""
    return {"percent": 62.5, "count": 14, "amount": 3.25, "boolean": True}[indicator["value_type"]]


def start_or_resume(year, quarter):
    """The draft for the quarter: a new one, or the one already started (409 names it)."""
    try:
        return call("POST", "/api/v1/reports/", TOKEN, {"province": PROVINCE, "year": year, "quarter": quarter})
    except ApiError as error:
        if error.status == 409 and error.body.get("code") == "exists":
            report = call("GET", f"/api/v1/reports/{error.body['report']}/", TOKEN)
            print(f"A report for {year}-Q{quarter} exists already (id {report['id']}, {report['status']}).")
            return report
        raise


def save(report_id, changes):
    """PATCH with the version we read; on 409 read the report again and repeat our change once.

    A real system would show the ``changes`` of the 409 body to a person
    before repeating an edit over someone else's work.
    """
    report = call("GET", f"/api/v1/reports/{report_id}/", TOKEN)
    try:
        return call("PATCH", f"/api/v1/reports/{report_id}/", TOKEN, {"version": report["version"], **changes})
    except ApiError as error:
        if error.status != 409 or error.body.get("code") != "conflict":
            raise
        print(f"Conflict: someone saved version {error.body['current_version']}; changed since ours:")
        for change in error.body["changes"]:
            print(f"  {change['path']}: {change['old']!r} -> {change['new']!r}")
        return call("PATCH", f"/api/v1/reports/{report_id}/", TOKEN,
                    {"version": error.body["current_version"], **changes})


def main():
    if not TOKEN:
        sys.exit("Set PORTAL_TOKEN to your API token (profile page, or manage.py create_api_token USERNAME).")
    if os.environ.get("PORTAL_QUARTER"):
        year, _, quarter = os.environ["PORTAL_QUARTER"].upper().partition("-Q")
        year, quarter = int(year), int(quarter)
    else:
        year, quarter = last_ended_quarter()

    unit = call("GET", f"/api/v1/provinces/{PROVINCE}/")
    print(f"1. Unit: {unit['name_en']} ({unit['slug']}), formed from: {', '.join(unit['predecessors']) or '-'}")

    report = start_or_resume(year, quarter)
    print(f"2. Report {report['id']} for {year}-Q{quarter}: status {report['status']}, version {report['version']}")
    if report["status"] not in ("draft", "returned"):
        print("   It is not a draft or returned report any more: nothing to do.")
        return

    indicators = call("GET", "/api/v1/indicators/", params={"page_size": 100})["results"]
    active = [i for i in indicators if i["is_active"] and i["task_group"] in (1, 5)]
    changes = {
        "task_groups": [
            {"number": n, "status": "in-progress", "percent_complete": 40 + 5 * n,
             "narrative": f"Tiến độ nhóm nhiệm vụ {n} trong quý {quarter}/{year}.",
             "evidence_links": [f"https://example.gov.vn/smart-city/{year}-q{quarter}/tg{n}"]}
            for n in range(1, 10)
        ],
        "indicator_values": [{"code": i["code"], "value": sample_value(i)} for i in active],
    }
    try:
        report = save(report["id"], changes)
    except ApiError as error:
        if error.status == 400:  # field errors by API path, e.g. task_groups.3.percent_complete
            sys.exit(f"   The portal refused the contents: {json.dumps(error.body, ensure_ascii=False)}")
        raise
    print(f"3. Filled in 9 task groups and {len(active)} indicator values: version {report['version']}")

    path = f"/api/v1/reports/{report['id']}/submit/"
    try:
        report = call("POST", path, TOKEN, {"version": report["version"]})
    except ApiError as error:
        warnings = [(path, problem) for path, problem in problems(error.body)
                    if problem["code"] == "needs_confirmation"]
        if error.status != 400 or not warnings:
            raise
        # Values far from last quarter's: a person should check them; here we confirm.
        for field, warning in warnings:
            print(f"   warning {field}: {warning['message']}")
        report = call("POST", path, TOKEN, {"version": report["version"], "confirm_warnings": True})
    print(f"4. Submitted: status {report['status']}, version {report['version']}, late: {report['is_late']}")

    if not REVIEWER_TOKEN:
        print("Set PORTAL_REVIEWER_TOKEN to approve it as a ministry reviewer.")
        return
    report = call("POST", f"/api/v1/reports/{report['id']}/approve/", REVIEWER_TOKEN,
                  {"version": report["version"], "comment": "Đã kiểm tra."})
    print(f"5. Approved by the reviewer at {report['approved_at']}")

    # Results are computed in the background after approval: poll briefly.
    params = {"province": PROVINCE, "year": year, "quarter": quarter, "boundaries": "as-reported"}
    for _ in range(30):
        values = call("GET", "/api/v1/indicator-values/", params=params)["results"]
        if values:
            break
        time.sleep(1)
    print(f"6. Published values of {PROVINCE} for {year}-Q{quarter} (/api/v1/indicator-values/):")
    for value in values:
        print(f"   {value['indicator']:<8} {value['value']:>12}")
    history = call("GET", f"/api/v1/reports/{report['id']}/history/", TOKEN)["results"]
    print("7. History: " + " -> ".join(f"{h['action']} ({h['actor']})" for h in history))
    page = f"{BASE}/provinces/{PROVINCE}/?" + urllib.parse.urlencode({"year": year, "quarter": quarter})
    with urllib.request.urlopen(page, timeout=30) as response:
        html = response.read()
    shown = [v["indicator"] for v in values if f">{v['indicator']}<".encode() in html]
    print(f"8. The unit's dashboard ({page}) lists {', '.join(shown) or 'none of them yet'}")


if __name__ == "__main__":
    try:
        main()
    except ApiError as error:
        sys.exit(f"The portal answered {error}")
