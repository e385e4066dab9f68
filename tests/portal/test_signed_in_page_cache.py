"""Signed-in visitors get public pages from a cache of their own account: never stale, never someone else's."""
import re

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.results import fragments
from indicators.results.services import bump_reports_version
from smartcity_portal import pagecache
from smartcity_portal.accounts.models import Role
from tests.indicators.conftest import approved_report
from tests.indicators.test_pages import HOME, get, html_tables, task_group_url
from tests.portal.test_public_page_cache import (
    OTHER_PUBLIC_PAGES,
    PUBLIC_PAGES,
    approved_reports,
    page_keys,
)

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


@pytest.fixture
def reports():
    return approved_reports()


def account_keys():
    return page_keys("account")


def signed_in(user, **options):
    client = Client(**options)
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", PUBLIC_PAGES + OTHER_PUBLIC_PAGES)
def test_a_warm_signed_in_page_runs_no_template_and_reads_only_the_account(personas, reports, url):
    client = signed_in(personas.viewer)
    cold = get(client, url)
    assert cold.status_code == 200 and cold.templates
    with CaptureQueriesContext(connection) as queries:
        warm = get(client, url)
    assert (warm.status_code, warm.templates) == (200, [])
    assert len(queries) <= 2, [query["sql"] for query in queries]  # the session and the account
    assert TOKEN.sub("", warm.content.decode()) == TOKEN.sub("", cold.content.decode())
    assert warm["Content-Language"] == "en"
    assert warm["X-Frame-Options"] == cold["X-Frame-Options"]
    assert warm["Content-Security-Policy"] == cold["Content-Security-Policy"]
    assert personas.viewer.get_username() in warm.content.decode()
    # A browser reads exactly Content-Length bytes: one too few and the page loses its end (its scripts).
    assert int(warm["Content-Length"]) == len(warm.content)


def test_a_warm_page_carries_a_csrf_token_of_the_visitors_own_browser(personas, reports):
    first = signed_in(personas.viewer, enforce_csrf_checks=True)
    get(first, HOME)
    other_browser = signed_in(personas.viewer, enforce_csrf_checks=True)
    page = get(other_browser, HOME)
    assert page.templates == []
    token = TOKEN.search(page.content.decode()).group(1)
    assert "\x00" not in page.content.decode()
    logged_out = other_browser.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token})
    assert logged_out.status_code == 302, "the token in the cached page is accepted"
    assert "_auth_user_id" not in other_browser.session


def test_each_account_has_its_own_page(personas, reports):
    viewer_page = get(signed_in(personas.viewer), task_group_url(5)).content.decode()
    reporter_page = get(signed_in(personas.reporter), task_group_url(5)).content.decode()
    assert 'class="user-link">viewer<' in viewer_page
    assert 'class="user-link">reporter<' in reporter_page
    assert 'class="user-link">viewer<' not in reporter_page
    assert len(account_keys()) == 2


def test_a_change_of_role_shows_on_the_next_page(personas, reports):
    viewer = personas.viewer
    client = signed_in(viewer)
    import_link = f'href="{reverse("indicators:import")}"'
    assert import_link not in get(client, task_group_url(5)).content.decode()
    get(client, task_group_url(5))
    viewer.role = Role.MINISTRY_REVIEWER
    viewer.save()
    assert import_link in get(client, task_group_url(5)).content.decode()


def test_an_approval_shows_on_the_next_signed_in_page(personas, reports):
    client = signed_in(personas.viewer)
    ranking = lambda: html_tables(get(client, task_group_url(5)))["ranking"]["rows"][0]
    assert ranking()[2:] == ["80", "2025-Q3"]
    assert ranking()[2:] == ["80", "2025-Q3"]  # from the cache
    approved_report("bac-ninh", 2025, 4, percent=95)
    assert ranking()[2:] == ["95", "2025-Q4"]


def about_request(user, message=None):
    request = RequestFactory().get(reverse("about"))
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    if message:
        messages.success(request, message)
    return request


def test_a_page_is_not_served_from_the_cache_nor_stored_while_a_message_is_pending(personas):
    rendered = []

    def view(request):
        rendered.append(1)
        shown = "".join(str(message) for message in messages.get_messages(request))
        return HttpResponse(f"<p>{shown}</p>", content_type="text/html")

    middleware = pagecache.SignedInPageCacheMiddleware(view)
    assert middleware(about_request(personas.viewer, "Saved.")).content == b"<p>Saved.</p>"
    assert account_keys() == []
    middleware(about_request(personas.viewer))
    middleware(about_request(personas.viewer))
    assert len(rendered) == 2, "stored once there was no message"
    assert middleware(about_request(personas.viewer, "Saved again.")).content == b"<p>Saved again.</p>"
    assert len(rendered) == 3


def test_pages_not_opted_in_and_unknown_parameters_are_not_stored(personas, reports):
    client = signed_in(personas.reporter)
    get(client, reverse("programmes:report_list"))
    get(client, HOME, utm_source="newsletter")
    get(client, task_group_url(5), format="csv")
    assert account_keys() == []


def test_a_page_holding_an_earlier_version_of_a_section_is_not_stored(personas, reports):
    client = signed_in(personas.viewer)
    get(client, task_group_url(5))
    bump_reports_version()
    # Another process is rendering the new section: this request is given the previous one.
    original = fragments.read

    def read_while_another_renders(name, parts):
        fragments._claimed.served_stale = True
        return original(name, parts)

    fragments.read = read_while_another_renders
    try:
        get(client, task_group_url(5))
    finally:
        fragments.read = original
    assert get(client, task_group_url(5)).templates, "rendered again, not served from a page holding old figures"
