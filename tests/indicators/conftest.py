"""Helpers of the dashboard tests: approved reports with their results computed."""
from indicators.results.services import recompute_results
from programmes.models import ReportStatus
from tests.factories import ReportFactory, set_values, unit


def approved_report(slug, year, quarter, percent=50, values=None, status=ReportStatus.APPROVED, recompute=True):
    """A report of unit ``slug`` with every task group at ``percent`` and ``values``; results recomputed."""
    report = ReportFactory(unit=unit(slug), year=year, quarter=quarter, status=status, answered=percent)
    if values:
        set_values(report, values)
    if recompute:
        recompute_results(report.unit, year, quarter)
    return report
