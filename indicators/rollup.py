"""How values of several units combine: the indicator's roll-up rule."""
from decimal import Decimal

from indicators.models import Rollup


def combine(rule, values):
    """Combine ``values`` (Decimals; ``None`` ignored) by ``rule``; ``None`` if none."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    if rule == Rollup.SUM:
        return sum(present, Decimal(0))
    if rule == Rollup.MEAN:
        return (sum(present, Decimal(0)) / len(present)).quantize(Decimal("0.0001"))
    if rule == Rollup.ANY:
        return Decimal(1) if any(v != 0 for v in present) else Decimal(0)
    raise ValueError(f"unknown roll-up rule {rule!r}")
