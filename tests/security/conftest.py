"""Sample objects for the permission matrix and the other security tests.

The names are those of ``smartcity_portal.access.SAMPLES``; the fixture
returns them as URL arguments (ids, slugs, keys).
"""
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from knox.models import AuthToken

from indicators.models import (
    Boundaries,
    Indicator,
    IndicatorResult,
    Job,
    MaturityResult,
    NodeResult,
)
from indicators.results import releases
from programmes import projects
from programmes.models import (
    AssessmentEvidence,
    Evidence,
    ProjectProgress,
    ReportStatus,
    WebhookSubscription,
)
from provinces.models import AseanSmartCity, Region
from provinces.quarters import Quarter
from tests.factories import (
    AssessmentFactory,
    ProgrammeFactory,
    ProjectFactory,
    ReportFactory,
    maturity_version,
    task_group,
    unit,
)


@pytest.fixture(autouse=True)
def _public_webhook_host(fake_dns):
    # The matrix's webhook rows subscribe hooks.example.org: a public address, never contacted.
    fake_dns.answer("hooks.example.org", ["1.1.1.1"])


@pytest.fixture
def samples(personas):
    now = timezone.now()
    reports = {
        "draft": ReportFactory(unit=personas.unit, year=2025, quarter=3),
        "submitted": ReportFactory(unit=personas.unit, year=2025, quarter=4, status=ReportStatus.SUBMITTED),
        "approved": ReportFactory(unit=personas.unit, year=2026, quarter=1, status=ReportStatus.APPROVED),
        "returned": ReportFactory(unit=personas.unit, year=2026, quarter=2, status=ReportStatus.RETURNED),
        "other_draft": ReportFactory(unit=personas.other_unit, year=2025, quarter=3),
        "old_unit_draft": ReportFactory(unit=unit("bac-giang"), year=2025, quarter=1),
    }
    evidence = Evidence.objects.create(
        answer=reports["draft"].answers.get(node__code=1),
        file=ContentFile(b"%PDF-1.4\n%proof\n", name="proof.pdf"),
        original_name="proof.pdf", content_type="application/pdf", size=16,
    )
    job = Job.objects.create(
        kind=Job.Kind.EXPORT, status=Job.Status.SUCCEEDED, owner=personas.reviewer,
        parameters={"format": "csv", "boundaries": "current"}, total=1, processed=1,
        row_report=[{"row": 2, "errors": {"value": ["Enter a number."]}}],
    )
    job.result_file.save("results.csv", ContentFile(b"unit,value\r\nbac-ninh,1\r\n"))
    webhook = WebhookSubscription.objects.create(
        owner=personas.integrator, url="https://example.org/hooks/portal", secret="s" * 40
    )
    token, _key = AuthToken.objects.create(personas.reporter)
    progress = NodeResult.objects.create(
        boundaries=Boundaries.CURRENT, unit=personas.unit, year=2026, quarter=1,
        node=task_group(1), percent_complete=Decimal(50), computed_at=now,
    )
    value = IndicatorResult.objects.create(
        boundaries=Boundaries.CURRENT, unit=personas.unit, year=2026, quarter=1,
        indicator=Indicator.objects.get(code="TG5-01"), value=Decimal(40), computed_at=now,
    )
    version = maturity_version()
    answered = {"A1": True, "B1": False, "C1": False}
    assessments = {
        "assessment_draft": AssessmentFactory(unit=personas.unit, version=version, year=2026, answers=answered),
        "assessment_submitted": AssessmentFactory(
            unit=personas.unit, version=version, year=2025, status=ReportStatus.SUBMITTED, answers=answered,
            decisions={"A1": True, "A2": False, "B1": True, "C1": True},
        ),
        "assessment_approved": AssessmentFactory(
            unit=unit("bac-giang"), version=version, year=2024, status=ReportStatus.APPROVED, answers=answered,
            decisions={"A1": True, "A2": False, "B1": True, "C1": True},
        ),
        "assessment_other_draft": AssessmentFactory(unit=personas.other_unit, version=version, year=2026),
    }
    assessment_evidence = AssessmentEvidence.objects.create(
        answer=assessments["assessment_draft"].answers.get(node__code="A1"),
        file=ContentFile(b"%PDF-1.4\n%proof\n", name="proof.pdf"),
        original_name="proof.pdf", content_type="application/pdf", size=16,
    )
    from indicators.results.maturity import recompute_maturity

    approved = assessments["assessment_approved"]
    recompute_maturity([(approved.unit_id, approved.year, version.pk)])
    project = ProjectFactory(unit=personas.unit, code="IOC-01")
    ProjectProgress.objects.create(report=reports["approved"], project=project, status="in-progress",
                                   percent_complete=Decimal(40))
    projects.publish(reports["approved"])
    releases.build_release(Quarter(2026, 1))  # release 1 of 2026-Q1, which the data:release_* rows name
    return {
        **{name: assessment.pk for name, assessment in assessments.items()},
        "assessment_evidence": assessment_evidence.pk,
        "assessment_version": version.pk,
        "old_unit": unit("bac-giang").pk,
        "maturity_result": MaturityResult.objects.get(assessment=approved).pk,
        **{name: report.pk for name, report in reports.items()},
        "project": project.pk,
        "unpublished_project": ProjectFactory(unit=personas.unit, code="CAM-02").pk,
        "other_project": ProjectFactory(unit=personas.other_unit, code="HN-01").pk,
        "evidence": evidence.pk,
        "job": job.pk,
        "webhook": webhook.pk,
        "token": token.token_key,
        "region": Region.objects.order_by("id").first().slug,
        "pillar": "digital-government",
        "asean_city": AseanSmartCity.objects.order_by("id").first().pk,
        "programme": ProgrammeFactory(unit=unit("ha-noi")).pk,
        "progress": progress.pk,
        "indicator_value": value.pk,
    }
