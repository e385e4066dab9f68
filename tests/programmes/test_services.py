"""The report workflow's rules, exercised through ``programmes.services``."""
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from programmes import services
from programmes.models import OutboxMessage, ReportStatus
from programmes.selectors import report_content
from tests.factories import ReportFactory, promoted_to_superuser, set_values, unit

pytestmark = pytest.mark.django_db

ALL_ANSWERED = {
    "nodes": {
        f"decision-950:{n}": {"status": "in-progress", "percent_complete": "40", "narrative": f"Nhóm {n}"}
        for n in range(1, 10)
    }
}


def test_reporter_starts_a_draft_for_an_ended_quarter(personas):
    report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
    assert report.status == ReportStatus.DRAFT
    assert report.answers.count() == 9
    assert report.revisions.get().action == "created"


def test_a_quarter_that_has_not_ended_cannot_be_reported(personas):
    with pytest.raises(services.ReportError) as caught:
        services.start_report(
            user=personas.reporter, unit=personas.unit, year=2025, quarter=4, today=date(2025, 12, 31)
        )
    assert caught.value.code == "quarter_not_ended"


def test_new_unit_cannot_report_before_the_merger(personas):
    with pytest.raises(services.ReportError) as caught:
        services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=2)
    assert caught.value.code == "unit_not_in_force"


def test_dissolved_unit_report_is_filed_by_the_successors_reporter(personas):
    bac_giang = unit("bac-giang")
    report = services.start_report(user=personas.reporter, unit=bac_giang, year=2025, quarter=2)
    assert report.unit == bac_giang
    with pytest.raises(services.ReportError):
        services.start_report(user=personas.reporter, unit=bac_giang, year=2025, quarter=3)


def test_reporter_of_another_unit_may_not_start_a_report(personas):
    with pytest.raises(PermissionDenied):
        services.start_report(user=personas.other_reporter, unit=personas.unit, year=2025, quarter=3)


def test_full_cycle_submit_return_resubmit_approve(personas):
    report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
    report = services.submit_report(
        user=personas.reporter, report=report, version=report.version, data=ALL_ANSWERED
    )
    assert report.status == ReportStatus.SUBMITTED
    report = services.return_report(
        user=personas.reviewer, report=report, version=report.version,
        comment="Bổ sung minh chứng", field_comments={"nodes.decision-950:2.narrative": "Quá ngắn"},
    )
    assert report.status == ReportStatus.RETURNED
    report = services.submit_report(
        user=personas.reporter, report=report, version=report.version,
        data={"nodes": {"decision-950:2": {"narrative": "Đã bổ sung"}}},
    )
    report = services.approve_report(user=personas.reviewer, report=report, version=report.version)
    assert report.status == ReportStatus.APPROVED
    actions = list(report.revisions.values_list("action", flat=True))
    assert actions == ["created", "saved", "submitted", "returned", "saved", "submitted", "approved"]
    assert set(OutboxMessage.objects.values_list("topic", flat=True)) == {
        "report.submitted", "report.returned", "report.approved"
    }


def test_submission_needs_all_nine_task_groups(personas):
    report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
    with pytest.raises(services.ReportInvalid) as caught:
        services.submit_report(
            user=personas.reporter, report=report, version=report.version,
            data={"nodes": {"decision-950:1": {"status": "completed", "percent_complete": 100}}},
        )
    assert "nodes.decision-950:2.status" in caught.value.errors
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert report_content(report)["nodes"]["decision-950:1"]["status"] == ""


@pytest.mark.parametrize(
    "code, raw, message_part",
    [
        ("TG5-01", "101", "between 0 and 100"),
        ("TG1-02", "-1", "negative"),
        ("TG1-02", "2.5", "whole number"),
        ("TG4-04", "-3", "negative"),
        ("TG1-01", "maybe", "yes or no"),
        ("TG5-01", "abc", "number"),
    ],
)
def test_values_are_checked_by_type_and_range(personas, code, raw, message_part, settings):
    settings.LANGUAGE_CODE = "en"
    report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
    with pytest.raises(services.ReportInvalid) as caught:
        services.save_report(
            user=personas.reporter, report=report, version=report.version,
            data={"indicators": {code: {"value": raw}}},
        )
    assert message_part in " ".join(caught.value.errors[f"indicators.{code}.value"])


def test_stale_version_is_a_conflict_and_changes_nothing(personas):
    report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
    first = report.version
    services.save_report(user=personas.reporter, report=report, version=first,
                         data={"indicators": {"TG5-01": {"value": "50"}}})
    with pytest.raises(services.ReportConflict) as caught:
        services.save_report(user=personas.integrator, report=report, version=first,
                             data={"indicators": {"TG5-01": {"value": "60"}}})
    assert [c["path"] for c in caught.value.changes] == ["indicators.TG5-01.value"]
    report.refresh_from_db()
    assert report_content(report)["indicators"]["TG5-01"]["value"] == "50.0000"


def test_cumulative_value_may_not_fall_without_a_note(personas):
    approved = ReportFactory(unit=personas.unit, year=2025, quarter=3, status="approved")
    set_values(approved, {"TG1-02": 10})
    report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=4,
                                   today=date(2026, 1, 5))
    data = {**ALL_ANSWERED, "indicators": {"TG1-02": {"value": "7"}}}
    with pytest.raises(services.ReportInvalid) as caught:
        services.submit_report(user=personas.reporter, report=report, version=report.version,
                               data=data, today=date(2026, 1, 5))
    assert "indicators.TG1-02.note" in caught.value.errors
    data["indicators"]["TG1-02"]["note"] = "Rà soát lại, 3 văn bản hết hiệu lực"
    report = services.submit_report(user=personas.reporter, report=report, version=report.version,
                                    data=data, today=date(2026, 1, 5))
    assert report.status == ReportStatus.SUBMITTED
    assert report.is_late is False


def test_large_change_needs_confirmation(personas):
    before = ReportFactory(unit=personas.unit, year=2025, quarter=3, status="approved")
    set_values(before, {"TG5-01": 10})
    report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=4,
                                   today=date(2026, 2, 1))
    data = {**ALL_ANSWERED, "indicators": {"TG5-01": {"value": "90"}}}
    with pytest.raises(services.ReportInvalid) as caught:
        services.submit_report(user=personas.reporter, report=report, version=report.version, data=data)
    assert not caught.value.errors
    assert caught.value.warnings[0].key == "indicators.TG5-01.value"
    report = services.submit_report(user=personas.reporter, report=report, version=report.version,
                                    data=data, confirm_warnings=True, today=date(2026, 2, 1))
    assert report.is_late is True
    assert report.revisions.last().confirmed_warnings[0]["field"] == "indicators.TG5-01.value"


def test_only_reviewers_approve_and_approved_reports_are_locked(personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3, status="submitted")
    with pytest.raises(PermissionDenied):
        services.approve_report(user=personas.reporter, report=report, version=report.version)
    report = services.approve_report(user=personas.reviewer, report=report, version=report.version)
    with pytest.raises(services.ReportStateError):
        services.save_report(user=personas.reporter, report=report, version=report.version, data={})
    reopened = services.reopen_report(user=personas.reviewer, report=report, version=report.version,
                                      reason="Sai số liệu TG5-01")
    assert reopened.status == ReportStatus.RETURNED
    assert list(reopened.revisions.values_list("action", flat=True))[-2:] == ["approved", "reopened"]
    assert Decimal(reopened.version) == report.version + 1


def test_the_submitter_cannot_approve_his_own_report_even_as_a_superuser(personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    report = services.submit_report(user=personas.reporter, report=report, version=report.version)
    submitter = promoted_to_superuser(personas.reporter)

    with pytest.raises(PermissionDenied):
        services.approve_report(user=submitter, report=report, version=report.version)

    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.approved_by is None
    assert services.approve_report(user=personas.superuser, report=report, version=report.version).status == (
        ReportStatus.APPROVED
    )


@pytest.mark.parametrize("language, message", [
    ("vi", "Thay đổi từ 909,44 ở quý trước thành 62,5"),
    ("en", "Changed from 909.44 last quarter to 62.5"),
])
def test_a_large_change_is_described_with_numbers_in_the_users_language(personas, language, message):
    from django.utils import translation

    before = ReportFactory(unit=personas.unit, year=2025, quarter=3, status="approved")
    set_values(before, {"TG5-01": "909.44"})
    report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=4,
                                   today=date(2026, 2, 1))
    data = {**ALL_ANSWERED, "indicators": {"TG5-01": {"value": "62.5"}}}
    with translation.override(language), pytest.raises(services.ReportInvalid) as caught:
        services.submit_report(user=personas.reporter, report=report, version=report.version, data=data)
    assert caught.value.warnings[0].message.startswith(message)
