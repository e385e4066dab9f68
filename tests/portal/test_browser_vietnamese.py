"""The signed-in pages in headless Chromium, in Vietnamese (issue 17, items 4 and 6).

A reporter, a reviewer and a viewer walk the pages they use with a Vietnamese
browser: what the page shows (its rendered text, after scripts ran) holds no
English word of the portal; units are listed in Vietnamese order (Đ after D, not
after Y; Hà Nội before Huế) in the report list's filter and the reporting status
table; and no page has a serious or critical axe-core
violation. Screenshots go to test-artifacts/ (vi-*.png).
"""
from pathlib import Path

import pytest
from django.core.management import call_command

from programmes.models import Report, ReportStatus
from provinces.models import AdministrativeUnit
from provinces.quarters import Quarter
from smartcity_portal.text import collation_key
from tests.browser import CHROMIUM_ARGS, sign_in
from tests.factories import ReportFactory, make_personas
from tests.portal.test_vietnamese_pages import ALLOWED, english_in

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SERIOUS = {"serious", "critical"}
# The visible text, without code, the language switcher's "English" and what ALLOWED names.
VISIBLE_TEXT = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('script, style, code, kbd, pre, option[value="en"]').forEach(e => e.remove());
  return copy.innerText;
}"""


def text_of(page):
    text = page.evaluate(VISIBLE_TEXT)
    for name in ALLOWED:
        text = text.replace(name, " ")
    return " ".join(text.split())


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_signed_in_pages_in_vietnamese_say_nothing_in_english_sort_units_in_vietnamese_and_pass_axe(
    live_server, chromium_path, monkeypatch
):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
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
    walks = [
        (personas.reporter, [("mine", "/reports/mine/"), ("new-report", "/reports/new/"), ("report-form", f"/reports/{draft.pk}/edit/"),
                             ("report", draft.get_absolute_url()), ("history", f"/reports/{draft.pk}/history/")]),
        (personas.reviewer, [("overview", "/"), ("report-list", "/reports/"),
                             ("review", submitted.get_absolute_url())]),
        (personas.viewer, [("status", "/reports/status/"), ("unit", "/provinces/bac-ninh/"),
                           ("task-group", "/results/task-groups/5/")]),
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    axe = Axe()
    english, violations, orders = [], [], {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            for user, pages in walks:
                context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900},
                                              extra_http_headers={"Accept-Language": "vi"})
                page = context.new_page()
                sign_in(page, user.username, live_server.url)
                for name, path in pages:
                    response = page.goto(live_server.url + path, wait_until="networkidle")
                    assert response.status == 200, (user.username, path, response.status)
                    page.screenshot(path=str(ARTIFACTS / f"vi-{name}.png"), full_page=True)
                    english += [f"{path}: {found}" for found in english_in(text_of(page))]
                    results = axe.run(page)
                    violations += [
                        f"{path}: {v['id']} ({v['impact']}): {v['help']}"
                        for v in results.response["violations"] if v["impact"] in SERIOUS
                    ]
                    if name == "report-list":
                        orders["report list filter"] = page.eval_on_selector_all(
                            "select[name=province] option", "os => os.filter(o => o.value).map(o => o.textContent.trim())")
                    elif name == "status":
                        orders["status table"] = page.eval_on_selector_all(
                            "table.status-table tbody th[scope=row]", "cells => cells.map(c => c.innerText.trim())")
                context.close()
        finally:
            browser.close()

    assert english == [], "\n".join(english)
    assert violations == [], "\n".join(violations)
    for where, names in orders.items():
        current = [name for name in names if "(" not in name]  # dissolved units follow, in their own order
        assert len(current) >= 30, (where, names)
        assert current == sorted(current, key=collation_key), (where, current)
        assert current.index("Hà Nội") < current.index("Huế"), where
        initials = [name[0] for name in current]
        # Đ comes right after D (after Cà Mau, Cần Thơ, Cao Bằng) and before G and H, never after Y.
        last_c = max(i for i, letter in enumerate(initials) if letter == "C")
        first_g = min(i for i, letter in enumerate(initials) if letter in "GH")
        assert all(last_c < i < first_g for i, letter in enumerate(initials) if letter == "Đ"), (where, current)
        assert "Đ" in initials, (where, current)
