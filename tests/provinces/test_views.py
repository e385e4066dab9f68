"""The units pages: list, unit page with its lineage in words, ASEAN network."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags

pytestmark = pytest.mark.django_db


def text_of(response):
    """The page's visible text with whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return " ".join(strip_tags(html).split())


def get_en(client, url, **params):
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE="en")


def row_slugs(response):
    return [u.slug for u in response.context["units"]]


# --- list -----------------------------------------------------------------------


def test_list_shows_the_34_current_units_by_default(client):
    response = get_en(client, reverse("provinces:unit_list"))
    assert response.status_code == 200
    assert len(response.context["units"]) == 34
    text = text_of(response)
    assert "34 units" in text
    assert "Formed on 1 July 2025 from Bac Giang and Bac Ninh." in text
    assert 'href="/provinces/bac-ninh/"' in response.content.decode()


def test_list_historical_shows_where_each_unit_went(client):
    response = get_en(client, reverse("provinces:unit_list"), status="historical")
    assert len(response.context["units"]) == 63
    text = text_of(response)
    assert "Merged into Bac Ninh on 1 July 2025." in text
    assert "Not merged with another unit on 1 July 2025." in text


def test_list_filters_by_region_and_search(client):
    response = get_en(client, reverse("provinces:unit_list"), region="southeast", q="ho chi minh", status="all")
    assert sorted(row_slugs(response)) == ["ho-chi-minh", "ho-chi-minh-pre2025"]


def test_list_with_an_invalid_filter_shows_the_error_and_no_units(client):
    response = get_en(client, reverse("provinces:unit_list"), status="former", region="atlantis")
    assert response.status_code == 200
    assert row_slugs(response) == []
    form = response.context["filter"].form
    assert set(form.errors) == {"status", "region"}
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "Some filters are not valid" in html


def test_list_with_an_invalid_code_names_the_code_field(client):
    response = get_en(client, reverse("provinces:unit_list"), code="abc")
    assert response.status_code == 200
    assert row_slugs(response) == []
    assert "Enter a statistics code of one or two digits." in text_of(response)


def test_list_filter_bar_works_without_javascript(client):
    html = get_en(client, reverse("provinces:unit_list")).content.decode()
    assert re.search(r'<form method="get" action="/provinces/"', html)
    for name in ("status", "region", "q"):
        assert f'name="{name}"' in html
    assert "<script" not in html
    assert " style=" not in html and " onclick=" not in html


def test_list_runs_a_fixed_number_of_queries(client):
    url = reverse("provinces:unit_list")
    client.get(url)  # warm the per-process caches (demo flag)
    counts = {}
    for params in ({"status": "all"}, {"status": "current"}, {"q": "ha noi"}, {"status": "historical"}):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, params).status_code == 200
        counts[tuple(params.values())] = len(queries)
    assert len(set(counts.values())) == 1, counts
    assert max(counts.values()) <= 5, counts


# --- unit page --------------------------------------------------------------------


def test_dissolved_unit_names_its_successor_and_date(client):
    response = get_en(client, reverse("provinces:unit_detail", args=["bac-giang"]))
    assert response.status_code == 200
    text = text_of(response)
    assert "Merged into Bac Ninh on 1 July 2025." in text
    assert "In force until 30 June 2025" in text
    assert 'href="/provinces/bac-ninh/"' in response.content.decode()
    assert "No longer in force" in text


def test_merged_unit_names_its_predecessors_joined_with_and(client):
    response = get_en(client, reverse("provinces:unit_detail", args=["bac-ninh"]))
    text = text_of(response)
    assert "Formed on 1 July 2025 from Bac Giang and Bac Ninh." in text
    html = response.content.decode()
    assert 'href="/provinces/bac-giang/"' in html
    assert 'href="/provinces/bac-ninh-pre2025/"' in html
    assert "In force since 1 July 2025" in text


def test_three_predecessors_are_joined_with_commas_and_and(client):
    text = text_of(get_en(client, reverse("provinces:unit_detail", args=["ninh-binh"])))
    assert "Formed on 1 July 2025 from Ha Nam, Nam Dinh and Ninh Binh." in text


def test_vietnamese_page_uses_vietnamese_names(client):
    response = client.get(reverse("provinces:unit_detail", args=["bac-ninh"]), HTTP_ACCEPT_LANGUAGE="vi")
    text = text_of(response)
    assert "Bắc Giang" in text and "Bắc Ninh" in text
    assert "Bac Giang" not in text
    assert re.search(r"Bắc Giang \S+ Bắc Ninh", text)


def test_hue_shows_its_former_name(client):
    text = text_of(get_en(client, reverse("provinces:unit_detail", args=["hue"])))
    assert "Formerly Thừa Thiên Huế" in text
    assert "Not merged with another unit on 1 July 2025." in text


def test_unit_page_has_the_dashboard_block(client):
    response = get_en(client, reverse("provinces:unit_detail", args=["ha-noi"]))
    names = {t.name for t in response.templates}
    assert "provinces/includes/unit_dashboard.html" in names
    assert "provinces/includes/lineage.html" in names


def test_unknown_unit_is_404(client):
    assert client.get("/provinces/atlantis/").status_code == 404


def test_unit_page_runs_a_fixed_number_of_queries(client):
    client.get(reverse("provinces:unit_detail", args=["ha-noi"]))
    counts = []
    for slug in ("ha-noi", "bac-ninh", "ho-chi-minh", "bac-giang"):
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("provinces:unit_detail", args=[slug]))
        counts.append(len(queries))
    # The lineage and the unit dashboard (programme, progress, indicators, report
    # history): a fixed number of queries, whichever unit and however much history.
    assert max(counts) <= 20, counts


# --- ASEAN ------------------------------------------------------------------------------


def test_asean_page_groups_members_by_country(client):
    response = get_en(client, reverse("provinces:asean"))
    assert response.status_code == 200
    countries = response.context["countries"]
    assert sum(len(c.cities) for c in countries) == 29
    assert len(countries) == 10
    assert countries[0].code == "VN"
    thailand = next(c for c in countries if c.code == "TH")
    assert {c.city for c in thailand.cities} >= {"Bangkok", "Chiang Mai"}
    text = text_of(response)
    assert "29 member cities in 10 countries." in text


def test_asean_page_links_vietnamese_members_and_what_they_became(client):
    response = get_en(client, reverse("provinces:asean"))
    html = response.content.decode()
    assert 'href="/provinces/ha-noi/"' in html
    assert 'href="/provinces/da-nang-pre2025/"' in html
    assert 'href="/provinces/da-nang/"' in html
    assert 'href="/provinces/ho-chi-minh/"' in html
    names = {t.name for t in response.templates}
    assert "provinces/includes/asean_progress.html" in names


def test_asean_is_not_taken_for_a_unit_slug(client):
    response = client.get("/provinces/asean/")
    assert response.resolver_match.url_name == "asean"


def test_the_unit_page_shows_the_progress_of_the_framework_asked_for(client):
    page = client.get("/provinces/bac-ninh/", HTTP_ACCEPT_LANGUAGE="en")
    other = client.get("/provinces/bac-ninh/?framework=digital-transformation-2020", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == other.status_code == 200
    assert '<strong aria-current="true">' in page.content.decode()
    chosen = re.search(r'<strong aria-current="true">([^<]+)</strong>', other.content.decode()).group(1)
    assert chosen != re.search(r'<strong aria-current="true">([^<]+)</strong>', page.content.decode()).group(1)
    assert "?framework=digital-transformation-2020&amp;" in other.content.decode()  # the downloads follow it


def test_the_unit_page_refuses_a_framework_that_is_not_in_force(client):
    assert client.get("/provinces/bac-ninh/?framework=no-such-framework").status_code == 404
    export = client.get("/results/units/bac-ninh/export/?framework=no-such-framework&format=csv")
    assert export.status_code == 400 and export.json()["code"] == "invalid_framework"


# --- two units of one name ------------------------------------------------------------------------


def page_title(response):
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.DOTALL).group(1).split(" · ")[0].strip()


def heading(response):
    return strip_tags(re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.DOTALL).group(1)).strip()


def test_the_pre_2025_bac_ninh_page_is_titled_with_its_end_date_and_the_new_one_is_not(client):
    old = client.get(reverse("provinces:unit_detail", kwargs={"slug": "bac-ninh-pre2025"}))
    new = client.get(reverse("provinces:unit_detail", kwargs={"slug": "bac-ninh"}))

    assert page_title(old) == heading(old) == "Bắc Ninh (đến 30/06/2025)"
    assert page_title(new) == heading(new) == "Bắc Ninh"


def test_the_dated_title_is_in_english_on_english_pages(client):
    old = get_en(client, reverse("provinces:unit_detail", kwargs={"slug": "bac-ninh-pre2025"}))

    assert page_title(old) == "Bac Ninh (until 30/06/2025)"


@pytest.mark.parametrize(
    "language, shown",
    [("vi", "Thừa Thiên Huế (tỉnh đến 31/12/2024)"), ("en", "Thừa Thiên Huế (province until 31/12/2024)")],
)
def test_a_former_name_noted_with_its_end_is_shown_in_the_pages_language(client, language, shown):
    response = client.get("/provinces/hue/", HTTP_ACCEPT_LANGUAGE=language)
    assert shown in response.content.decode()
    assert "(province until 2024-12-31)" not in response.content.decode()
