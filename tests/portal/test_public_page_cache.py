"""Signed-out visitors get whole public pages from the cache, never stale, never someone else's."""
import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from indicators.results import fragments
from indicators.results.services import (
    bump_reports_version,
    bump_results_generation,
    recompute_results,
)
from programmes.models import NodeAnswer, ReportStatus
from smartcity_portal import pagecache
from tests.factories import unit
from tests.indicators.conftest import approved_report
from tests.indicators.test_pages import (
    COMPLETENESS,
    HOME,
    get,
    html_tables,
    indicator_url,
    task_group_url,
    unit_url,
)

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    HOME,
    HOME + "?year=2024&quarter=2",
    task_group_url(5),
    indicator_url("TG5-01"),
    COMPLETENESS,
    unit_url("bac-ninh"),
    reverse("provinces:unit_list"),
    reverse("provinces:asean"),
    reverse("about"),
]
# The other public pages (issue 16): open data, published reports and assessments, projects, standards.
OTHER_PUBLIC_PAGES = [
    "/data/", "/data/releases/", "/published-reports/", "/published-reports/?year=2025",
    "/published-reports/assessments/", "/projects/", "/results/standards/",
]


def approved_reports():
    """Two approved reports (Hà Nội 2024-Q2, Bắc Ninh 2025-Q3): the latter is returned."""
    approved_report("ha-noi", 2024, 2, percent=40, values={"TG5-01": 60})
    return approved_report("bac-ninh", 2025, 3, percent=80, values={"TG5-01": 45})


@pytest.fixture
def reports():
    return approved_reports()


def page_keys(kind="public"):
    """The keys of the stored pages: ``public`` (signed out) or ``account`` (signed in)."""
    client = cache.client.get_client()
    return [key.decode() for key in client.keys(f"*page:{kind}:*") if b":rendering:" not in key]


def ranking_top(client, language="en"):
    return html_tables(get(client, task_group_url(5), language))["ranking"]["rows"][0]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_a_warm_anonymous_page_runs_no_template_and_no_sql(client, reports, url):
    cold = get(client, url)
    assert cold.status_code == 200
    assert cold.templates, "the first request renders the page"
    with CaptureQueriesContext(connection) as queries:
        warm = get(client, url)
    assert warm.status_code == 200
    assert warm.templates == []
    assert len(queries) == 0
    assert warm.content == cold.content
    assert warm["Content-Type"] == cold["Content-Type"]
    assert warm["Content-Language"] == "en"
    assert warm["X-Frame-Options"] == cold["X-Frame-Options"]
    assert warm["Content-Security-Policy"] == cold["Content-Security-Policy"]
    assert warm["X-Request-ID"] != cold["X-Request-ID"]


@pytest.mark.parametrize("url", OTHER_PUBLIC_PAGES)
def test_the_other_public_pages_are_served_whole_once_warm(client, reports, url):
    cold = get(client, url)
    assert cold.status_code == 200 and cold.templates
    with CaptureQueriesContext(connection) as queries:
        warm = get(client, url)
    assert (warm.status_code, warm.templates, len(queries)) == (200, [], 0)
    assert warm.content == cold.content


def test_a_new_standard_document_shows_on_the_next_anonymous_standards_page(client, reports):
    from indicators.models import FrameworkVersion, StandardDocument

    get(client, "/results/standards/")
    version = FrameworkVersion.objects.filter(framework__code="decision-950").first()
    StandardDocument.objects.create(version=version, number="99/2026/TT-BXD", title_vi="Thông tư thử", title_en="A test circular")

    assert "99/2026/TT-BXD" in get(client, "/results/standards/").content.decode()


def test_a_published_project_shows_on_the_next_anonymous_project_list(client, reports):
    from programmes.models import PublishedProject
    from tests.factories import ProjectFactory

    assert "Dự án thử công bố" not in get(client, "/projects/").content.decode()
    project = ProjectFactory(unit=reports.unit)
    # What an approval publishes (programmes.projects), written outside a report's save.
    PublishedProject.objects.create(
        project=project, unit=reports.unit, code=project.code, name_vi="Dự án thử công bố",
        funding_source=project.funding_source, report=reports, year=reports.year, quarter=reports.quarter,
        status=project.status, published_at=timezone.now(),
    )

    assert "Dự án thử công bố" in get(client, "/projects/").content.decode()


def test_a_new_release_never_serves_pages_rendered_by_the_code_before_it(client, reports, monkeypatch):
    from smartcity_portal.codeversion import code_version

    get(client, HOME)
    monkeypatch.setenv("PORTAL_RELEASE", "next-release")
    code_version.cache_clear()
    try:
        again = get(client, HOME)
    finally:
        code_version.cache_clear()
    assert again.templates, "rendered again by the new code"


def test_an_anonymous_page_sets_no_cookie_and_carries_no_csrf_token(client, reports):
    response = get(client, HOME)
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()


def test_the_language_switcher_works_without_a_csrf_token(reports):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("set_language"), {"language": "en", "next": task_group_url(5)})
    assert response.status_code == 302
    assert response["Location"] == task_group_url(5)
    assert response.cookies["django_language"].value == "en"
    outside = client.post(reverse("set_language"), {"language": "en", "next": "https://elsewhere.example/"})
    assert outside["Location"] == "/"


def test_an_approval_shows_on_the_next_anonymous_page(client, reports):
    assert ranking_top(client)[2:] == ["80", "2025-Q3"]
    assert ranking_top(client)[2:] == ["80", "2025-Q3"]  # from the page cache
    approved_report("bac-ninh", 2025, 4, percent=95)
    assert ranking_top(client)[2:] == ["95", "2025-Q4"]


def test_a_correction_shows_on_the_next_anonymous_page(client, reports):
    assert ranking_top(client)[2:] == ["80", "2025-Q3"]
    report = reports
    NodeAnswer.objects.filter(report=report).update(percent_complete=85)
    report.save()
    recompute_results(report.unit, 2025, 3)
    assert ranking_top(client)[2:] == ["85", "2025-Q3"]


def test_a_change_of_reference_data_shows_on_the_next_anonymous_page(client, reports):
    assert "Kinh Bắc" not in get(client, HOME, "vi").content.decode()
    get(client, HOME, "vi")
    renamed = unit("bac-ninh")
    renamed.name_en = renamed.name_vi = "Kinh Bắc"
    renamed.save()
    assert "Kinh Bắc" in get(client, HOME, "vi").content.decode()


def test_a_new_report_shows_on_the_next_anonymous_completeness_page(client, reports):
    url = COMPLETENESS + "?year=2025&quarter=3"
    before = html_tables(get(client, url))["rates"]["rows"][0]
    get(client, url)
    report = approved_report("ha-noi", 2025, 3, status=ReportStatus.SUBMITTED, recompute=False)
    report.first_submitted_at = timezone.now()
    report.save()
    after = html_tables(get(client, url))["rates"]["rows"][0]
    assert int(after[3]) == int(before[3]) + 1


def test_each_language_and_each_query_string_has_its_own_page(client, reports):
    english = get(client, HOME, "en").content.decode()
    vietnamese = get(client, HOME, "vi").content.decode()
    assert 'lang="en"' in english and 'lang="vi"' in vietnamese
    assert get(client, HOME, "en").content.decode() == english
    assert get(client, HOME, "vi").content.decode() == vietnamese
    filtered = get(client, HOME, "en", year="2024", quarter="2").content.decode()
    assert filtered != english
    assert get(client, HOME, "en", year="2024", quarter="2").content.decode() == filtered
    assert len(page_keys()) == 3


def test_signed_in_users_never_get_the_anonymous_page(client, personas, reports):
    anonymous = get(client, HOME).content.decode()
    assert "Log out" not in anonymous
    client.force_login(personas.viewer)
    signed_in = get(client, HOME)
    assert signed_in.templates
    assert personas.viewer.get_username() in signed_in.content.decode()
    assert "Log out" in signed_in.content.decode()


def test_pages_of_signed_in_users_are_never_stored(client, personas, reports):
    client.force_login(personas.viewer)
    for url in PUBLIC_PAGES:
        get(client, url)
    assert page_keys() == []


def test_addresses_with_unknown_parameters_and_downloads_are_not_stored(client, reports):
    get(client, HOME, utm_source="newsletter")
    get(client, HOME, format="csv")
    get(client, task_group_url(5), format="xlsx")
    assert page_keys() == []


def test_errors_and_pages_not_opted_in_are_not_stored(client, reports):
    assert get(client, HOME, year="1999").status_code == 400
    assert get(client, task_group_url(99)).status_code == 404
    assert get(client, reverse("accounts:login")).status_code == 200
    assert page_keys() == []


def test_cached_pages_carry_no_script_nonce_and_no_inline_script(client, reports):
    for url in PUBLIC_PAGES:
        html = get(client, url).content.decode()
        warm = get(client, url)
        assert "nonce" not in html
        assert "nonce-" not in warm["Content-Security-Policy"]
        assert "'unsafe-inline'" not in warm["Content-Security-Policy"]
        # Every script is a file of the portal, allowed by script-src 'self' on every request alike
        # (besides data for the charts, which is not run).
        for tag in html.split("<script")[1:]:
            attributes = tag.split(">", 1)[0]
            assert ' src="/static/' in attributes or 'type="application/json"' in attributes


# --- the middleware's rules, with made-up views --------------------------------------


def middleware_with(make_response, counter=None):
    def get_response(request):
        if counter is not None:
            counter.append(threading.get_ident())
        return make_response(request)

    return pagecache.PublicPageCacheMiddleware(get_response)


def html(text="<p>page</p>", **headers):
    response = HttpResponse(text, content_type="text/html; charset=utf-8")
    for name, value in headers.items():
        response[name] = value
    return response


def about_request(**extra):
    return RequestFactory().get(reverse("about"), HTTP_ACCEPT_LANGUAGE="en", **extra)


def uses_a_nonce(request):
    request._csp_nonce = "abc"
    return html('<script nonce="abc">go()</script>')


def sets_a_cookie(request):
    response = html()
    response.set_cookie("something", "1")
    return response


def uses_a_csrf_token(request):
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    return html('<input type="hidden" name="csrfmiddlewaretoken" value="x">')


@pytest.mark.parametrize(
    "make_response",
    [
        uses_a_nonce,
        sets_a_cookie,
        uses_a_csrf_token,
        lambda request: html(**{"Cache-Control": "private"}),
        lambda request: HttpResponse("{}", content_type="application/json"),
        lambda request: html(**{"Content-Security-Policy": "script-src 'nonce-abc'"}),
    ],
    ids=["nonce", "cookie", "csrf-token", "private", "not-html", "nonce-in-policy"],
)
def test_pages_that_are_not_the_same_for_every_visitor_are_not_stored(make_response):
    middleware_with(make_response)(about_request())
    assert page_keys() == []


def test_requests_with_a_session_or_messages_are_not_answered_from_the_cache():
    rendered = []
    middleware = middleware_with(lambda request: html(), rendered)
    middleware(about_request())
    middleware(about_request())
    assert len(rendered) == 1
    for cookie in ("sessionid=x", "messages=x"):
        middleware(about_request(HTTP_COOKIE=cookie))
    assert len(rendered) == 3
    middleware(RequestFactory().post(reverse("about")))
    assert len(rendered) == 4


def run_together(count, call):
    results, start = [None] * count, threading.Barrier(count)

    def worker(index):
        start.wait()
        results[index] = call()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def slow_page(text, seconds=0.4):
    def render(request):
        time.sleep(seconds)
        return html(text)

    return render


def test_concurrent_requests_for_a_page_never_cached_render_it_once():
    rendered = []
    middleware = middleware_with(slow_page("<p>first</p>"), rendered)
    responses = run_together(6, lambda: middleware(about_request()))
    assert len(rendered) == 1
    assert {response.content for response in responses} == {b"<p>first</p>"}


def test_concurrent_requests_after_an_approval_render_the_page_once_and_get_the_previous_one_meanwhile():
    middleware_with(lambda request: html("<p>before</p>"))(about_request())
    bump_results_generation()
    rendered = []
    middleware = middleware_with(slow_page("<p>after</p>"), rendered)
    responses = run_together(6, lambda: middleware(about_request()))
    assert len(rendered) == 1
    contents = [response.content for response in responses]
    assert contents.count(b"<p>after</p>") == 1
    assert contents.count(b"<p>before</p>") == 5
    assert middleware(about_request()).content == b"<p>after</p>"
    assert len(rendered) == 1


def test_a_render_that_fails_lets_the_next_request_render_again():
    middleware_with(lambda request: html("<p>before</p>"))(about_request())
    bump_reports_version()

    def failing(request):
        raise RuntimeError("render failed")

    with pytest.raises(RuntimeError):
        middleware_with(failing)(about_request())
    assert middleware_with(lambda request: html("<p>after</p>"))(about_request()).content == b"<p>after</p>"


def test_concurrent_requests_after_an_approval_render_a_dashboard_section_once():
    def section(render):
        with translation.override("en"):
            return str(fragments.cached_html("test-section", ["x"], render))

    section(lambda: "<p>before</p>")
    bump_results_generation()
    rendered = []

    def render():
        rendered.append(1)
        time.sleep(0.4)
        return "<p>after</p>"

    results = run_together(6, lambda: section(render))
    assert len(rendered) == 1
    assert sorted(results) == ["<p>after</p>"] + ["<p>before</p>"] * 5
    assert section(render) == "<p>after</p>"
    assert len(rendered) == 1


def test_a_warm_anonymous_page_is_sent_gzip_compressed_to_browsers_that_accept_it(client, reports):
    import gzip

    plain = get(client, HOME)
    compressed = client.get(HOME, HTTP_ACCEPT_LANGUAGE="en", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert compressed.templates == []
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert len(compressed.content) < len(plain.content) / 4
    assert int(compressed["Content-Length"]) == len(compressed.content)
    again = get(client, HOME)
    assert again.content == plain.content and not again.has_header("Content-Encoding")
    for response in (compressed, again):
        vary = {part.strip().lower() for part in response["Vary"].split(",")}
        assert {"accept-encoding", "accept-language"} <= vary
