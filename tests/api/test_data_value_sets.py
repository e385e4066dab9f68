"""Bulk exchange as DHIS2 integrators expect: many values in one request, imported by a job."""
import pytest

from indicators.models import IndicatorValue, Job
from programmes.models import Report

pytestmark = pytest.mark.django_db

URL = "/api/v1/data-value-sets/"
TWO_VALUES = {"dataValues": [
    {"province": "bac-giang", "year": 2025, "quarter": 2, "indicator": "TG5-01", "value": 45.5},
    {"province": "ha-noi", "year": 2024, "quarter": 4, "indicator": "TG1-02", "value": "3", "note": "Sở TTTT"},
]}


def _post(client, capture, body, **query):
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    with capture(execute=True):
        if isinstance(body, bytes):
            return client.generic("POST", URL + suffix, body, content_type="text/csv")
        return client.post(URL + suffix, body, format="json")


def test_a_value_set_is_imported_by_a_job_that_the_answer_points_to(
    api, personas, django_capture_on_commit_callbacks,
):
    client = api("reviewer")

    response = _post(client, django_capture_on_commit_callbacks, TWO_VALUES)

    assert response.status_code == 202, response.content
    job = client.get(response["Location"]).json()
    assert (job["status"], job["kind"], job["dry_run"], job["percent"]) == ("succeeded", "import", False, 100)
    assert job["summary"] | {"errors": []} == {
        "rows": 2, "dry_run": False, "applied": True, "values": 2, "reports_created": 2,
        "reports_updated": 0, "reports_unchanged": 0, "rows_refused": 0, "errors": [],
    }
    assert Report.objects.filter(status="approved").count() == 2
    assert IndicatorValue.objects.get(report__unit__slug="ha-noi", indicator__code="TG1-02").note == "Sở TTTT"


def test_a_dry_run_checks_everything_and_writes_nothing(api, personas, django_capture_on_commit_callbacks):
    client = api("reviewer")

    response = _post(client, django_capture_on_commit_callbacks, TWO_VALUES, dry_run="true")

    job = client.get(response["Location"]).json()
    assert (job["status"], job["dry_run"], job["summary"]["applied"]) == ("succeeded", True, False)
    assert job["summary"]["reports_created"] == 2
    assert not Report.objects.exists()


def test_one_bad_value_refuses_the_whole_set_with_a_problem_per_row(
    api, personas, django_capture_on_commit_callbacks,
):
    client = api("reviewer")
    body = {"dataValues": [*TWO_VALUES["dataValues"], {
        "province": "atlantis", "year": 2025, "quarter": 2, "indicator": "TG5-01", "value": "nhiều",
    }]}

    response = _post(client, django_capture_on_commit_callbacks, body)

    job = client.get(response["Location"]).json()
    assert job["status"] == "failed" and job["summary"]["applied"] is False
    assert [(p["index"], p["row"], sorted(p["errors"])) for p in job["problems"]] == [(2, 4, ["province", "value"])]
    assert job["summary"]["rows_refused"] == 1
    assert not Report.objects.exists()


def test_a_csv_body_is_imported_like_the_web_import_file(api, personas, django_capture_on_commit_callbacks):
    client = api("reviewer")
    body = b"province,year,quarter,indicator,value,note\nbac-giang,2025,2,TG5-01,45.5,\n"

    response = _post(client, django_capture_on_commit_callbacks, body)

    assert response.status_code == 202, response.content
    job = client.get(response["Location"]).json()
    assert job["status"] == "succeeded" and job["summary"]["values"] == 1
    assert "index" not in str(job["problems"])


@pytest.mark.parametrize("body, where", [
    ({"dataValues": []}, "dataValues"),
    ({"values": []}, "values"),
    ({"dataValues": [{"province": "ha-noi", "year": 2025, "quarter": 2, "indicator": "TG5-01"}]}, "dataValues"),
    ({"dataValues": [{"province": "ha-noi", "year": 2025, "quarter": 2, "indicator": "TG5-01", "value": 1,
                      "colour": "red"}]}, "dataValues"),
    ({"dataValues": [{"province": ["ha-noi"], "year": 2025, "quarter": 2, "indicator": "TG5-01", "value": 1}]},
     "dataValues"),
    ({"dataValues": "all"}, "dataValues"),
])
def test_a_malformed_set_is_a_400_at_once_and_makes_no_job(api, personas, django_capture_on_commit_callbacks, body, where):
    response = _post(api("reviewer"), django_capture_on_commit_callbacks, body)

    assert response.status_code == 400
    assert where in response.json()
    assert not Job.objects.exists()


def test_dry_run_must_be_true_or_false(api, personas, django_capture_on_commit_callbacks):
    response = _post(api("reviewer"), django_capture_on_commit_callbacks, TWO_VALUES, dry_run="perhaps")

    assert response.status_code == 400 and "dry_run" in response.json()


@pytest.mark.parametrize("persona, status", [("reporter", 403), ("viewer", 403), ("integrator", 403), ("anonymous", 401)])
def test_only_ministry_reviewers_import(api, personas, django_capture_on_commit_callbacks, persona, status):
    assert _post(api(persona), django_capture_on_commit_callbacks, TWO_VALUES).status_code == status
    assert not Job.objects.exists()


def test_a_job_is_read_only_by_its_owner(api, personas, django_capture_on_commit_callbacks):
    response = _post(api("reviewer"), django_capture_on_commit_callbacks, TWO_VALUES)

    assert api("viewer").get(response["Location"]).status_code == 404
    assert api("superuser").get(response["Location"]).status_code == 200
