"""The national overview's headline cards follow the filters chosen in the browser, also when the
page comes from the whole-page cache of signed-out visitors. Screenshot: test-artifacts/overview-filtered.png.
"""
from pathlib import Path

import pytest
from django.core.management import call_command

from provinces.models import AdministrativeUnit
from tests.browser import CHROMIUM_ARGS

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_headline_cards_follow_the_chosen_quarter_and_region(live_server, chromium_path):
    from playwright.sync_api import sync_playwright

    if not AdministrativeUnit.objects.exists():
        call_command("load_reference_data", verbosity=0)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1400},
                                    extra_http_headers={"Accept-Language": "en"})
            for attempt in range(2):  # the second time from the whole-page cache
                page.goto(live_server.url + "/")
                default_cards = page.locator(".headline").inner_text()
                page.fill("form.filters input[name=year]", "2024")
                page.select_option("form.filters select[name=quarter]", "2")
                page.select_option("form.filters select[name=region]", "red-river-delta")
                with page.expect_navigation():
                    page.click("form.filters button[type=submit]")
                cards = page.locator(".headline").inner_text()
                assert "2024-Q2" in cards and "2024-Q2" not in default_cards, (attempt, cards)
                assert "of 11 expected" in cards, cards
                link = page.locator(".headline a").get_attribute("href")
                assert "year=2024" in link and "quarter=2" in link and "region=red-river-delta" in link
            page.screenshot(path=str(ARTIFACTS / "overview-filtered.png"))
        finally:
            browser.close()
