"""The open-data catalogue, as a journalist downloading figures and a data portal harvesting it would use it."""
import csv
import io
import json

import frictionless
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import FrameworkLevel
from indicators.results import datasets
from programmes import services
from programmes.models import Assessment, Project, ReportStatus
from tests.factories import (
    AssessmentFactory,
    ProjectFactory,
    ReportFactory,
    approved_assessment,
    maturity_version,
    submit_and_approve,
    unit,
)
from tests.indicators.conftest import approved_report

pytestmark = pytest.mark.django_db


def download(client, dataset, table, fmt, **query):
    return client.get(reverse("data:download", kwargs={"dataset": dataset, "table": table, "fmt": fmt}), query)


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_of(response):
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def figures(personas):
    approved_report("ha-noi", 2025, 3, percent=62.5, values={"TG5-01": 62.5, "TG1-01": 1})
    approved_report("bac-ninh", 2025, 3, percent=40, values={"TG5-01": 41.25})
    approved_report("bac-ninh", 2025, 4, percent=55, values={"TG5-01": 48})


def test_the_catalogue_page_lists_every_dataset_with_its_downloads_and_licence(client, figures):
    html = client.get(reverse("data:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for dataset in datasets.DATASETS:
        assert reverse("data:dataset", kwargs={"dataset": dataset.slug}) in html
        assert reverse("data:datapackage", kwargs={"dataset": dataset.slug}) in html
        for table in dataset.tables:
            for fmt in ("csv", "json", "xlsx"):
                assert reverse("data:download", kwargs={"dataset": dataset.slug, "table": table.slug, "fmt": fmt}) in html
    assert "CC-BY-4.0" in html and "creativecommons.org/licenses/by/4.0/" in html


def test_each_dataset_page_says_what_it_covers_and_describes_every_column(client, figures):
    for dataset in datasets.DATASETS:
        response = client.get(reverse("data:dataset", kwargs={"dataset": dataset.slug}), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        html = response.content.decode()
        for table in dataset.tables:
            for field in table.fields:
                assert f"<code>{field.name}</code>" in html
    html = client.get(reverse("data:dataset", kwargs={"dataset": "indicator-values"})).content.decode()
    assert "01/07/2025 – 31/12/2025" in html


def test_approved_values_download_as_utf8_csv_with_dot_decimals_in_both_boundaries(client, figures):
    rows = csv_of(download(client, "indicator-values", "indicator-values", "csv"))
    header, rows = rows[0], rows[1:]
    assert header[:6] == ["boundaries", "unit", "unit_name_vi", "unit_name_en", "year", "quarter"]
    found = {(r[0], r[1], r[4], r[5], r[6]): r[8] for r in rows}
    assert found[("as-reported", "bac-ninh", "2025", "3", "TG5-01")] == "41.25"
    assert found[("current", "ha-noi", "2025", "3", "TG5-01")] == "62.5"
    assert any(r[2] == "Hà Nội" for r in rows)


def test_a_quarter_of_a_quarterly_table_downloads_alone_and_a_bad_quarter_is_a_clear_400(client, figures):
    rows = csv_of(download(client, "indicator-values", "indicator-values", "csv", quarter="2025-Q4"))[1:]
    assert rows and {(r[4], r[5]) for r in rows} == {("2025", "4")}
    response = download(client, "indicator-values", "indicator-values", "csv", quarter="2025-Q9")
    assert response.status_code == 400 and response.json()["code"] == "invalid_quarter"
    response = download(client, "units", "units", "csv", quarter="2025-Q3")
    assert response.status_code == 400


def test_json_and_xlsx_hold_the_same_rows_as_the_csv(client, figures):
    rows = csv_of(download(client, "node-progress", "node-progress", "csv"))
    items = json.loads(body(download(client, "node-progress", "node-progress", "json")))
    sheet = load_workbook(io.BytesIO(body(download(client, "node-progress", "node-progress", "xlsx")))).active
    cells = list(sheet.iter_rows(values_only=True))
    assert len(items) == len(rows) - 1 == len(cells) - 1
    assert list(items[0]) == rows[0] == list(cells[0])
    first = items[0]
    assert isinstance(first["year"], int) and first["met"] is None and isinstance(first["percent_complete"], (int, float))


def test_text_that_a_spreadsheet_would_run_is_neutralised_in_csv_and_xlsx(client, personas):
    project = ProjectFactory(unit=personas.unit, name_vi="=HYPERLINK(\"http://x\";\"bấm\")", lead_agency="+84 sở")
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    services.save_report(user=personas.reporter, report=report, version=1,
                         data={"projects": {str(project.pk): {"percent_complete": "10"}}})
    report.refresh_from_db()
    submit_and_approve(report, reporter=personas.reporter, reviewer=personas.reviewer)
    rows = csv_of(download(client, "projects", "projects", "csv"))
    header = rows[0]
    assert rows[1][header.index("name_vi")].startswith("'=HYPERLINK")
    assert rows[1][header.index("lead_agency")] == "'+84 sở"
    sheet = load_workbook(io.BytesIO(body(download(client, "projects", "projects", "xlsx")))).active
    header, values = list(sheet.iter_rows(values_only=True))[:2]
    assert values[header.index("name_vi")].startswith("'=")


def test_large_tables_are_streamed(client, figures):
    for fmt in ("csv", "json", "xlsx"):
        response = download(client, "indicator-values", "indicator-values", fmt)
        assert response.streaming, fmt
        assert response["Content-Disposition"] == f'attachment; filename="indicator-values.{fmt}"'


def test_unknown_datasets_tables_and_formats_are_404(client):
    assert client.get(reverse("data:dataset", kwargs={"dataset": "secrets"})).status_code == 404
    assert download(client, "units", "nothing", "csv").status_code == 404
    assert client.get("/data/units/units.exe").status_code == 404


def save_package(client, dataset, tmp_path):
    """The dataset's Data Package and its CSV files, as a harvester would mirror them."""
    descriptor = client.get(reverse("data:datapackage", kwargs={"dataset": dataset.slug})).json()
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    for resource in descriptor["resources"]:
        table = resource["path"].removesuffix(".csv")
        (tmp_path / resource["path"]).write_bytes(body(download(client, dataset.slug, table, "csv")))
    return descriptor


@pytest.mark.parametrize("slug", [d.slug for d in datasets.DATASETS])
def test_every_datasets_data_package_is_valid_under_frictionless(client, figures, personas, tmp_path, slug):
    project = ProjectFactory(unit=personas.unit, code="IOC-1")
    report = ReportFactory(unit=personas.unit, year=2026, quarter=1)
    services.save_report(user=personas.reporter, report=report, version=1, data={
        "projects": {str(project.pk): {"status": "in-progress", "percent_complete": "12.5", "spending_to_date": "3"}}})
    report.refresh_from_db()
    submit_and_approve(report, reporter=personas.reporter, reviewer=personas.reviewer)
    approved_assessment(unit=personas.unit, year=2025)
    approved_assessment(unit=unit("ha-noi"), year=2025, answers={"A1": False}, decisions={"A1": True})

    dataset = datasets.dataset(slug)
    descriptor = save_package(client, dataset, tmp_path)
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert all(resource["schema"]["fields"] for resource in descriptor["resources"])
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_the_licence_follows_the_setting(client, settings):
    settings.OPEN_DATA_LICENSE = "ODbL-1.0"
    descriptor = client.get(reverse("data:datapackage", kwargs={"dataset": "units"})).json()
    assert descriptor["licenses"][0]["name"] == "ODbL-1.0"
    catalogue = client.get(reverse("data:catalog")).json()
    assert catalogue["dct:license"]["@id"] == "https://opendatacommons.org/licenses/odbl/1-0/"


# --- DCAT-AP ------------------------------------------------------------------------------------------


def test_the_dcat_catalogue_lists_datasets_with_distributions_licence_and_publisher(client, figures):
    response = client.get(reverse("data:catalog"))
    assert response["Content-Type"] == "application/ld+json"
    catalogue = response.json()
    assert catalogue["@type"] == "dcat:Catalog" and "dcat" in catalogue["@context"]
    assert {v["@language"] for v in catalogue["dct:title"]} == {"vi", "en"}
    entries = {e["dct:identifier"]: e for e in catalogue["dcat:dataset"]}
    assert {d.slug for d in datasets.DATASETS} <= set(entries)
    values = entries["indicator-values"]
    assert values["dct:publisher"]["@id"] == catalogue["dct:publisher"]["@id"]
    assert values["dct:license"]["@id"] == "https://creativecommons.org/licenses/by/4.0/"
    assert values["dct:temporal"]["dcat:startDate"]["@value"] == "2025-07-01"
    assert values["dct:accrualPeriodicity"]["@id"].endswith("/QUARTERLY")
    formats = {d["dct:format"]["@id"].rsplit("/", 1)[-1] for d in values["dcat:distribution"]}
    assert formats == {"CSV", "JSON", "XLSX"}
    for distribution in values["dcat:distribution"]:
        address = distribution["dcat:downloadURL"]["@id"]
        assert address.startswith("http://testserver/data/")
        assert client.get(address.removeprefix("http://testserver")).status_code == 200


def test_a_project_not_published_is_in_no_download(client, personas):
    ProjectFactory(unit=personas.unit, code="SECRET-1", name_vi="Dự án chưa công bố")
    for table in ("projects", "project-progress"):
        for fmt in ("csv", "json"):
            assert b"SECRET-1" not in body(download(client, "projects", table, fmt))
    assert Project.objects.count() == 1  # the register has it; it is simply not public


# --- maturity levels ------------------------------------------------------------------------------------


def rows_by_name(response):
    rows = csv_of(response)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture
def levels(personas):
    """Bắc Ninh 2025: level 2 (C1 of level 3 not met); Hà Nội 2025: level 0 (A1 rejected); others not approved."""
    approved_assessment(unit=personas.unit, year=2025)
    approved_assessment(unit=unit("ha-noi"), year=2025, answers={"A1": True, "A2": True, "B1": True, "C1": True},
                        decisions={"A1": False, "A2": True, "B1": True, "C1": True})
    AssessmentFactory(unit=unit("hue"), year=2025, status=ReportStatus.SUBMITTED,
                      answers={"A1": True, "A2": True, "B1": True, "C1": True},
                      decisions={"A1": True, "A2": True, "B1": True, "C1": True})
    AssessmentFactory(unit=personas.unit, year=2026, answers={"A1": True})


def test_the_maturity_levels_dataset_has_the_level_each_unit_reached_from_approved_assessments_only(client, levels):
    rows = rows_by_name(download(client, "maturity-levels", "maturity-levels", "csv"))
    assert [(r["unit"], r["year"], r["framework"], r["version"]) for r in rows] == [
        ("bac-ninh", "2025", "test-maturity", "v1"), ("ha-noi", "2025", "test-maturity", "v1"),
    ]
    bac_ninh, ha_noi = rows
    assert (bac_ninh["level"], bac_ninh["level_name_en"], bac_ninh["level_name_vi"]) == ("2", "Linking", "Liên kết")
    assert (bac_ninh["criteria_met"], bac_ninh["criteria_assessed"], bac_ninh["next_level_gaps"]) == ("3", "4", "C1")
    assert bac_ninh["illustrative"] == "true" and bac_ninh["unit_name_vi"] == "Bắc Ninh"
    assert (ha_noi["level"], ha_noi["level_name_en"], ha_noi["next_level_gaps"]) == ("0", "", "A1")


def test_the_criteria_verified_met_per_level_are_one_row_per_level_of_the_version(client, levels):
    rows = rows_by_name(download(client, "maturity-levels", "maturity-criteria-per-level", "csv"))
    bac_ninh = [(r["level"], r["criteria_met"], r["criteria_assessed"], r["reached"])
                for r in rows if r["unit"] == "bac-ninh"]
    assert bac_ninh == [("1", "2", "2", "true"), ("2", "1", "1", "true"), ("3", "0", "1", "false")]
    ha_noi = [(r["level"], r["criteria_met"], r["reached"]) for r in rows if r["unit"] == "ha-noi"]
    assert ha_noi == [("1", "1", "false"), ("2", "1", "false"), ("3", "1", "false")]
    assert {r["unit"] for r in rows} == {"bac-ninh", "ha-noi"}


def test_a_reopened_assessments_level_is_withdrawn_even_before_its_result_is_recomputed(client, levels):
    Assessment.objects.filter(unit__slug="ha-noi").update(status=ReportStatus.RETURNED)  # no event handled yet
    for table in ("maturity-levels", "maturity-criteria-per-level"):
        for fmt in ("csv", "json"):
            assert b"ha-noi" not in body(download(client, "maturity-levels", table, fmt)), (table, fmt)
    summary = client.get(reverse("data:dataset", kwargs={"dataset": "maturity-levels"})).content.decode()
    assert "01/01/2025 – 31/12/2025" in summary


def test_maturity_levels_download_as_json_and_xlsx_with_the_same_rows_and_formula_safe_text(client, levels):
    FrameworkLevel.objects.filter(version=maturity_version(), number=2).update(name_vi="=HYPERLINK(\"http://x\")")
    rows = csv_of(download(client, "maturity-levels", "maturity-levels", "csv"))
    items = json.loads(body(download(client, "maturity-levels", "maturity-levels", "json")))
    sheet = load_workbook(io.BytesIO(body(download(client, "maturity-levels", "maturity-levels", "xlsx")))).active
    cells = list(sheet.iter_rows(values_only=True))
    assert len(items) == len(rows) - 1 == len(cells) - 1 == 2
    assert list(items[0]) == rows[0] == list(cells[0])
    assert items[0]["level"] == 2 and items[0]["illustrative"] is True and items[1]["level_name_en"] is None
    column = rows[0].index("level_name_vi")
    assert rows[1][column].startswith("'=HYPERLINK") and cells[1][column].startswith("'=")


def test_the_maturity_levels_data_package_with_rows_is_valid_under_frictionless(client, levels, tmp_path):
    descriptor = save_package(client, datasets.dataset("maturity-levels"), tmp_path)
    assert [r["name"] for r in descriptor["resources"]] == ["maturity-levels", "maturity-criteria-per-level"]
    schema = descriptor["resources"][0]["schema"]
    assert schema["primaryKey"] == ["unit", "year", "framework", "version"]
    assert {f["name"]: f["type"] for f in schema["fields"]}["level"] == "integer"
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_the_dcat_catalogue_lists_the_maturity_levels_as_a_yearly_dataset(client, levels):
    entries = {e["dct:identifier"]: e for e in client.get(reverse("data:catalog")).json()["dcat:dataset"]}
    entry = entries["maturity-levels"]
    assert entry["dct:accrualPeriodicity"]["@id"].endswith("/ANNUAL")
    assert entry["dct:temporal"]["dcat:startDate"]["@value"] == "2025-01-01"
    assert entry["dct:temporal"]["dcat:endDate"]["@value"] == "2025-12-31"
    assert "dct:modified" in entry
    addresses = {d["dcat:downloadURL"]["@id"] for d in entry["dcat:distribution"]}
    for table in ("maturity-levels", "maturity-criteria-per-level"):
        for fmt in ("csv", "json", "xlsx"):
            assert f"http://testserver/data/maturity-levels/{table}.{fmt}" in addresses
    assert "http://testserver/data/maturity-levels/datapackage.json" in addresses


def test_the_maturity_levels_page_describes_its_columns_in_vietnamese_by_default(client, levels):
    html = client.get(reverse("data:dataset", kwargs={"dataset": "maturity-levels"})).content.decode()
    assert '<html lang="vi">' in html
    for name in ("level", "criteria_met", "next_level_gaps", "reached"):
        assert f"<code>{name}</code>" in html
    assert reverse("data:download", kwargs={"dataset": "maturity-levels", "table": "maturity-levels",
                                            "fmt": "xlsx"}) in html
