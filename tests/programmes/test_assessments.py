"""Maturity self-assessments: every write and every refusal of programmes/assessments.py.

A refusal is a clear error in the user's language and changes nothing.
"""
from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from indicators.frameworks import load_document
from programmes import assessments, events, paths, selectors
from programmes.assessment_selectors import assessment_content
from programmes.models import (
    Assessment,
    AssessmentEvidence,
    AssessmentRevision,
    CriterionAnswer,
    OutboxMessage,
    ReportStatus,
    WebhookDelivery,
    WebhookSubscription,
)
from programmes.notifications import notify_event
from programmes.webhooks import create_deliveries
from tests.factories import (
    EVIDENCE_LINK,
    MINIMAL_PDF,
    TEST_MATURITY,
    AssessmentFactory,
    ReportFactory,
    maturity_version,
    set_values,
    unit,
)

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 4)
MET = {"met": True, "evidence_links": [EVIDENCE_LINK]}


def start(personas, year=2026, **kwargs):
    return assessments.start_assessment(
        user=personas.reporter, unit=kwargs.pop("unit", personas.unit),
        framework_version=kwargs.pop("version", None) or maturity_version(), year=year, today=TODAY, **kwargs
    )


def save(personas, assessment, data, **kwargs):
    return assessments.save_assessment(
        user=kwargs.pop("user", personas.reporter), assessment=assessment,
        version=kwargs.pop("version", assessment.version), data=data, **kwargs
    )


def answered(personas, year=2026):
    """A draft whose basic criteria are all answered (A2 is measured: no approved value, so not met)."""
    assessment = start(personas, year)
    return save(personas, assessment, {"criteria": {"A1": MET, "B1": MET, "C1": {"met": False}}})


def submitted(personas, year=2026):
    assessment = answered(personas, year)
    return assessments.submit_assessment(user=personas.reporter, assessment=assessment, version=assessment.version)


def unchanged(assessment):
    """What must stay the same after a refused write."""
    assessment.refresh_from_db()
    return (assessment.version, assessment.status, assessment.revisions.count(), assessment_content(assessment))


# --- starting --------------------------------------------------------------------------------------------


def test_a_new_assessment_assesses_the_basic_criteria_and_the_chosen_ones(personas):
    assessment = start(personas, chosen=["B2"])
    content = assessment_content(assessment)
    assert sorted(content["criteria"]) == ["A1", "A2", "B1", "B2", "C1"]
    assert content["chosen"] == ["B2"]
    assert assessment.answers.count() == 8  # every criterion of the version has an answer
    assert assessment.revisions.get().action == "created"


def test_a_unit_dissolved_before_the_end_of_the_year_cannot_be_assessed_for_it(personas):
    with translation.override("en"), pytest.raises(assessments.ReportError) as error:
        start(personas, year=2025, unit=unit("bac-giang"))
    assert error.value.code == "unit_not_in_force"
    assert "a year is assessed for the units in force at its end" in error.value.message
    assert not Assessment.objects.exists()


def test_a_unit_formed_after_the_year_cannot_be_assessed_for_it(personas):
    with translation.override("en"), pytest.raises(assessments.ReportError) as error:
        start(personas, year=2024)
    assert error.value.code == "unit_not_in_force"
    assert "was formed on 01/07/2025" in error.value.message


def test_a_year_that_has_not_begun_is_refused_with_a_vietnamese_message(personas):
    with translation.override("vi"), pytest.raises(assessments.ReportError) as error:
        start(personas, year=2027)
    assert error.value.code == "year_not_begun"
    assert error.value.message == "Năm 2027 chưa bắt đầu: có thể đánh giá năm này từ ngày 1 tháng 1 năm 2027."
    assert not Assessment.objects.exists()


def test_a_second_assessment_of_the_same_unit_year_and_version_is_refused(personas):
    start(personas)
    with translation.override("en"), pytest.raises(assessments.ReportError) as error:
        start(personas)
    assert error.value.code == "exists"
    assert "already has an assessment for 2026" in error.value.message
    assert Assessment.objects.count() == 1


def test_a_version_not_in_force_that_year_is_refused(personas):
    version = load_document({**TEST_MATURITY, "version": {**TEST_MATURITY["version"], "code": "v2",
                                                          "valid_from": "2030-01-01"}}).version
    with pytest.raises(assessments.ReportError) as error:
        start(personas, version=version)
    assert error.value.code == "version_not_in_force"


def test_a_version_without_levels_or_a_draft_is_not_assessed_by_maturity_level(personas):
    from indicators.models import FrameworkVersion

    draft = FrameworkVersion.objects.get(framework__code="sustainable-smart-city-criteria")
    with pytest.raises(assessments.ReportError) as error:
        start(personas, version=draft)
    assert error.value.code == "not_assessable"


def test_only_the_units_writers_start_its_assessment(personas):
    for user in (personas.other_reporter, personas.viewer, personas.reviewer):
        with pytest.raises(PermissionDenied):
            assessments.start_assessment(user=user, unit=personas.unit, framework_version=maturity_version(),
                                         year=2026, today=TODAY)
    assert not Assessment.objects.exists()


def test_a_reporter_assesses_a_unit_merged_into_his_for_the_years_it_stood(personas):
    assessment = start(personas, year=2024, unit=unit("bac-giang"))
    assert assessment.unit.slug == "bac-giang"


def test_a_chosen_criterion_not_in_the_version_is_refused_at_the_start(personas):
    with translation.override("en"), pytest.raises(assessments.ReportInvalid) as error:
        start(personas, chosen=["ZZ9"])
    assert error.value.errors == {"chosen": ["There is no criterion ZZ9 in this framework version."]}
    assert not Assessment.objects.exists()


# --- saving ----------------------------------------------------------------------------------------------


def test_answers_explanations_and_links_are_saved_with_a_revision(personas):
    assessment = start(personas)
    assessment = save(personas, assessment, {"chosen": ["A3"], "criteria": {
        "A1": {**MET, "explanation": "Đã ban hành quyết định."}, "A3": {"met": False},
    }})
    content = assessment_content(assessment)
    assert content["criteria"]["A1"]["met"] is True
    assert content["criteria"]["A1"]["evidence_links"] == [EVIDENCE_LINK]
    assert content["criteria"]["A3"]["met"] is False
    assert assessment.version == 2
    assert assessment.revisions.order_by("-number").first().action == "saved"


def test_met_without_evidence_is_refused_on_that_criterion_and_changes_nothing(personas):
    assessment = start(personas)
    before = unchanged(assessment)
    with translation.override("en"), pytest.raises(assessments.ReportInvalid) as error:
        save(personas, assessment, {"criteria": {"A1": {"met": True}, "B1": {"met": False}}})
    assert error.value.errors == {
        "criteria.A1.met": ["A criterion without evidence is not met: add a link or a file, or answer not met."]
    }
    assert unchanged(assessment) == before


def test_removing_the_last_link_of_a_met_criterion_is_refused(personas):
    assessment = save(personas, start(personas), {"criteria": {"A1": MET}})
    with pytest.raises(assessments.ReportInvalid) as error:
        save(personas, assessment, {"criteria": {"A1": {"evidence_links": []}}})
    assert list(error.value.errors) == ["criteria.A1.met"]


def test_an_uploaded_file_is_evidence_and_follows_the_report_upload_rules(personas):
    assessment = start(personas)
    pdf = SimpleUploadedFile("quyet-dinh.pdf", MINIMAL_PDF, content_type="application/pdf")
    assessment = save(personas, assessment, {"criteria": {"A1": {"met": True}}}, uploads=[("A1", pdf)])
    files = assessment_content(assessment)["criteria"]["A1"]["evidence_files"]
    assert [f["name"] for f in files] == ["quyet-dinh.pdf"]

    fake = SimpleUploadedFile("anh.png", b"not a png at all", content_type="image/png")
    before = unchanged(assessment)
    with translation.override("en"), pytest.raises(assessments.ReportInvalid) as error:
        save(personas, assessment, {"criteria": {"B1": {"met": True}}}, uploads=[("B1", fake)])
    assert error.value.errors["criteria.B1.evidence_files"] == ["“anh.png” is not a real PNG file."]
    assert "criteria.B1.met" in error.value.errors
    assert unchanged(assessment) == before


def test_a_removed_file_goes_with_a_revision(personas):
    pdf = SimpleUploadedFile("quyet-dinh.pdf", MINIMAL_PDF, content_type="application/pdf")
    assessment = save(personas, start(personas), {"criteria": {"A1": {"met": False}}}, uploads=[("A1", pdf)])
    file_id = AssessmentEvidence.objects.get().pk
    assessment = save(personas, assessment, {}, remove=[file_id])
    assert not AssessmentEvidence.objects.exists()
    with pytest.raises(assessments.ReportInvalid) as error:
        save(personas, assessment, {}, remove=[file_id])
    assert list(error.value.errors) == ["evidence_file"]


def test_a_criterion_not_in_the_version_is_refused_by_its_path(personas):
    assessment = start(personas)
    before = unchanged(assessment)
    with translation.override("en"), pytest.raises(assessments.ReportInvalid) as error:
        save(personas, assessment, {"criteria": {"Q7": {"met": False}, "A1": {"colour": "red"}}})
    assert error.value.errors == {
        "criteria.Q7": ["There is no criterion Q7 in this framework version."],
        "criteria.A1.colour": ["This item has no such field."],
    }
    assert unchanged(assessment) == before


def test_an_optional_criterion_must_be_chosen_before_it_is_answered(personas):
    assessment = start(personas)
    with translation.override("en"), pytest.raises(assessments.ReportInvalid) as error:
        save(personas, assessment, {"criteria": {"B2": {"met": False}}})
    assert error.value.errors == {"criteria.B2": ["This criterion is not assessed: choose it first."]}
    assessment = save(personas, assessment, {"chosen": ["B2"], "criteria": {"B2": {"met": False}}})
    assert assessment_content(assessment)["criteria"]["B2"]["met"] is False
    # Unchosen again: it leaves the assessment, its answer is kept for a later choice.
    assessment = save(personas, assessment, {"chosen": []})
    assert "B2" not in assessment_content(assessment)["criteria"]
    assert CriterionAnswer.objects.get(assessment=assessment, node__code="B2").met is False


def test_a_measured_criterion_is_filled_from_the_latest_approved_value_of_the_year(personas):
    for quarter, value in ((1, 40), (2, 65)):
        report = ReportFactory(unit=personas.unit, year=2026, quarter=quarter, status=ReportStatus.APPROVED)
        set_values(report, {"TG5-01": value})
    draft = ReportFactory(unit=personas.unit, year=2026, quarter=3)  # not approved: does not count
    set_values(draft, {"TG5-01": 10})
    older = ReportFactory(unit=personas.unit, year=2025, quarter=4, status=ReportStatus.APPROVED)
    set_values(older, {"TG5-01": 99})  # another year
    assessment = start(personas)
    entry = assessment_content(assessment)["criteria"]["A2"]
    assert entry["met"] is True
    assert entry["measured"] == [
        {"indicator": "TG5-01", "value": "65.0000", "quarter": "2026-Q2", "threshold": ">= 50", "met": True}
    ]


def test_a_measured_criterion_without_an_approved_value_that_year_is_not_met(personas):
    entry = assessment_content(start(personas))["criteria"]["A2"]
    assert entry["met"] is False
    assert entry["measured"][0]["value"] is None


def test_the_reporter_cannot_override_a_measured_criterion_only_explain_it(personas):
    assessment = start(personas)
    with translation.override("en"), pytest.raises(assessments.ReportInvalid) as error:
        save(personas, assessment, {"criteria": {"A2": {"met": True, "evidence_links": [EVIDENCE_LINK]}}})
    assert "criteria.A2.met" in error.value.errors
    assert "cannot be changed here" in error.value.errors["criteria.A2.met"][0]
    assessment = save(personas, assessment, {"criteria": {"A2": {"explanation": "Số liệu quý 4 chưa có."}}})
    entry = assessment_content(assessment)["criteria"]["A2"]
    assert (entry["met"], entry["explanation"]) == (False, "Số liệu quý 4 chưa có.")


def test_a_stale_version_is_a_conflict_with_what_changed_and_changes_nothing(personas):
    assessment = start(personas)
    save(personas, assessment, {"criteria": {"A1": MET}})
    stale = Assessment.objects.get(pk=assessment.pk)
    with translation.override("en"), pytest.raises(assessments.AssessmentConflict) as error:
        save(personas, stale, {"criteria": {"B1": {"met": False}}}, version=1)
    conflict = error.value
    assert (conflict.edited_version, conflict.current_version, conflict.code) == (1, 2, "conflict")
    # The same reporter saved version 2 (in another tab or window): the message says "you".
    assert conflict.by_you and "You saved this assessment in another tab or window" in conflict.message
    assert {"path": "criteria.A1.met", "criterion": "A1", "field": "met", "old": None, "new": True} in conflict.changes
    assert assessment_content(stale)["criteria"]["B1"]["met"] is None


def test_the_diff_of_two_revisions_names_the_criteria_fields(personas):
    assessment = start(personas)
    assessment = save(personas, assessment, {"chosen": ["A3"], "criteria": {"A1": MET}})
    old, new = assessment.revisions.order_by("number")
    paths_changed = [c["path"] for c in selectors.diff_contents(old.snapshot, new.snapshot)]
    assert paths_changed == ["chosen", "criteria.A1.met", "criteria.A1.evidence_links"]


# --- submitting --------------------------------------------------------------------------------------------


def test_an_unanswered_criterion_stops_the_submission(personas):
    assessment = save(personas, start(personas), {"criteria": {"A1": MET}})
    before = unchanged(assessment)
    with translation.override("en"), pytest.raises(assessments.ReportInvalid) as error:
        assessments.submit_assessment(user=personas.reporter, assessment=assessment, version=assessment.version)
    assert error.value.errors == {
        "criteria.B1.met": ["Say whether this criterion is met."],
        "criteria.C1.met": ["Say whether this criterion is met."],
    }
    assert unchanged(assessment) == before


def test_a_submission_records_its_event_and_locks_the_answers(personas):
    assessment = submitted(personas)
    assert assessment.status == ReportStatus.SUBMITTED
    assert OutboxMessage.objects.filter(topic=events.ASSESSMENT_SUBMITTED).count() == 1
    with pytest.raises(assessments.ReportStateError):
        save(personas, assessment, {"criteria": {"C1": {"met": False}}})


def test_the_submission_is_mailed_to_reviewers_and_sent_to_integrators_webhooks(personas, fake_dns):
    fake_dns.answer("hooks.example.org", ["1.1.1.1"])
    WebhookSubscription.objects.create(owner=personas.integrator, url="https://hooks.example.org/x", secret="s" * 40)
    submitted(personas)
    message = OutboxMessage.objects.get(topic=events.ASSESSMENT_SUBMITTED)
    assert notify_event(message) == []
    assert [m.to for m in mail.outbox] == [[personas.reviewer.email]]
    assert "Bắc Ninh" in mail.outbox[0].subject
    create_deliveries(message)
    delivery = WebhookDelivery.objects.get()
    assert delivery.payload["type"] == "assessment.submitted"
    assert delivery.payload["data"]["assessment_id"] == message.payload["assessment_id"]
    assert delivery.payload["data"]["framework"] == "test-maturity"


# --- verification -------------------------------------------------------------------------------------------


def verify(personas, assessment, decisions, user=None):
    return assessments.verify_assessment(
        user=user or personas.reviewer, assessment=assessment, version=assessment.version, decisions=decisions
    )


def test_a_reviewer_cannot_decide_on_an_assessment_not_submitted(personas):
    assessment = answered(personas)
    before = unchanged(assessment)
    with translation.override("en"), pytest.raises(assessments.ReportStateError) as error:
        verify(personas, assessment, [{"code": "A1", "accepted": True}])
    assert error.value.message == "This assessment is draft; that action is not possible now."
    assert unchanged(assessment) == before


def test_a_rejection_needs_a_comment_and_an_unknown_criterion_is_refused(personas):
    assessment = submitted(personas)
    before = unchanged(assessment)
    with translation.override("en"), pytest.raises(assessments.ReportInvalid) as error:
        verify(personas, assessment, [{"code": "A1", "accepted": False}, {"code": "B2", "accepted": True},
                                      {"code": "C1"}])
    assert error.value.errors == {
        "criteria.A1.comment": ["Say why this criterion is rejected."],
        "criteria.B2": ["This criterion is not assessed in this assessment."],
        "criteria.C1.accepted": ["Accept or reject this criterion."],
    }
    assert unchanged(assessment) == before


def test_only_reviewers_verify(personas):
    assessment = submitted(personas)
    for user in (personas.reporter, personas.viewer, personas.integrator):
        with pytest.raises(PermissionDenied):
            verify(personas, assessment, [{"code": "A1", "accepted": True}], user=user)


def test_approval_needs_every_criterion_decided_then_publishes(personas):
    assessment = submitted(personas)
    assessment = verify(personas, assessment, [{"code": "A1", "accepted": True},
                                               {"code": "B1", "accepted": False, "comment": "Thiếu quyết định."}])
    before = unchanged(assessment)
    with translation.override("en"), pytest.raises(assessments.ReportInvalid) as error:
        assessments.approve_assessment(user=personas.reviewer, assessment=assessment, version=assessment.version)
    assert sorted(error.value.errors) == ["criteria.A2.accepted", "criteria.C1.accepted"]
    assert unchanged(assessment) == before
    assessment = verify(personas, assessment, [{"code": "A2", "accepted": True}, {"code": "C1", "accepted": True}])
    assessment = assessments.approve_assessment(user=personas.reviewer, assessment=assessment,
                                                version=assessment.version)
    assert assessment.status == ReportStatus.APPROVED
    actions = list(assessment.revisions.order_by("number").values_list("action", flat=True))
    assert actions == ["created", "saved", "submitted", "verified", "verified", "approved"]
    assert OutboxMessage.objects.filter(topic=events.ASSESSMENT_APPROVED).exists()


def test_a_returned_assessment_keeps_its_decisions_until_the_unit_changes_a_criterion(personas):
    assessment = submitted(personas)
    assessment = verify(personas, assessment, [{"code": "A1", "accepted": True},
                                               {"code": "B1", "accepted": False, "comment": "Thiếu quyết định."}])
    with pytest.raises(assessments.ReportInvalid):
        assessments.return_assessment(user=personas.reviewer, assessment=assessment, version=assessment.version,
                                      comment="  ")
    assessment = assessments.return_assessment(
        user=personas.reviewer, assessment=assessment, version=assessment.version, comment="Bổ sung B1.",
        field_comments={str(paths.criterion_path("B1")): "Cần quyết định phê duyệt."},
    )
    assert assessment.status == ReportStatus.RETURNED
    assessment = save(personas, assessment, {"criteria": {"B1": {"explanation": "Đã bổ sung."}}})
    content = assessment_content(assessment)
    assert content["criteria"]["A1"]["accepted"] is True
    assert content["criteria"]["B1"]["accepted"] is None
    assert content["criteria"]["B1"]["comment"] == "Thiếu quyết định."


def test_nobody_approves_an_assessment_he_submitted(personas):
    from tests.factories import promoted_to_superuser

    assessment = answered(personas)
    assessment = assessments.submit_assessment(user=personas.reporter, assessment=assessment,
                                               version=assessment.version)
    AssessmentRevision.objects.filter(assessment=assessment, action="submitted").update(actor=personas.reviewer)
    assessment = verify(personas, assessment, [{"code": c, "accepted": True} for c in ("A1", "A2", "B1", "C1")])
    with pytest.raises(assessments.SubmitterMayNotApprove):
        assessments.approve_assessment(user=personas.reviewer, assessment=assessment, version=assessment.version)
    admin = promoted_to_superuser(personas.superuser)
    assessments.approve_assessment(user=admin, assessment=assessment, version=assessment.version)


def test_reopening_an_approved_assessment_needs_a_reason_and_records_its_event(personas):
    assessment = AssessmentFactory(status=ReportStatus.APPROVED, year=2026, answers={"A1": True},
                                   decisions={"A1": True})
    with pytest.raises(assessments.ReportInvalid):
        assessments.reopen_assessment(user=personas.reviewer, assessment=assessment, version=1, reason="")
    assessment = assessments.reopen_assessment(user=personas.reviewer, assessment=assessment, version=1,
                                               reason="Sai minh chứng.")
    assert assessment.status == ReportStatus.RETURNED
    assert OutboxMessage.objects.filter(topic=events.ASSESSMENT_REOPENED).exists()
