"""What integrators sync from: each revision's field-level changes, and who has reported on a quarter."""
from datetime import UTC, date, datetime

import pytest
from django.utils import timezone as django_timezone

from programmes.models import ReportStatus
from provinces.quarters import Quarter
from tests.factories import ReportFactory

pytestmark = pytest.mark.django_db


def _ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def test_history_gives_each_revision_the_fields_it_changed_with_old_and_new_values(api, personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    client = api("reporter")
    url = f"/api/v1/reports/{report.pk}/"
    version = _ok(client.get(url))["version"]
    version = _ok(client.patch(url, {
        "version": version, "task_groups": [{"number": 3, "narrative": "Trung tâm IOC"}],
    }, format="json"))["version"]
    _ok(client.patch(url, {
        "version": version, "task_groups": [{"number": 3, "narrative": "Trung tâm IOC giai đoạn 2"}],
        "indicator_values": [{"code": "TG5-01", "value": "55.5"}],
    }, format="json"))

    entries = _ok(client.get(url + "history/"))["results"]

    assert entries[-1]["changes"] == [
        {"path": "task_groups.3.narrative", "task_group": 3, "field": "narrative",
         "old": "Trung tâm IOC", "new": "Trung tâm IOC giai đoạn 2"},
        {"path": "indicator_values.TG5-01.value", "indicator": "TG5-01", "field": "value",
         "old": None, "new": "55.5"},
    ]
    # The first entry counts from an empty report.
    assert {"path": "task_groups.3.narrative", "task_group": 3, "field": "narrative",
            "old": None, "new": "Trung tâm IOC"} in entries[0]["changes"]


def test_history_changes_of_a_page_count_from_the_entry_before_it_on_the_previous_page(api, personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    client = api("reporter")
    url = f"/api/v1/reports/{report.pk}/"
    version = _ok(client.get(url))["version"]
    for text in ("một", "hai", "ba"):
        version = _ok(client.patch(url, {
            "version": version, "task_groups": [{"number": 1, "narrative": text}]
        }, format="json"))["version"]

    last_page = _ok(client.get(url + "history/", {"page_size": 1, "page": 3}))["results"]

    assert [(c["old"], c["new"]) for c in last_page[0]["changes"]] == [("hai", "ba")]


def test_a_reader_of_the_published_report_sees_what_each_approval_changed_not_the_drafts(api, personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=2)
    reporter, reviewer = api("reporter"), api("reviewer")
    url = f"/api/v1/reports/{report.pk}/"
    version = _ok(reporter.get(url))["version"]
    groups = [{"number": n, "status": "in-progress", "percent_complete": 50, "narrative": f"Nhóm {n}"}
              for n in range(1, 10)]
    version = _ok(reporter.patch(url, {"version": version, "task_groups": groups}, format="json"))["version"]
    version = _ok(reporter.post(url + "submit/", {"version": version}, format="json"))["version"]
    _ok(reviewer.post(url + "approve/", {"version": version}, format="json"))

    entries = _ok(api("other_reporter").get(url + "history/"))["results"]

    assert [e["status"] for e in entries] == ["approved"]
    assert {c["path"] for c in entries[0]["changes"]} >= {"task_groups.1.narrative", "task_groups.9.percent_complete"}
    assert "status" not in {c["path"] for c in entries[0]["changes"]}


def test_reporting_status_lists_every_unit_expected_with_its_report_and_counts(api, personas):
    quarter = Quarter(2025, 3)
    on_time = ReportFactory(unit=personas.unit, year=2025, quarter=3, status=ReportStatus.SUBMITTED)
    on_time.first_submitted_at = datetime(2025, 10, 5, tzinfo=UTC)
    on_time.is_late = False
    on_time.save()

    body = _ok(api("viewer").get("/api/v1/reporting-status/", {"year": 2025, "quarter": 3}))

    rows = {row["province"]: row for row in body["results"]}
    assert (body["year"], body["quarter"]) == (2025, 3)
    assert rows["bac-ninh"] == {
        "province": "bac-ninh", "code": personas.unit.code, "name": personas.unit.name_en,
        "region": personas.unit.region.slug, "status": "on-time", "report": on_time.pk,
        "report_status": "submitted", "first_submitted_at": "2025-10-05T07:00:00+07:00",
    }
    assert rows["ha-noi"]["report"] is None
    assert rows["ha-noi"]["status"] == ("missing" if django_timezone.localdate() > quarter.due_date else "not-due")
    assert body["counts"]["expected"] == len(body["results"]) == 34
    assert body["counts"]["submitted"] == 1
    assert sum(body["counts"][k] for k in ("on_time", "late", "missing", "not_due")) == 34


def test_reporting_status_of_a_quarter_before_the_merger_lists_the_63_units(api, personas):
    body = _ok(api("reviewer").get("/api/v1/reporting-status/", {"year": 2024, "quarter": 4}))

    assert body["counts"]["expected"] == 63
    assert body["due_date"] == Quarter(2024, 4).due_date.isoformat()


@pytest.mark.parametrize("persona, status", [
    ("reporter", 403), ("integrator", 403), ("anonymous", 401), ("viewer", 200), ("superuser", 200),
])
def test_reporting_status_is_for_ministry_staff(api, personas, persona, status):
    assert api(persona).get("/api/v1/reporting-status/").status_code == status


@pytest.mark.parametrize("query, field", [
    ({"year": 2025, "quarter": 5}, "quarter"), ({"year": 1999, "quarter": 1}, "year"), ({"year": "x"}, "year"),
])
def test_reporting_status_refuses_a_quarter_that_does_not_exist_naming_the_parameter(api, personas, query, field):
    response = api("viewer").get("/api/v1/reporting-status/", query)

    assert response.status_code == 400
    assert field in response.json()


def test_reporting_status_defaults_to_the_last_complete_quarter(api, personas):
    body = _ok(api("viewer").get("/api/v1/reporting-status/"))

    last = Quarter.last_complete(django_timezone.localdate())
    assert (body["year"], body["quarter"]) == (last.year, last.quarter)
    assert date.fromisoformat(body["due_date"]) == last.due_date


# --- sync: periods, several units, updated_after, ETag and Last-Modified ---------------------------


def _approved_values(personas):
    from tests.indicators.conftest import approved_report

    for slug, year, quarter, value in (
        ("bac-giang", 2024, 4, "10"), ("bac-giang", 2025, 1, "11"), ("ha-noi", 2025, 1, "20"),
        ("bac-ninh-pre2025", 2025, 1, "30"), ("bac-ninh", 2025, 3, "12"),
    ):
        approved_report(slug, year, quarter, values={"TG5-01": value})


def _values(client, **query):
    body = _ok(client.get("/api/v1/indicator-values/", {"indicator": "TG5-01", "boundaries": "as-reported", **query}))
    return sorted((row["province"], row["year"], row["quarter"]) for row in body["results"])


@pytest.mark.parametrize("query, expected", [
    ({"period": "2025Q1", "province": "ha-noi,bac-giang"}, [("bac-giang", 2025, 1), ("ha-noi", 2025, 1)]),
    ({"period": "2025-Q1", "province": "ha-noi"}, [("ha-noi", 2025, 1)]),
    ({"period_from": "2025Q1", "period_to": "2025Q2", "province": "bac-giang"}, [("bac-giang", 2025, 1)]),
    ({"period_to": "2025Q1", "province": "bac-giang"}, [("bac-giang", 2024, 4), ("bac-giang", 2025, 1)]),
    ({"period_from": "2025Q3"}, [("bac-ninh", 2025, 3)]),
])
def test_results_are_filtered_by_periods_as_integrators_write_them_and_by_several_units(
    api, personas, query, expected,
):
    _approved_values(personas)

    assert _values(api("viewer"), **query) == expected


def test_a_statistics_code_finds_the_unit_that_held_it_in_each_quarter(api, personas):
    _approved_values(personas)

    # 24 was Bắc Giang's code until 30 June 2025 and is the new Bắc Ninh's since.
    assert _values(api("viewer"), province_code="24") == [
        ("bac-giang", 2024, 4), ("bac-giang", 2025, 1), ("bac-ninh", 2025, 3),
    ]
    assert _values(api("viewer"), province_code="1,27", period="2025Q1") == [
        ("bac-ninh-pre2025", 2025, 1), ("ha-noi", 2025, 1),
    ]


def test_results_are_filtered_by_region(api, personas):
    _approved_values(personas)

    # Hà Nội and the old Bắc Ninh are in the Red River Delta; Bắc Giang was not.
    assert _values(api("viewer"), region="red-river-delta", period="2025Q1") == [
        ("bac-ninh-pre2025", 2025, 1), ("ha-noi", 2025, 1),
    ]


@pytest.mark.parametrize("query, parameter", [
    ({"period": "2025Q5"}, "period"), ({"period": "Q1-2025"}, "period"), ({"period_from": "x"}, "period_from"),
    ({"province": "ha-noi,atlantis"}, "province"), ({"province_code": "999"}, "province_code"),
    ({"updated_after": "yesterday"}, "updated_after"), ({"region": "atlantis"}, "region"),
    ({"updated_after": "0001-01-01T00:00:00+14:00"}, "updated_after"),
])
def test_a_filter_value_that_names_nothing_is_a_400_naming_the_parameter(api, personas, query, parameter):
    response = api("viewer").get("/api/v1/indicator-values/", query)

    assert response.status_code == 400
    assert parameter in response.json()


def test_updated_after_lists_only_what_was_written_since(api, personas):
    _approved_values(personas)
    client = api("viewer")
    rows = _ok(client.get("/api/v1/progress/", {"boundaries": "as-reported"}))["results"]
    newest = max(row["updated_at"] for row in rows)

    assert _ok(client.get("/api/v1/progress/", {"updated_after": newest}))["count"] == 0
    assert _ok(client.get("/api/v1/indicator-values/", {"updated_after": "2020-01-01T00:00:00Z"}))["count"] > 0


@pytest.mark.parametrize("path", ["/api/v1/reports/", "/api/v1/progress/", "/api/v1/indicator-values/"])
def test_updated_after_takes_any_offset_python_reads_not_only_those_the_database_reads(api, personas, path):
    # PostgreSQL refuses "+16:28" (found by schemathesis): the moment is moved to UTC first.
    assert api("viewer").get(path, {"updated_after": "2020-05-05T19:22:39+16:28"}).status_code == 200


def test_reports_are_listed_by_period_and_by_time_of_change(api, personas):
    old = ReportFactory(unit=personas.unit, year=2025, quarter=1)
    new = ReportFactory(unit=personas.unit, year=2025, quarter=2)
    client = api("reporter")
    _ok(client.patch(f"/api/v1/reports/{new.pk}/", {
        "version": new.version, "task_groups": [{"number": 1, "narrative": "Mới"}]}, format="json"))
    new.refresh_from_db()

    def ids(**query):
        return {row["id"] for row in _ok(client.get("/api/v1/reports/", query))["results"]}

    assert ids(period="2025Q1") == {old.pk}
    assert ids(period_from="2025Q2") == {new.pk}
    assert ids(updated_after=old.updated_at.isoformat()) == {new.pk}


def test_a_read_sends_an_etag_and_answers_304_when_the_client_has_it(api, personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    client = api("reporter")
    url = f"/api/v1/reports/{report.pk}/"

    first = client.get(url)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200 and first["ETag"]
    assert again.status_code == 304 and again.content == b""
    _ok(client.patch(url, {"version": report.version, "task_groups": [{"number": 1, "narrative": "Sửa"}]},
                     format="json"))
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_a_list_sends_an_etag_and_answers_304_when_the_client_has_it(api, personas):
    client = api("viewer")

    first = client.get("/api/v1/provinces/")

    assert client.get("/api/v1/provinces/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_report_sends_last_modified_and_answers_304_to_if_modified_since(api, personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    client = api("reporter")
    url = f"/api/v1/reports/{report.pk}/"

    first = client.get(url)

    assert first["Last-Modified"]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
