"""The job page in headless Chromium: the progress bar follows the job, then the page shows the outcome."""
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from indicators.models import Job
from provinces.models import AdministrativeUnit
from smartcity_portal.accounts.models import Role
from tests.browser import CHROMIUM_ARGS
from tests.factories import UserFactory


def in_another_thread(work):
    """Run ORM ``work`` outside Playwright's event loop, committed at once for the live server to see."""
    def run():
        try:
            work()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_progress_bar_advances_and_the_page_shows_the_outcome(live_server, chromium_path):
    from playwright.sync_api import sync_playwright

    # A transactional test empties the database when it ends; the reference data
    # may already be gone if another such test ran first.
    if not AdministrativeUnit.objects.exists():
        call_command("load_reference_data", verbosity=0)
    reviewer = UserFactory(username="browser-reviewer", role=Role.MINISTRY_REVIEWER)
    job = Job.objects.create(kind="import", owner=reviewer, status="running", total=200,
                             parameters={"filename": "values.csv"})
    client = Client()
    client.force_login(reviewer)
    session = client.cookies["sessionid"].value

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(extra_http_headers={"Accept-Language": "en"})
            context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
            page = context.new_page()
            problems = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))

            page.goto(f"{live_server.url}/results/jobs/{job.pk}/")
            assert "w-0" in page.get_attribute(".progress-bar", "class")

            in_another_thread(lambda: Job.objects.filter(pk=job.pk).update(processed=90))
            page.wait_for_selector(".progress-bar.w-45", state="attached")
            assert page.text_content("[data-job-percent]") == "45"
            assert page.get_attribute(".progress", "aria-valuenow") == "45"

            in_another_thread(lambda: Job.objects.filter(pk=job.pk).update(
                processed=200, status="succeeded", message="100 values imported."
            ))
            page.wait_for_selector("text=100 values imported.")
            assert "w-100" in page.get_attribute(".progress-bar", "class")
            assert page.locator("script[src*='job_progress']").count() == 0
            assert problems == [], problems
        finally:
            browser.close()
