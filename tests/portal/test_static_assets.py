"""The portal's look: stylesheet classes, vendored Chart.js, chart and map includes, tile map."""
import csv
import json
import re
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import translation

from provinces.models import AdministrativeUnit

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"
FIXTURES = ROOT / "provinces" / "fixtures"
CSS = (STATIC / "css" / "portal.css").read_text(encoding="utf-8")
MAX_ROWS, MAX_COLS = 22, 14



@pytest.fixture(autouse=True)
def _english():
    # The includes are rendered outside a request; their English labels are what is checked.
    with translation.override("en"):
        yield

def _csv(name):
    with (FIXTURES / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


UNITS = {row["slug"]: row for row in _csv("administrative_units.csv")}
TILES = {row["slug"]: (int(row["row"]), int(row["col"])) for row in _csv("map_tiles.csv")}
# Units in force on both sides of 1 July 2025, those dissolved then, and those formed then.
UNMERGED = [slug for slug, row in UNITS.items() if not row["valid_from"] and not row["valid_until"]]
MAP_34 = [slug for slug, row in UNITS.items() if not row["valid_until"]]
MAP_63 = [slug for slug, row in UNITS.items() if not row["valid_from"]]


def _defines(selector):
    return re.search(r"(^|[\s,}])" + re.escape(selector) + r"\s*[,{]", CSS, re.MULTILINE) is not None


# --- tile map positions -------------------------------------------------------------------


def test_the_maps_have_34_and_63_units_and_11_in_both():
    assert len(MAP_34) == 34
    assert len(MAP_63) == 63
    assert len(UNMERGED) == 11


def test_every_unit_has_exactly_one_tile_and_no_tile_is_for_an_unknown_unit():
    with (FIXTURES / "map_tiles.csv").open(encoding="utf-8") as handle:
        header = handle.readline().strip()
    slugs = [row["slug"] for row in _csv("map_tiles.csv")]
    assert header == "slug,row,col"
    assert len(slugs) == len(set(slugs))
    assert set(slugs) == set(UNITS)


def test_tiles_fit_the_grid_the_stylesheet_can_place():
    outside = {slug: pos for slug, pos in TILES.items()
               if not (1 <= pos[0] <= MAX_ROWS and 1 <= pos[1] <= MAX_COLS)}
    assert outside == {}


@pytest.mark.parametrize("name, units", [("34 current", MAP_34), ("63 before July 2025", MAP_63)])
def test_positions_are_unique_within_each_map(name, units):
    seen = {}
    for slug in units:
        seen.setdefault(TILES[slug], []).append(slug)
    assert {pos: slugs for pos, slugs in seen.items() if len(slugs) > 1} == {}


def test_the_eleven_unmerged_units_hold_the_same_square_on_both_maps():
    """An unmerged unit's square belongs to it on both maps: no other unit of either map uses it."""
    for slug in UNMERGED:
        others = [s for s in set(MAP_34) | set(MAP_63) if s != slug and TILES[s] == TILES[slug]]
        assert others == [], slug


@pytest.mark.parametrize("units", [MAP_34, MAP_63])
def test_every_tile_touches_another_tile_of_its_map(units):
    """No island: each square shares at least a corner with another unit of the same map."""
    cells = {TILES[slug] for slug in units}
    lonely = [
        slug for slug in units
        if not any((TILES[slug][0] + dr, TILES[slug][1] + dc) in cells
                   for dr in (-1, 0, 1) for dc in (-1, 0, 1) if (dr, dc) != (0, 0))
    ]
    assert lonely == []


@pytest.mark.parametrize("units", [MAP_34, MAP_63])
def test_maps_run_north_to_south(units):
    row = {slug: TILES[slug][0] for slug in units}
    col = {slug: TILES[slug][1] for slug in units}
    assert row["cao-bang"] == 1 and row["lai-chau"] == 1
    assert row["lai-chau"] < row["ha-noi"] < row["thanh-hoa"] < row["nghe-an"] < row["ha-tinh"] < row["hue"]
    if "ho-chi-minh" in units:
        south, bottom = ["da-nang", "khanh-hoa", "ho-chi-minh", "can-tho"], "ca-mau"
        assert col["quang-ninh"] > col["ha-noi"] > col["son-la"]
        assert col["ho-chi-minh"] > col["tay-ninh"] > col["an-giang"]
    else:
        south = ["quang-nam", "khanh-hoa-pre2025", "ho-chi-minh-pre2025", "can-tho-pre2025"]
        bottom = "ca-mau-pre2025"
        assert col["hai-phong-pre2025"] > col["ha-noi"] > col["hoa-binh"]
    assert row["hue"] < row[south[0]] < row[south[1]] < row[south[2]] < row[south[3]] <= row[bottom]
    assert row[bottom] == max(row.values())


@pytest.mark.django_db
def test_reference_data_puts_every_unit_on_the_map():
    placed = {u.slug: (u.map_row, u.map_col) for u in AdministrativeUnit.objects.all()}
    assert placed == TILES


@pytest.mark.django_db
def test_loader_gives_a_position_to_units_that_had_none_without_calling_it_an_edit():
    AdministrativeUnit.objects.filter(slug__in=["ha-noi", "ca-mau"]).update(map_row=None, map_col=None)
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    assert "kept edit" not in out.getvalue()
    assert AdministrativeUnit.objects.get(slug="ha-noi").map_row == TILES["ha-noi"][0]
    assert AdministrativeUnit.objects.get(slug="ca-mau").map_col == TILES["ca-mau"][1]


@pytest.mark.django_db
def test_loader_keeps_a_position_an_administrator_moved_and_reports_it():
    unit = AdministrativeUnit.objects.get(slug="hue")
    unit.map_col = 14
    unit.save()
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    unit.refresh_from_db()
    assert unit.map_col == 14
    assert "kept edit" in out.getvalue() and "map_col" in out.getvalue()


# --- stylesheet ---------------------------------------------------------------------------


def test_css_defines_the_ten_heat_classes_and_no_data():
    missing = [c for c in [f".heat-{n}" for n in range(10)] + [".heat-none"] if not _defines(c)]
    assert missing == []
    assert not _defines(".heat-10")


def test_css_defines_every_width_class_in_steps_of_five():
    missing = [f".w-{n}" for n in range(0, 101, 5) if not re.search(rf"\.w-{n}\s*{{\s*width:\s*{n}%", CSS)]
    assert missing == []


def test_css_places_tiles_on_every_row_and_column_of_the_grid():
    missing = [f".r-{n}" for n in range(1, MAX_ROWS + 1) if not re.search(rf"\.r-{n}\s*{{\s*grid-row:\s*{n};", CSS)]
    missing += [f".c-{n}" for n in range(1, MAX_COLS + 1) if not re.search(rf"\.c-{n}\s*{{\s*grid-column:\s*{n};", CSS)]
    assert missing == []


@pytest.mark.parametrize("selector", [
    ".skip-link", ".demo-banner", ".site-header", ".header-row", ".brand", ".main-nav", ".header-tools",
    ".language-switcher", ".visually-hidden", ".button", ".button-small", ".button-secondary", ".inline-form",
    ".user-link", ".messages", ".message-success", ".message-error", ".message-warning", ".message-info",
    ".container", ".site-footer", "table.data-table", ".num", ".table-wrap", ".card", ".card-grid", ".stat",
    ".stat-value", ".stat-label", ".badge", ".badge-draft", ".badge-submitted", ".badge-returned",
    ".badge-approved", ".badge-late", ".badge-missing", ".badge-on-time", ".badge-achieved", ".badge-on-track",
    ".badge-moderate", ".badge-off-track", ".badge-insufficient", ".form-row", ".field-errors", ".errorlist",
    ".help-text", ".form-section", ".warning-box", ".conflict-box", ".filters", ".breadcrumbs", ".progress",
    ".progress-bar", ".diff-added", ".diff-removed", ".tile-map", ".tile", ".heat-legend", ".chart-box",
])
def test_css_styles_the_classes_templates_use(selector):
    assert _defines(selector), selector


def test_css_loads_nothing_from_elsewhere():
    assert "@import" not in CSS
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", CSS)
    assert "@font-face" not in CSS


# --- vendored Chart.js and no CDN -------------------------------------------------------------


def test_chart_js_4_is_vendored_with_its_licence_and_version_record():
    bundle = STATIC / "vendor" / "chart.js" / "chart.umd.min.js"
    head = bundle.read_text(encoding="utf-8")[:200]
    version = re.search(r"Chart\.js v(4\.\d+\.\d+)", head).group(1)
    assert (STATIC / "vendor" / "chart.js" / "LICENSE.md").exists()
    readme = (STATIC / "vendor" / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"Chart\.js\W+{re.escape(version)}\b", readme)


def test_chart_js_source_map_is_shipped_so_collectstatic_can_hash_the_bundle():
    bundle = (STATIC / "vendor" / "chart.js" / "chart.umd.min.js").read_text(encoding="utf-8")
    mapped = re.findall(r"sourceMappingURL=(\S+)", bundle)
    assert all((STATIC / "vendor" / "chart.js" / name).exists() for name in mapped)


def _templates():
    for path in ROOT.glob("**/templates/**/*.html"):
        if ".venv" not in path.parts and "node_modules" not in path.parts:
            yield path


def test_no_template_loads_scripts_styles_or_fonts_from_another_site():
    offenders = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script[^>]*\bsrc=[\"']?(https?:)?//", text, re.IGNORECASE):
            offenders.append(f"{path}: script")
        if re.search(r"<link[^>]*\bhref=[\"']?(https?:)?//", text, re.IGNORECASE):
            offenders.append(f"{path}: link")
    assert offenders == []


# --- includes -----------------------------------------------------------------------------------


def _tile(**overrides):
    tile = {"slug": "ha-noi", "name": "Hà Nội", "short": "HN", "row": 4, "col": 3, "value": 45.4, "heat": 4,
            "url": "/provinces/ha-noi/"}
    tile.update(overrides)
    return tile


def test_tile_map_places_links_with_a_name_and_value_for_screen_readers():
    html = render_to_string("includes/tile_map.html", {"tiles": [_tile()]})
    link = re.search(r"<li class=\"r-4 c-3\"><a ([^>]*)>", html).group(1)
    assert 'class="tile heat-4"' in link
    assert 'href="/provinces/ha-noi/"' in link
    assert 'aria-label="Hà Nội: 45%"' in link and 'title="Hà Nội: 45%"' in link
    assert ">HN<" in html
    assert " style=" not in html


def test_tile_map_marks_units_without_data_and_leaves_out_units_without_position():
    html = render_to_string("includes/tile_map.html", {"tiles": [
        _tile(slug="hue", name="Huế", short="Huế", value=None, heat=None, url=""),
        _tile(slug="nowhere", name="Nowhere", row=None, col=None),
    ]})
    assert 'class="tile heat-none"' in html
    assert 'aria-label="Huế: no data"' in html
    assert "<a " not in html
    assert "Nowhere" not in html


def test_heat_legend_lists_ten_classes_and_no_data():
    html = render_to_string("includes/heat_legend.html")
    classes = re.findall(r'<li class="(heat-[a-z0-9]+)">', html)
    assert classes == [f"heat-{n}" for n in range(10)] + ["heat-none"]
    assert "0–10%" in html and "90–100%" in html


def test_chart_include_renders_a_canvas_and_its_data_for_charts_js():
    chart = {"type": "line", "labels": ["2025 Q1"], "datasets": [{"label": "A </script>", "data": [1]}],
             "y_max": 100, "y_label": "%"}
    html = render_to_string("includes/chart.html", {"chart_id": "trend", "chart": chart, "label": "Trend"})
    assert re.search(r'<canvas data-chart="trend" data-label="Trend" role="img" aria-label="Trend">', html)
    payload = re.search(r'<script id="trend" type="application/json">(.*?)</script>', html, re.DOTALL).group(1)
    assert json.loads(payload) == chart


# --- charts.js in a browser ---------------------------------------------------------------------------

PAGE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'; style-src 'self'">
</head><body>{body}
<script src="{vendor}" defer></script><script src="{charts}" defer></script></body></html>"""


def _run_page(chromium_path, tmp_path, body):
    page = tmp_path / "page.html"
    page.write_text(PAGE.format(
        body=body,
        vendor=(STATIC / "vendor" / "chart.js" / "chart.umd.min.js").as_uri(),
        charts=(STATIC / "js" / "charts.js").as_uri(),
    ), encoding="utf-8")
    result = subprocess.run(
        [chromium_path, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--allow-file-access-from-files",
         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return result.stdout, console


def test_charts_js_draws_every_chart_under_a_strict_policy(chromium_path, tmp_path):
    chart = {"type": "bar", "labels": ["1", "2"], "datasets": [{"label": "x", "data": [1, None], "dashed": True}],
             "y_max": None, "y_label": ""}
    body = render_to_string("includes/chart.html", {"chart_id": "c1", "chart": chart, "label": "One"}) + \
        render_to_string("includes/chart.html", {"chart_id": "c2", "chart": {**chart, "type": "line"}, "label": "Two"})
    dom, console = _run_page(chromium_path, tmp_path, body)
    assert dom.count('data-chart-drawn="yes"') == 2
    assert console == []


def test_charts_js_is_silent_on_a_page_without_charts(chromium_path, tmp_path):
    dom, console = _run_page(chromium_path, tmp_path, "<p>No chart here.</p>")
    assert "No chart here." in dom
    assert console == []
