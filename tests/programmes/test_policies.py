"""Who may read, write and review which report: the rules of ``programmes.policies``."""
import pytest
from django.contrib.auth.models import AnonymousUser

from programmes import policies, services
from programmes.models import Report, ReportStatus
from tests.factories import ReportFactory, promoted_to_superuser, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(personas):
    return {
        "own_draft": ReportFactory(unit=personas.unit, year=2025, quarter=3, answered=False),
        "own_submitted": ReportFactory(unit=personas.unit, year=2025, quarter=4, status=ReportStatus.SUBMITTED, answered=False),
        "own_returned": ReportFactory(unit=personas.unit, year=2026, quarter=1, status=ReportStatus.RETURNED, answered=False),
        "predecessor_draft": ReportFactory(unit=unit("bac-giang"), year=2025, quarter=2, answered=False),
        "other_draft": ReportFactory(unit=personas.other_unit, year=2025, quarter=3, answered=False),
        "other_approved": ReportFactory(unit=personas.other_unit, year=2025, quarter=2, status=ReportStatus.APPROVED, answered=False),
    }


def visible(user, reports):
    ids = set(policies.visible_reports(user, Report.objects.all()).values_list("pk", flat=True))
    return {name for name, report in reports.items() if report.pk in ids}


def test_ministry_staff_read_every_report(personas, reports):
    for user in (personas.viewer, personas.reviewer, personas.superuser):
        assert visible(user, reports) == set(reports)
        assert all(policies.can_view_report(user, r) for r in reports.values())


def test_a_reporter_reads_its_units_and_predecessors_reports_and_approved_ones(personas, reports):
    expected = {"own_draft", "own_submitted", "own_returned", "predecessor_draft", "other_approved"}
    assert visible(personas.reporter, reports) == expected
    assert visible(personas.integrator, reports) == expected
    assert {n for n, r in reports.items() if policies.can_view_report(personas.reporter, r)} == expected


def test_another_units_reporter_does_not_read_the_draft(personas, reports):
    assert visible(personas.other_reporter, reports) == {"other_draft", "other_approved"}
    assert not policies.can_view_report(personas.other_reporter, reports["own_draft"])


def test_an_integrator_without_a_unit_and_anonymous_users(personas, reports):
    assert visible(personas.readonly_integrator, reports) == {"other_approved"}
    assert visible(AnonymousUser(), reports) == set()
    assert not policies.can_view_report(AnonymousUser(), reports["other_approved"])


def test_reporters_edit_only_their_drafts_and_returned_reports(personas, reports):
    editable = {n for n, r in reports.items() if policies.can_edit_report(personas.reporter, r)}
    assert editable == {"own_draft", "own_returned", "predecessor_draft"}
    assert {n for n, r in reports.items() if policies.can_edit_report(personas.other_reporter, r)} == {"other_draft"}
    for user in (personas.viewer, personas.reviewer, personas.readonly_integrator):
        assert not any(policies.can_edit_report(user, r) for r in reports.values()), user


def test_only_reviewers_review_and_reopen(personas, reports):
    approved, submitted = reports["other_approved"], reports["own_submitted"]
    for user in (personas.reviewer, personas.superuser):
        assert policies.can_review_report(user, submitted) and policies.can_reopen_report(user, approved)
        assert not policies.can_review_report(user, reports["own_draft"])
        assert not policies.can_reopen_report(user, submitted)
    for user in (personas.reporter, personas.viewer, personas.integrator):
        assert not policies.can_review_report(user, submitted) and not policies.can_reopen_report(user, approved)


def test_who_starts_reports_and_who_sees_the_reporting_status(personas):
    starters = {name for name, user in personas.all_signed_in().items() if policies.can_start_reports(user)}
    assert starters == {"reporter", "other_reporter", "integrator"}
    status = {name for name, user in personas.all_signed_in().items() if policies.can_view_reporting_status(user)}
    assert status == {"viewer", "reviewer", "superuser"}
    assert not policies.can_start_reports(AnonymousUser())
    assert not policies.can_view_reporting_status(AnonymousUser())


def test_reportable_units_are_the_unit_and_its_predecessors(personas):
    slugs = {u.slug for u in type(personas.unit).objects.filter(pk__in=policies.reportable_unit_ids(personas.reporter))}
    assert slugs == {"bac-ninh", "bac-ninh-pre2025", "bac-giang"}
    assert policies.reportable_unit_ids(personas.viewer) == frozenset()


def test_an_inactive_account_reads_nothing(personas, reports):
    personas.viewer.is_active = False
    assert visible(personas.viewer, reports) == set()


def test_nobody_may_approve_a_report_he_submitted(personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    report = services.submit_report(user=personas.reporter, report=report, version=report.version)
    submitter = promoted_to_superuser(personas.reporter)

    assert policies.is_submitter(submitter, report)
    assert policies.can_review_report(submitter, report)
    assert not policies.can_approve_report(submitter, report)
    assert policies.can_approve_report(personas.reviewer, report)
    assert policies.can_approve_report(personas.superuser, report)
    assert not policies.is_submitter(AnonymousUser(), report)
