"""The maturity assessment in headless Chromium: a province officer fills the self-assessment
(an answer without evidence is refused beside its criterion), submits it; a reviewer rejects a
criterion (a rejection without comment is refused), decides the others and approves; the level
reached shows on the assessment and on the maturity dashboard.

Screenshots go to test-artifacts/ (assessment-*.png).
"""
import re

import pytest
from django.core.management import call_command

from indicators.models import MaturityResult
from programmes.models import Assessment, ReportStatus
from provinces.models import AdministrativeUnit
from tests.browser import CHROMIUM_ARGS
from tests.factories import (
    MINIMAL_PDF,
    ReportFactory,
    UserFactory,
    maturity_version,
    set_values,
)
from tests.programmes.test_browser_workflow import ARTIFACTS, Walk


class AssessmentWalk(Walk):
    def shot(self, name, full_page=False):
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"assessment-{name}.png"), full_page=full_page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_officer_fills_the_self_assessment_and_a_reviewer_verifies_it(live_server, chromium_path, tmp_path,
                                                                         monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not AdministrativeUnit.objects.exists():
        call_command("load_reference_data", verbosity=0)
    version = maturity_version()
    bac_ninh = AdministrativeUnit.objects.get(slug="bac-ninh")
    UserFactory(username="canbo.bacninh", role="province-reporter", unit=bac_ninh, first_name="Lan")
    UserFactory(username="chuyenvien.bo", role="ministry-reviewer", first_name="Minh")
    # An approved value of 2025 for the measured criterion A2 (TG5-01 >= 50).
    report = ReportFactory(unit=bac_ninh, year=2025, quarter=4, status=ReportStatus.APPROVED)
    set_values(report, {"TG5-01": 64})
    evidence = tmp_path / "quyet-dinh-csdl.pdf"
    evidence.write_bytes(MINIMAL_PDF)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        walk = AssessmentWalk(browser, live_server.url)
        try:
            # 1. The officer starts the 2025 self-assessment of Bắc Ninh.
            page = walk.sign_in("canbo.bacninh")
            walk.go("/assessments/")
            walk.submit("a[href='/assessments/new/']")
            page.select_option("select[name=framework_version]", str(version.pk))
            page.select_option("select[name=year]", "2025")
            walk.shot("01-new-vi")
            walk.submit("form[action='/assessments/new/'] button[type=submit]")
            assert re.search(r"/assessments/\d+/edit/$", page.url), page.url
            assessment = Assessment.objects.get(unit=bac_ninh, year=2025)
            assert "không phải nội dung chính thức" in page.inner_text(".illustrative-notice")
            # A2 is measured: filled from the approved value, with its quarter; no answer to give.
            assert "TG5-01 = 64 (2025-Q4)" in page.inner_text("#criterion-A2")
            assert page.locator("select[name='criteria.A2.met']").count() == 0
            walk.shot("02-form-vi", full_page=True)

            # 2. "Met" without evidence on A1: refused beside A1, nothing saved, the input kept.
            page.select_option("select[name='criteria.A1.met']", "yes")
            page.fill("textarea[name='criteria.A1.explanation']", "Đã ban hành quyết định phê duyệt đề án.")
            page.check("#id_chosen_B2")
            page.select_option("select[name='criteria.B2.met']", "no")
            page.select_option("select[name='criteria.B1.met']", "yes")
            page.set_input_files("input[name='criteria.B1.evidence_files']", str(evidence))
            page.select_option("select[name='criteria.C1.met']", "yes")
            page.fill("textarea[name='criteria.C1.evidence_links']", "https://bacninh.gov.vn/du-lieu-mo")
            walk.submit("button[name=action][value=submit]")
            error = page.locator('[id="id_criteria.A1.met_error"]')
            assert error.count() == 1 and "không có minh chứng" in error.inner_text()
            assert page.input_value("textarea[name='criteria.A1.explanation']") == "Đã ban hành quyết định phê duyệt đề án."
            assessment.refresh_from_db()
            assert (assessment.status, assessment.version) == (ReportStatus.DRAFT, 1)
            page.locator("#criterion-A1").scroll_into_view_if_needed()
            walk.shot("03-error-beside-criterion-vi")

            # 3. Adds a link to A1, the file again (files are not kept on an error), submits.
            page.fill("textarea[name='criteria.A1.evidence_links']", "https://bacninh.gov.vn/qd-de-an")
            page.set_input_files("input[name='criteria.B1.evidence_files']", str(evidence))
            walk.submit("button[name=action][value=submit]")
            assert page.url.endswith(f"/assessments/{assessment.pk}/"), page.url
            assessment.refresh_from_db()
            assert assessment.status == ReportStatus.SUBMITTED
            assert page.locator("a[href^='/assessments/evidence/']").inner_text() == "quyet-dinh-csdl.pdf"
            walk.shot("04-submitted-vi", full_page=True)

            # 4. The reviewer rejects C1 without a comment: refused beside it; then with one.
            page = walk.sign_in("chuyenvien.bo")
            walk.go("/assessments/")
            assert page.locator(f".waiting-assessments a[href='/assessments/{assessment.pk}/']").count() == 1
            walk.go(f"/assessments/{assessment.pk}/")
            for code in ("A1", "A2", "B1", "B2"):
                page.check(f"input[name='criteria.{code}.accepted'][value=yes]")
            page.check("input[name='criteria.C1.accepted'][value=no]")
            page.check("#verify-confirm")
            walk.submit("button[name=action][value=approve]")
            comment_error = page.locator('[id="verify-criteria.C1.comment_error"]')
            assert comment_error.count() == 1 and "lý do từ chối" in comment_error.inner_text()
            assessment.refresh_from_db()
            assert assessment.status == ReportStatus.SUBMITTED and assessment.version == 3
            page.locator("#criterion-C1").scroll_into_view_if_needed()
            walk.shot("05-rejection-needs-comment-vi")
            page.fill("[id='verify-criteria.C1.comment']", "Cổng dữ liệu mở chưa vận hành.")
            walk.submit("button[name=action][value=approve]")
            assessment.refresh_from_db()
            assert assessment.status == ReportStatus.APPROVED

            # 5. Level 1: A1, A2 verified met; B2 (chosen) is not met, so level 2 is not reached.
            assert "Cấp độ 1: Nền tảng" in page.inner_text(".level-summary")
            assert "B2" in page.inner_text(".level-summary")
            walk.shot("06-approved-vi", full_page=True)
            assert MaturityResult.objects.get(assessment=assessment).level == 1
            walk.go("/results/maturity/?framework=test-maturity&year=2025")
            assert "1. Nền tảng" in page.inner_text("#table-levels")
            walk.shot("07-dashboard-vi", full_page=True)

            # 6. The history in English.
            page.select_option("#language-select", "en")
            walk.submit(".language-switcher button[type=submit]")
            walk.go(f"/assessments/{assessment.pk}/history/")
            text = page.inner_text(".revision-table")
            for words in ("Created", "Saved", "Submitted", "Verified", "Approved"):
                assert words in text, words
            walk.shot("08-history-en", full_page=True)
            assert walk.problems == [], walk.problems
        finally:
            browser.close()
