"""Rendered dashboard sections come from the cache, and never show stale or someone else's figures."""
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators.results import fragments, selectors
from programmes.models import ReportStatus
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

# Queries of a warm request: the signed-in user; the ASEAN page also lists the network's
# cities around its cached progress table.
DASHBOARDS = {
    HOME: 1,
    HOME + "?boundaries=as-reported&year=2024&quarter=2": 1,
    task_group_url(5): 1,
    indicator_url("TG5-01"): 1,
    COMPLETENESS: 1,
    unit_url("bac-ninh"): 1,
    reverse("provinces:asean"): 2,
}


@pytest.fixture
def sections_only(settings):
    """Signed in, without the whole-page cache of signed-in visitors above the sections
    (tests/portal/test_signed_in_page_cache.py): what is tested here is the layer below it."""
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if not name.endswith("SignedInPageCacheMiddleware")]


@pytest.fixture
def reports():
    approved_report("ha-noi", 2024, 2, percent=40, values={"TG5-01": 60})
    return approved_report("bac-ninh", 2025, 3, percent=80, values={"TG5-01": 45})


def queries_of(client, url, language="en"):
    with CaptureQueriesContext(connection) as queries:
        response = get(client, url, language)
    assert response.status_code == 200, url
    return response, len(queries)


@pytest.mark.parametrize(("url", "expected"), DASHBOARDS.items())
def test_a_warm_dashboard_runs_almost_no_queries_and_shows_the_same_page(
    client, personas, reports, url, expected, sections_only,
):
    client.force_login(personas.viewer)
    cold, cold_queries = queries_of(client, url)
    warm, warm_queries = queries_of(client, url)
    assert warm_queries == expected < cold_queries, (cold_queries, warm_queries)
    assert without_tokens(warm) == without_tokens(cold)


def without_tokens(response):
    """The page without what differs on every request (CSRF tokens, script nonces)."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'nonce="[^"]*"', "", html)


def test_an_approval_shows_at_once(client, reports):
    first = html_tables(get(client, task_group_url(5)))["ranking"]["rows"][0]
    assert first[0] == "1" and first[2:] == ["80", "2025-Q3"]
    approved_report("bac-ninh", 2025, 4, percent=95)
    first = html_tables(get(client, task_group_url(5)))["ranking"]["rows"][0]
    assert first[0] == "1" and first[2:] == ["95", "2025-Q4"]


def test_a_submission_shows_at_once_on_the_cached_completeness_page(client, reports):
    url = COMPLETENESS + "?year=2025&quarter=3"
    before = html_tables(get(client, url))["rates"]["rows"][0]
    report = approved_report("ha-noi", 2025, 3, status=ReportStatus.SUBMITTED, recompute=False)
    report.first_submitted_at = timezone.now()
    report.save()
    after = html_tables(get(client, url))["rates"]["rows"][0]
    assert int(after[3]) == int(before[3]) + 1


def test_a_renamed_unit_shows_its_new_name_at_once(client, reports):
    assert "Kinh Bắc" not in get(client, HOME, "vi").content.decode()
    renamed = unit("bac-ninh")
    renamed.name_en = renamed.name_vi = "Kinh Bắc"
    renamed.save()
    assert "Kinh Bắc" in get(client, HOME, "vi").content.decode()


def test_each_language_has_its_own_section(client, reports):
    english = get(client, HOME, "en").content.decode()
    vietnamese = get(client, HOME, "vi").content.decode()
    assert "Latest approved answer per item" in english
    assert "Latest approved answer per item" not in vietnamese


def test_the_unit_page_links_only_the_reports_each_visitor_may_read(client, personas, reports):
    draft = approved_report("bac-ninh", 2026, 1, status=ReportStatus.DRAFT, recompute=False)
    draft_url = reverse("programmes:report_detail", kwargs={"pk": draft.pk})
    client.force_login(personas.reporter)
    assert draft_url in get(client, unit_url("bac-ninh")).content.decode()
    client.force_login(personas.other_reporter)
    assert draft_url not in get(client, unit_url("bac-ninh")).content.decode()
    client.logout()
    assert draft_url not in get(client, unit_url("bac-ninh")).content.decode()


def test_unknown_task_groups_indicators_and_units_are_404_and_not_cached(client, reports):
    for url in (task_group_url(99), indicator_url("NO-SUCH"), unit_url("no-such-unit")):
        assert get(client, url).status_code == 404
    assert not [key for key in cache_keys() if ":results:object:" in key]
    get(client, task_group_url(5))
    assert [key for key in cache_keys() if ":results:object:" in key]


def test_addresses_with_unknown_parameters_are_not_cached(client, reports):
    url = HOME + "?utm_source=newsletter"
    queries_of(client, url)
    _, second = queries_of(client, url)
    assert second > 2  # the figures were built again (from the cached aggregates)
    assert not [key for key in cache_keys() if ":page:dashboard:NationalOverviewView:" in key]
    get(client, HOME)
    assert [key for key in cache_keys() if ":page:dashboard:NationalOverviewView:" in key]


def test_invalid_filters_are_never_served_from_the_cache(client, reports):
    assert get(client, HOME, year="1999").status_code == 400
    assert get(client, HOME, year="1999").status_code == 400


def test_pages_render_uncached_while_the_cache_is_down(client, reports, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(selectors.cache, "get_many", down)
    response, _ = queries_of(client, HOME, "vi")
    assert "Bắc Ninh" in response.content.decode()
    assert fragments.read("x", []) is None


def test_a_warm_page_reads_the_versions_and_its_section_in_one_round_trip(client, personas, reports, monkeypatch, sections_only):
    # Signed in: anonymous visitors get the whole page from the page cache (test_public_page_cache).
    client.force_login(personas.viewer)
    calls = []
    real = selectors.cache.get_many

    def counting(keys, *args, **kwargs):
        calls.append(list(keys))
        return real(keys, *args, **kwargs)

    get(client, HOME)
    monkeypatch.setattr(selectors.cache, "get_many", counting)
    get(client, HOME)
    assert len(calls) == 1
    assert calls[0][:2] == [selectors.RESULTS_GENERATION_KEY, selectors.REPORTS_VERSION_KEY]
    assert calls[0][2].startswith("page:dashboard:NationalOverviewView:")


def test_a_section_stored_under_old_versions_is_not_served(client, personas, reports, sections_only):
    # Signed in: anonymous visitors get the whole page from the page cache (test_public_page_cache).
    client.force_login(personas.viewer)
    get(client, HOME, "vi")
    key = next(key for key in cache_keys() if ":page:dashboard:NationalOverviewView:" in key)
    versions, html = cache.get(key.split(":", 2)[2])
    cache.set(key.split(":", 2)[2], (versions, html.replace("Bắc Ninh", "Stale name")))
    assert "Stale name" in get(client, HOME, "vi").content.decode()
    approved_report("bac-ninh", 2025, 4, percent=95)
    assert "Stale name" not in get(client, HOME, "vi").content.decode()


def test_results_api_lists_are_cached_until_the_results_change(client, reports):
    url = "/api/v1/progress/?boundaries=as-reported&province=bac-ninh"
    first = client.get(url).json()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).json() == first
    assert len(queries) == 0
    approved_report("bac-ninh", 2025, 4, percent=95)
    after = client.get(url).json()
    assert after["count"] == first["count"] + 9
    assert Decimal(95) in {Decimal(row["percent_complete"]) for row in after["results"]}


def cache_keys():
    client = cache.client.get_client()
    return [key.decode() for key in client.keys("*")]


def test_a_cold_dashboard_looks_its_section_up_once(client, personas, reports, monkeypatch, sections_only):
    # Signed in: anonymous visitors get the whole page from the page cache (test_public_page_cache).
    client.force_login(personas.viewer)
    looked_up = []
    real = selectors.cache.get_many

    def recording(keys, *args, **kwargs):
        looked_up.extend(key for key in keys if key.startswith("page:"))
        return real(keys, *args, **kwargs)

    monkeypatch.setattr(selectors.cache, "get_many", recording)
    get(client, HOME)
    assert len(looked_up) == 1
