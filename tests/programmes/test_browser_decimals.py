"""Decimal values on the Vietnamese report form in headless Chromium (issue 17, item 7).

The form writes numbers as the page's language does ("60,45"); the boxes must show them,
take "62,5" as typed, and a save must keep every value. A ``type="number"`` box showed
"60,45" empty and sent it empty, so "Lưu bản nháp" wiped each decimal value.
"""
from decimal import Decimal

import pytest
from django.core.management import call_command

from indicators.models import IndicatorValue
from programmes.models import NodeAnswer, Report
from provinces.models import AdministrativeUnit
from tests.browser import CHROMIUM_ARGS, sign_in
from tests.factories import UserFactory, set_values, task_group


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_vietnamese_form_shows_decimals_takes_a_decimal_comma_and_saving_keeps_every_value_and_errors(
    live_server, chromium_path, monkeypatch
):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not AdministrativeUnit.objects.exists():
        call_command("load_reference_data", verbosity=0)
    unit = AdministrativeUnit.objects.get(slug="bac-ninh")
    UserFactory(username="canbo.decimals", role="province-reporter", unit=unit)
    report = Report.objects.create(unit=unit, year=2025, quarter=3)
    NodeAnswer.objects.create(report=report, node=task_group(3), status="in-progress",
                              percent_complete=Decimal("60.45"))
    set_values(report, {"TG5-01": "60.45", "TG4-04": "1234.5"})

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="vi-VN", extra_http_headers={"Accept-Language": "vi"})
            sign_in(page, "canbo.decimals", live_server.url)
            page.goto(live_server.url + f"/reports/{report.pk}/edit/")

            percent = page.locator("[name='nodes.decision-950:3.percent_complete']")
            assert percent.input_value() == "60,45"
            assert page.locator("[name='indicators.TG5-01.value']").input_value() == "60,45"
            page.fill("[name='indicators.TG4-04.value']", "62,5")
            with page.expect_navigation():
                page.click("button[name=action][value=save]:not(.visually-hidden)")

            # A value the rules refuse: the page comes back with the error beside the field, in
            # Vietnamese, and no offer of kept text (the session did not end).
            page.fill("[name='nodes.decision-950:3.percent_complete']", "140")
            with page.expect_navigation():
                page.click("button[name=action][value=save]:not(.visually-hidden)")
            assert page.locator("[name='nodes.decision-950:3.percent_complete']").input_value() == "140"
            assert "Tỷ lệ hoàn thành phải nằm trong khoảng từ 0 đến 100." in page.content()
            assert page.locator("[data-draft-offer]").is_hidden()
        finally:
            browser.close()

    values = dict(IndicatorValue.objects.filter(report=report).values_list("indicator__code", "value"))
    assert values["TG5-01"] == Decimal("60.45")
    assert values["TG4-04"] == Decimal("62.5")
    assert NodeAnswer.objects.get(report=report, node=task_group(3)).percent_complete == Decimal("60.45")
