"""Helpers of the dashboard tests: approved reports with their results computed."""
import copy
from pathlib import Path

import pytest

from indicators.services import recompute_results
from programmes.models import ReportStatus
from tests.factories import ReportFactory, set_values, unit

FALLBACK_TEMPLATES = Path(__file__).parent / "fallback_templates"


@pytest.fixture
def fallback_includes(settings):
    """Stand-ins for ``templates/includes/{chart,tile_map,heat_legend}.html``, used only where one is missing.

    The real includes come first in the search path, so once they exist the
    tests render the real ones.
    """
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], FALLBACK_TEMPLATES]
    settings.TEMPLATES = templates


def approved_report(slug, year, quarter, percent=50, values=None, status=ReportStatus.APPROVED, recompute=True):
    """A report of unit ``slug`` with every task group at ``percent`` and ``values``; results recomputed."""
    report = ReportFactory(unit=unit(slug), year=year, quarter=quarter, status=status, answered=percent)
    if values:
        set_values(report, values)
    if recompute:
        recompute_results(report.unit, year, quarter)
    return report
