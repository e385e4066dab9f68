"""Who may read what: every endpoint's list and detail for every persona, from one table.

Reference data and approved results are public; reports need a token, and a
report its reader may not see answers 404, so that its existence does not leak.
"""
import pytest

from tests.api.conftest import PERSONAS

pytestmark = pytest.mark.django_db

EVERYONE = {persona: 200 for persona in PERSONAS}
SIGNED_IN = {**EVERYONE, "anonymous": 401}
# A draft of the personas' unit: its reporter and integrator, and the ministry.
OWN_DRAFT = {**SIGNED_IN, "other_reporter": 404, "readonly_integrator": 404}
# The same draft, seen from Hà Nội's side: only Hà Nội and the ministry.
OTHER_DRAFT = {**SIGNED_IN, "reporter": 404, "integrator": 404, "readonly_integrator": 404}

# (name, URL with {world} fields, expected status per persona)
TABLE = [
    ("regions list", "/api/v1/regions/", EVERYONE),
    ("region detail", "/api/v1/regions/{w.region}/", EVERYONE),
    ("provinces list", "/api/v1/provinces/", EVERYONE),
    ("province detail", "/api/v1/provinces/bac-ninh/", EVERYONE),
    ("old province detail", "/api/v1/provinces/bac-giang/", EVERYONE),
    ("task groups list", "/api/v1/task-groups/", EVERYONE),
    ("task group detail", "/api/v1/task-groups/5/", EVERYONE),
    ("pillars list", "/api/v1/pillars/", EVERYONE),
    ("pillar detail", "/api/v1/pillars/{pillar}/", EVERYONE),
    ("indicators list", "/api/v1/indicators/", EVERYONE),
    ("indicator detail", "/api/v1/indicators/TG5-01/", EVERYONE),
    ("asean cities list", "/api/v1/asean-cities/", EVERYONE),
    ("asean city detail", "/api/v1/asean-cities/{w.asean_city}/", EVERYONE),
    ("programmes list", "/api/v1/programmes/", EVERYONE),
    ("programme detail", "/api/v1/programmes/{w.programme}/", EVERYONE),
    ("progress list", "/api/v1/progress/", EVERYONE),
    ("progress detail", "/api/v1/progress/{w.progress}/", EVERYONE),
    ("indicator values list", "/api/v1/indicator-values/", EVERYONE),
    ("indicator value detail", "/api/v1/indicator-values/{w.indicator_value}/", EVERYONE),
    ("reports list", "/api/v1/reports/", SIGNED_IN),
    ("own draft", "/api/v1/reports/{w.draft}/", OWN_DRAFT),
    ("own draft history", "/api/v1/reports/{w.draft}/history/", OWN_DRAFT),
    ("other unit's draft", "/api/v1/reports/{w.other_draft}/", OTHER_DRAFT),
    ("other unit's draft history", "/api/v1/reports/{w.other_draft}/history/", OTHER_DRAFT),
    ("approved report", "/api/v1/reports/{w.approved}/", SIGNED_IN),
    ("approved report history", "/api/v1/reports/{w.approved}/history/", SIGNED_IN),
    ("missing report", "/api/v1/reports/999999/", {**SIGNED_IN, **{p: 404 for p in PERSONAS[1:]}}),
    ("missing province", "/api/v1/provinces/atlantis/", {p: 404 for p in PERSONAS}),
]

CASES = [
    pytest.param(url, name.endswith("list"), persona, expected[persona], id=f"{name}-{persona}")
    for name, url, expected in TABLE
    for persona in PERSONAS
]


@pytest.mark.parametrize("url, is_list, persona, expected", CASES)
def test_read_access(api, world, url, is_list, persona, expected):
    url = url.format(w=world, pillar="digital-government")
    response = api(persona).get(url)
    assert response.status_code == expected, response.content
    body = response.json()
    if expected == 200:
        if is_list:
            assert set(body) == {"count", "next", "previous", "results"}
            assert body["results"], "every list of the table has something to show"
    else:
        assert set(body) == {"detail", "code"}


def _ids(response):
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


@pytest.mark.parametrize(
    "persona, sees",
    [
        ("reporter", {"draft", "approved"}),
        ("integrator", {"draft", "approved"}),
        ("other_reporter", {"other_draft", "approved"}),
        ("readonly_integrator", {"approved"}),
        ("viewer", {"draft", "other_draft", "approved"}),
        ("reviewer", {"draft", "other_draft", "approved"}),
    ],
)
def test_report_list_holds_exactly_the_reports_the_persona_may_read(api, world, persona, sees):
    assert _ids(api(persona).get("/api/v1/reports/")) == {getattr(world, name) for name in sees}


def test_anonymous_report_list_says_how_to_authenticate(api, world):
    response = api("anonymous").get("/api/v1/reports/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"
    assert "Authorization: Token" in response.json()["detail"]


def test_an_invalid_token_is_401(world):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/v1/regions/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_session_authentication_works_for_the_browsable_api(client, personas, world):
    client.force_login(personas.reporter)
    response = client.get(f"/api/v1/reports/{world.draft}/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"<html" in response.content.lower()


WRITE_TABLE = {
    # action: expected status per persona, on the personas' unit's report
    "patch draft": {
        "anonymous": 401, "reporter": 200, "integrator": 200, "other_reporter": 404,
        "readonly_integrator": 404, "viewer": 403, "reviewer": 403,
    },
    "approve submitted": {
        "anonymous": 401, "reporter": 403, "integrator": 403, "other_reporter": 404,
        "readonly_integrator": 404, "viewer": 403, "reviewer": 200,
    },
    "create": {
        "anonymous": 401, "reporter": 201, "integrator": 201, "other_reporter": 403,
        "readonly_integrator": 403, "viewer": 403, "reviewer": 403,
    },
}


@pytest.mark.parametrize(
    "action, persona, expected",
    [pytest.param(a, p, s, id=f"{a}-{p}") for a, table in WRITE_TABLE.items() for p, s in table.items()],
)
def test_write_access(api, world, action, persona, expected):
    from programmes.models import Report

    client = api(persona)
    if action == "patch draft":
        response = client.patch(
            f"/api/v1/reports/{world.draft}/",
            {"version": 1, "task_groups": [{"number": 1, "narrative": "Cập nhật"}]}, format="json",
        )
    elif action == "approve submitted":
        Report.objects.filter(pk=world.draft).update(status="submitted")
        response = client.post(f"/api/v1/reports/{world.draft}/approve/", {"version": 1}, format="json")
    else:
        response = client.post(
            "/api/v1/reports/", {"province": "bac-ninh", "year": 2025, "quarter": 4}, format="json"
        )
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()) == {"detail", "code"}


def test_api_root_links_every_endpoint(api):
    body = api("anonymous").get("/api/v1/").json()
    assert set(body) == {
        "regions", "provinces", "frameworks", "task-groups", "pillars", "indicators", "asean-cities", "programmes",
        "projects", "reports", "progress", "indicator-values", "webhooks", "assessments", "maturity", "schema", "docs",
        "reporting-status", "data-value-sets", "tokens",
    }
    assert all(url == f"http://testserver/api/v1/{name}/" for name, url in body.items() if name not in {"schema", "docs"})
