"""The project register: kept by the unit's reporters, reported on quarterly, published by approvals only."""
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from programmes import projects, selectors, services
from programmes.models import Project, ProjectProgress, PublishedProject
from tests.factories import (
    ProjectFactory,
    ReportFactory,
    reopen,
    report_form_data,
    submit_and_approve,
    task_group,
)

pytestmark = pytest.mark.django_db


def register_csv(*rows, header="code,name_vi,name_en,funding_source,total_investment,start_date,planned_end_date,"
                                 "status,nodes,indicators"):
    return ("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


# --- keeping the register ----------------------------------------------------------------------


def test_a_reporter_adds_a_project_to_his_units_register_with_nodes_and_indicators(personas):
    project = projects.save_project(user=personas.reporter, unit=personas.unit, values={
        "code": "IOC-01", "name_vi": "Trung tâm điều hành", "funding_source": "Local Budget",
        "total_investment": "1250,5", "start_date": "01/07/2025", "planned_end_date": "2026-12-31",
        "status": "in progress", "nodes": "decision-950:8; decision-950:5", "indicators": "TG5-01",
    })
    assert (project.unit, project.code, project.funding_source, project.status) == (
        personas.unit, "IOC-01", "local-budget", "in-progress")
    assert project.total_investment == Decimal("1250.5")
    assert sorted(n.key for n in project.nodes.all()) == ["decision-950:5", "decision-950:8"]
    assert [i.code for i in project.indicators.all()] == ["TG5-01"]
    assert not PublishedProject.objects.exists()


@pytest.mark.parametrize("role", ["other_reporter", "viewer", "reviewer", "superuser"])
def test_only_the_units_reporters_keep_its_register(personas, role):
    with pytest.raises(PermissionDenied):
        projects.save_project(user=getattr(personas, role), unit=personas.unit,
                              values={"code": "X-1", "name_vi": "Dự án", "funding_source": "oda"})
    assert not Project.objects.exists()


def test_a_project_that_breaks_a_rule_is_refused_field_by_field_and_nothing_is_saved(personas):
    ProjectFactory(unit=personas.unit, code="TAKEN")
    with pytest.raises(projects.ProjectInvalid) as refused:
        projects.save_project(user=personas.reporter, unit=personas.unit, values={
            "code": "taken", "name_vi": " ", "funding_source": "lottery", "total_investment": "-5",
            "start_date": "2026-02-30", "nodes": "decision-950:99", "indicators": "XX-1",
        })
    assert set(refused.value.errors) == {
        "code", "name_vi", "funding_source", "total_investment", "start_date", "nodes", "indicators",
    }
    assert Project.objects.count() == 1


def test_a_planned_end_before_the_start_is_refused(personas):
    with pytest.raises(projects.ProjectInvalid) as refused:
        projects.save_project(user=personas.reporter, unit=personas.unit, values={
            "code": "A", "name_vi": "Dự án", "funding_source": "ppp",
            "start_date": "2026-01-01", "planned_end_date": "2025-12-31",
        })
    assert list(refused.value.errors) == ["planned_end_date"]


def test_the_register_pages_add_and_change_a_project_and_show_errors_beside_their_fields(client, personas):
    client.force_login(personas.reporter)
    response = client.post(reverse("projects:create"), {
        "code": "GIS-1", "name_vi": "CSDL GIS", "funding_source": "central-budget", "status": "planned",
        "nodes": ["decision-950:2"], "total_investment": "80",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    project = Project.objects.get(code="GIS-1")
    response = client.post(reverse("projects:edit", args=[project.pk]), {
        "code": "GIS-1", "name_vi": "CSDL GIS", "funding_source": "central-budget", "status": "planned",
        "total_investment": "-1",
    })
    assert response.status_code == 400
    assert "Số tiền không được là số âm." in response.content.decode()
    project.refresh_from_db()
    assert project.total_investment == Decimal(80)


def test_another_units_reporter_may_not_open_or_change_a_project(client, personas):
    project = ProjectFactory(unit=personas.unit)
    client.force_login(personas.other_reporter)
    assert client.get(reverse("projects:edit", args=[project.pk])).status_code == 404
    assert client.post(reverse("projects:edit", args=[project.pk]), {"code": "X"}).status_code == 404


# --- importing a register ----------------------------------------------------------------------


def test_a_valid_register_file_adds_and_changes_projects_by_code(personas):
    ProjectFactory(unit=personas.unit, code="IOC-01", name_vi="Tên cũ", funding_source="oda")
    result = projects.import_register(user=personas.reporter, unit=personas.unit, file=register_csv(
        "IOC-01,Trung tâm IOC,Operations centre,local-budget,300,2025-07-01,2027-06-30,in-progress,decision-950:8,",
        "CAM-02,Camera giao thông,,ppp,45.5,,,planned,,TG5-01",
    ), name="register.csv")
    assert result.ok and result.applied, result.row_report
    assert (result.created, result.updated) == (1, 1)
    ioc = Project.objects.get(unit=personas.unit, code="IOC-01")
    assert (ioc.name_vi, ioc.funding_source, ioc.total_investment) == ("Trung tâm IOC", "local-budget", Decimal(300))
    assert Project.objects.get(code="CAM-02").indicators.get().code == "TG5-01"


def test_a_register_file_with_any_bad_row_writes_nothing_and_reports_every_problem_by_row(personas):
    result = projects.import_register(user=personas.reporter, unit=personas.unit, file=register_csv(
        "A-1,Dự án tốt,,oda,10,,,planned,,",
        "A-2,,,,abc,31/02/2025,,finished,decision-950:x,",
        "A-1,Trùng mã,,oda,,,,,,",
        "=cmd|' /C calc'!A0,Công thức,,oda,,,,,,",
    ), name="register.csv")
    assert not result.applied and not Project.objects.exists()
    by_row = {entry["row"]: entry["errors"] for entry in result.row_report}
    assert set(by_row) == {3, 4, 5}
    assert set(by_row[3]) == {"name_vi", "funding_source", "total_investment", "start_date", "status", "nodes"}
    assert "code" in by_row[4] and "2" in by_row[4]["code"][0]
    assert "code" in by_row[5]
    assert result.message


def test_a_dry_run_checks_the_register_and_writes_nothing(personas):
    result = projects.import_register(user=personas.reporter, unit=personas.unit, dry_run=True,
                                      file=register_csv("B-1,Dự án,,oda,,,,,,"), name="r.csv")
    assert result.ok and not result.applied and result.created == 1
    assert not Project.objects.exists()


def test_a_register_file_that_is_not_one_is_refused_with_the_readers_message(personas):
    result = projects.import_register(user=personas.reporter, unit=personas.unit,
                                      file=b"province,year\r\nha-noi,2025\r\n", name="values.csv")
    assert result.errors and not result.applied and "province" in result.errors[0]
    result = projects.import_register(user=personas.reporter, unit=personas.unit,
                                      file="code,name_vi,funding_source\r\nA,Đ,oda\r\n".encode("utf-16"),
                                      name="r.csv")
    assert result.errors and not Project.objects.exists()


def test_the_import_page_shows_each_problem_with_its_row_and_column(client, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(personas.reporter)
    upload = SimpleUploadedFile("register.csv", register_csv("C-1,,,oda,,,,,,"), content_type="text/csv")
    response = client.post(reverse("projects:import"), {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<code>name_vi</code>" in html and ">2<" in html
    assert not Project.objects.exists()


def test_the_register_downloads_in_the_columns_it_imports_from(client, personas):
    ProjectFactory(unit=personas.unit, code="R-1", nodes=[task_group(3)])
    client.force_login(personas.reporter)
    text = client.get(reverse("projects:register_csv")).content.decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert header.split(",") == list(projects.COLUMNS)
    assert row.startswith("R-1,") and "decision-950:3" in row
    result = projects.import_register(user=personas.reporter, unit=personas.unit, file=text.encode(), name="r.csv")
    assert result.ok and result.updated == 1 and result.created == 0


# --- the quarterly report's projects section ----------------------------------------------------


@pytest.fixture
def register(personas):
    return [ProjectFactory(unit=personas.unit, code="IOC-01"), ProjectFactory(unit=personas.unit, code="CAM-02")]


def test_the_report_form_gives_each_projects_status_percent_and_spending(client, personas, register):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    ioc = register[0]
    client.force_login(personas.reporter)
    page = client.get(reverse("programmes:report_edit", args=[report.pk])).content.decode()
    assert f'name="projects.{ioc.pk}.spending_to_date"' in page
    data = report_form_data(report, **{
        f"projects.{ioc.pk}.status": "in-progress", f"projects.{ioc.pk}.percent_complete": "40",
        f"projects.{ioc.pk}.spending_to_date": "12,5", f"projects.{ioc.pk}.note": "Đang lắp đặt",
    })
    response = client.post(reverse("programmes:report_edit", args=[report.pk]), data)
    assert response.status_code == 302
    row = ProjectProgress.objects.get(report=report, project=ioc)
    assert (row.status, row.percent_complete, row.spending_to_date) == ("in-progress", Decimal(40), Decimal("12.5"))
    assert not ProjectProgress.objects.filter(project=register[1]).exists()
    assert selectors.report_content(report)["projects"][str(ioc.pk)]["spending_to_date"] == "12.500"


def test_a_projects_bad_figures_are_refused_beside_their_fields(client, personas, register):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    ioc = register[0]
    client.force_login(personas.reporter)
    data = report_form_data(report, **{f"projects.{ioc.pk}.percent_complete": "140",
                                       f"projects.{ioc.pk}.spending_to_date": "-3"})
    response = client.post(reverse("programmes:report_edit", args=[report.pk]), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert f"projects.{ioc.pk}.percent_complete" in errors and f"projects.{ioc.pk}.spending_to_date" in errors
    assert not ProjectProgress.objects.exists()


def test_a_project_of_another_unit_is_not_part_of_the_report(personas):
    other = ProjectFactory(unit=personas.other_unit)
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    with pytest.raises(services.ReportInvalid) as refused:
        services.save_report(user=personas.reporter, report=report, version=report.version,
                             data={"projects": {str(other.pk): {"percent_complete": "10"}}})
    assert "projects" in refused.value.errors
    assert not ProjectProgress.objects.exists()


def test_a_new_report_starts_from_the_last_reports_project_figures_but_not_its_note(personas, register):
    old = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
    services.save_report(user=personas.reporter, report=old, version=old.version, data={
        "projects": {str(register[0].pk): {"status": "in-progress", "percent_complete": "30", "note": "Q3"}}})
    new = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=4)
    row = ProjectProgress.objects.get(report=new)
    assert (row.status, row.percent_complete, row.note) == ("in-progress", Decimal(30), "")


def test_the_history_shows_a_projects_changes_by_name(client, personas, register):
    report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
    for percent in ("10", "25"):
        report = services.save_report(user=personas.reporter, report=report, version=report.version,
                                      data={"projects": {str(register[0].pk): {"percent_complete": percent}}})
    client.force_login(personas.reporter)
    html = client.get(reverse("programmes:report_diff", args=[report.pk])).content.decode()
    assert "IOC-01" in html and ">10<" in html.replace("</span>", "<") and "25" in html


# --- publication ------------------------------------------------------------------------------------


def test_an_approval_publishes_the_register_entry_and_progress_and_a_reopening_withdraws_them(
    personas, register, django_capture_on_commit_callbacks
):
    ioc = register[0]
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    services.save_report(user=personas.reporter, report=report, version=report.version, data={
        "projects": {str(ioc.pk): {"status": "in-progress", "percent_complete": "40", "spending_to_date": "50"}}})
    report.refresh_from_db()
    assert not PublishedProject.objects.exists()  # saved and submitted: nothing public
    report = submit_and_approve(report, reporter=personas.reporter, reviewer=personas.reviewer,
                                run=django_capture_on_commit_callbacks)
    copy = PublishedProject.objects.get()
    assert (copy.pk, copy.name_vi, copy.percent_complete, copy.period_label) == (
        ioc.pk, ioc.name_vi, Decimal(40), "2025-Q3")
    assert not PublishedProject.objects.filter(pk=register[1].pk).exists()  # no progress given: not published

    # A change to the register after the approval is not public until the next approval.
    Project.objects.filter(pk=ioc.pk).update(name_vi="Tên chưa được duyệt")
    copy.refresh_from_db()
    assert copy.name_vi == ioc.name_vi

    reopen(report, reviewer=personas.reviewer, run=django_capture_on_commit_callbacks)
    assert not PublishedProject.objects.exists()


def test_a_reopening_falls_back_to_the_latest_report_still_approved(personas, register, django_capture_on_commit_callbacks):
    ioc = register[0]
    reports = []
    for quarter, percent in ((3, "20"), (4, "45")):
        report = ReportFactory(unit=personas.unit, year=2025, quarter=quarter)
        services.save_report(user=personas.reporter, report=report, version=report.version,
                             data={"projects": {str(ioc.pk): {"percent_complete": percent}}})
        report.refresh_from_db()
        reports.append(submit_and_approve(report, reporter=personas.reporter, reviewer=personas.reviewer))
    assert PublishedProject.objects.get().percent_complete == Decimal(45)
    reopen(reports[1], reviewer=personas.reviewer)
    copy = PublishedProject.objects.get()
    assert (copy.percent_complete, copy.period_label) == (Decimal(20), "2025-Q3")
    assert [row.percent_complete for row in projects.project_history(ioc)] == [Decimal(20)]


def test_the_public_project_pages_show_published_projects_only(client, personas, register):
    ioc = register[0]
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    services.save_report(user=personas.reporter, report=report, version=report.version,
                         data={"projects": {str(ioc.pk): {"status": "in-progress", "percent_complete": "40"}}})
    report.refresh_from_db()
    assert client.get(reverse("projects:detail", args=[ioc.pk])).status_code == 404
    submit_and_approve(report, reporter=personas.reporter, reviewer=personas.reviewer)
    html = client.get(reverse("projects:detail", args=[ioc.pk])).content.decode()
    assert ioc.name_vi in html and "2025-Q3" in html
    listing = client.get(reverse("projects:list")).content.decode()
    assert ioc.name_vi in listing and register[1].name_vi not in listing


def test_the_node_choices_name_a_pillar_by_its_name_and_a_task_group_by_its_number():
    from indicators.models import FrameworkNode

    labels = dict(projects.node_choices())
    pillar = FrameworkNode.objects.get(version__framework__code="digital-transformation-2020", code="digital-government")
    assert labels[pillar.key].endswith(f"· {pillar.name}")
    assert labels["decision-950:5"].split(" · ")[-1].startswith("5. ")


def test_the_project_list_groups_the_node_filter_by_framework(client):
    from indicators.models import FrameworkNode

    pillar = FrameworkNode.objects.get(version__framework__code="digital-transformation-2020", code="digital-government")
    html = client.get(reverse("projects:list"), {"node": pillar.key}, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    group = re.search(rf'<optgroup label="{re.escape(pillar.version.framework.name)}">(.*?)</optgroup>', html, re.DOTALL)
    assert group is not None
    assert f'<option value="{pillar.key}" selected>{pillar.label}</option>' in group.group(1)


@pytest.mark.parametrize("language, investment, spending", [("vi", "1250,5", "12,25"), ("en", "1,250.5", "12.25")])
def test_the_public_project_page_writes_amounts_in_the_pages_language_without_trailing_zeros(
    client, personas, language, investment, spending
):
    ioc = ProjectFactory(unit=personas.unit, code="IOC-01", total_investment=Decimal("1250.500"))
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    services.save_report(user=personas.reporter, report=report, version=report.version,
                         data={"projects": {str(ioc.pk): {"percent_complete": "40", "spending_to_date": "12.25"}}})
    report.refresh_from_db()
    submit_and_approve(report, reporter=personas.reporter, reviewer=personas.reviewer)

    html = client.get(reverse("projects:detail", args=[ioc.pk]), HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert f"<dd>{investment}</dd>" in html and f"<dd>{spending}</dd>" in html
    assert f'<dd lang="vi">{ioc.lead_agency}</dd>' in html
    assert f'<td class="num">{spending}</td>' in html
