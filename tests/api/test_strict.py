"""A typo is an error, not a silently wrong answer: unknown parameters, orderings and body fields."""
import pytest

from tests.factories import ReportFactory

pytestmark = pytest.mark.django_db

LISTS = ["regions", "provinces", "frameworks", "task-groups", "pillars", "indicators", "asean-cities", "programmes",
         "projects", "reports", "progress", "indicator-values", "webhooks", "assessments", "maturity"]


@pytest.mark.parametrize("path", LISTS)
def test_every_list_refuses_a_parameter_it_does_not_know_naming_it(api, personas, path):
    response = api("superuser").get(f"/api/v1/{path}/", {"provnce": "ha-noi"})

    assert response.status_code == 400, response.content
    assert list(response.json()) == ["provnce"]


@pytest.mark.parametrize("path", LISTS)
def test_every_list_refuses_an_ordering_it_cannot_sort_by(api, personas, path):
    response = api("superuser").get(f"/api/v1/{path}/", {"ordering": "-yaer"})

    assert response.status_code == 400 and "ordering" in response.json()


@pytest.mark.parametrize("size", ["0", "-1", "many"])
def test_a_page_size_that_is_not_a_positive_whole_number_is_refused(api, personas, size):
    response = api("viewer").get("/api/v1/provinces/", {"page_size": size})

    assert response.status_code == 400 and "page_size" in response.json()


def test_a_report_history_refuses_an_unknown_parameter_and_a_page_size_that_is_no_whole_number(api, personas):
    # Found by schemathesis' negative data: histories have no filter backend, so they ignored both.
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    client = api("reporter")

    assert list(client.get(f"/api/v1/reports/{report.pk}/history/", {"provnce": "x"}).json()) == ["provnce"]
    answer = client.get(f"/api/v1/reports/{report.pk}/history/", {"page_size": "1.5"})
    assert answer.status_code == 400 and "page_size" in answer.json()
    answer = client.get(f"/api/v1/reports/{report.pk}/history/", {"page_size": "2", "page": "1"})
    assert answer.status_code == 200 and "results" in answer.json()


def test_the_parameters_a_list_knows_still_work(api, personas):
    response = api("viewer").get("/api/v1/provinces/", {
        "status": "all", "ordering": "-code", "page": 1, "page_size": 5, "fields": "slug", "region": "red-river-delta",
    })

    assert response.status_code == 200 and len(response.json()["results"]) == 5


def test_reporting_status_and_bulk_import_refuse_unknown_parameters_too(api, personas):
    assert api("viewer").get("/api/v1/reporting-status/", {"yaer": 2025}).status_code == 400
    response = api("reviewer").post("/api/v1/data-value-sets/?dryrun=true", {"dataValues": []}, format="json")
    assert response.status_code == 400 and "dryrun" in response.json()


def test_an_unknown_top_level_body_field_is_refused_and_nothing_is_saved(api, personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    client = api("reporter")

    response = client.patch(f"/api/v1/reports/{report.pk}/", {
        "version": report.version, "indicator_value": [{"code": "TG5-01", "value": 5}],
    }, format="json")

    assert response.status_code == 400 and "indicator_value" in response.json()
    report.refresh_from_db()
    assert report.version == 1 and not report.indicator_values.exists()


def test_a_report_read_and_sent_back_whole_is_not_refused_for_its_read_only_fields(api, personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    client = api("reporter")
    body = client.get(f"/api/v1/reports/{report.pk}/").json()
    # Decision 950's items come back in both lists; a body gives each item once.
    del body["nodes"]

    response = client.put(f"/api/v1/reports/{report.pk}/", body, format="json")

    assert response.status_code == 200, response.content


def test_a_workflow_action_refuses_an_unknown_field(api, personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)

    response = api("reporter").post(f"/api/v1/reports/{report.pk}/submit/", {"version": 1, "confirm": True},
                                    format="json")

    assert response.status_code == 400 and "confirm" in response.json()


@pytest.mark.parametrize(("value", "status", "count"), [
    ("true", 200, None), ("0", 200, 0), ("", 200, None), ("maybe", 400, None), ("yes", 400, None),
])
def test_a_yes_no_filter_takes_true_or_false_and_refuses_anything_else(api, personas, value, status, count):
    # Found by schemathesis' negative data: is_active=maybe answered every indicator.
    response = api("viewer").get("/api/v1/indicators/", {"is_active": value})

    assert response.status_code == status, response.content
    if status == 400:
        assert list(response.json()) == ["is_active"]
    elif count is not None:
        assert response.json()["count"] == count
