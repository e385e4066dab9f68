"""Projects through the API: the report body's new ``projects`` and ``public_links``, and ``GET /api/v1/projects/``.

API v1 stays backward compatible: a body without the new fields is answered and
written as before, and a full replacement (PUT) that does not name them keeps them.
"""
from decimal import Decimal

import pytest
from django.urls import reverse

from programmes import services
from programmes.models import Evidence, ProjectProgress
from tests.factories import (
    ProjectFactory,
    ReportFactory,
    submit_and_approve,
    task_group,
)

pytestmark = pytest.mark.django_db

ALL_TASK_GROUPS = [
    {"number": n, "status": "in-progress", "percent_complete": 40 + n, "narrative": f"Nhóm {n}"} for n in range(1, 10)
]


@pytest.fixture
def draft(personas):
    return ReportFactory(unit=personas.unit, year=2025, quarter=3)


@pytest.fixture
def ioc(personas):
    return ProjectFactory(unit=personas.unit, code="IOC-01", nodes=[task_group(8)])


def url(report):
    return f"/api/v1/reports/{report.pk}/"


def test_the_report_body_gives_the_projects_progress(api, draft, ioc):
    client = api("integrator")
    body = client.patch(url(draft), {"version": 1, "projects": [
        {"project": ioc.pk, "status": "in-progress", "percent_complete": "35,5", "spending_to_date": 12.25}
    ]}, format="json")
    assert body.status_code == 200, body.content
    [entry] = body.json()["projects"]
    assert entry == {"project": ioc.pk, "code": "IOC-01", "status": "in-progress", "percent_complete": "35.50",
                     "spending_to_date": "12.250", "note": ""}


def test_a_projects_errors_are_keyed_by_project_and_field(api, draft, ioc):
    other = ProjectFactory(unit=draft.unit.__class__.objects.get(slug="ha-noi"))
    response = api("integrator").patch(url(draft), {"version": 1, "projects": [
        {"project": ioc.pk, "percent_complete": 120, "colour": "red"},
        {"project": other.pk, "status": "planned"},
    ]}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert "colour" in body["projects"][str(ioc.pk)]
    response = api("integrator").patch(url(draft), {"version": 1, "projects": [
        {"project": ioc.pk, "percent_complete": 120}, {"project": other.pk, "status": "planned"},
    ]}, format="json")
    body = response.json()
    assert response.status_code == 400
    assert "percent_complete" in body["projects"][str(ioc.pk)] and body["projects"]["non_field_errors"]
    assert not ProjectProgress.objects.exists()


def test_a_put_without_projects_keeps_them_and_one_with_projects_replaces_them(api, draft, ioc, personas):
    services.save_report(user=personas.reporter, report=draft, version=1,
                         data={"projects": {str(ioc.pk): {"percent_complete": "20"}}})
    client = api("integrator")
    body = client.put(url(draft), {"version": 2, "task_groups": ALL_TASK_GROUPS, "indicator_values": []},
                      format="json").json()
    assert [p["percent_complete"] for p in body["projects"]] == ["20.00"]
    body = client.put(url(draft), {"version": 3, "task_groups": ALL_TASK_GROUPS, "indicator_values": [],
                                   "projects": []}, format="json").json()
    assert body["projects"] == []


def test_an_old_clients_body_is_answered_and_written_as_before(api, draft):
    client = api("integrator")
    response = client.patch(url(draft), {"version": 1, "task_groups": [
        {"number": 1, "narrative": "Cập nhật", "evidence_links": ["https://bacninh.gov.vn/a"]}]}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert {"task_groups", "nodes", "indicator_values"} <= set(body)
    assert body["task_groups"][0]["evidence_links"] == ["https://bacninh.gov.vn/a"]
    assert body["task_groups"][0]["public_links"] == []


def test_evidence_links_are_marked_public_and_keep_their_flag_when_not_named(api, draft):
    client = api("integrator")
    links = ["https://bacninh.gov.vn/ke-hoach", "https://noibo.bacninh.gov.vn/ho-so"]
    body = client.patch(url(draft), {"version": 1, "task_groups": [
        {"number": 1, "evidence_links": links, "public_links": links[:1]}]}, format="json").json()
    assert body["task_groups"][0]["public_links"] == links[:1]
    # A client that knows nothing of public_links changes the narrative: the flag stays.
    body = client.patch(url(draft), {"version": 2, "task_groups": [
        {"number": 1, "narrative": "Mới", "evidence_links": links}]}, format="json").json()
    assert body["task_groups"][0]["public_links"] == links[:1]
    assert Evidence.objects.filter(is_public=True).count() == 1


def test_a_public_link_must_be_one_of_the_items_evidence_links(api, draft):
    response = api("integrator").patch(url(draft), {"version": 1, "task_groups": [
        {"number": 1, "evidence_links": ["https://a.gov.vn/1"], "public_links": ["https://b.gov.vn/2"]}]},
        format="json")
    assert response.status_code == 400
    assert "public_links" in response.json()["task_groups"]["1"]
    assert not Evidence.objects.exists()


# --- GET /api/v1/projects/ ----------------------------------------------------------------------------


def publish(personas, project, percent="40", quarter=3):
    report = ReportFactory(unit=project.unit, year=2025, quarter=quarter)
    services.save_report(user=personas.reporter, report=report, version=report.version,
                         data={"projects": {str(project.pk): {"status": "in-progress", "percent_complete": percent}}})
    report.refresh_from_db()
    return submit_and_approve(report, reporter=personas.reporter, reviewer=personas.reviewer)


def test_the_projects_endpoint_lists_published_projects_only_to_everyone(api, personas, ioc):
    unpublished = ProjectFactory(unit=personas.unit, code="CAM-02", funding_source="oda")
    publish(personas, ioc)
    body = api("anonymous").get("/api/v1/projects/").json()
    assert [p["code"] for p in body["results"]] == ["IOC-01"]
    assert body["results"][0]["nodes"] == ["decision-950:8"]
    assert body["results"][0]["percent_complete"] == "40.00" and body["results"][0]["as_of"] == "2025-Q3"
    assert api("anonymous").get(f"/api/v1/projects/{unpublished.pk}/").status_code == 404
    detail = api("anonymous").get(f"/api/v1/projects/{ioc.pk}/").json()
    assert [(h["year"], h["quarter"], h["percent_complete"]) for h in detail["history"]] == [(2025, 3, "40.00")]


@pytest.mark.parametrize("query, expected", [
    ("province=bac-ninh", {"IOC-01", "GIS-03"}),
    ("province=ha-noi", set()),
    ("status=in-progress", {"IOC-01", "GIS-03"}),
    ("status=completed", set()),
    ("funding=oda", {"GIS-03"}),
    ("node=decision-950:8", {"IOC-01"}),
    ("node=decision-950:8&funding=oda", set()),
])
def test_the_page_and_the_endpoint_share_their_filters(client, api, personas, ioc, query, expected):
    gis = ProjectFactory(unit=personas.unit, code="GIS-03", funding_source="oda", total_investment=Decimal(9))
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    services.save_report(user=personas.reporter, report=report, version=1, data={"projects": {
        str(ioc.pk): {"status": "in-progress"}, str(gis.pk): {"status": "in-progress"}}})
    report.refresh_from_db()
    submit_and_approve(report, reporter=personas.reporter, reviewer=personas.reviewer)
    body = api("anonymous").get(f"/api/v1/projects/?{query}").json()
    assert {p["code"] for p in body["results"]} == expected
    html = client.get(f"{reverse('projects:list')}?{query}").content.decode()
    for code in ("IOC-01", "GIS-03"):
        assert (f">{code}<" in html) == (code in expected)


def test_an_unknown_filter_value_is_a_400_in_the_documented_shape(api):
    response = api("anonymous").get("/api/v1/projects/?status=finished")
    assert response.status_code == 400
    assert "status" in response.json()
