"""An officer's typed text survives the end of the session, in headless Chromium, in Vietnamese.

- types a narrative, the session ends, "Lưu bản nháp": the sign-in page says the session had ended and
  the text was kept; after signing in the form offers it back, and saving it saves it;
- the session ends while the page is open: typing asks the server, the action bar says so at once,
  "Đăng nhập lại" leaves without a prompt and the text comes back; logging out forgets it;
- the same on the self-assessment form (text, answers, chosen criteria);
- text left in a closed tab is offered back even after the officer saved other changes elsewhere.

Screenshots: test-artifacts/session-ended-login.png, session-ended-offer.png, session-ended-while-typing.png.
"""
from pathlib import Path

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.management import call_command

from programmes import selectors, services
from provinces.models import AdministrativeUnit
from tests.browser import CHROMIUM_ARGS, sign_in
from tests.factories import MINIMAL_PDF, UserFactory

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TEXT = "Đã hoàn thành 80 % hạ tầng cáp quang tới các xã; còn lại 12 xã miền núi sẽ xong trong quý IV."


def end_session(page):
    """The session ends on the server (expired, or cleared), as it does after hours away."""
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    SessionStore(session_key=key).delete()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_text_typed_before_the_session_ended_is_offered_back_after_signing_in_and_saved(
    live_server, chromium_path, monkeypatch
):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not AdministrativeUnit.objects.exists():
        call_command("load_reference_data", verbosity=0)
    unit = AdministrativeUnit.objects.get(slug="bac-ninh")
    reporter = UserFactory(username="canbo.phien", role="province-reporter", unit=unit)
    report = services.start_report(user=reporter, unit=unit, year=2025, quarter=3)
    edit = f"{live_server.url}/reports/{report.pk}/edit/"
    asked = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="vi-VN", viewport={"width": 1280, "height": 900})
            problems = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("request", lambda r: asked.append(r.url) if "/accounts/session/" in r.url else None)
            sign_in(page, "canbo.phien", live_server.url)
            page.goto(edit)
            narrative = page.locator("textarea[name$='.narrative']").first
            name = narrative.get_attribute("name")
            narrative.fill(TEXT)
            page.locator("input[type=file]").first.set_input_files(
                files=[{"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}]
            )
            page.wait_for_timeout(700)  # the draft is kept a moment after the last key press
            # While typing, the page asked the server to keep the session alive.
            assert asked, "no keep-alive request while typing"
            # Leaving the page now would be warned about.
            assert page.evaluate(
                "() => { const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented; }"
            )

            end_session(page)
            with page.expect_navigation():
                page.click("button[name=action][value=save]:not(.visually-hidden)")
            page.wait_for_load_state()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "session-ended-login.png"))
            login_url = page.url
            login_text = page.locator("main").inner_text()

            sign_in(page, "canbo.phien")
            after_sign_in = page.url
            offer = page.locator("[data-draft-offer]")
            offer.wait_for(state="visible")
            page.screenshot(path=str(ARTIFACTS / "session-ended-offer.png"))
            offer_text = offer.inner_text()
            shown_before = page.locator(f"textarea[name='{name}']").input_value()
            page.click("[data-draft-restore]")
            restored = page.locator(f"textarea[name='{name}']").input_value()
            offer_hidden = offer.is_hidden()
            with page.expect_navigation():
                page.click("button[name=action][value=save]:not(.visually-hidden)")
            page.wait_for_load_state()
            saved_message = page.locator(".messages").inner_text()
            drafts_left = page.evaluate(
                "() => Object.keys(localStorage).filter(k => k.startsWith('portal.draft.'))"
            )
            offer_after_save = page.locator("[data-draft-offer]").is_visible()
            # A page just saved asks nothing before leaving.
            warned_after_save = page.evaluate(
                "() => { const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented; }"
            )
        finally:
            browser.close()

    assert "/accounts/login/" in login_url and "session=ended" in login_url
    assert "Phiên làm việc của bạn đã kết thúc" in login_text
    assert "trình duyệt này" in login_text
    assert after_sign_in == edit
    assert "Phiên làm việc của bạn đã kết thúc khi bạn lưu" in offer_text
    assert "Các tệp bạn đã chọn để đính kèm không được giữ lại" in offer_text
    assert shown_before == ""
    assert restored == TEXT
    assert offer_hidden
    assert "Đã lưu bản nháp" in saved_message, saved_message
    key = name.split(".")[1]
    assert selectors.report_content(report)["nodes"][key]["narrative"] == TEXT
    assert drafts_left == []
    assert not offer_after_save
    assert not warned_after_save
    assert not problems, problems


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_session_that_ended_while_the_page_was_open_is_announced_as_the_officer_types(
    live_server, chromium_path, monkeypatch
):
    """The keep-alive finds the session ended: the page says so at once, and "Log in again" leaves
    without asking (the text is kept) and brings the text back after signing in."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not AdministrativeUnit.objects.exists():
        call_command("load_reference_data", verbosity=0)
    unit = AdministrativeUnit.objects.get(slug="bac-ninh")
    reporter = UserFactory(username="canbo.giu", role="province-reporter", unit=unit)
    report = services.start_report(user=reporter, unit=unit, year=2025, quarter=3)
    edit = f"{live_server.url}/reports/{report.pk}/edit/"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="vi-VN", viewport={"width": 1280, "height": 900})
            problems, dialogs = [], []
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
            sign_in(page, "canbo.giu", live_server.url)
            page.goto(edit)
            end_session(page)
            narrative = page.locator("textarea[name$='.narrative']").first
            name = narrative.get_attribute("name")
            narrative.fill(TEXT)
            ended = page.locator("[data-session-ended]")
            ended.wait_for(state="visible")
            ARTIFACTS.mkdir(exist_ok=True)
            ended.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "session-ended-while-typing.png"))
            ended_text = ended.inner_text()
            with page.expect_navigation():
                ended.locator("a[data-leave-ok]").click()
            login_url = page.url
            sign_in(page, "canbo.giu")
            page.locator("[data-draft-offer]").wait_for(state="visible")
            offer_text = page.locator("[data-draft-offer]").inner_text()
            page.click("[data-draft-restore]")
            restored = page.locator(f"textarea[name='{name}']").input_value()
            dialogs_before_logout = list(dialogs)
            kept_before_logout = page.evaluate(
                "() => Object.keys(localStorage).filter(k => k.startsWith('portal.draft.'))"
            )
            # Logging out on purpose (after the warning that changes are not saved) forgets the text.
            with page.expect_navigation():
                page.click("form[data-clears-drafts] button[type=submit]")
            kept_after_logout = page.evaluate(
                "() => Object.keys(localStorage).filter(k => k.startsWith('portal.draft.'))"
            )
        finally:
            browser.close()

    assert "Phiên làm việc của bạn đã kết thúc" in ended_text
    assert "session=ended" in login_url
    assert dialogs_before_logout == []
    assert kept_before_logout == [f"portal.draft.report-{report.pk}-{reporter.pk}.{report.version}"]
    assert dialogs == ["beforeunload"]
    assert kept_after_logout == []
    assert "Bạn đã rời trang này khi còn những thay đổi chưa được lưu" in offer_text
    assert "Các tệp bạn đã chọn" not in offer_text
    assert restored == TEXT
    assert not problems, problems


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_self_assessment_form_keeps_its_text_and_choices_across_an_ended_session(
    live_server, chromium_path, monkeypatch
):
    from playwright.sync_api import sync_playwright

    from tests.factories import maturity_version

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not AdministrativeUnit.objects.exists():
        call_command("load_reference_data", verbosity=0)
    version = maturity_version()
    unit = AdministrativeUnit.objects.get(slug="bac-ninh")
    UserFactory(username="canbo.danhgia", role="province-reporter", unit=unit)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="vi-VN", viewport={"width": 1280, "height": 900})
            problems = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            sign_in(page, "canbo.danhgia", live_server.url)
            page.goto(f"{live_server.url}/assessments/new/")
            page.select_option("select[name=framework_version]", str(version.pk))
            page.select_option("select[name=year]", "2025")
            with page.expect_navigation():
                page.click("form[action='/assessments/new/'] button[type=submit]")
            edit = page.url
            page.select_option("select[name='criteria.A1.met']", "no")
            page.fill("textarea[name='criteria.A1.explanation']", TEXT)
            page.check("#id_chosen_B2")
            page.wait_for_timeout(700)
            end_session(page)
            with page.expect_navigation():
                page.click("button[name=action][value=save]:not(.visually-hidden)")
            login_url = page.url
            sign_in(page, "canbo.danhgia")
            after_sign_in = page.url
            page.locator("[data-draft-offer]").wait_for(state="visible")
            page.click("[data-draft-restore]")
            explanation = page.locator("textarea[name='criteria.A1.explanation']").input_value()
            met = page.locator("select[name='criteria.A1.met']").input_value()
            chosen = page.locator("#id_chosen_B2").is_checked()
        finally:
            browser.close()

    assert "session=ended" in login_url
    assert after_sign_in == edit
    assert (explanation, met, chosen) == (TEXT, "no", True)
    assert not problems, problems


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_text_left_unsaved_is_still_offered_after_the_same_officer_saved_the_report_elsewhere(
    live_server, chromium_path, monkeypatch
):
    """A tab closed with unsaved text, then a save of other changes by the same officer (another tab,
    the API): the text was never sent, so it is offered back, saying the form was saved since."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not AdministrativeUnit.objects.exists():
        call_command("load_reference_data", verbosity=0)
    unit = AdministrativeUnit.objects.get(slug="bac-ninh")
    reporter = UserFactory(username="canbo.haithe", role="province-reporter", unit=unit)
    report = services.start_report(user=reporter, unit=unit, year=2025, quarter=3)
    edit = f"{live_server.url}/reports/{report.pk}/edit/"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="vi-VN", viewport={"width": 1280, "height": 900})
            problems = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("dialog", lambda dialog: dialog.accept())
            sign_in(page, "canbo.haithe", live_server.url)
            page.goto(edit)
            narrative = page.locator("textarea[name$='.narrative']").first
            name = narrative.get_attribute("name")
            narrative.fill(TEXT)
            page.wait_for_timeout(700)
            page.goto(f"{live_server.url}/reports/")  # left without saving
            services.save_report(user=reporter, report=report, version=report.version,
                                 data={"indicators": {"TG5-01": {"value": "40"}}})
            page.goto(edit)
            offer = page.locator("[data-draft-offer]")
            offer.wait_for(state="visible")
            offer_text = offer.inner_text()
            page.click("[data-draft-restore]")
            restored = page.locator(f"textarea[name='{name}']").input_value()
        finally:
            browser.close()

    assert "Bạn đã rời trang này khi còn những thay đổi chưa được lưu" in offer_text
    assert "Biểu mẫu đã được lưu từ đó đến nay" in offer_text
    assert restored == TEXT
    assert not problems, problems
