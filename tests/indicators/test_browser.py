"""The national overview and a unit page in headless Chromium: no console errors, charts drawn, screenshots."""
from pathlib import Path

import pytest
from django.core.management import call_command

from provinces.models import AdministrativeUnit
from tests.browser import CHROMIUM_ARGS

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PAGES = [
    ("national-overview", "/"),
    ("national-overview-as-reported", "/?boundaries=as-reported"),
    ("unit-bac-ninh", "/provinces/bac-ninh/"),
    ("indicator-tg5-01", "/results/indicators/TG5-01/"),
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dashboards_load_without_console_errors(live_server, chromium_path):
    from playwright.sync_api import sync_playwright

    # A transactional test empties the database when it ends; the reference data
    # may already be gone if another such test ran first.
    if not AdministrativeUnit.objects.exists():
        call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", verbosity=0)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            for language in ("vi", "en"):
                page = browser.new_page(
                    viewport={"width": 1280, "height": 2000}, extra_http_headers={"Accept-Language": language}
                )
                problems = []
                page.on("console", lambda m, seen=problems: seen.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda error, seen=problems: seen.append(str(error)))
                for name, path in PAGES:
                    response = page.goto(live_server.url + path, wait_until="networkidle")
                    assert response.status == 200, path
                    charts = page.locator("canvas[data-chart]")
                    assert charts.count() >= 1, path
                    drawn = page.evaluate(
                        "Array.from(document.querySelectorAll('canvas[data-chart]'))"
                        ".every(c => window.Chart && window.Chart.getChart(c) !== undefined)"
                    )
                    assert drawn, f"{path}: a chart was not drawn"
                    assert page.locator("table.data-table").count() >= 2, path
                    page.screenshot(path=str(ARTIFACTS / f"{name}-{language}.png"))
                assert problems == [], problems
                page.close()
        finally:
            browser.close()
