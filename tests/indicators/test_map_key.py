"""The tile map's key: phones cannot hover, so every tile's letters are spelt out beside the map
(below it on a phone), with the unit's name, its figure and a link (issue 17, item 11)."""
import re
from html import unescape

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from provinces.models import AdministrativeUnit
from tests.indicators.conftest import approved_report

pytestmark = pytest.mark.django_db


def key_of(html):
    """The key's entries as (letters, name, link, figure), in the order shown."""
    key = html[html.index('<div class="tile-map-key">'):]
    key = key[:key.index("</div>")]
    entries = []
    for item in re.findall(r"<li[^>]*>(.*?)</li>", key, flags=re.DOTALL):
        letters = re.search(r"<abbr[^>]*>(.*?)</abbr>", item).group(1)
        link = re.search(r'<a href="([^"]+)">(.*?)</a>', item)
        name = link.group(2) if link else re.search(r"</abbr>\s*<span>(.*?)</span>", item).group(1)
        figure = re.sub(r"<[^>]+>", "", item[item.index('class="tile-key-figure"'):].split(">", 1)[1])
        entries.append((unescape(letters), unescape(name), link.group(1) if link else "", figure.strip()))
    return entries


def test_the_overview_map_spells_out_every_tile_in_a_key_that_needs_no_hovering_or_opening(client):
    for number, each in enumerate(AdministrativeUnit.objects.filter(map_row__isnull=True).order_by("pk")):
        each.map_row, each.map_col = number // 10 + 1, number % 10 + 1
        each.save(update_fields=["map_row", "map_col"])
    approved_report("ha-noi", 2025, 2, percent=40)

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="vi")

    html = response.content.decode()
    tiles = response.context["tiles"]
    entries = key_of(html)
    assert len(entries) == len(tiles) == 34
    # The key is always shown: not folded into a <details> that a phone user must find and open.
    assert "<details" not in html[html.index('<div class="tile-map-figure">'):html.index('<div class="tile-map-key">') + 2000]
    by_name = {name: (letters, link, figure) for letters, name, link, figure in entries}
    for tile in tiles:
        assert by_name[tile["name"]][:2] == (tile["short"], tile["url"])
    assert by_name["Hà Nội"][2] == "40%"
    # Read from north to south, as the map is.
    rows = {tile["name"]: tile["row"] for tile in tiles}
    assert [rows[name] for _, name, _, _ in entries] == sorted(rows[name] for _, name, _, _ in entries)


def test_the_key_says_no_data_and_words_such_as_a_maturity_level_without_links_where_the_map_has_none():
    tiles = [
        {"slug": "ha-noi", "name": "Hà Nội", "short": "HN", "row": 4, "col": 3, "value": 45.4, "heat": 4,
         "url": "/provinces/ha-noi/", "label": "2. Liên kết hệ thống"},
        {"slug": "hue", "name": "Huế", "short": "Huế", "row": 9, "col": 5, "value": None, "heat": None, "url": ""},
        {"slug": "nowhere", "name": "Nowhere", "short": "NW", "row": None, "col": None, "value": 5, "heat": 0,
         "url": ""},
    ]
    with translation.override("en"):
        html = render_to_string("includes/tile_map.html", {"tiles": tiles})

    assert key_of(html) == [("HN", "Hà Nội", "/provinces/ha-noi/", "2. Liên kết hệ thống"), ("Huế", "Huế", "", "—no data")]
    assert "Nowhere" not in html
