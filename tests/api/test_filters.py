"""Every filter of the contract, ordering and pagination."""
from decimal import Decimal

import pytest
from django.utils import timezone

from indicators.models import Boundaries, Indicator, IndicatorResult, NodeResult
from programmes.models import ProgrammeStatus, ReportStatus
from tests.factories import ProgrammeFactory, ReportFactory, task_group, unit

pytestmark = pytest.mark.django_db


def _results(client, url, **params):
    response = client.get(url, {"page_size": 500, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def anon(api):
    return api("anonymous")


# --- provinces -----------------------------------------------------------------------


@pytest.mark.parametrize("status, count", [("", 34), ("current", 34), ("historical", 63), ("all", 86)])
def test_provinces_by_status(anon, status, count):
    params = {"status": status} if status else {}
    assert len(_results(anon, "/api/v1/provinces/", **params)) == count


def test_province_carries_its_lineage(anon):
    bac_ninh = anon.get("/api/v1/provinces/bac-ninh/").json()
    assert bac_ninh["predecessors"] == ["bac-giang", "bac-ninh-pre2025"]
    assert bac_ninh["successor"] is None and bac_ninh["is_current"] is True
    bac_giang = anon.get("/api/v1/provinces/bac-giang/").json()
    assert (bac_giang["successor"], bac_giang["is_current"], bac_giang["valid_until"]) == (
        "bac-ninh", False, "2025-06-30"
    )
    assert bac_giang["name_vi"] == "Bắc Giang" and bac_giang["name_en"]


def test_provinces_by_region_kind_code_and_text(anon):
    region = unit("ha-noi").region.slug
    assert "ha-noi" in {u["slug"] for u in _results(anon, "/api/v1/provinces/", region=region)}
    assert {u["kind"] for u in _results(anon, "/api/v1/provinces/", kind="municipality")} == {"municipality"}
    assert [u["slug"] for u in _results(anon, "/api/v1/provinces/", code="1")] == ["ha-noi"]
    assert [u["slug"] for u in _results(anon, "/api/v1/provinces/", q="bac ninh")] == ["bac-ninh"]


@pytest.mark.parametrize(
    "params, field",
    [({"status": "future"}, "status"), ({"code": "abc"}, "code"), ({"region": "atlantis"}, "region")],
)
def test_bad_province_filters_are_field_errors(anon, params, field):
    response = anon.get("/api/v1/provinces/", params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_ordering_and_pagination(anon, settings):
    codes = [u["code"] for u in _results(anon, "/api/v1/provinces/", ordering="-code")]
    assert codes == sorted(codes, reverse=True)
    page = anon.get("/api/v1/provinces/", {"page_size": 5, "page": 2}).json()
    assert (page["count"], len(page["results"])) == (34, 5)
    settings.API_MAX_PAGE_SIZE = 20
    assert len(anon.get("/api/v1/provinces/", {"page_size": 1000}).json()["results"]) == 20
    response = anon.get("/api/v1/provinces/", {"page": 99})
    assert response.status_code == 404 and response.json()["code"] == "not_found"


# --- indicators and programmes ----------------------------------------------------------


def test_indicators_by_task_group_and_pillar(anon):
    in_five = _results(anon, "/api/v1/indicators/", task_group=5)
    assert in_five and {i["task_group"] for i in in_five} == {5}
    pillar = "digital-government"
    of_pillar = _results(anon, "/api/v1/indicators/", pillar=pillar)
    assert of_pillar and {i["pillar"] for i in of_pillar} == {pillar}
    assert len(of_pillar) == Indicator.objects.filter(
        mappings__node__version__framework__code="digital-transformation-2020", mappings__node__code=pillar
    ).count()


def test_programmes_by_province_and_status(anon):
    ha_noi = ProgrammeFactory(unit=unit("ha-noi"), status=ProgrammeStatus.IMPLEMENTING)
    ProgrammeFactory(unit=unit("da-nang"), status=ProgrammeStatus.APPROVED)
    assert [p["id"] for p in _results(anon, "/api/v1/programmes/", province="ha-noi")] == [ha_noi.pk]
    assert [p["id"] for p in _results(anon, "/api/v1/programmes/", status="implementing")] == [ha_noi.pk]


# --- reports -------------------------------------------------------------------------------


def test_reports_by_province_year_quarter_and_status(api, personas):
    q3 = ReportFactory(unit=personas.unit, year=2025, quarter=3, status=ReportStatus.SUBMITTED)
    q4 = ReportFactory(unit=personas.unit, year=2025, quarter=4)
    old = ReportFactory(unit=unit("bac-giang"), year=2024, quarter=4, status=ReportStatus.APPROVED)
    hanoi = ReportFactory(unit=personas.other_unit, year=2025, quarter=3)
    client = api("reviewer")

    def ids(**params):
        return {r["id"] for r in _results(client, "/api/v1/reports/", **params)}

    assert ids(province="bac-ninh") == {q3.pk, q4.pk}
    assert ids(year=2024) == {old.pk}
    assert ids(year=2025, quarter=3) == {q3.pk, hanoi.pk}
    assert ids(status="submitted") == {q3.pk}
    assert ids(status="draft", province="ha-noi") == {hanoi.pk}
    response = client.get("/api/v1/reports/", {"status": "lost"})
    assert response.status_code == 400 and "status" in response.json()


# --- results -------------------------------------------------------------------------------


@pytest.fixture
def results():
    now = timezone.now()
    tg1, tg2 = task_group(1), task_group(2)
    indicator, other = Indicator.objects.get(code="TG5-01"), Indicator.objects.get(code="TG1-02")
    rows = {}
    for boundaries, slug in ((Boundaries.CURRENT, "bac-ninh"), (Boundaries.AS_REPORTED, "bac-giang")):
        for year, quarter in ((2024, 4), (2025, 1)):
            for tg in (tg1, tg2):
                rows[(boundaries, slug, year, quarter, int(tg.code))] = NodeResult.objects.create(
                    boundaries=boundaries, unit=unit(slug), year=year, quarter=quarter, node=tg,
                    percent_complete=Decimal(10 * int(tg.code)), computed_at=now,
                ).pk
            for ind in (indicator, other):
                rows[(boundaries, slug, year, quarter, ind.code)] = IndicatorResult.objects.create(
                    boundaries=boundaries, unit=unit(slug), year=year, quarter=quarter, indicator=ind,
                    value=Decimal(5), computed_at=now,
                ).pk
    return rows


def test_progress_filters(anon, results):
    def ids(**params):
        return {r["id"] for r in _results(anon, "/api/v1/progress/", **params)}

    current = {pk for key, pk in results.items() if key[0] == "current" and isinstance(key[4], int)}
    assert ids() == current
    assert ids(boundaries="current") == current
    assert ids(boundaries="as-reported") == {
        pk for key, pk in results.items() if key[0] == "as-reported" and isinstance(key[4], int)
    }
    assert ids(year=2025) == {results[("current", "bac-ninh", 2025, 1, n)] for n in (1, 2)}
    assert ids(quarter=4, task_group=2) == {results[("current", "bac-ninh", 2024, 4, 2)]}
    assert ids(province="bac-giang") == set()
    assert ids(province="bac-giang", boundaries="as-reported", year=2024, task_group=1) == {
        results[("as-reported", "bac-giang", 2024, 4, 1)]
    }


def test_indicator_value_filters(anon, results):
    def ids(**params):
        return {r["id"] for r in _results(anon, "/api/v1/indicator-values/", **params)}

    assert ids(indicator="TG5-01", year=2024) == {results[("current", "bac-ninh", 2024, 4, "TG5-01")]}
    assert ids(indicator="TG1-02", quarter=1, province="bac-ninh") == {
        results[("current", "bac-ninh", 2025, 1, "TG1-02")]
    }
    assert ids(boundaries="as-reported", province="bac-giang", indicator="TG5-01") == {
        results[("as-reported", "bac-giang", 2024, 4, "TG5-01")],
        results[("as-reported", "bac-giang", 2025, 1, "TG5-01")],
    }


@pytest.mark.parametrize(
    "url, params, field",
    [
        ("/api/v1/progress/", {"boundaries": "1990"}, "boundaries"),
        ("/api/v1/progress/", {"quarter": "5"}, "quarter"),
        ("/api/v1/progress/", {"year": "20x5"}, "year"),
        ("/api/v1/progress/", {"task_group": "10"}, "task_group"),
        ("/api/v1/indicator-values/", {"indicator": "NOPE"}, "indicator"),
        ("/api/v1/indicator-values/", {"province": "atlantis"}, "province"),
        ("/api/v1/indicators/", {"task_group": "x"}, "task_group"),
    ],
)
def test_bad_result_filters_are_field_errors(anon, url, params, field):
    response = anon.get(url, params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_result_of_the_other_boundaries_is_found_by_its_id(anon, results):
    pk = results[("as-reported", "bac-giang", 2024, 4, 1)]
    assert anon.get(f"/api/v1/progress/{pk}/").json()["boundaries"] == "as-reported"
