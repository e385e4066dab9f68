"""The public pages of approved maturity self-assessments, as a member of the public and a journalist use them.

An approved assessment has a page for everyone (programmes/public_views.py); a
draft, submitted, returned or reopened one has none, whoever asks.
"""
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from indicators.models import MaturityResult
from programmes import assessments
from programmes.models import AssessmentEvidence, ReportStatus
from tests.factories import (
    AssessmentFactory,
    approved_assessment,
    maturity_version,
    unit,
)
from tests.indicators.conftest import approved_report

pytestmark = pytest.mark.django_db

EXPLANATION = "Trung tâm điều hành đô thị thông minh đã vận hành từ tháng 3."
LINK = "https://bacninh.gov.vn/minh-chung"


def page_url(assessment):
    version = assessment.framework_version
    return reverse("published:assessment", kwargs={
        "slug": assessment.unit.slug, "year": assessment.year, "framework": version.framework.code,
        "version": version.code,
    })


def text_of(response):
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def approved(personas):
    """Bắc Ninh's approved assessment of 2025: level 2 reached (A1, A2, B1 verified met; C1 not met)."""
    return approved_assessment(unit=personas.unit, year=2025, explanations={"A1": EXPLANATION})


def test_an_approved_assessment_has_a_public_page_with_its_level_criteria_explanations_and_links(client, approved):
    response = client.get(page_url(approved), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = text_of(response)
    assert "Maturity self-assessment of Bac Ninh, 2025" in html
    assert "Test criteria set" in html and "version v1" in html
    assert "Level 2: Linking" in html  # the level reached
    assert EXPLANATION in html and f'href="{LINK}"' in html
    assert 'id="criterion-A1"' in html and 'id="criterion-C1"' in html
    c1 = html[html.index('id="criterion-C1"'):]
    assert "not met" in c1[:1500]
    assert "3 of 4 assessed" in html


def test_each_criterion_says_whether_it_is_basic_or_chosen_and_met_as_the_ministry_verified_it(client, personas):
    # A3 is optional and chosen, answered met but rejected; B2 optional, not chosen.
    assessment = approved_assessment(
        unit=personas.unit, year=2025, chosen=["A3"],
        answers={"A1": True, "A2": True, "A3": True, "B1": True, "C1": True},
        decisions={"A1": True, "A2": True, "A3": False, "B1": True, "C1": True},
    )
    html = text_of(client.get(page_url(assessment), HTTP_ACCEPT_LANGUAGE="en"))

    def section(code):
        start = html.index(f'id="criterion-{code}"')
        return html[start:html.index("</section>", start)]

    assert "basic" in section("A1") and ">met<" in section("A1")
    assert "chosen" in section("A3") and "not met" in section("A3")
    assert "not accepted by the Ministry" in section("A3")
    assert "not assessed" in section("B2") and "did not choose" in section("B2")
    assert "No level reached" in html  # A3 of level 1 is not verified met


def test_evidence_files_reviewers_comments_and_names_are_never_on_the_public_page(client, approved, personas):
    answer = approved.answers.get(node__code="A1")
    AssessmentEvidence.objects.create(
        answer=answer, file=ContentFile(b"%PDF-1.4\n", name="x.pdf"), original_name="bien-ban-noi-bo.pdf",
        content_type="application/pdf", size=9,
    )
    approved.answers.filter(node__code="C1").update(comment="Nhận xét nội bộ của người duyệt", decided_by=personas.reviewer)
    type(approved).objects.filter(pk=approved.pk).update(approved_by=personas.reviewer, updated_by=personas.reporter)
    html = text_of(client.get(page_url(approved)))
    assert "bien-ban-noi-bo.pdf" not in html
    assert "Nhận xét nội bộ" not in html
    assert reverse("assessments:evidence_download", args=[AssessmentEvidence.objects.exclude(file="").get().pk]) \
        not in html
    for user in (personas.reviewer, personas.reporter):
        assert user.username not in html
    assert LINK in html


@pytest.mark.parametrize("status", [ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.RETURNED])
def test_an_assessment_not_approved_has_no_public_page_whoever_asks(client, personas, status):
    assessment = AssessmentFactory(unit=personas.unit, year=2025, status=status, answers={"A1": True},
                                   decisions={"A1": True})
    assert client.get(page_url(assessment)).status_code == 404
    for user in (personas.reporter, personas.reviewer, personas.superuser):
        client.force_login(user)
        assert client.get(page_url(assessment)).status_code == 404
    client.logout()
    assert client.get(reverse("published:assessment_list")).content.decode().count(page_url(assessment)) == 0


def test_a_reopened_assessment_loses_its_public_page_and_its_level_until_approved_again(
    client, approved, personas, django_capture_on_commit_callbacks
):
    url = page_url(approved)
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assessments.reopen_assessment(user=personas.reviewer, assessment=approved, version=approved.version,
                                      reason="Sai minh chứng.")
    assert client.get(url).status_code == 404
    assert url not in client.get(reverse("published:assessment_list")).content.decode()
    assert url not in client.get(reverse("sitemap")).content.decode()
    assert not MaturityResult.objects.filter(assessment=approved).exists()


def test_the_public_list_counts_approved_assessments_only_with_their_level(client, approved, personas):
    AssessmentFactory(unit=unit("ha-noi"), year=2025, status=ReportStatus.SUBMITTED)
    AssessmentFactory(unit=personas.unit, year=2026)
    html = text_of(client.get(reverse("published:assessment_list"), HTTP_ACCEPT_LANGUAGE="en"))
    assert re.search(r"\b1 self-assessment\b", html)
    assert page_url(approved) in html
    assert "2. Linking" in html
    assert "illustrative" in html  # the test framework is illustrative, and the page says so


def test_the_public_list_filters_by_unit_year_and_framework_and_says_when_a_filter_is_wrong(client, approved):
    other = approved_assessment(unit=unit("ha-noi"), year=2024)
    listed = reverse("published:assessment_list")
    html = client.get(listed, {"province": "ha-noi"}).content.decode()
    assert page_url(other) in html and page_url(approved) not in html
    html = client.get(listed, {"year": 2025, "framework": "test-maturity"}).content.decode()
    assert page_url(approved) in html and page_url(other) not in html
    response = client.get(listed, {"year": "soon"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Some filters are not valid" in response.content.decode()
    assert page_url(approved) not in response.content.decode()


def test_an_unknown_unit_year_framework_or_version_is_404(client, approved):
    for kwargs in (
        {"slug": "atlantis", "year": 2025, "framework": "test-maturity", "version": "v1"},
        {"slug": "bac-ninh", "year": 2024, "framework": "test-maturity", "version": "v1"},
        {"slug": "bac-ninh", "year": 2025, "framework": "decision-950", "version": "v1"},
        {"slug": "bac-ninh", "year": 2025, "framework": "test-maturity", "version": "v9"},
    ):
        assert client.get(reverse("published:assessment", kwargs=kwargs)).status_code == 404, kwargs


def test_the_published_report_page_links_the_units_published_assessments(client, approved, personas):
    report = approved_report("bac-ninh", 2025, 3)
    html = client.get(reverse("published:report", kwargs={"slug": "bac-ninh", "period": report.period_label}),
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Published self-assessments of Bac Ninh" in html and page_url(approved) in html
    assert "2025 · Test criteria set v1" in html  # the framework by its name, not its code
    html = client.get(page_url(approved)).content.decode()
    assert reverse("published:report", kwargs={"slug": "bac-ninh", "period": report.period_label}) in html


def test_the_maturity_page_links_each_assessed_unit_to_its_public_page(client, approved):
    html = client.get(reverse("indicators:maturity"), {"framework": "test-maturity", "year": 2025}).content.decode()
    assert page_url(approved) in html
    assert reverse("published:assessment_list") + "?framework=test-maturity&amp;year=2025" in html


def test_the_signed_in_assessment_page_links_its_public_page_once_approved(client, approved, personas):
    client.force_login(personas.reviewer)
    assert page_url(approved) in client.get(reverse("assessments:detail", args=[approved.pk])).content.decode()
    draft = AssessmentFactory(unit=personas.unit, year=2026, version=maturity_version())
    html = client.get(reverse("assessments:detail", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The public page of this assessment" not in html and "/published-reports/assessments/bac-ninh/" not in html


def test_the_sitemap_lists_approved_assessments_only(client, approved, personas):
    draft = AssessmentFactory(unit=personas.unit, year=2026)
    sitemap = client.get(reverse("sitemap")).content.decode()
    assert f"http://testserver{page_url(approved)}" in sitemap
    assert page_url(draft) not in sitemap
    assert f"http://testserver{reverse('published:assessment_list')}<" in sitemap
