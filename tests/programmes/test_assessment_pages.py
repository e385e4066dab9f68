"""The assessment pages: each refusal re-shows the form with the error next to the criterion, and
changes nothing; every page says when the framework version is illustrative."""
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from indicators.models import MaturityResult
from programmes.assessment_selectors import assessment_content
from programmes.models import Assessment, AssessmentEvidence, ReportStatus
from tests.factories import (
    EVIDENCE_LINK,
    MINIMAL_PDF,
    AssessmentFactory,
    maturity_version,
    unit,
)

pytestmark = pytest.mark.django_db
ILLUSTRATIVE = "This version is illustrative: it is not official content"


@pytest.fixture
def version(db):
    return maturity_version()


def client_of(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def form_data(assessment, **fields):
    return {"version": str(assessment.version), "action": "save", **fields}


def field_error(html, name):
    """The error list the page shows next to the field ``name``."""
    match = re.search(rf'<ul class="errorlist" id="id_{re.escape(name)}_error">(.*?)</ul>', html, re.DOTALL)
    return re.sub(r"<[^>]+>", " ", match.group(1)).split() if match else None


def test_starting_an_assessment_leads_to_its_form(personas, version):
    client = client_of(personas.reporter)
    response = client.post("/assessments/new/", {"unit": personas.unit.pk, "framework_version": version.pk,
                                                 "year": "2025"})
    assessment = Assessment.objects.get()
    assert response["Location"] == f"/assessments/{assessment.pk}/edit/"
    page = client.get(response["Location"]).content.decode()
    assert ILLUSTRATIVE in page and "A1. Criterion A1" in page


def test_starting_for_a_unit_not_in_force_or_twice_shows_the_error_beside_the_field(personas, version):
    client = client_of(personas.reporter)
    page = client.post("/assessments/new/", {"unit": unit("bac-giang").pk, "framework_version": version.pk,
                                             "year": "2025"}).content.decode()
    assert "a year is assessed for the units in force at its end" in " ".join(field_error(page, "unit"))
    AssessmentFactory(year=2025)
    page = client.post("/assessments/new/", {"unit": personas.unit.pk, "framework_version": version.pk,
                                             "year": "2025"}).content.decode()
    assert "already has an assessment for 2025" in page
    assert "Open the assessment of Bac Ninh for 2025" in page
    assert Assessment.objects.count() == 1


def test_met_without_evidence_is_shown_next_to_the_criterion_and_nothing_is_saved(personas, version):
    assessment = AssessmentFactory(year=2025)
    client = client_of(personas.reporter)
    response = client.post(f"/assessments/{assessment.pk}/edit/", form_data(
        assessment, **{"criteria.A1.met": "yes", "criteria.A1.explanation": "Đã có.", "criteria.B1.met": "no"}
    ))
    assert response.status_code == 200
    page = response.content.decode()
    assert field_error(page, "criteria.A1.met") is not None
    assert "A criterion without evidence is not met" in " ".join(field_error(page, "criteria.A1.met"))
    assert "Nothing was saved" in page
    assert 'class="has-problems"' in page
    # What was typed is still in the form.
    assert "Đã có." in page
    assessment.refresh_from_db()
    assert assessment.version == 1
    assert assessment_content(assessment)["criteria"]["A1"]["met"] is None


def test_a_file_attached_with_the_answer_is_its_evidence(personas, version):
    assessment = AssessmentFactory(year=2025)
    pdf = SimpleUploadedFile("quyet-dinh.pdf", MINIMAL_PDF, content_type="application/pdf")
    response = client_of(personas.reporter).post(f"/assessments/{assessment.pk}/edit/", form_data(
        assessment, **{"criteria.A1.met": "yes", "criteria.A1.evidence_files": pdf}
    ))
    assert response.status_code == 302
    assert AssessmentEvidence.objects.get(file__startswith="evidence/").original_name == "quyet-dinh.pdf"


def test_a_bad_file_is_refused_beside_its_criterion(personas, version):
    assessment = AssessmentFactory(year=2025)
    exe = SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    page = client_of(personas.reporter).post(f"/assessments/{assessment.pk}/edit/", form_data(
        assessment, **{"criteria.B1.evidence_files": exe}
    )).content.decode()
    assert "only these file types are accepted" in " ".join(field_error(page, "criteria.B1.evidence_files"))
    assert not AssessmentEvidence.objects.filter(file__startswith="evidence/").exists()


def test_an_optional_criterion_is_assessed_once_ticked(personas, version):
    assessment = AssessmentFactory(year=2025)
    client = client_of(personas.reporter)
    client.post(f"/assessments/{assessment.pk}/edit/", form_data(
        assessment, chosen=["B2"], **{"criteria.B2.met": "yes", "criteria.B2.evidence_links": EVIDENCE_LINK,
                                      "criteria.A3.met": "yes"}
    ))
    content = assessment_content(Assessment.objects.get(pk=assessment.pk))
    assert content["chosen"] == ["B2"]
    assert content["criteria"]["B2"]["met"] is True
    assert "A3" not in content["criteria"]  # not ticked: its fields are left alone


def test_a_stale_form_shows_what_changed_and_keeps_the_input(personas, version):
    assessment = AssessmentFactory(year=2025)
    client = client_of(personas.reporter)
    client.post(f"/assessments/{assessment.pk}/edit/", form_data(assessment, **{"criteria.C1.met": "no"}))
    page = client.post(f"/assessments/{assessment.pk}/edit/", form_data(
        assessment, **{"criteria.B1.explanation": "Của tôi"}
    )).content.decode()
    assert "Your changes were not saved" in page
    assert "C1. Criterion C1 · Met" in page
    assert "Của tôi" in page
    assert assessment_content(Assessment.objects.get(pk=assessment.pk))["criteria"]["B1"]["explanation"] == ""


def test_a_rejection_without_comment_is_shown_next_to_the_criterion(personas, version):
    assessment = AssessmentFactory(year=2025, status=ReportStatus.SUBMITTED, answers={"A1": True})
    response = client_of(personas.reviewer).post(f"/assessments/{assessment.pk}/verify/", {
        "version": "1", "criteria.A1.accepted": "no", "action": "verify",
    })
    assert response.status_code == 200
    page = response.content.decode()
    beside = re.search(r'id="verify-criteria\.A1\.comment_error"><li>(.*?)</li>', page)
    assert beside and beside.group(1) == "Say why this criterion is rejected."
    assert Assessment.objects.get(pk=assessment.pk).version == 1


def test_the_reviewer_decides_and_approves_in_one_step_and_the_level_is_published(
    personas, version, django_capture_on_commit_callbacks
):
    answers = {"A1": True, "A2": True, "B1": True, "C1": False}
    assessment = AssessmentFactory(year=2025, status=ReportStatus.SUBMITTED, answers=answers)
    decisions = {f"criteria.{code}.accepted": "yes" for code in answers}
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(personas.reviewer).post(f"/assessments/{assessment.pk}/verify/", {
            "version": "1", "action": "approve", "confirm": "on", **decisions,
        })
    assert response.status_code == 302
    assert Assessment.objects.get(pk=assessment.pk).status == ReportStatus.APPROVED
    assert MaturityResult.objects.get(assessment=assessment).level == 2
    page = client_of(personas.other_reporter).get(f"/assessments/{assessment.pk}/").content.decode()
    assert "Level 2: Linking" in page


def test_approving_with_a_criterion_undecided_changes_nothing(personas, version):
    assessment = AssessmentFactory(year=2025, status=ReportStatus.SUBMITTED, answers={"A1": True})
    response = client_of(personas.reviewer).post(f"/assessments/{assessment.pk}/verify/", {
        "version": "1", "action": "approve", "confirm": "on", "criteria.A1.accepted": "yes",
    })
    assert response.status_code == 200
    assert "Accept or reject this criterion before approving the assessment." in response.content.decode()
    assessment.refresh_from_db()
    assert (assessment.status, assessment.version) == (ReportStatus.SUBMITTED, 1)


def test_deciding_on_a_draft_is_refused_with_a_message(personas, version):
    assessment = AssessmentFactory(year=2025)
    response = client_of(personas.reviewer).post(f"/assessments/{assessment.pk}/verify/", {
        "version": "1", "criteria.A1.accepted": "yes",
    }, follow=True)
    assert "This assessment is draft; that action is not possible now." in response.content.decode()
    assert Assessment.objects.get(pk=assessment.pk).version == 1


def test_every_assessment_page_says_the_version_is_illustrative(personas, version):
    assessment = AssessmentFactory(year=2025)
    client = client_of(personas.reporter)
    for path in ("", "edit/", "history/", "diff/"):
        assert ILLUSTRATIVE in client.get(f"/assessments/{assessment.pk}/{path}").content.decode(), path
    assert "illustrative" in client.get("/assessments/").content.decode()
    assert "illustrative" in client.get("/assessments/new/").content.decode()
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert ILLUSTRATIVE in anonymous.get("/results/maturity/?framework=test-maturity&year=2025").content.decode()
    assert "illustrative" in anonymous.get("/results/maturity/method/").content.decode()


def test_the_list_shows_a_reporter_his_units_assessments_and_approved_ones_only(personas, version):
    mine = AssessmentFactory(year=2025)
    hidden = AssessmentFactory(unit=unit("ha-noi"), year=2025)
    published = AssessmentFactory(unit=unit("hue"), year=2025, status=ReportStatus.APPROVED)
    page = client_of(personas.reporter).get("/assessments/").content.decode()
    assert f"/assessments/{mine.pk}/" in page and f"/assessments/{published.pk}/" in page
    assert f"/assessments/{hidden.pk}/" not in page
    assert client_of(personas.reporter).get(f"/assessments/{hidden.pk}/").status_code == 404
