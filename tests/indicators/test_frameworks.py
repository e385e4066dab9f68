"""Frameworks are data: loaded from a document, shown on the pages and in the API, counted from approved values."""
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from indicators import frameworks
from indicators.models import (
    Framework,
    FrameworkNode,
    FrameworkVersion,
    IndicatorMapping,
)
from programmes import services
from programmes.models import ReportStatus
from tests.factories import ReportFactory, api_client, set_values, unit
from tests.indicators.conftest import approved_report
from tests.indicators.test_pages import get, html_tables

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    # Messages are compared in English, whatever the portal's default language.
    with translation.override("en"):
        yield

DOCS = Path(__file__).resolve().parents[2] / "docs" / "frameworks.md"


def documented_example():
    """The complete example of docs/frameworks.md, as a document."""
    text = DOCS.read_text(encoding="utf-8")
    block = re.search(r"### A complete example.*?```json\n(.*?)```", text, flags=re.DOTALL).group(1)
    return json.loads(block)


def criteria_framework(**version):
    """A framework that does not ship: two groups, four criteria on three levels, thresholds on existing indicators."""
    return {
        "framework": {"code": "tinh-thong-minh", "name_vi": "Khung thử nghiệm", "name_en": "Trial framework"},
        "version": {"code": "2026", "valid_from": "2024-01-01", "cycle": "quarterly", "status": "active",
                    "levels": [{"number": 1, "name_vi": "Một", "name_en": "One"},
                               {"number": 2, "name_vi": "Hai", "name_en": "Two"},
                               {"number": 3, "name_vi": "Ba", "name_en": "Three"}], **version},
        "nodes": [
            {"code": "G1", "name_vi": "Nhóm 1", "name_en": "Group 1", "kind": "group", "children": [
                {"code": "C1", "name_vi": "Dịch vụ công", "name_en": "Public services", "kind": "criterion",
                 "level": 1, "basic": True, "indicators": [{"code": "TG5-01", "threshold": ">= 50"}]},
                {"code": "C2", "name_vi": "Văn bản", "name_en": "Documents", "kind": "criterion", "level": 2,
                 "indicators": [{"code": "TG1-02", "relation": "partial", "threshold": "> 2"}]},
            ]},
            {"code": "G2", "name_vi": "Nhóm 2", "name_en": "Group 2", "kind": "group", "children": [
                {"code": "C3", "name_vi": "Điều hành", "name_en": "Operations", "kind": "criterion", "level": 3},
                {"code": "C4", "name_vi": "Dữ liệu", "name_en": "Data", "kind": "criterion", "level": 1,
                 "indicators": ["TG2-01"]},
            ]},
        ],
    }


# --- loading ------------------------------------------------------------------------------------


def test_the_documented_example_loads_and_loading_it_again_changes_nothing():
    first = frameworks.load_document(documented_example())
    assert first.created and first.version.status == "active" and first.version.is_illustrative
    assert first.version.nodes.count() == 4 and first.version.levels.count() == 3
    assert IndicatorMapping.objects.get(node__code="A1", node__version=first.version).threshold == ">= 50"
    again = frameworks.load_document(documented_example())
    assert not again.changed_anything


def test_every_problem_of_a_document_is_listed_with_where_it_is_and_nothing_is_written():
    document = criteria_framework()
    group = document["nodes"][0]["children"]
    group[0]["indicators"] = [{"code": "XX-99"}, {"code": "TG5-01", "threshold": "at least ten"}]
    group[1]["code"] = "C1"
    group[1]["level"] = 7
    document["nodes"][1]["colour"] = "blue"
    with pytest.raises(frameworks.FrameworkDocumentError) as caught:
        frameworks.load_document(document)
    where = {w for w, _ in caught.value.problems}
    assert where == {
        "nodes[0].children[0].indicators[0].code", "nodes[0].children[0].indicators[1].threshold",
        "nodes[0].children[1].code", "nodes[0].children[1].level", "nodes[1].colour",
    }
    assert not Framework.objects.filter(code="tinh-thong-minh").exists()


def test_an_active_version_is_frozen_and_only_a_new_version_changes_it():
    frameworks.load_document(criteria_framework())
    changed = criteria_framework()
    changed["nodes"][0]["children"][0]["name_en"] = "Renamed"
    with pytest.raises(frameworks.FrameworkDocumentError, match="frozen"):
        frameworks.load_document(changed)
    assert FrameworkNode.objects.get(version__framework__code="tinh-thong-minh", code="C1").name_en == "Public services"
    # Retiring is the one change an active version takes.
    retired = frameworks.load_document(criteria_framework(status="retired", valid_until="2026-06-30"))
    assert retired.version.status == "retired"


def test_two_active_versions_of_one_framework_never_cover_the_same_day():
    frameworks.load_document(criteria_framework())
    overlapping = criteria_framework(code="2027", valid_from="2025-01-01")
    with pytest.raises(frameworks.FrameworkDocumentError, match="active over some of the same days"):
        frameworks.load_document(overlapping)
    assert FrameworkVersion.objects.filter(framework__code="tinh-thong-minh").count() == 1


def test_the_command_loads_json_and_yaml_and_says_what_is_wrong(tmp_path, capsys):
    path = tmp_path / "khung.json"
    path.write_text(json.dumps(criteria_framework()), encoding="utf-8")
    call_command("load_framework", str(path))
    assert "created tinh-thong-minh 2026" in capsys.readouterr().out
    call_command("load_framework", str(path))
    assert "unchanged" in capsys.readouterr().out
    bad = tmp_path / "hong.yaml"
    bad.write_text("framework: {code: x}\nversion: {}\nnodes: []\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("load_framework", str(bad))


def test_check_only_writes_nothing(tmp_path, capsys):
    path = tmp_path / "khung.json"
    path.write_text(json.dumps(criteria_framework()), encoding="utf-8")
    call_command("load_framework", "--check", str(path))
    assert "nothing written" in capsys.readouterr().out
    assert not Framework.objects.filter(code="tinh-thong-minh").exists()


# --- a framework that does not ship, end to end -------------------------------------------------


@pytest.fixture
def trial(personas):
    frameworks.load_document(criteria_framework())
    approved_report("ha-noi", 2024, 2, percent=40, values={"TG5-01": 60, "TG1-02": 1, "TG2-01": 1})
    approved_report("bac-ninh", 2025, 3, percent=70, values={"TG5-01": 45, "TG1-02": 4})


def test_a_loaded_framework_is_in_the_api_with_its_tree_and_mapped_indicators(trial):
    client = api_client()
    listed = {f["code"]: f for f in client.get("/api/v1/frameworks/").json()["results"]}
    assert listed["tinh-thong-minh"]["versions"][0]["node_count"] == 6
    assert {"decision-950", "digital-transformation-2020"} <= set(listed)
    tree = client.get("/api/v1/frameworks/tinh-thong-minh/versions/2026/nodes/").json()
    assert [n["code"] for n in tree["nodes"]] == ["G1", "G2"]
    assert [c["code"] for c in tree["nodes"][0]["children"]] == ["C1", "C2"]
    assert tree["nodes"][0]["children"][0]["indicators"] == [{"code": "TG5-01", "relation": "exact", "threshold": ">= 50"}]
    assert [lv["number"] for lv in tree["levels"]] == [1, 2, 3]
    indicator = client.get("/api/v1/indicators/TG5-01/").json()
    assert {(n["framework"], n["code"]) for n in indicator["nodes"]} >= {
        ("decision-950", "5"), ("tinh-thong-minh", "C1"), ("digital-transformation-2020", "digital-government"),
    }
    assert indicator["task_group"] == 5


def test_approved_values_count_toward_its_criteria_on_its_pages(trial, client):
    page = get(client, reverse("indicators:node_detail", kwargs={
        "framework": "tinh-thong-minh", "version": "2026", "code": "C1"}), year=2025, quarter=3)
    assert page.status_code == 200
    ranking = {row[1]: row[2] for row in html_tables(page)["ranking"]["rows"]}
    # Hà Nội's 60 meets ">= 50"; Bắc Ninh's 45 does not.
    assert ranking[unit("ha-noi").name_en] == "met" and ranking[unit("bac-ninh").name_en] == "not met"
    overview = client.get(reverse("home"), {"framework": "tinh-thong-minh"}, HTTP_ACCEPT_LANGUAGE="en")
    assert overview.status_code == 200 and "C1" in overview.content.decode()
    detail = client.get(reverse("indicators:framework_detail", kwargs={"code": "tinh-thong-minh"}))
    assert "Public services" in detail.content.decode() or "Dịch vụ công" in detail.content.decode()
    crosswalk = client.get(reverse("indicators:crosswalk"), {"indicator": "TG5-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Trial framework" in crosswalk.content.decode()


def test_a_report_answers_the_criteria_of_a_quarterly_framework_in_force(personas):
    frameworks.load_document(criteria_framework())
    report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
    keys = {f"{a.node.version.framework.code}:{a.node.code}" for a in report.answers.select_related("node__version__framework")}
    assert {"tinh-thong-minh:C1", "tinh-thong-minh:C4", "decision-950:1"} <= keys
    with pytest.raises(services.ReportInvalid) as caught:
        services.save_report(user=personas.reporter, report=report, version=report.version,
                             data={"nodes": {"tinh-thong-minh:C1": {"met": "maybe"}}})
    assert caught.value.errors == {"nodes.tinh-thong-minh:C1.met": ["Answer met or not met."]}
    saved = services.save_report(user=personas.reporter, report=report, version=report.version,
                                 data={"nodes": {"tinh-thong-minh:C1": {"met": True}}})
    answers = {f"{a.node.version.framework.code}:{a.node.code}": a for a in saved.answers.select_related("node__version__framework")}
    assert answers["tinh-thong-minh:C1"].met is True


def test_a_criterion_answered_met_without_evidence_cannot_be_submitted(personas):
    frameworks.load_document(criteria_framework())
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    set_values(report, {"TG5-01": 50})
    data = {"nodes": {f"tinh-thong-minh:{c}": {"met": False} for c in ("C1", "C2", "C3", "C4")}}
    data["nodes"]["tinh-thong-minh:C1"] = {"met": True}
    with pytest.raises(services.ReportInvalid) as caught:
        services.submit_report(user=personas.reporter, report=report, version=report.version, data=data)
    assert "nodes.tinh-thong-minh:C1.met" in caught.value.errors
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_met_answers_of_approved_reports_roll_up_to_todays_units(personas):
    frameworks.load_document(criteria_framework())
    from indicators.models import NodeResult

    for slug, met in (("bac-giang", True), ("bac-ninh-pre2025", False)):
        report = ReportFactory(unit=unit(slug), year=2025, quarter=1, status=ReportStatus.APPROVED)
        node = FrameworkNode.objects.get(version__framework__code="tinh-thong-minh", code="C3")
        report.answers.create(node=node, met=met)
    from indicators.results.services import recompute_all

    recompute_all()
    rolled = NodeResult.objects.get(boundaries="current", unit=unit("bac-ninh"), year=2025, quarter=1,
                                    node__code="C3", node__version__framework__code="tinh-thong-minh")
    assert rolled.met is False and rolled.units_reporting == 2
    assert NodeResult.objects.get(boundaries="as-reported", unit=unit("bac-giang"), node__code="C3").met is True


def test_thresholds_turn_values_into_met_or_not_met():
    mapping = IndicatorMapping(threshold_operator=">=", threshold_value=Decimal(10))
    assert [mapping.is_met_by(v) for v in (Decimal(9), Decimal(10), None)] == [False, True, None]
    assert IndicatorMapping(threshold_operator="<", threshold_value=Decimal(1)).is_met_by(Decimal("0.5")) is True
    assert frameworks.parse_threshold("≥ 2,5") == (">=", Decimal("2.5"))


def test_the_results_endpoints_take_the_framework(trial):
    approved_report("hue", 2025, 3, percent=20, values={"DE-01": 7})
    client = api_client()
    values = client.get("/api/v1/indicator-values/", {"framework": "tinh-thong-minh", "page_size": 500}).json()
    assert values["count"] > 0
    assert {row["indicator"] for row in values["results"]} <= {"TG5-01", "TG1-02", "TG2-01"}
    everything = client.get("/api/v1/indicator-values/", {"page_size": 500}).json()
    assert everything["count"] > values["count"]
    progress = client.get("/api/v1/progress/", {"framework": "decision-950", "page_size": 500}).json()
    assert progress["count"] > 0 and {row["framework"] for row in progress["results"]} == {"decision-950"}
    assert {row["task_group"] is not None for row in progress["results"]} == {True}
