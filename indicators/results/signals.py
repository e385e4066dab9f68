"""Receivers that keep the dashboards' cached figures and sections in step with the data.

Results are recomputed (and the generation bumped) by ``indicators.services``
when reports are approved or reopened. Three other kinds of change need the
receivers here:

- reference data (names, targets, programmes, the map), changed through the
  admin or ``load_reference_data``, is shown by every cached figure: the
  results generation is bumped;
- any save or deletion of a report changes what the reporting figures and
  report histories show: the reports version is bumped;
- the versions are read once per request (``selectors.start_request_memo``).
"""
from django.core.signals import request_finished, request_started
from django.db.models.signals import post_delete, post_save

from indicators.models import (
    Framework,
    FrameworkLevel,
    FrameworkNode,
    FrameworkVersion,
    Indicator,
    IndicatorMapping,
    Target,
)
from indicators.results import fragments, selectors
from indicators.results.services import (
    bump_now_and_after_commit,
    bump_reference_version,
    bump_reports_version,
    bump_results_generation,
)
from programmes.models import Programme, Report
from provinces.models import AdministrativeUnit, AseanSmartCity, Region

SHOWN_ON_DASHBOARDS = (
    Indicator, Target, Framework, FrameworkVersion, FrameworkLevel, FrameworkNode, IndicatorMapping,
    Programme, AdministrativeUnit, AseanSmartCity, Region,
)


def reference_data_changed(sender, **kwargs):
    bump_now_and_after_commit(bump_reference_version)
    bump_now_and_after_commit(bump_results_generation)


def report_changed(sender, **kwargs):
    bump_now_and_after_commit(bump_reports_version)


def connect():
    for model in SHOWN_ON_DASHBOARDS:
        uid = f"indicators.stale_on_{model._meta.label_lower}"
        post_save.connect(reference_data_changed, sender=model, dispatch_uid=f"{uid}_save")
        post_delete.connect(reference_data_changed, sender=model, dispatch_uid=f"{uid}_delete")
    post_save.connect(report_changed, sender=Report, dispatch_uid="indicators.stale_on_report_save")
    post_delete.connect(report_changed, sender=Report, dispatch_uid="indicators.stale_on_report_delete")
    request_started.connect(selectors.start_request_memo, dispatch_uid="indicators.start_request_memo")
    request_finished.connect(fragments.release_unfinished_claims, dispatch_uid="indicators.release_claims")
    request_finished.connect(selectors.end_request_memo, dispatch_uid="indicators.end_request_memo")
