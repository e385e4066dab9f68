"""National figures are cached per quarter: an approval adds up its own quarter again, and only that one."""
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import Boundaries, Indicator
from indicators.results import selectors
from indicators.results.services import recompute_all, recompute_results
from provinces.quarters import Quarter
from tests.factories import unit
from tests.indicators.conftest import approved_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def tg501():
    return Indicator.objects.get(code="TG5-01")


@pytest.fixture
def reports():
    approved_report("da-nang", 2024, 2, percent=40, values={"TG5-01": 60})
    approved_report("bac-ninh", 2024, 3, percent=60, values={"TG5-01": 20})
    return approved_report("bac-ninh", 2025, 3, percent=80, values={"TG5-01": 45})


def series(indicator, **options):
    return selectors.national_indicator_series(Boundaries.AS_REPORTED, [indicator], **options).get(indicator.pk, [])


def progress(**options):
    return {str(q): overall for q, _, overall, _ in selectors.national_progress(Boundaries.AS_REPORTED, **options)}


def result_sums(queries, table):
    return [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"] and "GROUP BY" in q["sql"]]


def test_the_national_series_adds_up_each_quarter(reports, tg501):
    assert [(str(q), value, n) for q, value, n in series(tg501)] == [
        ("2024-Q2", Decimal(60), 1), ("2024-Q3", Decimal(20), 1), ("2025-Q3", Decimal(45), 1),
    ]
    assert [str(q) for q, *_ in series(tg501, last=Quarter(2024, 4))] == ["2024-Q2", "2024-Q3"]
    assert series(tg501, last=Quarter(2023, 4)) == []


def test_after_an_approval_only_its_quarter_is_added_up_again(reports, tg501):
    series(tg501)
    progress()
    approved_report("ha-noi", 2024, 3, percent=20, values={"TG5-01": 30})
    with CaptureQueriesContext(connection) as queries:
        after = {str(q): value for q, value, _ in series(tg501)}
        overall = progress()
    sums = result_sums(queries, "indicators_indicatorresult") + result_sums(queries, "indicators_noderesult")
    assert sums and all('"year" = 2024' in sql and '"quarter" = 3' in sql for sql in sums), sums
    assert all("2025" not in sql for sql in sums)
    assert after["2024-Q3"] == Decimal(25)  # TG5-01 is averaged over the units: (20 + 30) / 2
    assert overall["2024-Q3"] == Decimal(40)  # the mean of 60 and 20
    assert overall["2025-Q3"] == Decimal(80)


def test_a_correction_of_an_earlier_quarter_shows_at_once(reports, tg501):
    assert progress()["2024-Q2"] == Decimal(40)
    first = reports.__class__.objects.get(unit=unit("da-nang"), year=2024, quarter=2)
    first.answers.update(percent_complete=70)
    recompute_results(first.unit, 2024, 2)
    assert progress()["2024-Q2"] == Decimal(70)


def test_rebuilding_every_result_makes_every_quarter_added_up_again(reports, tg501):
    series(tg501)
    reports.delete()
    recompute_all()
    assert [str(q) for q, *_ in series(tg501)] == ["2024-Q2", "2024-Q3"]
    assert "2025-Q3" not in progress()


def test_a_region_has_figures_of_its_own(reports, tg501):
    region = unit("bac-ninh").region
    assert [(str(q), value) for q, value, _ in series(tg501, region=region)] == [
        ("2024-Q3", Decimal(20)), ("2025-Q3", Decimal(45)),
    ]
    assert {str(q) for q, value, _ in series(tg501)} == {"2024-Q2", "2024-Q3", "2025-Q3"}


LAST = Quarter(2025, 3)


def latest(quarter=LAST):
    return selectors.latest_figures(Boundaries.AS_REPORTED, quarter)


def test_latest_figures_after_an_approval_of_the_last_quarter_read_only_that_quarter(reports):
    latest()
    approved_report("da-nang", 2025, 3, percent=90)
    with CaptureQueriesContext(connection) as queries:
        after = latest()
    # The reads of answers (not the look-up of the first and last quarters, which an approval also renews).
    node_reads = [q["sql"] for q in queries if '"percent_complete"' in q["sql"]]
    assert node_reads and not any("ROW_NUMBER" in sql for sql in node_reads), node_reads
    assert all('"year" = 2025' in sql and '"quarter" = 3' in sql for sql in node_reads), node_reads
    da_nang = unit("da-nang").pk
    assert {figure for (unit_id, _), (figure, q) in after.items() if unit_id == da_nang} == {Decimal(90)}
    cache.clear()
    assert latest() == after, "the same as computed from every quarter"


def test_latest_figures_follow_a_correction_of_an_earlier_quarter(reports):
    latest()
    first = reports.__class__.objects.get(unit=unit("da-nang"), year=2024, quarter=2)
    first.answers.update(percent_complete=70)
    recompute_results(first.unit, 2024, 2)
    da_nang = unit("da-nang").pk
    assert {figure for (unit_id, _), (figure, q) in latest().items() if unit_id == da_nang} == {Decimal(70)}
    assert latest(Quarter(2024, 1)) == {}
