"""Progress status of an indicator towards its target, on every branch of the method."""
from decimal import Decimal

import pytest
from django.utils import translation

from indicators.models import Direction
from indicators.results.progress import (
    ACHIEVED,
    INSUFFICIENT,
    MODERATE,
    NO_TARGET,
    OFF_TRACK,
    ON_TRACK,
    choose_target,
    progress_status,
)
from provinces.quarters import Quarter


def series(*points):
    """``("2023-Q4", 20), …`` → ``[(Quarter, Decimal)]``."""
    return [(Quarter.parse(q), None if v is None else Decimal(str(v))) for q, v in points]


# Baseline at the end of 2023, target at the end of 2027, latest at the end of 2025:
# half of the time has passed, so half of the change is expected.
HALFWAY = ("2023-Q4", "2025-Q4")


@pytest.mark.parametrize(
    "latest, code",
    [(40, ON_TRACK), (39, ON_TRACK), (38.9, MODERATE), (30, MODERATE), (29.9, OFF_TRACK), (20, OFF_TRACK),
     (10, OFF_TRACK), (60, ACHIEVED), (75, ACHIEVED)],
)
def test_status_follows_the_ratio_of_actual_to_expected_change(latest, code):
    status = progress_status(series((HALFWAY[0], 20), (HALFWAY[1], latest)), Decimal(60), 2027)
    assert status.code == code


def test_ratio_is_the_actual_change_over_the_expected_change():
    status = progress_status(series(("2023-Q4", 20), ("2025-Q4", 35)), 60, 2027)
    # Expected: 20 points (half of 40); actual: 15 points.
    assert status.code == MODERATE
    assert status.ratio == Decimal("0.7500")
    assert status.percent_of_expected == 75
    with translation.override("en"):
        assert str(status.label) == "Moderate progress"
    assert status.css == "badge-moderate"


def test_baseline_is_the_first_value_whatever_the_order_given():
    status = progress_status(series(("2025-Q4", 40), ("2023-Q4", 20), ("2024-Q4", 25)), 60, 2027)
    assert status.code == ON_TRACK


def test_a_single_value_is_insufficient_data():
    assert progress_status(series(("2025-Q4", 30)), 60, 2027).code == INSUFFICIENT
    assert progress_status([], 60, 2027).code == INSUFFICIENT
    assert progress_status(series(("2024-Q4", None), ("2025-Q4", 30)), 60, 2027).code == INSUFFICIENT


def test_a_single_value_meeting_the_target_is_achieved():
    assert progress_status(series(("2025-Q4", 70)), 60, 2027).code == ACHIEVED


def test_without_a_target_there_is_no_status():
    status = progress_status(series(("2023-Q4", 20), ("2025-Q4", 35)), None, None)
    assert status.code == NO_TARGET
    assert status.ratio is None


@pytest.mark.parametrize(
    "latest, code",
    [(25, ON_TRACK), (30, MODERATE), (33, OFF_TRACK), (45, OFF_TRACK), (10, ACHIEVED), (5, ACHIEVED)],
)
def test_decreasing_indicators_count_change_downwards(latest, code):
    # From 40 towards 10: 15 points down expected by half-time.
    status = progress_status(series(("2023-Q4", 40), ("2025-Q4", latest)), 10, 2027, Direction.DECREASE)
    assert status.code == code


def test_falling_back_after_meeting_the_target_is_off_track():
    status = progress_status(series(("2023-Q4", 70), ("2025-Q4", 50)), 60, 2027)
    assert status.code == OFF_TRACK


def test_after_the_target_year_the_whole_change_is_expected():
    status = progress_status(series(("2020-Q4", 20), ("2026-Q2", 55)), 60, 2024)
    assert status.code == MODERATE
    assert status.ratio == Decimal("0.8750")


def test_the_first_target_year_not_before_the_latest_value_is_used():
    targets = [(2025, Decimal(50)), (2030, Decimal(90))]
    assert choose_target(targets, 2024) == (2025, Decimal(50))
    assert choose_target(targets, 2026) == (2030, Decimal(90))
    assert choose_target(targets, 2031) == (2030, Decimal(90))
    assert choose_target([], 2026) is None
