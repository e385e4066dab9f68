"""Every list runs a fixed number of queries, whatever the page size."""
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from indicators.models import (
    Boundaries,
    Indicator,
    IndicatorResult,
    IndicatorValue,
    NodeResult,
)
from programmes.models import Evidence, NodeAnswer, Programme, Report, ReportStatus
from provinces.models import AdministrativeUnit
from tests.factories import task_groups

pytestmark = pytest.mark.django_db

# Authentication (token and its user), count, page, and one per prefetched relation.
MAX_QUERIES = 8


@pytest.fixture
def many(personas):
    """More than 100 of everything that can be listed, written in bulk."""
    now = timezone.now()
    units = list(AdministrativeUnit.objects.order_by("pk"))
    groups = task_groups()
    indicators = [i for i in Indicator.objects.all() if i.value_type != "boolean"][:4]
    reports = Report.objects.bulk_create(
        Report(unit=unit, year=year, quarter=1, status=ReportStatus.APPROVED)
        for unit in units[:40] for year in (2023, 2024, 2025)
    )
    progress = NodeAnswer.objects.bulk_create(
        NodeAnswer(report=r, node=tg, status="completed", percent_complete=100)
        for r in reports for tg in groups
    )
    Evidence.objects.bulk_create(Evidence(answer=p, url=f"https://x.gov.vn/{p.pk}") for p in progress[::7])
    IndicatorValue.objects.bulk_create(
        IndicatorValue(report=r, indicator=i, value=Decimal(1)) for r in reports for i in indicators
    )
    Programme.objects.bulk_create(
        Programme(unit=unit, title=f"Đề án {unit.slug}", start_year=2021, end_year=2030) for unit in units
    )
    NodeResult.objects.bulk_create(
        NodeResult(boundaries=Boundaries.AS_REPORTED, unit=unit, year=2025, quarter=1, node=tg,
                        percent_complete=Decimal(50), computed_at=now)
        for unit in units[:20] for tg in groups
    )
    IndicatorResult.objects.bulk_create(
        IndicatorResult(boundaries=Boundaries.AS_REPORTED, unit=unit, year=2025, quarter=1, indicator=i,
                        value=Decimal(1), computed_at=now)
        for unit in units[:40] for i in indicators
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/regions/",
        "/api/v1/provinces/?status=all",
        "/api/v1/task-groups/",
        "/api/v1/pillars/",
        "/api/v1/indicators/",
        "/api/v1/asean-cities/",
        "/api/v1/programmes/",
        "/api/v1/reports/",
        "/api/v1/progress/?boundaries=as-reported",
        "/api/v1/indicator-values/?boundaries=as-reported",
    ],
)
def test_list_queries_do_not_grow_with_the_page(api, many, url, django_assert_max_num_queries):
    client = api("reviewer")
    separator = "&" if "?" in url else "?"
    counts = []
    for size in (10, 100):
        with django_assert_max_num_queries(MAX_QUERIES), CaptureQueriesContext(connection) as queries:
            response = client.get(f"{url}{separator}page_size={size}")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], f"{url}: {counts[0]} queries for 10 items, {counts[1]} for 100"


def test_report_history_queries_do_not_grow(api, personas, django_assert_max_num_queries):
    client = api("reporter")
    report = client.post("/api/v1/reports/", {"province": "bac-ninh", "year": 2025, "quarter": 3},
                         format="json").json()
    version = report["version"]
    for n in range(12):
        version = client.patch(f"/api/v1/reports/{report['id']}/", {
            "version": version, "task_groups": [{"number": 1, "narrative": f"Lần {n}"}]
        }, format="json").json()["version"]
    counts = []
    for size in (2, 12):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/reports/{report['id']}/history/?page_size={size}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
