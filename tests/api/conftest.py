from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from indicators.models import Boundaries, Indicator, IndicatorResult, NodeResult
from programmes.models import ReportStatus
from provinces.models import AseanSmartCity, Region
from tests.factories import (
    ProgrammeFactory,
    ReportFactory,
    api_client,
    set_values,
    task_group,
    unit,
    user_of,
)

PERSONAS = [
    "anonymous", "reporter", "other_reporter", "viewer", "reviewer", "integrator", "readonly_integrator",
]


@pytest.fixture
def api(personas):
    """``api("reporter")`` → a token client of that persona; ``api("anonymous")`` has no token."""

    def make(name, language="en"):
        return api_client(user_of(personas, name), language)

    return make


@dataclass
class World:
    """One object of every kind, for the endpoint × persona table."""

    region: str
    asean_city: int
    programme: int
    draft: int  # a draft of the personas' unit (new Bắc Ninh)
    other_draft: int  # a draft of another unit (Hà Nội)
    approved: int  # an approved report of another unit
    progress: int
    indicator_value: int


@pytest.fixture
def world(personas):
    now = timezone.now()
    draft = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    other_draft = ReportFactory(unit=personas.other_unit, year=2025, quarter=3)
    approved = ReportFactory(unit=personas.other_unit, year=2025, quarter=2, status=ReportStatus.APPROVED)
    set_values(approved, {"TG5-01": 40})
    progress = NodeResult.objects.create(
        boundaries=Boundaries.CURRENT, unit=personas.other_unit, year=2025, quarter=2,
        node=task_group(1), percent_complete=Decimal(50), computed_at=now,
    )
    value = IndicatorResult.objects.create(
        boundaries=Boundaries.CURRENT, unit=personas.other_unit, year=2025, quarter=2,
        indicator=Indicator.objects.get(code="TG5-01"), value=Decimal(40), computed_at=now,
    )
    return World(
        region=Region.objects.order_by("id").first().slug,
        asean_city=AseanSmartCity.objects.order_by("id").first().pk,
        programme=ProgrammeFactory(unit=unit("ha-noi")).pk,
        draft=draft.pk,
        other_draft=other_draft.pk,
        approved=approved.pk,
        progress=progress.pk,
        indicator_value=value.pk,
    )
