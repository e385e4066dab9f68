"""The report's history and diffs, the report page's contents, and the reporting status page."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programmes import services
from programmes.models import ReportStatus
from provinces.quarters import Quarter
from tests.factories import ReportFactory, UserFactory, unit

pytestmark = pytest.mark.django_db

ANSWERED = {
    "nodes": {f"decision-950:{n}": {"status": "in-progress", "percent_complete": "40", "narrative": f"Nhóm {n}"} for n in range(1, 10)},
    "indicators": {"TG5-01": {"value": "40"}},
}


@pytest.fixture
def cycle(personas):
    """A report that went created → saved → submitted → returned → saved → submitted → approved (revisions 1–7)."""
    report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
    report = services.submit_report(user=personas.reporter, report=report, version=report.version, data=ANSWERED)
    report = services.return_report(
        user=personas.reviewer, report=report, version=report.version, comment="Bổ sung số liệu TG5-01",
        field_comments={"indicators.TG5-01": "Quá thấp"},
    )
    report = services.save_report(
        user=personas.reporter, report=report, version=report.version,
        data={"nodes": {"decision-950:2": {"status": "in-progress", "narrative": "Đã bổ sung CSDL"}},
              "indicators": {"TG5-01": {"value": "55"}}},
    )
    report = services.submit_report(user=personas.reporter, report=report, version=report.version)
    return services.approve_report(user=personas.reviewer, report=report, version=report.version)


def test_history_lists_every_step_with_who_and_why(client, personas, cycle):
    client.force_login(personas.viewer)

    response = client.get(reverse("programmes:report_history", kwargs={"pk": cycle.pk}), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    revisions = response.context["revisions"]
    assert [r.action for r in revisions] == ["approved", "submitted", "saved", "returned", "submitted", "saved", "created"]
    html = response.content.decode()
    assert "Bổ sung số liệu TG5-01" in html and "Quá thấp" in html
    assert "reviewer" in html and "reporter" in html
    assert "?from=3&amp;to=4" in html


def test_diff_defaults_to_the_last_two_revisions(client, personas, cycle):
    client.force_login(personas.reporter)

    response = client.get(reverse("programmes:report_diff", kwargs={"pk": cycle.pk}), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert (response.context["old"].number, response.context["new"].number) == (6, 7)
    assert [c["path"] for c in response.context["changes"]] == ["status"]
    html = response.content.decode()
    assert '<span class="diff-removed">Submitted</span>' in html
    assert '<span class="diff-added">Approved</span>' in html


@pytest.fixture
def resubmitted(personas):
    """Submitted, returned, corrected and submitted again (revisions 1–6), waiting for review."""
    report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
    report = services.submit_report(user=personas.reporter, report=report, version=report.version, data=ANSWERED)
    report = services.return_report(
        user=personas.reviewer, report=report, version=report.version, comment="Bổ sung số liệu TG5-01",
    )
    report = services.save_report(
        user=personas.reporter, report=report, version=report.version,
        data={"indicators": {"TG5-01": {"value": "55"}}},
    )
    return services.submit_report(user=personas.reporter, report=report, version=report.version)


def test_a_reviewer_of_a_resubmitted_report_sees_what_the_unit_corrected_since_it_last_submitted(
    client, personas, resubmitted,
):
    client.force_login(personas.reviewer)

    response = client.get(resubmitted.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")

    since = response.context["since_last_submission"]
    assert (since["old"].number, since["new"].number) == (3, 6)
    assert [c["path"] for c in since["changes"]] == ["indicators.TG5-01.value"]
    html = response.content.decode()
    assert "Changed since the last submission" in html
    assert '<span class="diff-removed">40' in html and '<span class="diff-added">55' in html


def test_the_diff_of_a_resubmitted_report_opens_on_the_two_submissions(client, personas, resubmitted):
    client.force_login(personas.reviewer)

    response = client.get(reverse("programmes:report_diff", kwargs={"pk": resubmitted.pk}), HTTP_ACCEPT_LANGUAGE="en")

    assert (response.context["old"].number, response.context["new"].number) == (3, 6)
    assert [c["path"] for c in response.context["changes"]] == ["indicators.TG5-01.value"]


def test_a_report_submitted_once_shows_no_comparison_of_submissions(client, personas):
    report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
    report = services.submit_report(user=personas.reporter, report=report, version=report.version, data=ANSWERED)
    client.force_login(personas.reviewer)

    response = client.get(report.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")

    assert "since_last_submission" not in response.context


def test_diff_between_two_chosen_revisions_shows_old_and_new_values(client, personas, cycle):
    client.force_login(personas.reporter)

    response = client.get(
        reverse("programmes:report_diff", kwargs={"pk": cycle.pk}), {"from": 3, "to": 5}, HTTP_ACCEPT_LANGUAGE="en"
    )

    changes = {c["path"]: c for c in response.context["changes"]}
    assert changes["nodes.decision-950:2.narrative"]["old"] == "Nhóm 2" and changes["nodes.decision-950:2.narrative"]["new"] == "Đã bổ sung CSDL"
    assert changes["indicators.TG5-01.value"]["old"] == "40" and changes["indicators.TG5-01.value"]["new"] == "55"
    assert changes["nodes.decision-950:2.narrative"]["label"].startswith("2. ")
    assert changes["nodes.decision-950:2.narrative"]["label"].endswith(" · Narrative")
    html = response.content.decode()
    assert '<span class="diff-removed">Nhóm 2</span>' in html and '<span class="diff-added">55</span>' in html


@pytest.mark.parametrize("params", [{"from": "x", "to": "2"}, {"from": "1", "to": "99"}, {"from": "1"}])
def test_diff_with_bad_revision_numbers_says_so(client, personas, cycle, params):
    client.force_login(personas.reporter)

    response = client.get(reverse("programmes:report_diff", kwargs={"pk": cycle.pk}), params)

    assert response.status_code == 200
    assert response.context["form"].errors and response.context["changes"] is None
    assert 'class="errorlist"' in response.content.decode()


def test_the_report_page_shows_contents_safely(client, personas):
    report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
    services.save_report(
        user=personas.reporter, report=report, version=report.version,
        data={"nodes": {"decision-950:1": {"status": "completed", "percent_complete": "100",
                                  "narrative": "Dòng một\nDòng hai <script>alert(1)</script>"}},
              "indicators": {"TG4-04": {"value": "12.5", "note": "Vốn ngân sách"}, "TG1-01": {"value": "có"}}},
    )
    client.force_login(personas.reporter)

    response = client.get(report.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "Dòng một<br>Dòng hai" in html
    row = html[html.index('id="row-TG4-04"'):]
    row = row[:row.index("</tr>")]
    assert '<td class="num" data-label="Value">12.5</td>' in row and "billion VND" in row and "Vốn ngân sách" in row
    row = html[html.index('id="row-TG1-01"'):]
    assert '<td class="num" data-label="Value">yes</td>' in row[:row.index("</tr>")]
    assert "15/10/2025" in html  # the due date
    assert f'href="{personas.unit.get_absolute_url()}"' in html


# --- the reporting status page -------------------------------------------------------------------


def status(client, **params):
    return client.get(reverse("programmes:reporting_status"), params, HTTP_ACCEPT_LANGUAGE="en")


def test_status_page_counts_on_time_late_and_missing_units(client, personas):
    q = Quarter(2025, 3)
    before_due = timezone.make_aware(timezone.datetime(2025, 10, 10, 9))
    ReportFactory(unit=unit("ha-noi"), year=2025, quarter=3, status=ReportStatus.APPROVED,
                  first_submitted_at=before_due, submitted_at=before_due, is_late=False)
    ReportFactory(unit=unit("hue"), year=2025, quarter=3, status=ReportStatus.SUBMITTED,
                  first_submitted_at=before_due + timedelta(days=20), submitted_at=before_due + timedelta(days=20),
                  is_late=True)
    ReportFactory(unit=personas.unit, year=2025, quarter=3)  # a draft: not submitted
    ReportFactory(unit=unit("bac-giang"), year=2025, quarter=2)  # another quarter
    client.force_login(personas.viewer)

    response = status(client, year=2025, quarter=3)

    assert response.status_code == 200
    assert response.context["quarter"] == q
    assert len(response.context["rows"]) == 34
    assert response.context["counts"] == {"on_time": 1, "late": 1, "missing": 32, "not_due": 0}
    html = response.content.decode()
    assert '<span class="stat-value" id="count-late">1</span>' in html
    assert "not yet: was due 15/10/2025" in html
    by_unit = {row["unit"].slug: row["status"] for row in response.context["rows"]}
    assert by_unit["ha-noi"] == "on-time" and by_unit["hue"] == "late" and by_unit["bac-ninh"] == "missing"
    assert "bac-giang" not in by_unit


def test_status_page_before_the_due_date_says_not_yet_due(client, personas):
    current = Quarter.containing(timezone.localdate())
    client.force_login(personas.viewer)

    response = status(client, year=current.year, quarter=current.quarter)

    counts = response.context["counts"]
    assert counts["not_due"] == len(response.context["rows"]) and counts["missing"] == 0


def test_status_page_defaults_to_the_last_complete_quarter(client, personas):
    client.force_login(personas.reviewer)
    response = status(client)
    assert response.context["quarter"] == Quarter.last_complete(timezone.localdate())


def test_status_page_for_a_quarter_before_the_merger_lists_the_63_units(client, personas):
    client.force_login(personas.reviewer)
    response = status(client, year=2025, quarter=2)
    assert len(response.context["rows"]) == 63


def test_reports_waiting_for_review_are_listed_oldest_first(client, personas):
    now = timezone.now()
    newer = ReportFactory(unit=unit("ha-noi"), year=2025, quarter=3, status=ReportStatus.SUBMITTED,
                          submitted_at=now - timedelta(days=1), first_submitted_at=now - timedelta(days=1))
    older = ReportFactory(unit=unit("bac-giang"), year=2025, quarter=1, status=ReportStatus.SUBMITTED,
                          submitted_at=now - timedelta(days=9), first_submitted_at=now - timedelta(days=9))
    ReportFactory(unit=unit("hue"), year=2025, quarter=3, status=ReportStatus.APPROVED)
    client.force_login(personas.reviewer)

    response = status(client, year=2025, quarter=3)

    assert [r.pk for r in response.context["waiting"]] == [older.pk, newer.pk]
    html = response.content.decode()
    assert html.index(older.get_absolute_url()) < html.index(newer.get_absolute_url())


@pytest.mark.parametrize("params", [{"year": "abc", "quarter": "3"}, {"year": "2025", "quarter": "5"}, {"year": "2025"}])
def test_status_page_shows_errors_for_a_bad_quarter(client, personas, params):
    client.force_login(personas.viewer)
    response = status(client, **params)
    assert response.status_code == 200
    assert response.context["form"].errors and "rows" not in response.context


def test_status_page_makes_a_fixed_number_of_queries(client, personas):
    client.force_login(personas.viewer)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert status(client, year=2025, quarter=3).status_code == 200
        return len(queries)

    ReportFactory(unit=unit("ha-noi"), year=2025, quarter=3, status=ReportStatus.SUBMITTED, submitted_at=timezone.now())
    count()  # fills the caches every page uses
    few = count()
    for slug in ("hue", "da-nang", "can-tho", "hai-phong", "bac-ninh"):
        ReportFactory(unit=unit(slug), year=2025, quarter=3, status=ReportStatus.SUBMITTED, submitted_at=timezone.now())
    assert count() == few


def test_report_list_makes_a_fixed_number_of_queries(client, personas):
    # A viewer: the list of every unit (a reporter's opens on the unit's reports).
    client.force_login(personas.viewer)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("programmes:report_list")).status_code == 200
        return len(queries)

    ReportFactory(unit=personas.unit, year=2025, quarter=3)
    count()  # fills the caches every page uses
    few = count()
    for year in (2019, 2020, 2021):
        ReportFactory(unit=unit("bac-giang"), year=year, quarter=1)
        ReportFactory(unit=unit("ha-noi"), year=year, quarter=1, status=ReportStatus.APPROVED)
    assert count() == few


def test_report_list_pages_through_many_reports(client, personas):
    reporter = UserFactory(username="hn", role="province-reporter", unit=unit("ha-noi"))
    for year in range(2018, 2034):
        for quarter in range(1, 5):
            ReportFactory(unit=unit("ha-noi"), year=year, quarter=quarter, answered=False)
    client.force_login(reporter)

    first = client.get(reverse("programmes:report_list"), {"province": "ha-noi"})
    second = client.get(reverse("programmes:report_list"), {"province": "ha-noi", "page": 2})

    assert first.context["page"].paginator.count == 64
    assert len(first.context["reports"]) == 50 and len(second.context["reports"]) == 14
    assert first.context["reports"][0].year == 2033
    # The filters stay in the links to the other pages.
    assert "?province=ha-noi&amp;page=2" in first.content.decode()


def test_a_report_page_writes_numbers_as_its_language_does(client, personas):
    report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
    services.save_report(user=personas.reporter, report=report, version=report.version,
                         data={"indicators": {"TG5-01": {"value": "62.5"}}})
    client.force_login(personas.reporter)

    vietnamese = client.get(report.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    english = client.get(report.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "62,5" in vietnamese and "62.5" not in vietnamese
    assert "62.5" in english and "62,5" not in english


def test_the_review_page_shows_last_quarters_values_beside_this_quarters(client, personas):
    before = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
    services.save_report(user=personas.reporter, report=before, version=before.version,
                         data={"indicators": {"TG5-01": {"value": "41"}}})
    report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=4)
    report.refresh_from_db()
    services.save_report(user=personas.reporter, report=report, version=report.version,
                         data={"indicators": {"TG5-01": {"value": "97"}}})
    client.force_login(personas.reviewer)

    response = client.get(report.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")

    row = next(r for _title, rows in response.context["indicator_groups"] for r in rows if r["indicator"].code == "TG5-01")
    assert (row["value"], row["previous"]) == ("97", "41")
    assert "Last quarter (2025-Q3)" in response.content.decode()
