"""Maturity assessments through the API, as a provincial system and a ministry reviewer would,
and the published levels of /api/v1/maturity/.

Every refusal answers 4xx in the documented error shape and changes nothing.
"""
import pytest

from programmes.models import Assessment, ReportStatus
from tests.factories import (
    EVIDENCE_LINK,
    AssessmentFactory,
    api_error_codes,
    api_errors,
    api_problems,
    maturity_version,
    unit,
)

pytestmark = pytest.mark.django_db
CREATE = {"province": "bac-ninh", "framework": "test-maturity", "framework_version": "v1", "year": 2025}


def _ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


@pytest.fixture(autouse=True)
def version(db):
    return maturity_version()


def test_round_trip_from_a_draft_to_a_published_level(api, django_capture_on_commit_callbacks):
    writer, reviewer, anonymous = api("integrator"), api("reviewer"), api("anonymous")
    body = _ok(writer.post("/api/v1/assessments/", {**CREATE, "chosen": ["B2"]}, format="json"), 201)
    assert (body["status"], body["version"], body["illustrative"], body["chosen"]) == ("draft", 1, True, ["B2"])
    assert [(c["code"], c["assessed"]) for c in body["criteria"]][:4] == [
        ("A1", True), ("A2", True), ("A3", False), ("B1", True)
    ]
    url = f"/api/v1/assessments/{body['id']}/"

    body = _ok(writer.patch(url, {"version": 1, "criteria": [
        {"code": "A1", "met": True, "explanation": "Đã ban hành.", "evidence_links": [EVIDENCE_LINK]},
        {"code": "B1", "met": True, "evidence_links": [EVIDENCE_LINK]},
        {"code": "B2", "met": False},
        {"code": "C1", "met": False, "explanation": "Chưa triển khai."},
    ]}, format="json"))
    assert body["version"] == 2
    a2 = next(c for c in body["criteria"] if c["code"] == "A2")
    assert a2["met"] is False and a2["measured"][0]["indicator"] == "TG5-01"

    body = _ok(writer.post(url + "submit/", {"version": 2}, format="json"))
    assert body["status"] == "submitted"
    body = _ok(reviewer.post(url + "verify/", {"version": body["version"], "decisions": [
        {"code": "A1", "accepted": True}, {"code": "A2", "accepted": True}, {"code": "B1", "accepted": True},
        {"code": "B2", "accepted": True}, {"code": "C1", "accepted": True, "comment": "Đúng."},
    ]}, format="json"))
    with django_capture_on_commit_callbacks(execute=True):
        body = _ok(reviewer.post(url + "approve/", {"version": body["version"]}, format="json"))
    assert body["status"] == "approved"
    # A2 (measured: no approved TG5-01 value in 2025) is not met: level 0, A2 missing for level 1.
    assert body["level_reached"] == 0

    levels = _ok(anonymous.get("/api/v1/maturity/?year=2025&framework=test-maturity&province=bac-ninh"))
    assert levels["count"] == 1
    row = levels["results"][0]
    assert (row["province"], row["year"], row["level"], row["gaps"], row["illustrative"]) == (
        "bac-ninh", 2025, 0, ["A2"], True
    )
    assert row["criteria_met"][0] == {"number": 1, "name": "Foundation", "met": 1, "assessed": 2}

    history = _ok(writer.get(url + "history/"))
    assert [r["action"] for r in history["results"]] == ["created", "saved", "submitted", "verified", "approved"]


def test_creating_for_a_year_not_begun_a_unit_not_in_force_or_twice_is_refused(api):
    writer = api("reporter")
    refused = writer.post("/api/v1/assessments/", {**CREATE, "year": 2100}, format="json")
    assert refused.status_code == 400
    assert api_error_codes(refused.json()) == {"non_field_errors": ["year_not_begun"]}
    refused = writer.post("/api/v1/assessments/", {**CREATE, "province": "bac-giang"}, format="json")
    assert (refused.status_code, api_error_codes(refused.json())) == (400, {"non_field_errors": ["unit_not_in_force"]})
    assert "dissolved" in refused.json()["non_field_errors"][0]["message"]
    first = _ok(writer.post("/api/v1/assessments/", CREATE, format="json"), 201)
    again = writer.post("/api/v1/assessments/", CREATE, format="json")
    assert again.status_code == 409
    assert (again.json()["code"], again.json()["assessment"]) == ("exists", first["id"])
    assert Assessment.objects.count() == 1


def test_an_unknown_framework_or_version_is_a_field_error(api):
    writer = api("reporter")
    assert api_errors(writer.post("/api/v1/assessments/", {**CREATE, "framework": "nope"}, format="json").json()) == {
        "framework": ["There is no framework nope."]
    }
    assert api_errors(writer.post("/api/v1/assessments/", {**CREATE, "framework_version": "v9"}, format="json").json()) == {
        "framework_version": ["test-maturity has no version v9."]
    }


def test_a_criterion_not_in_the_version_and_met_without_evidence_are_field_errors(api):
    writer = api("reporter")
    body = _ok(writer.post("/api/v1/assessments/", CREATE, format="json"), 201)
    url = f"/api/v1/assessments/{body['id']}/"
    refused = writer.patch(url, {"version": 1, "criteria": [{"code": "Q9", "met": True}, {"code": "A1", "met": True}]},
                           format="json")
    assert refused.status_code == 400
    assert api_errors(refused.json()) == {
        "criteria.Q9": ["There is no criterion Q9 in this framework version."],
        "criteria.A1.met": ["A criterion without evidence is not met: add a link or a file, or answer not met."],
    }
    assert api_error_codes(refused.json())["criteria.A1.met"] == ["no_evidence"]
    refused = writer.patch(url, {"version": 1, "criteria": [{"code": "A1", "met": True, "size": 3}]}, format="json")
    assert api_problems(refused.json()) == {"criteria.A1.size": [{"code": "unknown_field", "message": "Unknown field."}]}
    assert _ok(writer.get(url))["version"] == 1


def test_messages_follow_accept_language_vietnamese_by_default(api):
    writer = api("reporter", language="vi")
    body = _ok(writer.post("/api/v1/assessments/", CREATE, format="json"), 201)
    refused = writer.patch(f"/api/v1/assessments/{body['id']}/", {"version": 1, "criteria": [{"code": "A1", "met": True}]},
                           format="json")
    assert api_errors(refused.json())["criteria.A1.met"] == [
        "Tiêu chí không có minh chứng thì không đạt: hãy thêm đường dẫn hoặc tệp, hoặc trả lời không đạt."
    ]


def test_a_stale_version_answers_409_with_what_changed(api):
    writer = api("reporter")
    body = _ok(writer.post("/api/v1/assessments/", CREATE, format="json"), 201)
    url = f"/api/v1/assessments/{body['id']}/"
    _ok(writer.patch(url, {"version": 1, "criteria": [{"code": "C1", "explanation": "Đang triển khai."}]},
                     format="json"))
    stale = writer.patch(url, {"version": 1, "criteria": [{"code": "B1", "met": False}]}, format="json")
    assert stale.status_code == 409
    assert stale.json() == {
        "detail": "Someone else saved this assessment while you were editing it (your version 1, now 2). "
                  "Nothing of yours was saved: review their changes, then make yours again.",
        "code": "conflict", "edited_version": 1, "current_version": 2,
        "changes": [{"path": "criteria.C1.explanation", "criterion": "C1", "field": "explanation",
                     "old": "", "new": "Đang triển khai."}],
    }


def test_deciding_on_an_assessment_not_submitted_is_a_conflict_of_state(api):
    draft = AssessmentFactory(year=2025)
    refused = api("reviewer").post(f"/api/v1/assessments/{draft.pk}/verify/", {
        "version": 1, "decisions": [{"code": "A1", "accepted": True}]}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "invalid_state"


def test_a_rejection_without_comment_and_undecided_approvals_are_refused(api):
    assessment = AssessmentFactory(year=2025, status=ReportStatus.SUBMITTED, answers={"A1": True})
    reviewer = api("reviewer")
    url = f"/api/v1/assessments/{assessment.pk}/"
    refused = reviewer.post(url + "verify/", {"version": 1, "decisions": [{"code": "A1", "accepted": False}]},
                            format="json")
    assert api_problems(refused.json()) == {
        "criteria.A1.comment": [{"code": "required", "message": "Say why this criterion is rejected."}]
    }
    refused = reviewer.post(url + "verify/", {"version": 1, "decisions": [{"code": "A1"}, {"code": "A1"}]},
                            format="json")
    assert refused.status_code == 400 and "A1" in refused.json()["decisions"]
    refused = reviewer.post(url + "approve/", {"version": 1}, format="json")
    assert refused.status_code == 400
    assert set(refused.json()["criteria"]) == {"A1", "A2", "B1", "C1"}
    assert Assessment.objects.get(pk=assessment.pk).version == 1


def test_another_units_draft_answers_404_and_an_approved_one_is_read_by_all(api):
    other = AssessmentFactory(unit=unit("ha-noi"), year=2025)
    approved = AssessmentFactory(unit=unit("ha-noi"), year=2024, status=ReportStatus.APPROVED)
    reporter = api("reporter")
    assert reporter.get(f"/api/v1/assessments/{other.pk}/").status_code == 404
    assert reporter.get(f"/api/v1/assessments/{approved.pk}/").status_code == 200
    listed = [row["id"] for row in _ok(reporter.get("/api/v1/assessments/"))["results"]]
    assert listed == [approved.pk]
    assert api("anonymous").get("/api/v1/assessments/").status_code == 401
    patch = reporter.patch(f"/api/v1/assessments/{approved.pk}/", {"version": 1}, format="json")
    assert patch.status_code == 403


def test_the_list_filters_by_province_year_framework_and_status(api):
    AssessmentFactory(year=2025)
    AssessmentFactory(year=2026, status=ReportStatus.SUBMITTED)
    viewer = api("viewer")
    assert _ok(viewer.get("/api/v1/assessments/?year=2026&framework=test-maturity"))["count"] == 1
    assert _ok(viewer.get("/api/v1/assessments/?status=draft&province=bac-ninh"))["count"] == 1
    assert viewer.get("/api/v1/assessments/?year=abc").status_code == 400


def test_the_api_root_and_schema_list_the_new_endpoints(api):
    root = _ok(api("anonymous").get("/api/v1/"))
    assert root["assessments"].endswith("/api/v1/assessments/")
    assert root["maturity"].endswith("/api/v1/maturity/")
    schema = api("anonymous").get("/api/schema/?format=json").json()
    assert "/api/v1/assessments/{id}/verify/" in schema["paths"]
    assert "/api/v1/maturity/" in schema["paths"]
