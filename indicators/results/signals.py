"""Receivers that keep the dashboards' cached figures and sections in step with the data.

Results are recomputed (and the generation bumped) by ``indicators.services``
when reports are approved or reopened. Three other kinds of change need the
receivers here:

- reference data (names, targets, programmes, the map), changed through the
  admin or ``load_reference_data``, is shown by every cached figure: the
  results generation is bumped;
- any save or deletion of a report changes what the reporting figures and
  report histories show: the reports version is bumped; so does what the other
  public pages read (open-data releases, standards, published projects and
  self-assessments), written outside a report's save;
- the versions are read once per request (``selectors.start_request_memo``).
"""
from django.core.signals import request_finished, request_started
from django.db.models.signals import post_delete, post_save

from indicators.models import (
    DataRelease,
    DataReleaseFile,
    Framework,
    FrameworkLevel,
    FrameworkNode,
    FrameworkVersion,
    Indicator,
    IndicatorMapping,
    MaturityResult,
    StandardDocument,
    Target,
)
from indicators.results import fragments, selectors
from indicators.results.services import (
    bump_now_and_after_commit,
    bump_reference_version,
    bump_reports_version,
    bump_results_generation,
)
from programmes.models import Assessment, Programme, PublishedProject, Report
from provinces.models import AdministrativeUnit, AseanSmartCity, Region

# Read by the public pages (open data, standards, published projects and assessments).
SHOWN_ON_PUBLIC_PAGES = (DataRelease, DataReleaseFile, StandardDocument, PublishedProject, Assessment, MaturityResult)
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
    for model in (Report, *SHOWN_ON_PUBLIC_PAGES):
        uid = f"indicators.stale_on_{model._meta.label_lower}"
        post_save.connect(report_changed, sender=model, dispatch_uid=f"{uid}_save")
        post_delete.connect(report_changed, sender=model, dispatch_uid=f"{uid}_delete")
    request_started.connect(selectors.start_request_memo, dispatch_uid="indicators.start_request_memo")
    request_started.connect(fragments.start_request, dispatch_uid="indicators.start_request_fragments")
    request_finished.connect(fragments.release_unfinished_claims, dispatch_uid="indicators.release_claims")
    request_finished.connect(selectors.end_request_memo, dispatch_uid="indicators.end_request_memo")
