"""The pages people use on a phone, in headless Chromium at 375 × 667 (issue 17, item 13).

No page scrolls sideways; the header folds its navigation behind "Menu"; the
report list shows one card per report; on the report form every value and note field
can be reached and typed into, and the header and the sticky save bar together take
less than a fifth of the screen. Run on the demo picture, signed out and signed in as
the personas who use each page. Screenshots (phone and 1366 px) go to test-artifacts/
(phone-*.png) for a person to look at.
"""
from pathlib import Path

import pytest
from django.core.management import call_command

from programmes.models import Report, ReportStatus
from provinces.models import AdministrativeUnit
from provinces.quarters import Quarter
from tests.browser import CHROMIUM_ARGS
from tests.factories import PASSWORD, ReportFactory, make_personas

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1366, "height": 900}
PUBLIC_PAGES = [
    ("national-overview", "/"),
    ("unit", "/provinces/bac-ninh/"),
    ("indicator", "/results/indicators/TG5-01/"),
    ("task-group", "/results/task-groups/5/"),
    ("open-data", "/data/"),
    ("projects", "/projects/"),
    ("login", "/accounts/login/"),
]
# What is wider than the screen, for the failure message.
TOO_WIDE = ("Array.from(document.querySelectorAll('body *'))"
            ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
            ".slice(0, 3).map(e => e.tagName + '.' + e.className)")


class Phone:
    """One browser; a fresh context per person, at phone width or desktop width."""

    def __init__(self, browser, base_url):
        self.browser, self.base_url = browser, base_url
        self.too_wide = []
        self.context = self.page = None

    def open(self, username=None, viewport=PHONE):
        if self.context is not None:
            self.context.close()
        self.context = self.browser.new_context(viewport=viewport, extra_http_headers={"Accept-Language": "vi"})
        self.page = self.context.new_page()
        if username:
            self.go("/accounts/login/")
            self.page.fill("input[name=username]", username)
            self.page.fill("input[name=password]", PASSWORD)
            with self.page.expect_navigation():
                self.page.click("form.login-form button[type=submit]")
            assert "/accounts/login/" not in self.page.url, f"{username} could not sign in"
        return self.page

    def go(self, path):
        response = self.page.goto(self.base_url + path, wait_until="networkidle")
        assert response.status == 200, (path, response.status)
        return self.page

    def check_width(self, name, path):
        """Visit ``path``, note it if the page scrolls sideways, and take its screenshot."""
        page = self.go(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > page.viewport_size["width"]:
            self.too_wide.append(f"{path}: {width}px wide {page.evaluate(TOO_WIDE)}")
        self.shot(name)
        return page

    def shot(self, name):
        ARTIFACTS.mkdir(exist_ok=True)
        label = "phone" if self.page.viewport_size["width"] < 500 else "desktop"
        self.page.screenshot(path=str(ARTIFACTS / f"phone-{name}-{label}.png"))


def height(page, selector):
    return page.evaluate(f"document.querySelector({selector!r}).getBoundingClientRect().height")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pages_people_use_fit_a_phone_without_sideways_scrolling(live_server, chromium_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # A transactional test empties the database when it ends; the reference data
    # may already be gone if another such test ran first.
    if not AdministrativeUnit.objects.exists():
        call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", verbosity=0)
    personas = make_personas()
    quarter = Quarter.last_complete()
    draft = Report.objects.filter(unit=personas.unit, year=quarter.year, quarter=quarter.quarter).first()
    if draft is None:
        draft = ReportFactory(unit=personas.unit, year=quarter.year, quarter=quarter.quarter)
    Report.objects.filter(pk=draft.pk).update(status=ReportStatus.DRAFT)
    submitted = Report.objects.filter(status=ReportStatus.SUBMITTED).order_by("pk").first()
    assert submitted is not None, "the demo has a report waiting for review"
    form_path = f"/reports/{draft.pk}/edit/"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        phone = Phone(browser, live_server.url)
        try:
            for viewport in (PHONE, DESKTOP):
                phone.open(viewport=viewport)
                for name, path in PUBLIC_PAGES:
                    phone.check_width(name, path)
                phone.open(personas.reviewer.username, viewport=viewport)
                phone.check_width("report-list", "/reports/")
                phone.check_width("review", submitted.get_absolute_url())
                phone.open(personas.viewer.username, viewport=viewport)
                phone.check_width("status", "/reports/status/")
                phone.open(personas.reporter.username, viewport=viewport)
                phone.check_width("report-form", form_path)
            assert phone.too_wide == [], "\n".join(phone.too_wide)

            # The header folds behind "Menu", which opens it (no script needed); a wide screen
            # shows the navigation without it.
            page = phone.open(viewport=PHONE)
            phone.go("/")
            assert not page.locator(".main-nav").is_visible()
            page.click(".site-menu > summary")
            assert page.locator(".main-nav a[href='/projects/']").is_visible()
            assert page.locator("#language-select").is_visible()
            page = phone.open(viewport=DESKTOP)
            phone.go("/")
            assert page.locator(".main-nav a[href='/projects/']").is_visible()
            assert not page.locator(".site-menu > summary").is_visible()
            # On a laptop the header is two rows: the brand and the tools, then every link on one row.
            link_rows = page.evaluate(
                "Array.from(document.querySelectorAll('.main-nav a'), a => Math.round(a.getBoundingClientRect().top))"
            )
            middle = "(box => box.top + box.height / 2)(document.querySelector({!r}).getBoundingClientRect())"
            brand, tools = page.evaluate(middle.format(".brand")), page.evaluate(middle.format(".header-tools"))
            assert abs(brand - tools) < 10, (brand, tools)
            assert len(set(link_rows)) == 1 and link_rows[0] > brand + 10, (brand, link_rows)

            # The report list: one card per report, each cell labelled by its column.
            page = phone.open(personas.reviewer.username)
            phone.go("/reports/")
            first = page.locator("table.report-table tbody tr").first
            assert first.evaluate("row => getComputedStyle(row).display") == "block"
            assert height(page, "table.report-table thead") <= 1, "the column headings move into the cards"
            labels = first.evaluate(
                "row => Array.from(row.querySelectorAll('td[data-label]'))"
                ".map(cell => getComputedStyle(cell, '::before').content)"
            )
            assert '"Trạng thái"' in labels and '"Hạn nộp"' in labels, labels
            box = first.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
            phone.shot("report-list-cards")

            # The report form: header and save bar under a fifth of the screen; every
            # value and note field within the screen and typed into.
            page = phone.open(personas.reporter.username)
            phone.go(form_path)
            page.locator("#indicators").scroll_into_view_if_needed()
            # Only the demo shows its notice in the header; a real deployment's header is the rest.
            banner = height(page, ".demo-banner")
            assert 0 < banner < 60, banner
            header = height(page, ".site-header") - banner
            bar = height(page, ".form-actions")
            assert header + bar < PHONE["height"] / 5, (header, bar)
            bar_box = page.locator(".form-actions").bounding_box()
            assert bar_box["y"] + bar_box["height"] <= PHONE["height"], "the save bar stays on the screen"
            fields = page.locator(".indicator-table input[type=text], .indicator-table select")
            assert fields.count() > 10
            for index in range(fields.count()):
                field = fields.nth(index)
                field.scroll_into_view_if_needed()
                field_box = field.bounding_box()
                assert field_box["x"] >= 0 and field_box["x"] + field_box["width"] <= PHONE["width"], index
                assert field_box["width"] >= 200, index
            note = page.locator(".indicator-table input[name$='.note']").last
            note.fill("Số liệu ước tính")
            assert note.input_value() == "Số liệu ước tính"
            phone.shot("report-form-indicators")
        finally:
            browser.close()
