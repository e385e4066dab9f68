"""Migrating to frameworks as data keeps every report, value, revision and result, figure for figure.

The database is taken back to the schema before frameworks (task groups and
pillars as tables of their own), filled there through the historical models
the way the portal wrote it (reports in every state across the 2025 merger,
answers, evidence, values, revisions with reviewers' comments and confirmed
warnings, results in both boundaries), then migrated forward. Every count and
every figure must be the same afterwards, named the new way.
"""
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BEFORE = [("indicators", "0001_initial"), ("programmes", "0001_initial")]
NOW = datetime(2026, 1, 10, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def fill_old_schema(apps):
    """What the portal held before frameworks: a small copy of the demo's kinds of rows."""
    Region = apps.get_model("provinces", "Region")
    Unit = apps.get_model("provinces", "AdministrativeUnit")
    TaskGroup = apps.get_model("programmes", "TaskGroup")
    Pillar = apps.get_model("programmes", "Pillar")
    Indicator = apps.get_model("indicators", "Indicator")
    Report = apps.get_model("programmes", "Report")
    Progress = apps.get_model("programmes", "TaskGroupProgress")
    Evidence = apps.get_model("programmes", "Evidence")
    Revision = apps.get_model("programmes", "ReportRevision")
    Value = apps.get_model("indicators", "IndicatorValue")
    TaskGroupResult = apps.get_model("indicators", "TaskGroupResult")
    IndicatorResult = apps.get_model("indicators", "IndicatorResult")

    region = Region.objects.create(slug="north", name_vi="Miền Bắc", name_en="North")
    new = Unit.objects.create(code="24", slug="bac-ninh", name_vi="Bắc Ninh", name_en="Bac Ninh", kind="province",
                              region=region, valid_from=date(2025, 7, 1))
    old_a = Unit.objects.create(code="24", slug="bac-giang", name_vi="Bắc Giang", name_en="Bac Giang",
                                kind="province", region=region, valid_until=date(2025, 6, 30), successor=new)
    old_b = Unit.objects.create(code="27", slug="bac-ninh-pre2025", name_vi="Bắc Ninh (cũ)", name_en="Bac Ninh (old)",
                                kind="province", region=region, valid_until=date(2025, 6, 30), successor=new)
    groups = [TaskGroup.objects.create(number=n, name_vi=f"Nhóm {n} (đã sửa)", name_en=f"Group {n}")
              for n in range(1, 10)]
    pillars = [Pillar.objects.create(code=code, name_vi=code, name_en=code)
               for code in ("digital-government", "digital-economy", "digital-society")]
    indicators = [
        Indicator.objects.create(code="TG5-01", task_group=groups[4], pillar=pillars[0], name_vi="a", name_en="a",
                                 value_type="percent", rollup="mean"),
        Indicator.objects.create(code="DE-01", task_group=None, pillar=pillars[1], name_vi="b", name_en="b",
                                 value_type="amount", rollup="sum"),
    ]
    reports = []
    for unit, year, quarter, status in (
        (old_a, 2025, 1, "approved"), (old_b, 2025, 1, "approved"), (old_a, 2025, 2, "returned"),
        (new, 2025, 3, "approved"), (new, 2025, 4, "submitted"), (new, 2026, 1, "draft"),
    ):
        report = Report.objects.create(
            unit=unit, year=year, quarter=quarter, status=status, version=3,
            field_comments={"tg-2-narrative": "Quá ngắn", "indicator-TG5-01-value": "Kiểm tra lại", "tg-4": "Thiếu"}
            if status == "returned" else {},
        )
        reports.append(report)
        for group in groups:
            answer = Progress.objects.create(
                report=report, task_group=group, status="in-progress",
                percent_complete=Decimal(group.number * 10 + quarter), narrative=f"Nhóm {group.number}",
            )
            if group.number == 3:
                Evidence.objects.create(progress=answer, url=f"https://so.gov.vn/{report.pk}")
        Value.objects.create(report=report, indicator=indicators[0], value=Decimal("40.5") + quarter, note="")
        Value.objects.create(report=report, indicator=indicators[1], value=Decimal(100 + quarter), note="ghi chú")
        Revision.objects.create(
            report=report, number=1, version=3, action="saved", status=status, snapshot={
                "task_groups": {str(n): {"status": "in-progress", "percent_complete": f"{n * 10}.00",
                                         "narrative": "x", "evidence_links": [], "evidence_files": []}
                                for n in range(1, 10)},
                "indicators": {"TG5-01": {"value": "41.5000", "note": ""}},
                "status": status,
            },
            field_comments={"tg-3": "Bổ sung"}, confirmed_warnings=[{"field": "indicator-TG5-01-value", "message": "m"}],
        )
    for boundaries, unit, number, percent in (
        ("as-reported", old_a, 1, "11.00"), ("as-reported", old_b, 1, "13.00"), ("current", new, 1, "12.00"),
        ("current", new, 9, "91.00"),
    ):
        TaskGroupResult.objects.create(
            boundaries=boundaries, unit=unit, year=2025, quarter=1, task_group=groups[number - 1],
            percent_complete=Decimal(percent), units_reporting=2 if boundaries == "current" else 1, computed_at=NOW,
        )
    IndicatorResult.objects.create(boundaries="current", unit=new, year=2025, quarter=1, indicator=indicators[1],
                                   value=Decimal(202), units_reporting=2, computed_at=NOW)
    return {
        "reports": Report.objects.count(), "answers": Progress.objects.count(), "evidence": Evidence.objects.count(),
        "values": Value.objects.count(), "revisions": Revision.objects.count(),
        "indicator_results": IndicatorResult.objects.count(),
        "results": sorted(
            (r.boundaries, r.unit.slug, r.year, r.quarter, str(r.task_group.number), r.percent_complete,
             r.units_reporting)
            for r in TaskGroupResult.objects.select_related("unit", "task_group")
        ),
        "answer_figures": sorted(
            (p.report_id, str(p.task_group.number), p.status, p.percent_complete, p.narrative)
            for p in Progress.objects.select_related("task_group")
        ),
    }


@pytest.fixture
def empty_database():
    call_command("flush", verbosity=0, interactive=False)
    yield
    # Leave the database migrated and with its reference data, as the other tests expect it.
    migrate(latest())
    call_command("flush", verbosity=0, interactive=False)
    call_command("load_reference_data", verbosity=0)


def test_migrating_to_frameworks_keeps_every_row_and_figure(empty_database):
    old = migrate(BEFORE)
    before = fill_old_schema(old)

    new = migrate(latest())
    Report = new.get_model("programmes", "Report")
    NodeAnswer = new.get_model("programmes", "NodeAnswer")
    Evidence = new.get_model("programmes", "Evidence")
    Revision = new.get_model("programmes", "ReportRevision")
    Value = new.get_model("indicators", "IndicatorValue")
    NodeResult = new.get_model("indicators", "NodeResult")
    IndicatorResult = new.get_model("indicators", "IndicatorResult")
    Mapping = new.get_model("indicators", "IndicatorMapping")
    Node = new.get_model("indicators", "FrameworkNode")

    assert Report.objects.count() == before["reports"]
    assert NodeAnswer.objects.count() == before["answers"]
    assert Evidence.objects.count() == before["evidence"]
    assert Value.objects.count() == before["values"]
    assert Revision.objects.count() == before["revisions"]
    assert IndicatorResult.objects.count() == before["indicator_results"]
    assert sorted(
        (r.boundaries, r.unit.slug, r.year, r.quarter, r.node.code, r.percent_complete, r.units_reporting)
        for r in NodeResult.objects.select_related("unit", "node")
    ) == before["results"]
    assert sorted(
        (a.report_id, a.node.code, a.status, a.percent_complete, a.narrative)
        for a in NodeAnswer.objects.select_related("node")
    ) == before["answer_figures"]

    # The task groups became Decision 950's items, with the names the database had; the pillars, groups.
    items = Node.objects.filter(version__framework__code="decision-950", version__status="active")
    assert sorted(int(c) for c in items.values_list("code", flat=True)) == list(range(1, 10))
    assert items.get(code="1").name_vi == "Nhóm 1 (đã sửa)"
    assert {(m.indicator.code, m.node.version.framework.code, m.node.code)
            for m in Mapping.objects.select_related("indicator", "node__version__framework")} == {
        ("TG5-01", "decision-950", "5"), ("TG5-01", "digital-transformation-2020", "digital-government"),
        ("DE-01", "digital-transformation-2020", "digital-economy"),
    }

    # Stored field names became field paths; snapshots name Decision 950's items by key.
    returned = Report.objects.get(status="returned")
    assert returned.field_comments == {
        "nodes.decision-950:2.narrative": "Quá ngắn", "indicators.TG5-01.value": "Kiểm tra lại",
        "nodes.decision-950:4": "Thiếu",
    }
    revision = Revision.objects.get(report=returned)
    assert sorted(revision.snapshot["nodes"]) == sorted(f"decision-950:{n}" for n in range(1, 10))
    assert "task_groups" not in revision.snapshot
    assert revision.snapshot["nodes"]["decision-950:7"]["percent_complete"] == "70.00"
    assert revision.field_comments == {"nodes.decision-950:3": "Bổ sung"}
    assert revision.confirmed_warnings == [{"field": "indicators.TG5-01.value", "message": "m"}]


def test_load_reference_data_after_the_migration_keeps_the_migrated_frameworks(empty_database):
    fill_old_schema(migrate(BEFORE))
    migrate(latest())
    # The shipped documents differ from the migrated versions (names edited by an administrator):
    # the database's frozen versions are kept and the difference is reported, never applied.
    call_command("load_reference_data", verbosity=0)
    from indicators.models import FrameworkNode, FrameworkVersion

    assert FrameworkVersion.objects.filter(framework__code="decision-950").count() == 1
    assert FrameworkNode.objects.get(version__framework__code="decision-950", code="1").name_vi == "Nhóm 1 (đã sửa)"
