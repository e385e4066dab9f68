"""The main navigation marks the link that leads to the page (aria-current), which the header's style shows."""
import re

import pytest
from django.urls import reverse

from smartcity_portal.context_processors import main_nav_item

pytestmark = pytest.mark.django_db


def current_links(page):
    return re.findall(r'<a href="([^"]+)" aria-current="([^"]+)">', page)


@pytest.mark.parametrize(("path", "expected"), [
    ("/", {"name": "overview", "current": "page"}),
    ("/overview/", {"name": "overview", "current": "page"}),
    ("/provinces/", {"name": "provinces:unit_list", "current": "page"}),
    ("/provinces/bac-ninh/", {"name": "provinces:unit_list", "current": "true"}),
    ("/provinces/asean/", {"name": "provinces:asean", "current": "page"}),
    ("/reports/mine/", {"name": "programmes:my_unit", "current": "page"}),
    ("/reports/12/", {"name": "programmes:report_list", "current": "true"}),
    ("/data/catalog.jsonld", {"name": "data:index", "current": "true"}),
    ("/about/", {}),
])
def test_a_page_belongs_to_the_navigation_link_whose_address_starts_its_own_the_longest(path, expected):
    assert main_nav_item(path) == expected


def test_the_units_link_is_marked_current_on_the_unit_list_and_only_there(client):
    page = client.get(reverse("provinces:unit_list")).content.decode()
    assert current_links(page) == [("/provinces/", "page")]


def test_a_unit_page_marks_the_units_link_as_its_section(client, personas):
    page = client.get(reverse("provinces:unit_detail", args=[personas.unit.slug])).content.decode()
    assert current_links(page) == [("/provinces/", "true")]


def test_a_page_outside_the_navigation_marks_no_link(client):
    assert current_links(client.get(reverse("about")).content.decode()) == []
