"""A double click on "Submit for review" in headless Chromium: the second click sends nothing
and the reporter sees the success page, not "this report cannot be changed".

Screenshot: test-artifacts/report-double-submit.png.
"""
from pathlib import Path

import pytest
from django.core.management import call_command

from programmes import services
from programmes.models import Report, ReportStatus
from provinces.models import AdministrativeUnit
from tests.browser import CHROMIUM_ARGS, sign_in
from tests.factories import UserFactory, report_form_data

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_submit_sends_once_and_shows_success(live_server, chromium_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not AdministrativeUnit.objects.exists():
        call_command("load_reference_data", verbosity=0)
    unit = AdministrativeUnit.objects.get(slug="bac-ninh")
    reporter = UserFactory(username="canbo.double", role="province-reporter", unit=unit)
    report = services.start_report(user=reporter, unit=unit, year=2025, quarter=3)
    # The draft is complete, so that the form can be submitted as it loads.
    from indicators import selectors as reference
    from programmes.forms import ReportForm
    from programmes.selectors import report_items, report_projects

    form = ReportForm(report_form_data(report), items=report_items(report),
                      indicators=reference.active_indicators(), projects=report_projects(report))
    assert form.is_valid(), form.errors
    report = services.save_report(user=reporter, report=report, version=report.version, data=form.to_data())
    posts = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="en-GB", viewport={"width": 1280, "height": 900})
            problems = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            sign_in(page, "canbo.double", live_server.url)
            page.goto(live_server.url + f"/reports/{report.pk}/edit/")
            page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
            with page.expect_navigation():
                # Two clicks 150 ms apart, the first request already under way (a dblclick's two
                # clicks come in one task, where the browser itself merges the submissions).
                page.locator("button[name=action][value=submit]").evaluate(
                    "b => { b.click(); return new Promise(r => setTimeout(() => { b.click(); r(); }, 150)); }"
                )
            page.wait_for_load_state()
            url = page.url
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "report-double-submit.png"))
            messages = page.locator(".messages").inner_text()
            text = page.locator("main").inner_text()
        finally:
            browser.close()

    assert posts == [live_server.url + f"/reports/{report.pk}/edit/"]
    assert url == live_server.url + f"/reports/{report.pk}/"
    assert "submitted for review" in messages and "cannot be changed" not in messages, messages
    assert Report.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED
    assert not problems
    # The facts at the top of the report show no template comment.
    assert "{#" not in text and "full_history" not in text
