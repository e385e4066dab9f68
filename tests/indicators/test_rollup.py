"""Results of approved reports in both views, across the merger of 1 July 2025."""
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import Boundaries, IndicatorResult, NodeResult
from indicators.results import selectors
from indicators.results.services import (
    bump_results_generation,
    recompute_all,
    recompute_results,
)
from programmes.models import NodeAnswer, ReportStatus
from tests.factories import set_values, unit
from tests.indicators.conftest import approved_report

pytestmark = pytest.mark.django_db

# Bắc Giang and old Bắc Ninh were merged into new Bắc Ninh on 1 July 2025.
OLD_UNITS = ("bac-giang", "bac-ninh-pre2025")
SUM, MEAN, ANY = "TG1-02", "TG2-01", "TG1-01"


def indicator_result(boundaries, slug, code, year=2024, quarter=2):
    return IndicatorResult.objects.get(
        boundaries=boundaries, unit=unit(slug), indicator__code=code, year=year, quarter=quarter
    )


def tg_results(boundaries, slug, year=2024, quarter=2):
    return {
        int(r.node.code): r
        for r in NodeResult.objects.filter(
            boundaries=boundaries, unit=unit(slug), year=year, quarter=quarter
        ).select_related("node")
    }


@pytest.fixture
def merged_quarter():
    """2024-Q2 approved for both halves of new Bắc Ninh."""
    approved_report("bac-giang", 2024, 2, percent=40, values={SUM: 3, MEAN: 20, ANY: 0})
    approved_report("bac-ninh-pre2025", 2024, 2, percent=70, values={SUM: 5, MEAN: 50, ANY: 1})


def test_current_boundaries_combine_the_merged_units_by_each_rule(merged_quarter):
    assert indicator_result(Boundaries.CURRENT, "bac-ninh", SUM).value == Decimal(8)
    assert indicator_result(Boundaries.CURRENT, "bac-ninh", MEAN).value == Decimal(35)
    assert indicator_result(Boundaries.CURRENT, "bac-ninh", ANY).value == Decimal(1)
    assert indicator_result(Boundaries.CURRENT, "bac-ninh", SUM).units_reporting == 2


def test_percent_complete_rolls_up_as_the_mean(merged_quarter):
    results = tg_results(Boundaries.CURRENT, "bac-ninh")
    assert set(results) == set(range(1, 10))
    assert {r.percent_complete for r in results.values()} == {Decimal("55.00")}
    assert {r.units_reporting for r in results.values()} == {2}


def test_as_reported_rows_keep_each_units_own_figures(merged_quarter):
    assert indicator_result(Boundaries.AS_REPORTED, "bac-giang", SUM).value == Decimal(3)
    assert indicator_result(Boundaries.AS_REPORTED, "bac-ninh-pre2025", SUM).value == Decimal(5)
    assert tg_results(Boundaries.AS_REPORTED, "bac-giang")[1].percent_complete == Decimal(40)
    assert not tg_results(Boundaries.AS_REPORTED, "bac-ninh")
    # The dissolved units have no rows of their own in today's boundaries.
    assert not tg_results(Boundaries.CURRENT, "bac-giang")


def test_any_is_no_when_every_merged_unit_says_no():
    approved_report("bac-giang", 2024, 3, values={ANY: 0})
    approved_report("bac-ninh-pre2025", 2024, 3, values={ANY: 0})
    assert indicator_result(Boundaries.CURRENT, "bac-ninh", ANY, quarter=3).value == Decimal(0)


def test_only_approved_reports_count():
    approved_report("bac-giang", 2024, 2, percent=40, values={SUM: 3})
    for status in (ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.RETURNED):
        report = approved_report("bac-ninh-pre2025", 2024, 2, percent=90, values={SUM: 100}, status=status)
        assert indicator_result(Boundaries.CURRENT, "bac-ninh", SUM).value == Decimal(3)
        assert tg_results(Boundaries.CURRENT, "bac-ninh")[1].percent_complete == Decimal(40)
        assert not tg_results(Boundaries.AS_REPORTED, "bac-ninh-pre2025")
        report.delete()


def test_a_unit_that_was_not_merged_is_the_same_in_both_views():
    approved_report("ha-noi", 2024, 2, percent=63, values={MEAN: 41.5})
    for boundaries in Boundaries.values:
        assert indicator_result(boundaries, "ha-noi", MEAN).value == Decimal("41.5")
        assert tg_results(boundaries, "ha-noi")[9].percent_complete == Decimal(63)


def test_recompute_after_reapproval_replaces_the_values(merged_quarter):
    report = unit("bac-giang").reports.get(year=2024, quarter=2)
    set_values(report, {SUM: 10, MEAN: 80})
    NodeAnswer.objects.filter(report=report).update(percent_complete=Decimal(90))
    recompute_results(report.unit, 2024, 2)
    assert indicator_result(Boundaries.CURRENT, "bac-ninh", SUM).value == Decimal(15)
    assert indicator_result(Boundaries.CURRENT, "bac-ninh", MEAN).value == Decimal(65)
    assert indicator_result(Boundaries.AS_REPORTED, "bac-giang", SUM).value == Decimal(10)
    assert tg_results(Boundaries.CURRENT, "bac-ninh")[4].percent_complete == Decimal(80)
    assert IndicatorResult.objects.filter(unit=unit("bac-ninh"), indicator__code=SUM).count() == 1


def test_reopening_removes_the_units_figures(merged_quarter):
    report = unit("bac-giang").reports.get(year=2024, quarter=2)
    report.status = ReportStatus.SUBMITTED
    report.save()
    recompute_results(report.unit, 2024, 2)
    assert not tg_results(Boundaries.AS_REPORTED, "bac-giang")
    assert indicator_result(Boundaries.CURRENT, "bac-ninh", SUM).value == Decimal(5)
    assert indicator_result(Boundaries.CURRENT, "bac-ninh", SUM).units_reporting == 1


def test_a_quarter_after_the_merger_is_the_new_units_own():
    approved_report("bac-ninh", 2025, 3, percent=66, values={SUM: 7})
    for boundaries in Boundaries.values:
        assert indicator_result(boundaries, "bac-ninh", SUM, 2025, 3).value == Decimal(7)


def test_empty_values_are_left_out():
    approved_report("bac-giang", 2024, 2, values={SUM: None, MEAN: 30})
    approved_report("bac-ninh-pre2025", 2024, 2, values={SUM: 4, MEAN: None})
    assert indicator_result(Boundaries.CURRENT, "bac-ninh", SUM).value == Decimal(4)
    assert indicator_result(Boundaries.CURRENT, "bac-ninh", MEAN).value == Decimal(30)
    assert indicator_result(Boundaries.CURRENT, "bac-ninh", MEAN).units_reporting == 1


def test_recompute_all_gives_the_same_rows_as_recompute_results(merged_quarter):
    approved_report("ha-noi", 2024, 2, percent=33, values={MEAN: 12.3333})
    approved_report("bac-ninh", 2025, 4, percent=71, values={SUM: 2, ANY: 1})

    def snapshot():
        return (
            sorted(NodeResult.objects.values_list(
                "boundaries", "unit_id", "year", "quarter", "node_id", "percent_complete", "units_reporting")),
            sorted(IndicatorResult.objects.values_list(
                "boundaries", "unit_id", "year", "quarter", "indicator_id", "value", "units_reporting")),
        )

    before = snapshot()
    NodeResult.objects.all().delete()
    written = recompute_all()
    assert snapshot() == before
    assert written == (len(before[0]), len(before[1]))


def test_recompute_results_cost_does_not_grow_with_the_number_of_units():
    approved_report("bac-giang", 2024, 1, values={SUM: 1}, recompute=False)
    with CaptureQueriesContext(connection) as few:
        recompute_results(unit("bac-giang"), 2024, 1)
    for slug in ("ha-noi", "hue", "quang-ninh", "thanh-hoa", "nghe-an", "bac-ninh-pre2025", "vinh-phuc"):
        approved_report(slug, 2024, 1, values={SUM: 1, MEAN: 2})
    set_values(unit("bac-giang").reports.get(), {SUM: 1, MEAN: 2, ANY: 1})
    with CaptureQueriesContext(connection) as many:
        recompute_results(unit("bac-giang"), 2024, 1)
    assert len(many) == len(few)


def test_recompute_all_runs_a_few_queries_per_quarter():
    for slug in ("ha-noi", "hue", "bac-giang", "bac-ninh-pre2025"):
        for quarter in (1, 2):
            approved_report(slug, 2024, quarter, values={SUM: 1}, recompute=False)
    with CaptureQueriesContext(connection) as queries:
        recompute_all()
    # Lineage, periods, two deletes, then per quarter two reads and two inserts; plus savepoints.
    assert len(queries) <= 4 + 2 * 4 + 4


def test_recompute_changes_the_results_generation():
    first = selectors.results_generation()
    approved_report("ha-noi", 2024, 1)
    second = selectors.results_generation()
    assert second != first
    bump_results_generation()
    assert selectors.results_generation() not in (first, second)


def test_cached_figures_refresh_after_an_approval():
    approved_report("ha-noi", 2024, 1, percent=20)
    quarter = selectors.default_quarter()
    before = selectors.latest_figures(Boundaries.CURRENT, quarter)
    approved_report("hue", 2024, 1, percent=30)
    after = selectors.latest_figures(Boundaries.CURRENT, quarter)
    assert len(after) == len(before) + 9


def test_recompute_all_command_reports_what_it_wrote(capsys):
    from django.core.management import call_command

    approved_report("ha-noi", 2024, 1, recompute=False)
    call_command("recompute_results")
    # Nine task groups in each of the two views.
    assert "18 framework item rows" in capsys.readouterr().out
    assert NodeResult.objects.filter(boundaries=Boundaries.CURRENT).count() == 9
