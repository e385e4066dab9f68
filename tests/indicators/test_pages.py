"""The dashboard pages: what they show, in both languages, with both boundaries, and their downloads."""
import csv
import io
import re
from datetime import datetime, timedelta
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import strip_tags

from indicators.models import Indicator, Target
from programmes.models import ProgrammeStatus, ReportStatus
from provinces.models import AdministrativeUnit
from provinces.quarters import MERGER_DATE
from tests.factories import ProgrammeFactory, unit
from tests.indicators.conftest import approved_report

pytestmark = pytest.mark.django_db

HOME = reverse("home")
COMPLETENESS = reverse("indicators:completeness")
METHOD = reverse("indicators:method")


def task_group_url(number=5):
    return reverse("indicators:task_group_detail", kwargs={"number": number})


def indicator_url(code="TG5-01"):
    return reverse("indicators:indicator_detail", kwargs={"code": code})


def unit_url(slug):
    return reverse("provinces:unit_detail", kwargs={"slug": slug})


def get(client, url, language="en", **params):
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE=language)


def text_of(response):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.DOTALL)
    return " ".join(unescape(strip_tags(html)).split())


class TableParser(HTMLParser):
    """The text of every cell of the ``<table data-table=…>`` tables of a page."""

    def __init__(self):
        super().__init__()
        self.tables, self.current, self.row, self.cell, self.in_body = {}, None, None, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self.current = self.tables.setdefault(attrs["data-table"], {"head": [], "rows": []})
        elif self.current is None:
            return
        elif tag == "tbody":
            self.in_body = True
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if self.current is None:
            return
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.current["rows" if self.in_body else "head"].append(self.row)
            self.row = None
        elif tag == "table":
            self.current, self.in_body = None, False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def html_tables(response):
    parser = TableParser()
    parser.feed(response.content.decode())
    return parser.tables


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return [["" if v is None else v for v in row] for row in workbook.active.iter_rows(values_only=True)]


@pytest.fixture
def placed_units():
    """Give every unit a tile position if the reference data has none yet (the map needs them)."""
    for number, each in enumerate(AdministrativeUnit.objects.filter(map_row__isnull=True).order_by("pk")):
        each.map_row, each.map_col = number // 10 + 1, number % 10 + 1
        each.save(update_fields=["map_row", "map_col"])


@pytest.fixture
def data(placed_units):
    """Approved reports on both sides of the merger, a submitted one, a late one, targets and programmes."""
    approved_report("ha-noi", 2024, 1, percent=30, values={"TG5-01": 50, "TG1-02": 2, "TG1-01": 0})
    approved_report("ha-noi", 2024, 2, percent=40, values={"TG5-01": 60, "TG1-02": 3, "TG1-01": 1})
    approved_report("bac-giang", 2024, 2, percent=40, values={"TG5-01": 20, "TG1-02": 4, "TG1-01": 0})
    approved_report("bac-ninh-pre2025", 2024, 2, percent=70, values={"TG5-01": 40, "TG1-02": 6, "TG1-01": 1})
    late = approved_report("bac-ninh", 2025, 3, percent=80, values={"TG5-01": 45, "TG1-02": 9, "TG1-01": 1})
    late.first_submitted_at, late.is_late = timezone.now(), True
    late.save()
    submitted = approved_report("hue", 2025, 3, percent=90, status=ReportStatus.SUBMITTED, values={"TG5-01": 99})
    submitted.first_submitted_at = timezone.now() - timedelta(days=400)
    submitted.save()
    Target.objects.create(indicator=Indicator.objects.get(code="TG5-01"), year=2027, value=75, unit=unit("bac-ninh"))
    ProgrammeFactory(unit=unit("bac-ninh"), title="Đề án Bắc Ninh thông minh", status=ProgrammeStatus.IMPLEMENTING)
    ProgrammeFactory(unit=unit("bac-giang"), title="Đề án Bắc Giang", status=ProgrammeStatus.APPROVED)
    ProgrammeFactory(unit=unit("ha-noi"), title="Đề án Hà Nội", status=ProgrammeStatus.PREPARING)
    return {"late": late, "submitted": submitted}


PAGES = [
    HOME,
    HOME + "?boundaries=as-reported",
    HOME + "?year=2024&quarter=2&pillar=digital-economy",
    task_group_url(5),
    task_group_url(5) + "?boundaries=as-reported&region=red-river-delta",
    indicator_url("TG5-01"),
    indicator_url("TG1-01") + "?boundaries=as-reported",
    COMPLETENESS,
    METHOD,
    unit_url("bac-ninh"),
    unit_url("bac-giang"),
    unit_url("ha-noi"),
    reverse("provinces:asean"),
    reverse("about"),
]


# --- every page, both languages ----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_in_both_languages(client, data, url, language):
    response = get(client, url, language)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert " style=" not in html and " onclick=" not in html and " onload=" not in html
    assert "<script>" not in html  # only files, no inline code
    names = region_names(html)
    assert len(names) == len(set(names)), names


def region_names(html):
    """The names of a page's regions: sections named by a heading, and elements of role "region"."""
    headings = {id_: strip_tags(text).strip() for id_, text in re.findall(r'<h\d[^>]* id="([^"]+)"[^>]*>(.*?)</h\d>', html, re.DOTALL)}
    names = [headings.get(id_, id_) for id_ in re.findall(r'<section[^>]* aria-labelledby="([^"]+)"', html)]
    names += [unescape(name) for name in re.findall(r'role="region" aria-label="([^"]+)"', html)]
    names += [headings.get(id_, id_) for id_ in re.findall(r'role="region" aria-labelledby="([^"]+)"', html)]
    return names


def test_pages_work_before_any_report_is_approved(client, placed_units):
    for url in PAGES:
        assert get(client, url).status_code == 200, url


def test_pages_say_which_quarter_and_when_computed(client, data):
    text = text_of(get(client, HOME))
    assert "Figures as of 2025-Q3, today's 34 units, from approved reports only." in text
    assert "Computed on" in text
    text = text_of(get(client, task_group_url(2), year=2024, quarter=2, boundaries="as-reported"))
    assert "Figures as of 2024-Q2, units as they reported" in text


# --- national overview -----------------------------------------------------------------------------------


def test_heat_table_has_the_34_units_of_today_by_default(client, data):
    response = get(client, HOME)
    rows = html_tables(response)["heat"]["rows"]
    assert len(rows) == 34 == len(response.context["heat"].rows)
    bac_ninh = next(row for row in rows if row[0] == "Bac Ninh")
    # 2025-Q3: new Bắc Ninh's own report.
    assert bac_ninh[1:10] == ["80"] * 9


def test_boundaries_switch_changes_the_heat_table_rows(client, data):
    as_reported = get(client, HOME, boundaries="as-reported")
    slugs = {row.unit.slug for row in as_reported.context["heat"].rows}
    # After the merger: the 63 units that reported before it and the 23 formed on 1 July 2025.
    assert len(slugs) == 86
    before = get(client, HOME, boundaries="as-reported", year=2024, quarter=2)
    slugs = {row.unit.slug for row in before.context["heat"].rows}
    assert len(slugs) == 63
    assert {"bac-giang", "bac-ninh-pre2025"} <= slugs and "bac-ninh" not in slugs
    rows = {r[0]: r for r in html_tables(before)["heat"]["rows"]}
    assert rows["Bac Giang (until 30/06/2025)"][1] == "40"
    assert rows["Bac Ninh (until 30/06/2025)"][1] == "70"
    current = get(client, HOME, year=2024, quarter=2)
    rows = {r[0]: r for r in html_tables(current)["heat"]["rows"]}
    assert rows["Bac Ninh"][1] == "55"


def test_boundaries_switch_changes_the_tile_map(client, data):
    current = {tile["slug"] for tile in get(client, HOME).context["tiles"]}
    assert current == set(AdministrativeUnit.objects.current().values_list("slug", flat=True))
    # One request: a second one would be served from the cache, without a context to inspect.
    tiles = {t["slug"]: t for t in get(client, HOME, boundaries="as-reported").context["tiles"]}
    before_merger = AdministrativeUnit.objects.in_force_on(MERGER_DATE - timedelta(days=1))
    assert set(tiles) == set(before_merger.values_list("slug", flat=True))
    assert len(tiles) == 63
    assert tiles["bac-ninh-pre2025"]["value"] == 70 and tiles["bac-ninh-pre2025"]["heat"] == 7
    assert tiles["lai-chau"]["value"] is None and tiles["lai-chau"]["heat"] is None


def test_heat_cells_carry_their_colour_class(client, data):
    html = get(client, HOME).content.decode()
    assert 'class="heat-8 num"' in html
    assert 'class="heat-none"' in html


def test_headline_counts_programmes_and_last_quarters_reports(client, data):
    headline = get(client, HOME).context["headline"]
    assert headline.units == 34
    # Bắc Ninh's programme is being implemented; Hà Nội's is still being prepared.
    assert headline.units_with_programme == 1
    # Latest figures of Hà Nội (40, 2024-Q2) and new Bắc Ninh (80, 2025-Q3).
    assert headline.averages[0][1:] == (Decimal("60.0"), 2)
    assert headline.reporting.expected == 34


def test_headline_as_reported_does_not_count_dissolved_units_again(client, data):
    headline = get(client, HOME, boundaries="as-reported").context["headline"]
    assert headline.units == 34
    assert headline.averages[0][1:] == (Decimal("60.0"), 2)
    before = get(client, HOME, boundaries="as-reported", year=2024, quarter=2).context["headline"]
    assert before.units == 63
    # Hà Nội 40, Bắc Giang 40, old Bắc Ninh 70.
    assert before.averages[0][1:] == (Decimal("50.0"), 3)


def test_region_filter_narrows_the_units(client, data):
    response = get(client, HOME, region="red-river-delta")
    units = [row.unit for row in response.context["heat"].rows]
    assert units and all(u.region.slug == "red-river-delta" for u in units)
    assert {t["slug"] for t in response.context["tiles"]} <= {u.slug for u in units}


def test_pillar_filter_applies_to_the_indicator_table(client, data):
    response = get(client, HOME, pillar="digital-society")
    codes = [row[0] for row in html_tables(response)["indicators"]["rows"]]
    assert codes and all(code.startswith("DS-") or code == "TG2-03" for code in codes)
    assert len(html_tables(response)["heat"]["rows"]) == 34
    assert "The pillar filter applies to this table only" in text_of(response)


def test_national_figure_follows_the_roll_up_rule(client, data):
    rows = {r[0]: r for r in html_tables(get(client, HOME, year=2024, quarter=2))["indicators"]["rows"]}
    # Sum of Hà Nội (3) and new Bắc Ninh (4 + 6); yes/no: units saying yes (both).
    assert rows["TG1-02"][5] == "13"
    assert rows["TG1-01"][5] == "2"
    # Mean over today's units: Hà Nội 60 and Bắc Ninh (20 + 40) / 2 = 30.
    assert rows["TG5-01"][5] == "45"
    as_reported = {r[0]: r for r in html_tables(get(
        client, HOME, year=2024, quarter=2, boundaries="as-reported"))["indicators"]["rows"]}
    assert as_reported["TG1-01"][5] == "2"
    assert as_reported["TG5-01"][5] == "40"


@pytest.mark.parametrize(
    "params, field",
    [({"year": "abc"}, "year"), ({"quarter": "5", "year": "2024"}, "quarter"), ({"quarter": "2"}, "year"),
     ({"region": "atlantis"}, "region"), ({"boundaries": "1990"}, "boundaries"),
     ({"year": "2099", "quarter": "1"}, "quarter"), ({"pillar": "nope"}, "pillar")],
)
def test_invalid_filters_show_an_error_next_to_the_field(client, data, params, field):
    response = get(client, HOME, **params)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "Some filters are not valid" in text_of(response)
    assert not html_tables(response)


def test_invalid_filters_on_a_download_get_a_machine_readable_error(client, data):
    response = get(client, HOME, format="csv", region="atlantis")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "region" in response.json()["errors"]
    assert get(client, HOME, format="pdf").json()["code"] == "invalid_format"
    assert get(client, HOME, format="csv", table="nope").json()["code"] == "invalid_table"


def test_a_download_error_shows_its_vietnamese_message_as_written(client, data):
    response = get(client, HOME, language="vi", format="pdf")
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert "Định dạng không hợp lệ" in response.content.decode("utf-8")


# --- unit page --------------------------------------------------------------------------------------------


def test_new_bac_ninh_shows_its_predecessors_history_rolled_up(client, data):
    response = get(client, unit_url("bac-ninh"))
    tables = html_tables(response)
    progress = {row[0]: row for row in tables["progress"]["rows"]}
    assert set(progress) == {"2025-Q3", "2024-Q2"}
    assert progress["2024-Q2"][1:10] == ["55"] * 9  # the mean of Bắc Giang (40) and old Bắc Ninh (70)
    assert progress["2024-Q2"][-1] == "2"  # units reporting
    assert progress["2025-Q3"][1] == "80"
    html = response.content.decode()
    assert f'href="{unit_url("bac-giang")}"' in html
    assert f'href="{unit_url("bac-ninh-pre2025")}"' in html
    reports = tables["reports"]["rows"]
    assert [row[0] for row in reports] == ["2025-Q3", "2024-Q2", "2024-Q2"]
    assert {row[1] for row in reports[1:]} == {"Bac Giang (until 30/06/2025)", "Bac Ninh (until 30/06/2025)"}
    programmes = text_of(response)
    assert "Đề án Bắc Ninh thông minh" in programmes and "Đề án Bắc Giang" in programmes


def test_unit_indicators_show_value_target_and_status(client, data):
    rows = {r[0]: r for r in html_tables(get(client, unit_url("bac-ninh")))["indicators"]["rows"]}
    # TG5-01: rolled up 30 in 2024-Q2, 45 in 2025-Q3; the unit's own target 75 for 2027.
    # 5 of the 14 quarters to the end of 2027 have passed: 16.1 points expected, 15 made.
    assert rows["TG5-01"][3:9] == ["45", "2025-Q3", "75", "2027", "this unit", "Moderate progress"]
    assert rows["TG1-02"][-1] == "No target"


def test_a_dissolved_unit_shows_its_own_reports(client, data):
    response = get(client, unit_url("bac-giang"))
    progress = html_tables(response)["progress"]["rows"]
    assert [row[0] for row in progress] == ["2024-Q2"] and progress[0][1] == "40"
    assert f'href="{unit_url("bac-ninh")}"' in response.content.decode()


def test_report_history_links_only_reports_the_visitor_may_read(client, data, personas):
    try:
        report_url = reverse("programmes:report_detail", kwargs={"pk": data["late"].pk})
    except NoReverseMatch:
        pytest.skip("the report page does not exist yet")
    submitted_url = reverse("programmes:report_detail", kwargs={"pk": data["submitted"].pk})
    anonymous = get(client, unit_url("bac-ninh")).content.decode()
    assert report_url not in anonymous
    client.force_login(personas.viewer)
    assert report_url in get(client, unit_url("bac-ninh")).content.decode()
    client.force_login(personas.other_reporter)
    hue = get(client, unit_url("hue")).content.decode()
    assert submitted_url not in hue and "Submitted" in hue


# --- task group, indicator, completeness, ASEAN ---------------------------------------------------------------


def test_task_group_page_ranks_units_and_shows_the_distribution(client, data):
    response = get(client, task_group_url(3), year=2024, quarter=2)
    tables = html_tables(response)
    ranked = tables["ranking"]["rows"]
    assert [row[1] for row in ranked[:2]] == ["Bac Ninh", "Hanoi"]
    assert ranked[0][0] == "1" and ranked[0][2] == "55"
    distribution = {row[0]: row[1] for row in tables["distribution"]["rows"]}
    assert distribution["50–60 %"] == "1" and distribution["40–50 %"] == "1"
    assert sum(int(v) for v in distribution.values()) == 2


def test_task_group_page_quotes_the_latest_approved_narratives_escaped(client, data):
    from programmes.models import NodeAnswer

    NodeAnswer.objects.filter(report__unit__slug="ha-noi", node__code=4).update(
        narrative="<script>alert(1)</script>" + "Triển khai " * 60
    )
    NodeAnswer.objects.filter(report=data["submitted"]).update(narrative="Chưa duyệt")
    response = get(client, task_group_url(4))
    html = response.content.decode()
    assert "<script>alert" not in html
    narratives = response.context["narratives"]
    assert {n[0].slug for n in narratives} == {"ha-noi", "bac-giang", "bac-ninh-pre2025", "bac-ninh"}
    ha_noi = next(n for n in narratives if n[0].slug == "ha-noi")
    assert str(ha_noi[1]) == "2024-Q2" and len(ha_noi[2]) <= 301 and ha_noi[2].endswith("…")
    assert "Chưa duyệt" not in text_of(response)
    # On the English page a screen reader reads the quotes as Vietnamese, which they are.
    assert html.count('<blockquote lang="vi">') == len(narratives)


def test_indicator_page_shows_national_series_target_line_and_units(client, data):
    response = get(client, indicator_url("TG5-01"))
    tables = html_tables(response)
    national = {row[0]: row for row in tables["national"]["rows"]}
    assert national["2024-Q1"][1:] == ["50", "1", "80"]
    assert national["2024-Q2"][1:3] == ["45", "2"]
    chart = response.context["national_chart"]
    assert [d["dashed"] for d in chart["datasets"]] == [False, True]
    units = {row[0]: row for row in tables["units"]["rows"]}
    assert len(units) == 34
    head = tables["units"]["head"][0]
    # The latest quarter first, beside the unit's name (the table scrolls sideways in its box).
    assert head[1:9] == ["2025-Q3", "2025-Q2", "2025-Q1", "2024-Q4", "2024-Q3", "2024-Q2", "2024-Q1", "2023-Q4"]
    assert units["Bac Ninh"][6] == "30" and units["Bac Ninh"][1] == "45"
    assert units["Bac Ninh"][-3:] == ["75", "2027", "Moderate progress"]


def test_completeness_counts_on_time_late_and_missing(client, data):
    response = get(client, COMPLETENESS, year=2025, quarter=3)
    rates = {row[0]: row for row in html_tables(response)["rates"]["rows"]}
    q3 = rates["2025-Q3"]
    # 34 units expected; Bắc Ninh late, Huế submitted on time, the rest missing.
    assert q3[2:7] == ["34", "1", "1", "32", "0"]
    assert q3[7:] == ["5.9", "2.9"]
    units = {row[0]: row for row in html_tables(response)["units"]["rows"]}
    # The latest quarter first.
    assert units["Bac Ninh"][1] == "late" and units["Hue"][1] == "on time"
    assert units["Bac Giang (until 30/06/2025)"][1] == ""  # not expected after the merger
    html = response.content.decode()
    assert "badge-late" in html and "badge-on-time" in html and "badge-missing" in html


def test_asean_page_shows_the_vietnamese_members_units_today(client, data):
    response = get(client, reverse("provinces:asean"))
    rows = html_tables(response)["asean"]["rows"]
    assert [row[0] for row in rows] == ["Da Nang", "Hanoi", "Ho Chi Minh City"] or len(rows) == 3
    by_unit = {row[2]: row for row in rows}
    assert by_unit["Hanoi"][3] == "40"


def test_method_page_is_linked_from_the_about_page(client):
    assert f'href="{METHOD}"' in get(client, reverse("about")).content.decode()
    text = text_of(get(client, METHOD))
    assert "95%" in text and "Insufficient data" in text


# --- downloads ---------------------------------------------------------------------------------------------------

DOWNLOADS = [
    (HOME, "heat"), (HOME, "averages"), (HOME, "trend"), (HOME, "indicators"),
    (HOME + "?boundaries=as-reported&year=2024&quarter=2", "heat"),
    (task_group_url(5), "ranking"), (task_group_url(5), "distribution"), (task_group_url(5), "trend"),
    (indicator_url(), "national"), (indicator_url(), "units"),
    (COMPLETENESS, "rates"), (COMPLETENESS, "units"),
]


@pytest.mark.parametrize("url, table", DOWNLOADS)
def test_downloads_have_the_rows_of_the_table_on_the_page(client, data, url, table):
    shown = html_tables(get(client, url))[table]
    joiner = "&" if "?" in url else "?"
    rows = csv_rows(client.get(f"{url}{joiner}format=csv&table={table}", HTTP_ACCEPT_LANGUAGE="en"))
    assert len(rows) == len(shown["rows"]) + 1
    # The page shows "—" where a download has an empty cell.
    assert [row[0] for row in rows[1:]] == [row[0].replace("—", "") for row in shown["rows"]]
    assert len(rows[0]) == len(shown["head"][0])
    workbook = xlsx_rows(client.get(f"{url}{joiner}format=xlsx&table={table}", HTTP_ACCEPT_LANGUAGE="en"))
    assert len(workbook) == len(rows)
    for sheet_row, csv_row in zip(workbook, rows, strict=True):
        # Dates and times are dates in the workbook (with a number format), text in the CSV.
        assert [str(v) if isinstance(v, str) else v.strftime("%Y-%m-%d %H:%M")[:len(text)] if isinstance(v, datetime)
                else float(v) for v, text in zip(sheet_row, csv_row, strict=True)] == [
            float(v) if is_number(v) else v for v in csv_row
        ]


def is_number(text):
    return bool(re.fullmatch(r"-?\d+(\.\d+)?", text))


@pytest.mark.parametrize("table", ["progress", "indicators", "reports"])
def test_unit_page_tables_download_with_the_same_rows(client, data, table):
    shown = html_tables(get(client, unit_url("bac-ninh")))[table]
    export = reverse("indicators:unit_export", kwargs={"slug": "bac-ninh"})
    rows = csv_rows(client.get(export, {"table": table, "format": "csv"}, HTTP_ACCEPT_LANGUAGE="en"))
    assert [row[0] for row in rows[1:]] == [row[0] for row in shown["rows"]]
    assert len(xlsx_rows(client.get(export, {"table": table, "format": "xlsx"}))) == len(rows)
    assert client.get(export, {"table": "secrets"}).status_code == 400


def test_asean_table_downloads(client, data):
    shown = html_tables(get(client, reverse("provinces:asean")))["asean"]
    rows = csv_rows(client.get(reverse("indicators:asean_export"), {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en"))
    assert [row[0] for row in rows[1:]] == [row[0] for row in shown["rows"]]


def test_downloads_neutralise_formulas(client, data):
    Indicator.objects.filter(code="TG1-02").update(name_en="=HYPERLINK(\"http://evil\")", name_vi="@SUM(A1)")
    rows = csv_rows(get(client, HOME, format="csv", table="indicators"))
    names = {row[0]: row[1] for row in rows[1:]}
    assert names["TG1-02"] == "'=HYPERLINK(\"http://evil\")"
    sheet = {row[0]: row[1] for row in xlsx_rows(get(client, HOME, format="xlsx", table="indicators", language="vi"))[1:]}
    assert sheet["TG1-02"] == "'@SUM(A1)"


def test_download_names_say_the_table_and_quarter(client, data):
    response = get(client, HOME, format="xlsx", table="heat", year=2024, quarter=2)
    assert response["Content-Disposition"] == 'attachment; filename="heat-2024-q2.xlsx"'


def test_completeness_follows_submissions_at_once(client, data):
    before = html_tables(get(client, COMPLETENESS, year=2025, quarter=3))["rates"]["rows"][0]
    report = approved_report("ha-noi", 2025, 3, status=ReportStatus.SUBMITTED, recompute=False)
    report.first_submitted_at = timezone.now()
    report.save()
    after = html_tables(get(client, COMPLETENESS, year=2025, quarter=3))["rates"]["rows"][0]
    assert int(after[3]) == int(before[3]) + 1  # on time


def test_a_report_not_yet_due_is_not_missing():
    from indicators.results import selectors
    from provinces.quarters import Quarter

    q = Quarter(2025, 3)
    rates = selectors.completeness([q], today=q.due_date).rates[0]
    assert rates.missing == 0 and rates.not_due == rates.expected == 34
    rates = selectors.completeness([q], today=q.due_date + timedelta(days=1)).rates[0]
    assert rates.missing == 34 and rates.completeness == Decimal("0.0")


@pytest.mark.parametrize("boundaries, count", [("current", 34), ("as-reported", 63)])
def test_no_two_tiles_of_a_map_carry_the_same_letters_and_the_key_spells_them_out(client, data, boundaries, count):
    response = get(client, HOME, boundaries=boundaries)

    tiles = response.context["tiles"]
    shorts = [t["short"] for t in tiles]
    assert len(tiles) == count and len(set(shorts)) == len(shorts)
    html = response.content.decode()
    key = html[html.index('<div class="tile-map-key">'):]
    assert all(re.search(rf"<abbr [^>]*>{re.escape(t['short'])}</abbr>\s*<a href=\"{t['url']}\">{re.escape(t['name'])}</a>",
                         key) for t in tiles)


def test_tile_letters_keep_the_vietnamese_d_and_lengthen_only_where_needed():
    from indicators.views import short_names
    from provinces.models import AdministrativeUnit

    names = ["Quảng Ninh", "Quảng Ngãi", "Đà Nẵng", "Đồng Nai", "Hà Giang", "Hậu Giang", "Hồ Chí Minh", "Huế"]
    units = [AdministrativeUnit(pk=n, name_vi=name) for n, name in enumerate(names)]

    assert list(short_names(units).values()) == ["QNi", "QNg", "ĐNan", "ĐNai", "HaG", "HauG", "HCM", "Huế"]


def test_every_headline_figure_follows_the_chosen_quarter_and_region(client, data):
    response = get(client, HOME, year=2024, quarter=2)
    headline = response.context["headline"]
    assert str(headline.reporting_quarter) == "2024-Q2"
    # The 63 units in force then, and their reports on 2024-Q2 (not the last complete quarter's).
    assert headline.reporting.expected == 63
    text = text_of(response)
    assert "reports for 2024-Q2 submitted on time" in text and "of 63 expected" in text
    assert "?year=2024&quarter=2" in unescape(response.content.decode())

    north_page = get(client, HOME, year=2024, quarter=2, region="red-river-delta")
    north = north_page.context["headline"]
    in_region = AdministrativeUnit.objects.filter(region__slug="red-river-delta").in_force_throughout(
        headline.reporting_quarter.start, headline.reporting_quarter.end
    ).count()
    assert north.reporting.expected == in_region < 63
    assert north.units <= len(north_page.context["heat"].rows) < 63


def test_the_cached_overview_of_one_quarter_is_not_served_for_another(client, data):
    first = text_of(get(client, HOME, year=2024, quarter=2))
    second = text_of(get(client, HOME, year=2025, quarter=3))
    assert "reports for 2024-Q2" in first and "reports for 2024-Q2" not in second
    assert "reports for 2025-Q3" in second
    again = text_of(get(client, HOME, year=2024, quarter=2))
    assert "reports for 2024-Q2" in again and "reports for 2025-Q3" not in again



def test_quarterly_tables_show_the_latest_quarter_first_where_their_box_shows_it_at_once(client, data):
    national = [row[0] for row in html_tables(get(client, indicator_url("TG5-01")))["national"]["rows"]]
    trend = [row[0] for row in html_tables(get(client, HOME))["trend"]["rows"]]
    node_trend = [row[0] for row in html_tables(get(client, task_group_url(5)))["trend"]["rows"]]
    completeness = html_tables(get(client, COMPLETENESS, year=2025, quarter=3))

    for quarters in (national, trend, node_trend, [row[0] for row in completeness["rates"]["rows"]]):
        assert len(quarters) > 1 and quarters == sorted(quarters, reverse=True), quarters
    assert completeness["units"]["head"][0][1] == "2025-Q3"


def test_quarters_codes_and_dates_in_dashboard_tables_are_kept_on_one_line(client, data):
    html = get(client, COMPLETENESS, year=2025, quarter=3).content.decode()

    assert re.search(r'<th scope="row" class="[^"]*\bnowrap\b[^"]*">2025-Q3</th>', html)
    assert re.search(r'<th scope="col" class="[^"]*\bnowrap\b[^"]*">2025-Q3</th>', html)
    assert re.search(r'<td class="[^"]*\bnowrap\b[^"]*">\d+/\d+/\d{4}</td>', html)  # the due date
    assert "<th scope=\"col\">Units expected</th>" in html  # words may wrap


def test_an_indicators_frameworks_link_only_to_pages_that_exist_and_name_a_pillar_by_its_name(client):
    from indicators.models import Indicator

    indicator = Indicator.objects.filter(mappings__node__kind="group").first()
    if indicator is None:
        pytest.skip("no indicator counts toward a group of a framework in the reference data")
    html = client.get(indicator.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    for href in re.findall(r'href="(/results/frameworks/[^"?#]+)"', html):
        assert client.get(href).status_code == 200, href
    assert "digital-government. " not in html and "digital-economy. " not in html


@pytest.mark.parametrize("language, shown", [("vi", "≥ 62,5"), ("en", "≥ 62.5")])
def test_a_criterions_threshold_is_written_with_a_sign_and_the_pages_numbers(language, shown):
    from decimal import Decimal

    from django.utils import translation

    from indicators.models import IndicatorMapping

    mapping = IndicatorMapping(threshold_operator=">=", threshold_value=Decimal("62.5000"))
    with translation.override(language):
        assert mapping.threshold_label == shown
    assert mapping.threshold == ">= 62.5"


@pytest.mark.parametrize(
    "url", [HOME, COMPLETENESS, task_group_url(), indicator_url(), unit_url("bac-ninh")],
    ids=["overview", "completeness", "task group", "indicator", "unit"],
)
def test_every_download_link_on_a_dashboard_answers_with_a_file(client, data, url):
    page = get(client, url)
    links = {unescape(href) for href in re.findall(r'href="([^"]*[?&](?:amp;)?format=[^"]*)"', page.content.decode())}
    assert links
    for link in links:
        response = client.get(urljoin(url, link), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, (link, response.content[:200])
        assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("url", [COMPLETENESS, task_group_url()], ids=["completeness", "task group"])
def test_a_pages_title_and_its_last_breadcrumb_name_what_its_heading_names(client, data, url):
    html = get(client, url).content.decode()
    heading = unescape(re.search(r"<h1[^>]*>(.*?)</h1>", html, re.DOTALL).group(1)).strip()
    crumb = unescape(re.search(r'<li aria-current="page">(.*?)</li>', html).group(1)).rstrip("…")
    title = unescape(re.search(r"<title>(.*?)</title>", html, re.DOTALL).group(1))
    assert heading.startswith(crumb) and len(crumb) > 3 and title.startswith(heading[:40])
