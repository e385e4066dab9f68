"""The acceptance walk in headless Chromium: a province reporter files a quarter's report, a
reviewer returns it with a comment, the reporter fixes and resubmits, the reviewer approves;
the history shows every step, in Vietnamese and, with the language switched, in English.

Screenshots go to test-artifacts/ (report-*.png).
"""
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from programmes.models import Report, ReportStatus
from provinces.models import AdministrativeUnit
from tests.browser import CHROMIUM_ARGS
from tests.factories import MINIMAL_PDF, PASSWORD, UserFactory

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


class Walk:
    """One browser, one person at a time, with screenshots and console errors collected."""

    def __init__(self, browser, base_url):
        self.browser, self.base_url = browser, base_url
        self.problems = []
        self.page = None

    def sign_in(self, username):
        if self.page is not None:
            self.page.context.close()
        context = self.browser.new_context(viewport={"width": 1280, "height": 1000}, locale="vi-VN")
        self.page = context.new_page()
        self.page.on("console", lambda m: self.problems.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda error: self.problems.append(str(error)))
        self.go("/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("form.login-form button[type=submit]")
        self.page.wait_for_load_state()
        assert "/accounts/login/" not in self.page.url, f"{username} could not log in"
        return self.page

    def go(self, path):
        response = self.page.goto(self.base_url + path)
        assert response.status == 200, (path, response.status)
        return response

    def shot(self, name, full_page=False):
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"report-{name}.png"), full_page=full_page)

    def submit(self, selector):
        with self.page.expect_navigation():
            self.page.click(selector)
        return self.page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_quarter_is_filed_returned_fixed_and_approved(live_server, chromium_path, tmp_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the checks of the
    # database below are plain synchronous queries between browser steps.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    # A transactional test empties the database when it ends; the reference data
    # may already be gone if another such test ran first.
    if not AdministrativeUnit.objects.exists():
        call_command("load_reference_data", verbosity=0)
    bac_ninh = AdministrativeUnit.objects.get(slug="bac-ninh")
    UserFactory(username="canbo.bacninh", role="province-reporter", unit=bac_ninh, first_name="Lan")
    UserFactory(username="chuyenvien.bo", role="ministry-reviewer", first_name="Minh")
    evidence = tmp_path / "bien-ban-nghiem-thu.pdf"
    evidence.write_bytes(MINIMAL_PDF)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        walk = Walk(browser, live_server.url)
        try:
            # 1. The reporter starts the 2025-Q3 report of new Bắc Ninh.
            page = walk.sign_in("canbo.bacninh")
            walk.go("/reports/")
            assert page.locator("html").get_attribute("lang") == "vi"
            assert page.locator("section.duty form[action='/reports/new/']").count() == 1
            walk.shot("01-list-vi")
            walk.submit("a[href='/reports/new/']")
            page.select_option("select[name=quarter]", "2025-Q3")
            walk.shot("02-new-vi")
            walk.submit("form[action='/reports/new/'] button[type=submit]")
            assert re.search(r"/reports/\d+/edit/$", page.url), page.url
            report = Report.objects.get(unit=bac_ninh, year=2025, quarter=3)
            # Task-group names follow the language: Vietnamese here.
            assert "Đẩy mạnh chính phủ điện tử" in page.inner_text("#item-decision-950-5 legend")

            # 2. Fills the task groups and two indicators, attaches a file, submits; task
            # group 9 has no status yet, so the form comes back with the problem beside it.
            for n in range(1, 10):
                if n < 9:
                    page.select_option(f"select[name='nodes.decision-950:{n}.status']", "in-progress")
                page.fill(f"input[name='nodes.decision-950:{n}.percent_complete']", str(10 * n))
                page.fill(f"textarea[name='nodes.decision-950:{n}.narrative']", f"Nhóm nhiệm vụ {n}: đã triển khai theo kế hoạch.")
            page.fill("textarea[name='nodes.decision-950:2.evidence_links']", "https://bacninh.gov.vn/csdl-do-thi")
            page.set_input_files("input[name='nodes.decision-950:1.evidence_files']", str(evidence))
            page.fill("input[name='indicators.TG5-01.value']", "62.5")
            page.select_option("select[name='indicators.TG1-01.value']", "yes")
            walk.shot("03-form-filled-vi")
            walk.submit("button[name=action][value=submit]")
            assert page.locator('[id="id_nodes.decision-950:9.status_error"]').count() == 1
            assert page.locator(".form-errors").count() == 1
            # Nothing typed is lost, and the officer is told to choose the file again.
            assert page.input_value("textarea[name='nodes.decision-950:1.narrative']") == "Nhóm nhiệm vụ 1: đã triển khai theo kế hoạch."
            assert page.input_value("input[name='indicators.TG5-01.value']") == "62.5"
            report.refresh_from_db()
            assert report.status == ReportStatus.DRAFT and report.revisions.count() == 1
            page.locator("#item-decision-950-9").scroll_into_view_if_needed()
            walk.shot("03b-form-error-vi")
            page.select_option("select[name='nodes.decision-950:9.status']", "not-started")
            page.set_input_files("input[name='nodes.decision-950:1.evidence_files']", str(evidence))
            walk.submit("button[name=action][value=submit]")
            assert page.url.endswith(f"/reports/{report.pk}/")
            report.refresh_from_db()
            assert report.status == ReportStatus.SUBMITTED
            assert page.locator(".badge-submitted").count() >= 1
            assert page.locator("a[href^='/reports/evidence/']").inner_text() == "bien-ban-nghiem-thu.pdf"
            walk.shot("04-submitted-vi", full_page=True)

            # 3. The reviewer returns it with a comment on the report and one on task group 2.
            page = walk.sign_in("chuyenvien.bo")
            walk.go("/reports/status/?year=2025&quarter=3")
            assert page.locator(f".waiting-table a[href='/reports/{report.pk}/']").count() == 1
            walk.shot("05-status-vi", full_page=True)
            walk.go(f"/reports/{report.pk}/")
            page.click("#review-return > summary")
            page.fill("#return-comment", "Đề nghị bổ sung văn bản phê duyệt cơ sở dữ liệu.")
            # The comment on task group 2 is written beside its answer.
            page.fill('#item-decision-950-2 [id="return-comment-nodes.decision-950:2"]', "Thiếu quyết định phê duyệt.")
            walk.shot("06-return-vi")
            page.locator("#row-TG5-01").scroll_into_view_if_needed()
            walk.shot("06b-return-indicator-comment-vi")
            walk.submit(f"form[action='/reports/{report.pk}/return/'] button[type=submit]")
            report.refresh_from_db()
            assert report.status == ReportStatus.RETURNED
            assert report.field_comments == {"nodes.decision-950:2": "Thiếu quyết định phê duyệt."}

            # 4. The reporter sees the comments beside the fields, fixes task group 2 and resubmits.
            page = walk.sign_in("canbo.bacninh")
            walk.go(f"/reports/{report.pk}/edit/")
            assert "Đề nghị bổ sung văn bản phê duyệt cơ sở dữ liệu." in page.inner_text(".review-comment")
            assert "Thiếu quyết định phê duyệt." in page.inner_text("#item-decision-950-2")
            page.locator("#item-decision-950-2").scroll_into_view_if_needed()
            walk.shot("07-returned-form-vi")
            page.fill("textarea[name='nodes.decision-950:2.narrative']", "Đã ban hành Quyết định 123/QĐ-UBND phê duyệt CSDL.")
            page.fill("input[name='nodes.decision-950:2.percent_complete']", "35")
            walk.submit("button[name=action][value=submit]")
            report.refresh_from_db()
            assert report.status == ReportStatus.SUBMITTED

            # 5. The reviewer approves.
            page = walk.sign_in("chuyenvien.bo")
            walk.go(f"/reports/{report.pk}/")
            page.fill("#approve-comment", "Đạt yêu cầu.")
            page.check("#approve-confirm")
            page.locator("#review-approve").scroll_into_view_if_needed()
            walk.shot("07b-approve-confirm-vi")
            walk.submit(f"form[action='/reports/{report.pk}/approve/'] button[type=submit]")
            report.refresh_from_db()
            assert report.status == ReportStatus.APPROVED
            walk.shot("08-approved-vi")

            # 6. The history shows every step, who took it and the comments.
            walk.go(f"/reports/{report.pk}/history/")
            rows = page.locator(".revision-table tbody tr")
            assert rows.count() == 7
            text = page.inner_text(".revision-table")
            assert "Đề nghị bổ sung văn bản phê duyệt cơ sở dữ liệu." in text and "Đạt yêu cầu." in text
            assert "Minh" in text and "Lan" in text
            walk.shot("09-history-vi", full_page=True)
            actions = list(report.revisions.order_by("number").values_list("action", flat=True))
            assert actions == ["created", "saved", "submitted", "returned", "saved", "submitted", "approved"]

            # 7. The same pages in English, with the language switched in the header.
            page.select_option("#language-select", "en")
            walk.submit(".language-switcher button[type=submit]")
            assert page.locator("html").get_attribute("lang") == "en"
            text = page.inner_text("main")
            for words in ("History of the report", "Approved", "Returned", "Submitted", "Saved", "Created"):
                assert words in text, words
            walk.shot("10-history-en", full_page=True)
            walk.go(f"/reports/{report.pk}/diff/?from=3&to=6")
            diff = page.inner_text(".diff-table")
            assert "2. " in diff and "Đã ban hành Quyết định 123/QĐ-UBND phê duyệt CSDL." in diff
            walk.shot("11-diff-en", full_page=True)
            walk.go(f"/reports/{report.pk}/")
            assert "E-government" in page.inner_text("#item-decision-950-5")
            walk.shot("12-report-en")

            assert walk.problems == [], walk.problems
        finally:
            browser.close()
