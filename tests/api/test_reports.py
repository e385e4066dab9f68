"""Filing and reviewing reports through the API, as a provincial system and a reviewer would."""
from datetime import date

import pytest

from programmes.models import Report, ReportStatus
from smartcity_portal.accounts.models import AuditLogEntry
from tests.factories import (
    ReportFactory,
    api_client,
    api_error_codes,
    api_errors,
    api_problems,
    promoted_to_superuser,
    set_values,
)

pytestmark = pytest.mark.django_db

ALL_TASK_GROUPS = [
    {"number": n, "status": "in-progress", "percent_complete": 40 + n, "narrative": f"Nhóm {n}",
     "evidence_links": [f"https://bacninh.gov.vn/ddt/{n}"]}
    for n in range(1, 10)
]


def _ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def test_full_lifecycle_from_draft_to_published_values(api, personas, django_capture_on_commit_callbacks):
    reporter, reviewer = api("integrator"), api("reviewer")

    report = _ok(reporter.post(
        "/api/v1/reports/", {"province": "bac-ninh", "year": 2025, "quarter": 4}, format="json"
    ), 201)
    assert (report["status"], report["version"], report["province"]) == ("draft", 1, "bac-ninh")
    assert [tg["number"] for tg in report["task_groups"]] == list(range(1, 10))
    url = f"/api/v1/reports/{report['id']}/"

    report = _ok(reporter.patch(url, {
        "version": report["version"],
        "task_groups": ALL_TASK_GROUPS,
        "indicator_values": [{"code": "TG5-01", "value": 62.5}, {"code": "TG1-01", "value": True}],
    }, format="json"))
    assert report["version"] == 2
    assert {v["code"]: v["value"] for v in report["indicator_values"]} == {
        "TG1-01": "1.0000", "TG5-01": "62.5000"
    }
    assert report["task_groups"][2]["evidence_links"] == ["https://bacninh.gov.vn/ddt/3"]

    report = _ok(reporter.post(url + "submit/", {"version": report["version"]}, format="json"))
    assert report["status"] == "submitted" and report["submitted_at"]

    report = _ok(reviewer.post(url + "return/", {
        "version": report["version"], "comment": "Bổ sung minh chứng",
        "field_comments": {"task_groups.2.narrative": "Quá ngắn", "indicator_values.TG5-01.value": "Nguồn?"},
    }, format="json"))
    assert report["status"] == "returned"
    assert report["review_comment"] == "Bổ sung minh chứng"
    assert report["field_comments"] == {
        "task_groups.2.narrative": "Quá ngắn", "indicator_values.TG5-01.value": "Nguồn?"
    }
    # Stored by field path, the name the pages read them by.
    assert Report.objects.get(pk=report["id"]).field_comments == {
        "nodes.decision-950:2.narrative": "Quá ngắn", "indicators.TG5-01.value": "Nguồn?"
    }

    # A partial change: task group 2's status and percentage stay as they were.
    report = _ok(reporter.patch(url, {
        "version": report["version"],
        "task_groups": [{"number": 2, "narrative": "Đã bổ sung ba văn bản"}],
    }, format="json"))
    second = report["task_groups"][1]
    assert (second["status"], second["percent_complete"], second["narrative"]) == (
        "in-progress", "42.00", "Đã bổ sung ba văn bản"
    )
    report = _ok(reporter.post(url + "submit/", {"version": report["version"]}, format="json"))

    with django_capture_on_commit_callbacks(execute=True):
        report = _ok(reviewer.post(url + "approve/", {"version": report["version"]}, format="json"))
    assert report["status"] == "approved" and report["approved_at"]

    values = _ok(api("anonymous").get(
        "/api/v1/indicator-values/", {"province": "bac-ninh", "year": 2025, "quarter": 4}
    ))["results"]
    assert {v["indicator"]: v["value"] for v in values} == {"TG1-01": "1.0000", "TG5-01": "62.5000"}
    progress = _ok(api("anonymous").get(
        "/api/v1/progress/", {"province": "bac-ninh", "year": 2025, "quarter": 4, "task_group": 2}
    ))["results"]
    assert [p["percent_complete"] for p in progress] == ["42.00"]

    history = _ok(reporter.get(url + "history/"))["results"]
    assert [(h["action"], h["actor"]) for h in history] == [
        ("created", "integrator"), ("saved", "integrator"), ("submitted", "integrator"),
        ("returned", "reviewer"), ("saved", "integrator"), ("submitted", "integrator"),
        ("approved", "reviewer"),
    ]
    assert history[3]["comment"] == "Bổ sung minh chứng"
    assert history[3]["field_comments"]["task_groups.2.narrative"] == "Quá ngắn"
    assert [h["version"] for h in history] == sorted(h["version"] for h in history)
    approval = AuditLogEntry.objects.get(action="report-approved")
    assert (approval.username, approval.ip_address) == ("reviewer", "127.0.0.1")


def _start(client, quarter=3):
    return _ok(client.post(
        "/api/v1/reports/", {"province": "bac-ninh", "year": 2025, "quarter": quarter}, format="json"
    ), 201)


def test_stale_version_gets_409_with_the_changes_and_changes_nothing(api, personas):
    first = api("reporter")
    url = f"/api/v1/reports/{_start(first)['id']}/"
    _ok(first.patch(url, {"version": 1, "indicator_values": [{"code": "TG5-01", "value": "50"}]}, format="json"))

    response = api("integrator").patch(
        url, {"version": 1, "indicator_values": [{"code": "TG5-01", "value": "60"}]}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert (body["edited_version"], body["current_version"]) == (1, 2)
    assert [(c["path"], c["new"]) for c in body["changes"]] == [("indicator_values.TG5-01.value", "50")]
    assert _ok(first.get(url))["indicator_values"] == [{"code": "TG5-01", "value": "50.0000", "note": ""}]


def test_stale_version_on_an_action_is_409_too(api, personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3, status=ReportStatus.SUBMITTED)
    report.version = 3
    report.save()
    response = api("reviewer").post(f"/api/v1/reports/{report.pk}/approve/", {"version": 2}, format="json")
    assert response.status_code == 409
    assert response.json()["current_version"] == 3
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_invalid_values_come_back_by_api_path_and_nothing_is_saved(api, personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    response = api("reporter").patch(f"/api/v1/reports/{report.pk}/", {
        "version": 1,
        "task_groups": [{"number": 3, "percent_complete": "140", "evidence_links": ["ftp://x"]}],
        "indicator_values": [{"code": "TG5-01", "value": "abc"}, {"code": "TG1-02", "value": "2.5"}],
    }, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"task_groups", "indicator_values"}
    assert set(body["task_groups"]["3"]) == {"percent_complete", "evidence_links"}
    [percent] = body["task_groups"]["3"]["percent_complete"]
    assert "between 0 and 100" in percent["message"] and percent["code"] == "percent_range"
    assert set(body["indicator_values"]) == {"TG5-01", "TG1-02"}
    assert api_error_codes(body)["indicator_values.TG1-02.value"] == ["not_whole"]
    assert "whole number" in api_errors(body)["indicator_values.TG1-02.value"][0]
    report.refresh_from_db()
    assert report.version == 1


@pytest.mark.parametrize(
    "body, expected",
    [
        ({"version": 1, "task_groups": {"3": {}}},
         {"task_groups": [{"code": "not_a_list", "message": "Expected a list of objects."}]}),
        ({"version": 1, "task_groups": [{"number": 12}]}, "task_groups.non_field_errors"),
        ({"version": 1, "task_groups": [{"number": 3, "percent": 40}]}, "task_groups.3.percent"),
        ({"version": 1, "task_groups": [{"number": 3, "status": "done"}]}, "task_groups.3.status"),
        ({"version": 1, "task_groups": [{"number": 3}, {"number": 3}]}, "task_groups.3.number"),
        ({"version": 1, "indicator_values": [{"code": "TG5-01", "value": [1]}]}, "indicator_values.TG5-01.value"),
        ({"version": 1, "indicator_values": [{"code": "XX-99", "value": 1}]}, "indicator_values.non_field_errors"),
        ({"task_groups": []}, "version"),
        ({"version": "one"}, "version"),
    ],
)
def test_malformed_contents_are_field_errors(api, personas, body, expected):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    response = api("reporter").patch(f"/api/v1/reports/{report.pk}/", body, format="json")
    assert response.status_code == 400, response.content
    data = response.json()
    if isinstance(expected, dict):
        assert data == expected
    else:
        assert api_problems(data)[expected]


def test_put_replaces_everything_and_needs_both_lists(api, personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    set_values(report, {"TG5-01": 10, "TG1-02": 3})
    url = f"/api/v1/reports/{report.pk}/"
    client = api("reporter")
    assert client.put(url, {"version": 1, "task_groups": []}, format="json").json() == {
        "indicator_values": [{"code": "required", "message": "This field is required."}]
    }
    body = _ok(client.put(url, {
        "version": 1,
        "task_groups": [{"number": 1, "status": "completed", "percent_complete": 100}],
        "indicator_values": [{"code": "TG1-02", "value": 4}],
    }, format="json"))
    assert body["indicator_values"] == [{"code": "TG1-02", "value": "4.0000", "note": ""}]
    first, second = body["task_groups"][:2]
    assert (first["status"], first["narrative"]) == ("completed", "")
    assert (second["status"], second["percent_complete"]) == ("", None)


def test_create_with_contents_is_all_or_nothing(api, personas):
    client = api("reporter")
    response = client.post("/api/v1/reports/", {
        "province": "bac-ninh", "year": 2025, "quarter": 4,
        "indicator_values": [{"code": "TG5-01", "value": "150"}],
    }, format="json")
    assert response.status_code == 400
    assert "TG5-01" in response.json()["indicator_values"]
    assert not Report.objects.filter(unit=personas.unit, year=2025, quarter=4).exists()

    response = client.post("/api/v1/reports/", {
        "province": "bac-ninh", "year": 2025, "quarter": 4,
        "indicator_values": [{"code": "TG5-01", "value": "55,5", "note": "Số liệu Sở TT&TT"}],
    }, format="json")
    body = _ok(response, 201)
    assert response["Location"] == f"/api/v1/reports/{body['id']}/"
    assert body["indicator_values"] == [{"code": "TG5-01", "value": "55.5000", "note": "Số liệu Sở TT&TT"}]


def test_a_second_report_for_the_quarter_is_409_and_names_the_first(api, personas):
    existing = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    response = api("reporter").post(
        "/api/v1/reports/", {"province": "bac-ninh", "year": 2025, "quarter": 3}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "exists"
    assert response.json()["report"] == existing.pk


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"province": "bac-ninh", "year": 2025, "quarter": 2}, 400, "unit_not_in_force"),
        ({"province": "bac-ninh", "year": 2099, "quarter": 1}, 400, "quarter_not_ended"),
        ({"province": "bac-giang", "year": 2025, "quarter": 2}, 201, None),
        ({"province": "ha-noi", "year": 2025, "quarter": 3}, 403, "permission_denied"),
    ],
)
def test_what_a_unit_may_report_on(api, personas, body, status, code):
    response = api("reporter").post("/api/v1/reports/", body, format="json")
    assert response.status_code == status, response.content
    if code and status == 400:
        assert api_error_codes(response.json()) == {"non_field_errors": [code]}
    elif code:
        assert response.json()["code"] == code


def test_create_checks_its_fields(api, personas):
    response = api("reporter").post(
        "/api/v1/reports/", {"province": "atlantis", "year": 1999, "quarter": 5}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"province", "year", "quarter"}


def test_actions_out_of_turn_are_409(api, personas):
    draft = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    response = api("reviewer").post(f"/api/v1/reports/{draft.pk}/approve/", {"version": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"

    submitted = ReportFactory(unit=personas.unit, year=2025, quarter=4, status=ReportStatus.SUBMITTED)
    response = api("reporter").patch(
        f"/api/v1/reports/{submitted.pk}/", {"version": 1, "task_groups": []}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"


def test_submission_lists_what_is_missing(api, personas):
    client = api("reporter")
    report = _start(client)
    response = client.post(f"/api/v1/reports/{report['id']}/submit/", {"version": 1}, format="json")
    assert response.status_code == 400
    assert set(response.json()["task_groups"]) == {str(n) for n in range(1, 10)}
    assert set(response.json()["task_groups"]["4"]) == {"status", "percent_complete"}


def test_large_changes_need_confirming(api, personas):
    before = ReportFactory(unit=personas.unit, year=2025, quarter=3, status=ReportStatus.APPROVED)
    set_values(before, {"TG5-01": 10})
    report = ReportFactory(unit=personas.unit, year=2025, quarter=4)
    set_values(report, {"TG5-01": 90})
    url = f"/api/v1/reports/{report.pk}/submit/"
    client = api("reporter")

    response = client.post(url, {"version": 1}, format="json")
    assert response.status_code == 400
    assert api_error_codes(response.json()) == {
        "non_field_errors": ["needs_confirmation"],
        "indicator_values.TG5-01.value": ["needs_confirmation"],
    }
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFT

    assert _ok(client.post(url, {"version": 1, "confirm_warnings": True}, format="json"))["status"] == "submitted"
    history = _ok(client.get(f"/api/v1/reports/{report.pk}/history/"))["results"]
    assert history[-1]["confirmed_warnings"][0]["field"] == "indicator_values.TG5-01.value"


def test_values_to_confirm_are_listed_beside_the_errors_of_a_submission(api, personas):
    before = ReportFactory(unit=personas.unit, year=2025, quarter=3, status=ReportStatus.APPROVED)
    set_values(before, {"TG5-01": 10})
    report = ReportFactory(unit=personas.unit, year=2025, quarter=4, answered=False)
    set_values(report, {"TG5-01": 90})

    response = api("reporter").post(f"/api/v1/reports/{report.pk}/submit/", {"version": 1}, format="json")

    codes = api_error_codes(response.json())
    assert codes["indicator_values.TG5-01.value"] == ["needs_confirmation"]
    assert codes["task_groups.4.status"] == ["required"]
    assert "non_field_errors" not in codes
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_return_needs_a_comment_and_reopen_a_reason(api, personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3, status=ReportStatus.SUBMITTED)
    client = api("reviewer")
    response = client.post(f"/api/v1/reports/{report.pk}/return/", {"version": 1, "comment": " "}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["comment"]

    report.status = ReportStatus.APPROVED
    report.save()
    response = client.post(f"/api/v1/reports/{report.pk}/reopen/", {"version": 1, "reason": ""}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["reason"]


def test_reviewer_reopens_an_approved_report(api, personas, django_capture_on_commit_callbacks):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3, status=ReportStatus.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        body = _ok(api("reviewer").post(
            f"/api/v1/reports/{report.pk}/reopen/", {"version": 1, "reason": "Sai số liệu quý"}, format="json"
        ))
    assert (body["status"], body["review_comment"]) == ("returned", "Sai số liệu quý")


def test_report_body_has_the_contract_fields(api, personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    set_values(report, {"TG5-01": 12})
    body = _ok(api("reporter").get(f"/api/v1/reports/{report.pk}/"))
    assert {
        "id", "province", "year", "quarter", "status", "version", "is_late", "submitted_at", "approved_at",
        "review_comment", "field_comments", "task_groups", "indicator_values",
    } <= set(body)
    assert set(body["task_groups"][0]) >= {"number", "status", "percent_complete", "narrative", "evidence_links"}
    assert body["indicator_values"] == [{"code": "TG5-01", "value": "12.0000", "note": ""}]


def test_history_of_a_report_is_paginated(api, personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    client = api("reporter")
    version = 1
    for n in range(3):
        version = _ok(client.patch(f"/api/v1/reports/{report.pk}/", {
            "version": version, "task_groups": [{"number": 1, "narrative": f"Lần {n}"}]
        }, format="json"))["version"]
    body = _ok(client.get(f"/api/v1/reports/{report.pk}/history/", {"page_size": 2}))
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


def test_report_of_a_dissolved_unit_is_filed_by_its_successors_reporter(api, personas):
    body = _ok(api("reporter").post(
        "/api/v1/reports/", {"province": "bac-giang", "year": 2025, "quarter": 1}, format="json"
    ), 201)
    assert body["province"] == "bac-giang"
    assert body["is_late"] is False
    assert date.fromisoformat(body["created_at"][:10]) <= date.today()


# --- evidence files (issue 13, item 11) -----------------------------------------------------------


def _draft_with_file(personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from programmes import services
    from tests.factories import MINIMAL_PDF

    report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
    report = services.save_report(
        user=personas.reporter, report=report, version=report.version, data={},
        uploads=[("decision-950:2", SimpleUploadedFile("bien-ban.pdf", MINIMAL_PDF))],
    )
    return report, report.answers.get(node__code=2).evidence.get()


def test_an_integrator_removes_an_evidence_file(api, personas, django_capture_on_commit_callbacks):
    report, evidence = _draft_with_file(personas)
    client = api("integrator")
    url = f"/api/v1/reports/{report.pk}/"
    listed = _ok(client.get(url))["task_groups"][1]["evidence_files"]
    assert listed == [{"id": evidence.pk, "name": "bien-ban.pdf", "size": evidence.size}]
    storage, stored = evidence.file.storage, evidence.file.name

    with django_capture_on_commit_callbacks(execute=True):
        body = _ok(client.post(url + "remove-evidence/", {"version": report.version, "evidence_file": evidence.pk},
                               format="json"))

    assert body["version"] == report.version + 1
    assert all(tg["evidence_files"] == [] for tg in body["task_groups"])
    assert not storage.exists(stored)
    history = _ok(client.get(url + "history/"))["results"]
    assert (history[-1]["action"], history[-1]["actor"]) == ("saved", "integrator")


def test_removing_an_evidence_file_through_the_api_follows_the_rules_of_saves(api, personas):
    report, evidence = _draft_with_file(personas)
    url = f"/api/v1/reports/{report.pk}/remove-evidence/"
    body = {"version": report.version, "evidence_file": evidence.pk}

    stale = api("reporter").post(url, {**body, "version": report.version - 1}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    unknown = api("reporter").post(url, {**body, "evidence_file": evidence.pk + 1000}, format="json")
    assert unknown.status_code == 400 and set(unknown.json()) == {"evidence_file"}
    assert api("other_reporter").post(url, body, format="json").status_code == 404
    assert api("reviewer").post(url, body, format="json").status_code == 403
    assert api("anonymous").post(url, body, format="json").status_code == 401
    assert api("reporter").post(url, {"version": report.version}, format="json").status_code == 400
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    refused = api("reporter").post(url, body, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "invalid_state"
    assert report.answers.get(node__code=2).evidence.filter(pk=evidence.pk).exists()
def test_the_submitter_cannot_approve_his_own_report_through_the_api_even_as_a_superuser(api, personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    submitted = _ok(api("integrator").post(f"/api/v1/reports/{report.pk}/submit/", {"version": 1}, format="json"))
    submitter = promoted_to_superuser(personas.integrator)

    response = api_client(submitter).post(
        f"/api/v1/reports/{report.pk}/approve/", {"version": submitted["version"]}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You submitted this report yourself: another reviewer must approve it.",
        "code": "permission_denied",
    }
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.version == submitted["version"]


def test_a_save_that_changes_nothing_makes_no_new_version_and_no_revision(api, personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    client = api("reporter")
    url = f"/api/v1/reports/{report.pk}/"
    body = {"task_groups": [{"number": 2, "narrative": "CSDL dân cư"}], "indicator_values": [{"code": "TG5-01", "value": 55.5}]}
    version = _ok(client.patch(url, {"version": report.version, **body}, format="json"))["version"]
    revisions = report.revisions.count()

    again = _ok(client.patch(url, {"version": version, **body}, format="json"))
    as_text = _ok(client.patch(url, {"version": version, "indicator_values": [{"code": "TG5-01", "value": "55.5000"}]},
                               format="json"))

    assert again["version"] == as_text["version"] == version
    assert report.revisions.count() == revisions
    changed = _ok(client.patch(url, {"version": version, "indicator_values": [{"code": "TG5-01", "value": "55.6"}]},
                               format="json"))
    assert changed["version"] == version + 1 and report.revisions.count() == revisions + 1
