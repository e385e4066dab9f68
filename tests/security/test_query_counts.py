"""No page or list endpoint runs more SQL queries when the data grows.

Every GET route of the permission matrix (``smartcity_portal.access``) is
requested, by a ministry user and by a user of the unit where they may use it,
once with a small data set and again after the data has grown about tenfold
(more units reporting, more quarters, more reports in every state, revisions,
jobs, webhook deliveries, maturity assessments in every state and their levels). Each request runs on a cold cache: the counts are
those of the first visitor after a change. The two counts must be equal.
"""
import time
import uuid
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Job
from indicators.results.maturity import recompute_maturity
from indicators.results.services import recompute_results
from programmes.models import (
    Assessment,
    AssessmentRevision,
    ProgrammeStatus,
    Report,
    ReportStatus,
    WebhookDelivery,
)
from provinces.models import AdministrativeUnit
from provinces.quarters import MERGER_DATE, Quarter, quarter_range
from smartcity_portal import access
from tests.factories import (
    AssessmentFactory,
    ProgrammeFactory,
    ReportFactory,
    api_client,
    maturity_version,
    set_values,
    user_of,
)

pytestmark = pytest.mark.django_db

# A ministry user, then a user of the unit (or anonymous), for every route either may use.
MINISTRY_ROLES = ("reviewer", "viewer", "superuser")
UNIT_ROLES = ("reporter", "integrator", "anonymous", "other_reporter")


def requests_to_measure():
    """``(label, role, rule)`` for every GET rule, with up to two roles allowed to use it."""
    for rule in access.RULES:
        if rule.method != "GET":
            continue
        for roles in (MINISTRY_ROLES, UNIT_ROLES):
            role = next((r for r in roles if rule.access[r] == access.ALLOW), None)
            if role is not None:
                yield f"{role} {access.sample_url(rule)}", role, rule


def url_of(rule, samples):
    kwargs = {key: samples[value.name] if isinstance(value, access.Sample) else value
              for key, value in rule.kwargs.items()}
    return reverse(rule.route, kwargs=kwargs) + (f"?{rule.query}" if rule.query else "")


def count_queries(personas, samples):
    counts, clients = {}, {}
    for label, role, rule in requests_to_measure():
        url = url_of(rule, samples)
        user = user_of(personas, role)
        if role not in clients:
            clients[role] = (api_client(user), Client(HTTP_ACCEPT_LANGUAGE="en"))
            if user is not None:
                clients[role][1].force_login(user)
        client = clients[role][0] if url.startswith("/api/") else clients[role][1]
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code < 400, f"{label}: {response.status_code}"
        counts[label] = len(queries)
    return counts


def approved(unit, quarter, percent):
    report = ReportFactory(unit=unit, year=quarter.year, quarter=quarter.quarter,
                           status=ReportStatus.APPROVED, answered=percent)
    set_values(report, {"TG5-01": percent, "TG1-02": 3, "TG1-01": 1})
    return report


def grow(personas, samples, scale):
    """About ``scale`` times as much of everything the pages list, beside the samples.

    Results are recomputed for the new reports' quarters only: the samples'
    own result rows (written directly) must stay.
    """
    added = []
    before = list(AdministrativeUnit.objects.in_force_on(MERGER_DATE.replace(day=1, month=6)).order_by("slug"))
    quarters = list(quarter_range(Quarter(2023, 1), Quarter(2025, 2)))[-2 * scale:]
    for position, each in enumerate(before[: 3 * scale]):
        for q in quarters:
            if not Report.objects.filter(unit=each, year=q.year, quarter=q.quarter).exists():
                added.append(approved(each, q, 10 + (position * 7) % 80))
        ProgrammeFactory(unit=each, status=ProgrammeStatus.APPROVED)
    for position, each in enumerate(AdministrativeUnit.objects.current().order_by("slug")[:scale]):
        if not Report.objects.filter(unit=each, year=2025, quarter=3).exists():
            added.append(approved(each, Quarter(2025, 3), 30 + position))
    # Reports of the unit in every state, in quarters the samples leave free.
    statuses = [ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.APPROVED]
    free = [q for q in quarter_range(Quarter(2026, 3), Quarter(2030, 4))
            if not Report.objects.filter(unit=personas.unit, year=q.year, quarter=q.quarter).exists()]
    for position, q in enumerate(free[: 2 * scale]):
        ReportFactory(unit=personas.unit, year=q.year, quarter=q.quarter, status=statuses[position % 4])
    draft = Report.objects.get(pk=samples["draft"])
    first = 100 + draft.revisions.count()
    for number in range(first, first + scale):
        draft.revisions.create(number=number, version=draft.version, action="saved",
                               status=draft.status, snapshot={"nodes": {}, "indicators": {}})
    Job.objects.bulk_create(
        Job(kind=Job.Kind.EXPORT, status=Job.Status.SUCCEEDED, owner=personas.reviewer,
            parameters={"format": "csv"}, total=1, processed=1)
        for _ in range(3 * scale)
    )
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(subscription_id=samples["webhook"], event_id=uuid.uuid4(), event_type="report.submitted",
                        payload={"n": n}, status=WebhookDelivery.Status.DELIVERED, attempts=1, last_status_code=200)
        for n in range(5 * scale)
    )
    for report in added:
        recompute_results(report.unit, report.year, report.quarter)
    grow_assessments(personas, samples, scale)


def grow_assessments(personas, samples, scale):
    """About ``scale`` times as many maturity assessments, in every state, and their published levels."""
    version = maturity_version()
    taken = set(Assessment.objects.values_list("unit_id", "year"))
    free = [
        (unit, year)
        for year in range(2018, 2027)
        for unit in AdministrativeUnit.objects.in_force_on(date(year, 12, 31)).order_by("slug")
        if (unit.pk, year) not in taken
    ]
    statuses = [ReportStatus.APPROVED, ReportStatus.SUBMITTED, ReportStatus.DRAFT, ReportStatus.RETURNED]
    answers = {"A1": True, "A2": True, "B1": True, "C1": False}
    decisions = {"A1": True, "A2": True, "B1": True, "C1": False}
    for position, (unit, year) in enumerate(free[: 40 * scale]):
        status = statuses[position % 4]
        AssessmentFactory(
            unit=unit, version=version, year=year, status=status, answers=answers,
            chosen=["A3"] if position % 2 else [], decisions=decisions if status == ReportStatus.APPROVED else None,
        )
        if status == ReportStatus.APPROVED:
            recompute_maturity([(unit.pk, year, version.pk)])
    draft = Assessment.objects.get(pk=samples["assessment_draft"])
    first = 100 + draft.revisions.count()
    AssessmentRevision.objects.bulk_create(
        AssessmentRevision(assessment=draft, number=number, version=draft.version, action="saved",
                           status=draft.status, snapshot={"chosen": [], "criteria": {}})
        for number in range(first, first + scale)
    )


def test_no_page_or_list_runs_more_queries_with_ten_times_the_data(personas, samples):
    grow(personas, samples, 1)
    reports, assessments = Report.objects.count(), Assessment.objects.count()
    small = count_queries(personas, samples)
    grow(personas, samples, 10)
    assert Report.objects.count() >= 10 * reports, "the data did not grow tenfold"
    assert Assessment.objects.count() >= 10 * assessments, "the assessments did not grow tenfold"
    large = count_queries(personas, samples)
    grown = {label: (small[label], large[label]) for label in small if large[label] != small[label]}
    assert not grown, f"queries grew with the data (small, large): {grown}"
    assert len(small) > 60, "the matrix should cover every page and list endpoint"


def test_the_measured_requests_cover_every_get_route_of_the_matrix():
    measured = {rule.route for _label, _role, rule in requests_to_measure()}
    routes = {rule.route for rule in access.RULES if rule.method == "GET"}
    assert measured == routes


def test_a_cold_page_runs_the_same_queries_however_long_the_process_has_run(personas, monkeypatch):
    # Issue 19: a per-process flag refreshed once a minute made one request in a
    # few cost one more query, whenever its minute happened to run out.
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(personas.viewer)
    start = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: start)
    counts = []
    for clock in (start, start, start + 3600):
        monkeypatch.setattr(time, "monotonic", lambda clock=clock: clock)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("about")).status_code == 200
        counts.append(len(queries))
    assert counts[1] == counts[2], counts
