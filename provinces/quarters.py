"""Calendar quarters: when they start and end, when their report is due."""
import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

# The first quarter of the 34 units formed on 1 July 2025.
MERGER_DATE = date(2025, 7, 1)
FIRST_REPORTING_YEAR = 2018


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    def __post_init__(self):
        if not 1 <= self.quarter <= 4:
            raise ValueError(f"quarter must be 1..4, not {self.quarter}")

    def __str__(self):
        return f"{self.year}-Q{self.quarter}"

    @classmethod
    def parse(cls, text):
        """``"2025-Q3"`` or ``"2025Q3"`` → ``Quarter(2025, 3)``; raises ``ValueError`` otherwise."""
        match = re.fullmatch(r"(\d{4})-?Q([1-4])", str(text).strip().upper())
        if match is None:
            raise ValueError(f"not a quarter: {text!r}")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def containing(cls, day):
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def last_complete(cls, today=None):
        """The most recent quarter that has ended by ``today``."""
        today = today or timezone.localdate()
        return cls.containing(today).previous()

    @property
    def start(self):
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self):
        return self.next().start - timedelta(days=1)

    @property
    def due_date(self):
        return self.end + timedelta(days=settings.REPORT_DUE_DAYS)

    def has_ended(self, today=None):
        return self.end < (today or timezone.localdate())

    def previous(self):
        if self.quarter == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.quarter - 1)

    def next(self):
        if self.quarter == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.quarter + 1)

    @property
    def index(self):
        """A number that grows by one per quarter, for arithmetic on periods."""
        return self.year * 4 + self.quarter - 1


def quarter_range(first, last):
    """Every quarter from ``first`` to ``last`` inclusive."""
    current = first
    while current <= last:
        yield current
        current = current.next()


class QuarterConverter:
    """The URL converter ``<quarter:period>``: ``2025-Q3`` in addresses, a ``Quarter`` in views."""

    regex = r"[0-9]{4}-Q[1-4]"

    def to_python(self, value):
        return Quarter.parse(value)

    def to_url(self, value):
        return str(value)
