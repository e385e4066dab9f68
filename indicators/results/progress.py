"""Progress status of an indicator towards its target (the method is on ``/results/method/``).

The baseline is the first approved value. The expected change by the date of
the latest value follows a straight line from the baseline (at the end of its
quarter) to the target (at the end of the target year), time counted in quarters. The ratio of the
actual change to the expected change gives the status: at least 95 % on track,
50 % to 95 % moderate, below 50 % off track. A target already met, in the
indicator's direction, is achieved; fewer than two values are insufficient data.
"""
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from indicators.models import Direction
from provinces.quarters import Quarter

ON_TRACK_RATIO = Decimal("0.95")
MODERATE_RATIO = Decimal("0.50")

ACHIEVED = "achieved"
ON_TRACK = "on-track"
MODERATE = "moderate"
OFF_TRACK = "off-track"
INSUFFICIENT = "insufficient"
NO_TARGET = "no-target"

LABELS = {
    ACHIEVED: _("Target achieved"),
    ON_TRACK: _("On track"),
    MODERATE: _("Moderate progress"),
    OFF_TRACK: _("Off track"),
    INSUFFICIENT: _("Insufficient data"),
    NO_TARGET: _("No target"),
}


@dataclass(frozen=True)
class TargetProgress:
    """The status of one series against one target."""

    code: str
    ratio: Decimal | None = None
    target: Decimal | None = None
    target_year: int | None = None

    @property
    def label(self):
        return LABELS[self.code]

    @property
    def css(self):
        return "badge-" + self.code

    @property
    def percent_of_expected(self):
        """The ratio as a whole percentage, for display (``None`` when there is none)."""
        return None if self.ratio is None else int((self.ratio * 100).to_integral_value())


def choose_target(targets, latest_year):
    """``(year, value)`` of the target to measure against, or ``None``.

    ``targets`` are ``(year, value)`` pairs of one scope (the unit's, else the
    national ones): the first target year not before ``latest_year``, else the
    last one.
    """
    ordered = sorted(targets)
    if not ordered:
        return None
    for year, value in ordered:
        if latest_year is None or year >= latest_year:
            return year, value
    return ordered[-1]


def _met(value, target, direction):
    return value <= target if direction == Direction.DECREASE else value >= target


def progress_status(series, target, target_year, direction=Direction.INCREASE):
    """The ``TargetProgress`` of ``series`` towards ``target`` (due at the end of ``target_year``).

    ``series``: ``(Quarter, value)`` pairs of approved values, in any order;
    ``None`` values are ignored.
    """
    # Sorted by the quarters' numbers: comparing Quarter objects costs more, on pages of many indicators.
    points = sorted(((q, Decimal(v)) for q, v in series if v is not None), key=lambda point: point[0].index)
    if target is None or target_year is None:
        return TargetProgress(NO_TARGET)
    target = Decimal(target)
    context = {"target": target, "target_year": target_year}
    if not points:
        return TargetProgress(INSUFFICIENT, **context)
    (first_quarter, baseline), (last_quarter, latest) = points[0], points[-1]
    if _met(latest, target, direction):
        return TargetProgress(ACHIEVED, **context)
    if len(points) < 2:
        return TargetProgress(INSUFFICIENT, **context)
    sign = -1 if direction == Direction.DECREASE else 1
    gap = (target - baseline) * sign
    if gap <= 0:
        # The baseline met the target and the latest value has fallen back.
        return TargetProgress(OFF_TRACK, **context)
    # Time is counted in quarters, from the end of the baseline's quarter to the
    # end of the target year (its fourth quarter), so every quarter weighs the same.
    start, now = first_quarter.index, last_quarter.index
    due = Quarter(target_year, 4).index
    fraction = Decimal(1) if due <= start else min(Decimal(1), Decimal(now - start) / Decimal(due - start))
    expected = gap * fraction
    actual = (latest - baseline) * sign
    ratio = (actual / expected).quantize(Decimal("0.0001"))
    if ratio >= ON_TRACK_RATIO:
        code = ON_TRACK
    elif ratio >= MODERATE_RATIO:
        code = MODERATE
    else:
        code = OFF_TRACK
    return TargetProgress(code, ratio=ratio, **context)
