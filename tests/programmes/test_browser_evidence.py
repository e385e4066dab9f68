"""Removing an evidence file in headless Chromium: its button removes it and keeps what was typed,
and Enter in a field saves the draft without removing anything."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from programmes import services
from programmes.models import Evidence
from provinces.models import AdministrativeUnit
from tests.browser import CHROMIUM_ARGS, sign_in
from tests.factories import MINIMAL_PDF, UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_reporter_removes_a_file_and_enter_never_does(live_server, chromium_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not AdministrativeUnit.objects.exists():
        call_command("load_reference_data", verbosity=0)
    bac_ninh = AdministrativeUnit.objects.get(slug="bac-ninh")
    reporter = UserFactory(username="canbo.minhchung", role="province-reporter", unit=bac_ninh)
    report = services.start_report(user=reporter, unit=bac_ninh, year=2025, quarter=3)
    report = services.save_report(
        user=reporter, report=report, version=report.version, data={},
        uploads=[("decision-950:2", SimpleUploadedFile(name, MINIMAL_PDF)) for name in ("giu-lai.pdf", "nham-lan.pdf")],
    )
    edit = f"{live_server.url}/reports/{report.pk}/edit/"

    def files():
        return sorted(Evidence.objects.filter(answer__report=report).values_list("original_name", flat=True))

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="en-GB")
            sign_in(page, reporter.username, live_server.url)
            page.goto(edit)

            page.fill("input[name='nodes.decision-950:2.percent_complete']", "30")
            with page.expect_navigation():
                page.press("input[name='nodes.decision-950:2.percent_complete']", "Enter")
            assert "Draft saved" in page.inner_text("main")
            assert files() == ["giu-lai.pdf", "nham-lan.pdf"]

            page.fill("textarea[name='nodes.decision-950:2.narrative']", "Đã thay biên bản nghiệm thu.")
            removal = page.locator("#item-decision-950-2 button[name=remove_evidence]", has_text="nham-lan.pdf")
            with page.expect_navigation():
                removal.click()
            assert "The file was removed" in page.inner_text("main")
            assert files() == ["giu-lai.pdf"]
            assert page.input_value("textarea[name='nodes.decision-950:2.narrative']") == "Đã thay biên bản nghiệm thu."
            assert page.input_value("input[name='nodes.decision-950:2.percent_complete']") == "30"
        finally:
            browser.close()
