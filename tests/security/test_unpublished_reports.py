"""A unit's unpublished work reaches only those who may read it (issue 13, items 7 and 8).

Tried as an attacker would: with no account, with the account of another unit's
reporter or integrator, and with an integrator bound to no unit. Hà Nội's
reports are the target; Bắc Ninh's reporter and integrator are outsiders to them.

- Lists, counts and downloads of a unit's reports show outsiders its approved
  reports only (the unit page's report history, its CSV and XLSX, the report
  list and the API), whoever filled the page cache first.
- Of an approved report, outsiders read the published (approved) revisions
  only, with their dates: no earlier drafts, no return comments, no reopening
  reasons, no names of who did what.
"""
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from programmes import services
from programmes.models import ReportStatus
from smartcity_portal.accounts.models import Role
from tests.factories import ReportFactory, UserFactory, api_client, user_of

pytestmark = pytest.mark.django_db

OUTSIDERS = ["anonymous", "reporter", "integrator", "readonly_integrator"]
INSIDERS = ["other_reporter", "viewer", "reviewer", "superuser"]

# --- item 7: lists, counts and downloads of a unit's reports ---------------------------------


@pytest.fixture
def ha_noi_reports(personas):
    """Hà Nội: one approved report and three that are not published."""
    other = personas.other_unit
    return {
        "2026-Q1": ReportFactory(unit=other, year=2026, quarter=1, status=ReportStatus.APPROVED),
        "2026-Q2": ReportFactory(unit=other, year=2026, quarter=2, status=ReportStatus.RETURNED),
        "2026-Q3": ReportFactory(unit=other, year=2026, quarter=3, status=ReportStatus.DRAFT),
        "2025-Q4": ReportFactory(unit=other, year=2025, quarter=4, status=ReportStatus.SUBMITTED),
    }


def visitor(client, personas, role):
    client.logout()
    user = user_of(personas, role)
    if user is not None:
        client.force_login(user)
    return client


def history_periods(response):
    """The quarters listed in the unit page's report history table."""
    html = response.content.decode()
    table = re.search(r'<table class="data-table" data-table="reports">.*?</table>', html, flags=re.DOTALL).group(0)
    return sorted(re.findall(r'<th scope="row"[^>]*>(?:<a [^>]*>)?(20\d\d-Q[1-4])<', table))


def export_periods(client, fmt):
    response = client.get(
        reverse("indicators:unit_export", kwargs={"slug": "ha-noi"}), {"format": fmt, "table": "reports"}
    )
    assert response.status_code == 200
    if fmt == "csv":
        rows = response.content.decode("utf-8-sig").splitlines()[1:]
        return sorted(row.split(",")[0] for row in rows)
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_see_only_approved_reports_in_a_units_report_history(client, personas, ha_noi_reports, role):
    unit_page = reverse("provinces:unit_detail", kwargs={"slug": "ha-noi"})
    # An insider fills the page cache first: its section must not be served to others.
    visitor(client, personas, "reviewer").get(unit_page)

    response = visitor(client, personas, role).get(unit_page, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert history_periods(response) == ["2026-Q1"]
    html = response.content.decode()
    for period in ("2026-Q2", "2026-Q3", "2025-Q4"):
        assert reverse("programmes:report_detail", kwargs={"pk": ha_noi_reports[period].pk}) not in html


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_download_only_approved_reports_of_a_unit(client, personas, ha_noi_reports, role, fmt):
    assert export_periods(visitor(client, personas, role), fmt) == ["2026-Q1"]


@pytest.mark.parametrize("role", INSIDERS)
def test_the_unit_and_the_ministry_still_see_every_report_of_the_unit(client, personas, ha_noi_reports, role):
    every = sorted(ha_noi_reports)
    visitor(client, personas, "anonymous").get(reverse("provinces:unit_detail", kwargs={"slug": "ha-noi"}))
    browser = visitor(client, personas, role)

    assert history_periods(browser.get(reverse("provinces:unit_detail", kwargs={"slug": "ha-noi"}))) == every
    assert export_periods(browser, "csv") == every


@pytest.mark.parametrize("role", ["reporter", "integrator", "readonly_integrator"])
def test_outsiders_count_only_approved_reports_in_the_report_list_and_the_api(client, personas, ha_noi_reports, role):
    body = api_client(user_of(personas, role)).get("/api/v1/reports/", {"province": "ha-noi"}).json()
    assert body["count"] == 1 and body["results"][0]["status"] == "approved"
    page = visitor(client, personas, role).get(reverse("programmes:report_list"), {"province": "ha-noi"})
    assert [r.pk for r in page.context["reports"]] == [ha_noi_reports["2026-Q1"].pk]


# --- item 8: the unpublished past of an approved report ----------------------------------------

DRAFT_TEXT = "Bản nháp: số liệu chưa kiểm tra"
RETURN_COMMENT = "Trả lại: thiếu biên bản nghiệm thu"
FIELD_COMMENT = "Ghi chú nội bộ của Bộ về nhóm 2"
APPROVAL_COMMENT = "Phê duyệt, lưu ý nội bộ"
REOPEN_REASON = "Mở lại: nghi ngờ số liệu"
PUBLISHED_FIRST = "Đã bổ sung biên bản nghiệm thu"
PUBLISHED_NOW = "Đã sửa số liệu sau khi mở lại"
SECRETS = (DRAFT_TEXT, RETURN_COMMENT, FIELD_COMMENT, APPROVAL_COMMENT, REOPEN_REASON)
STAFF = "tran.thi.kiem.duyet"


def _answers(narrative):
    return {"nodes": {
        f"decision-950:{n}": {"status": "in-progress", "percent_complete": "40", "narrative": narrative}
        for n in range(1, 10)
    }}


@pytest.fixture
def published(personas):
    """A Hà Nội report approved twice (reopened in between), with drafts, a return and comments.

    Revisions: 1 created, 2 saved, 3 submitted, 4 returned, 5 saved, 6 submitted,
    7 approved, 8 reopened, 9 saved, 10 submitted, 11 approved.
    """
    clerk = personas.other_reporter
    staff = UserFactory(username=STAFF, role=Role.MINISTRY_REVIEWER)
    report = services.start_report(user=clerk, unit=personas.other_unit, year=2026, quarter=1)

    def file(narrative):
        saved = services.save_report(user=clerk, report=report, version=report.version, data=_answers(narrative))
        return services.submit_report(user=clerk, report=saved, version=saved.version)

    report = file(DRAFT_TEXT)
    report = services.return_report(
        user=staff, report=report, version=report.version, comment=RETURN_COMMENT,
        field_comments={"nodes.decision-950:2.narrative": FIELD_COMMENT},
    )
    report = file(PUBLISHED_FIRST)
    report = services.approve_report(user=staff, report=report, version=report.version, comment=APPROVAL_COMMENT)
    report = services.reopen_report(user=staff, report=report, version=report.version, reason=REOPEN_REASON)
    report = file(PUBLISHED_NOW)
    report = services.approve_report(user=staff, report=report, version=report.version)
    assert report.revisions.count() == 11
    return report


def report_url(name, report):
    return reverse(f"programmes:{name}", kwargs={"pk": report.pk})


def assert_nothing_unpublished(html):
    for text in (*SECRETS, STAFF, "other-reporter"):
        assert text not in html, text


@pytest.mark.parametrize("role", ["reporter", "integrator", "readonly_integrator"])
def test_outsiders_see_only_the_approved_revisions_of_a_published_report(client, personas, published, role):
    response = visitor(client, personas, role).get(report_url("report_history", published), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert [r.number for r in response.context["revisions"]] == [11, 7]
    html = response.content.decode()
    assert_nothing_unpublished(html)
    for number in (7, 11):
        assert f'id="revision-{number}"' in html
    assert 'id="revision-2"' not in html and 'id="revision-4"' not in html


@pytest.mark.parametrize("role", ["reporter", "integrator", "readonly_integrator"])
def test_outsiders_cannot_compare_a_published_report_with_its_drafts(client, personas, published, role):
    browser = visitor(client, personas, role)
    for query in ("?from=2&to=11", "?from=4&to=7", "?from=1&to=2", "?from=6&to=7"):
        response = browser.get(report_url("report_diff", published) + query, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert response.context["changes"] is None, query
        assert_nothing_unpublished(response.content.decode())

    # Between its two published versions, the changes are published too.
    response = browser.get(report_url("report_diff", published), HTTP_ACCEPT_LANGUAGE="en")
    assert (response.context["old"].number, response.context["new"].number) == (7, 11)
    html = response.content.decode()
    assert PUBLISHED_FIRST in html and PUBLISHED_NOW in html
    assert_nothing_unpublished(html)


@pytest.mark.parametrize("role", ["reporter", "integrator", "readonly_integrator"])
def test_outsiders_read_only_approved_revisions_without_names_or_comments_in_the_api(personas, published, role):
    response = api_client(user_of(personas, role)).get(f"/api/v1/reports/{published.pk}/history/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [(h["number"], h["action"], h["status"]) for h in body["results"]] == [
        (7, "approved", "approved"), (11, "approved", "approved"),
    ]
    for entry in body["results"]:
        assert entry["created_at"]
        assert (entry["actor"], entry["comment"], entry["field_comments"], entry["confirmed_warnings"]) == (
            None, "", {}, []
        )
    assert_nothing_unpublished(response.content.decode())


@pytest.mark.parametrize("role", ["reporter", "readonly_integrator"])
def test_outsiders_see_the_published_report_without_names_of_who_handled_it(client, personas, published, role):
    response = visitor(client, personas, role).get(report_url("report_detail", published), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    html = response.content.decode()
    assert PUBLISHED_NOW in html
    assert_nothing_unpublished(html)
    assert "History (2 revisions)" in html


@pytest.mark.parametrize("role", ["other_reporter", "viewer", "reviewer", "superuser"])
def test_the_unit_and_the_ministry_still_read_the_whole_history(client, personas, published, role):
    browser = visitor(client, personas, role)

    history = browser.get(report_url("report_history", published), HTTP_ACCEPT_LANGUAGE="en")
    assert [r.number for r in history.context["revisions"]] == list(range(11, 0, -1))
    html = history.content.decode()
    for text in (RETURN_COMMENT, FIELD_COMMENT, APPROVAL_COMMENT, REOPEN_REASON, STAFF):
        assert text in html, text
    diff = browser.get(report_url("report_diff", published) + "?from=2&to=11", HTTP_ACCEPT_LANGUAGE="en")
    assert DRAFT_TEXT in diff.content.decode()
    api = api_client(user_of(personas, role)).get(f"/api/v1/reports/{published.pk}/history/").json()
    assert api["count"] == 11
    assert {h["actor"] for h in api["results"]} == {"other-reporter", STAFF}
