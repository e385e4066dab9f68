"""?fields= and ?brief=true: lists as light as the client needs."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ReportFactory, set_values

pytestmark = pytest.mark.django_db

BRIEF = {
    "regions": ["slug", "name"],
    "provinces": ["slug", "code", "name", "is_current"],
    "asean-cities": ["id", "city", "country_code", "province"],
    "task-groups": ["number", "name"],
    "pillars": ["code", "name"],
    "programmes": ["id", "province", "title", "status"],
    "projects": ["id", "code", "province", "name", "status", "percent_complete"],
    "reports": ["id", "province", "year", "quarter", "status", "version", "is_late", "updated_at"],
    "webhooks": ["id", "url", "is_active"],
    "assessments": ["id", "province", "framework", "year", "status", "version", "updated_at"],
    "frameworks": ["code", "name"],
    "indicators": ["code", "name", "unit", "value_type"],
    "progress": ["id", "province", "year", "quarter", "framework", "node", "percent_complete", "met"],
    "indicator-values": ["id", "province", "year", "quarter", "indicator", "value"],
    "maturity": ["id", "province", "year", "framework", "level"],
}


def _rows(client, path, **query):
    response = client.get(f"/api/v1/{path}/", query)
    assert response.status_code == 200, response.content
    body = response.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body


@pytest.fixture
def some_of_everything(personas):
    from tests.indicators.conftest import approved_report

    approved_report("ha-noi", 2025, 3, values={"TG5-01": 12})
    ReportFactory(unit=personas.unit, year=2025, quarter=3)


@pytest.mark.parametrize("path", sorted(BRIEF))
def test_every_list_has_a_brief_form_with_its_identifying_fields(api, personas, some_of_everything, path):
    client = api("superuser")

    rows = _rows(client, path, brief="true")

    assert all(set(row) == set(BRIEF[path]) for row in rows)
    # Every brief field exists, even where the list is empty here (an unknown one is a 400).
    assert client.get(f"/api/v1/{path}/", {"fields": ",".join(BRIEF[path])}).status_code == 200


@pytest.mark.parametrize("path", sorted(BRIEF))
def test_every_list_gives_only_the_fields_asked_for(api, personas, some_of_everything, path):
    client = api("superuser")
    first = BRIEF[path][0]

    rows = _rows(client, path, fields=first)

    assert all(list(row) == [first] for row in rows)


@pytest.mark.parametrize("query, parameter", [
    ({"fields": "id,colour"}, "fields"), ({"fields": ","}, "fields"), ({"brief": "maybe"}, "brief"),
    ({"brief": "true", "fields": "id"}, "fields"),
])
def test_a_field_the_list_does_not_have_is_a_400_naming_the_parameter(api, personas, query, parameter):
    response = api("viewer").get("/api/v1/reports/", query)

    assert response.status_code == 400
    assert parameter in response.json()


def test_a_brief_report_list_reads_no_contents(api, personas):
    for quarter in (1, 2, 3):
        set_values(ReportFactory(unit=personas.unit, year=2025, quarter=quarter), {"TG5-01": 10})
    client = api("viewer")

    with CaptureQueriesContext(connection) as full:
        heavy = client.get("/api/v1/reports/")
    with CaptureQueriesContext(connection) as brief:
        light = client.get("/api/v1/reports/", {"brief": "true"})

    assert len(light.content) * 5 < len(heavy.content)
    assert len(brief.captured_queries) < len(full.captured_queries)
    assert not any("programmes_nodeanswer" in q["sql"] for q in brief.captured_queries)


def test_fields_apply_to_one_object_too(api, personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)

    body = api("reporter").get(f"/api/v1/reports/{report.pk}/", {"fields": "id,status,version"}).json()

    assert body == {"id": report.pk, "status": "draft", "version": report.version}
