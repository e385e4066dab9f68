"""The admin: every registered model's pages load, and workflow records are view-only."""
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import (
    Boundaries,
    Framework,
    FrameworkLevel,
    FrameworkVersion,
    Indicator,
    IndicatorResult,
    IndicatorValue,
    Job,
    NodeResult,
    StandardDocument,
    Target,
)
from indicators.results import releases
from programmes import projects
from programmes.models import (
    AssessmentRevision,
    DemoDataset,
    Evidence,
    OutboxMessage,
    ProgrammeStatus,
    ProjectProgress,
    Report,
    ReportRevision,
    SentNotification,
    WebhookDelivery,
    WebhookSubscription,
)
from provinces.models import AdministrativeUnit
from provinces.quarters import Quarter
from smartcity_portal.accounts.models import Role
from tests.factories import (
    AssessmentFactory,
    ProgrammeFactory,
    ProjectFactory,
    ReportFactory,
    UserFactory,
    set_values,
    task_group,
)

pytestmark = pytest.mark.django_db

OUR_APPS = {"provinces", "programmes", "indicators"}

VIEW_ONLY = {
    "programmes.report",
    "programmes.nodeanswer",
    "programmes.evidence",
    "programmes.reportrevision",
    "programmes.outboxmessage",
    "programmes.sentnotification",
    "programmes.webhookdelivery",
    "programmes.demodataset",
    "indicators.indicatorvalue",
    "indicators.noderesult",
    "indicators.indicatorresult",
    "indicators.job",
    "programmes.projectprogress",
    "programmes.publishedproject",
    "indicators.datarelease",
    "indicators.datareleasefile",
}


@pytest.fixture
def users(db):
    """The few accounts these tests need, without hashing passwords (force_login needs none)."""
    unit = AdministrativeUnit.objects.get(slug="bac-ninh")

    class Users:
        superuser = UserFactory(username="admin", is_superuser=True, is_staff=True, password=None)
        reporter = UserFactory(username="reporter", role=Role.PROVINCE_REPORTER, unit=unit, password=None)
        integrator = UserFactory(username="integrator", role=Role.INTEGRATOR, unit=unit, password=None)
        reviewer = UserFactory(username="reviewer", role=Role.MINISTRY_REVIEWER, password=None)

    Users.unit = unit
    return Users


@pytest.fixture
def one_of_each(users):
    """At least one row of every model of our apps, so that each change page is tried."""
    personas = users
    unit = personas.unit
    ProgrammeFactory(unit=unit, status=ProgrammeStatus.IMPLEMENTING, budget_billion_vnd=Decimal("12.5"))
    report = ReportFactory(unit=unit, year=2025, quarter=3, answered=60)
    set_values(report, {"TG5-01": 75, "DE-01": 12})
    progress = report.answers.first()
    draft = FrameworkVersion.objects.create(
        framework=Framework.objects.get(code="decision-950"), code="2030", valid_from=date(2030, 1, 1),
        cycle="quarterly", item_kind="criterion",
    )
    FrameworkLevel.objects.create(version=draft, number=1, name_vi="Nền tảng", name_en="Foundation")
    Evidence.objects.create(answer=progress, url="https://bacninh.gov.vn/ke-hoach", uploaded_by=personas.reporter)
    Evidence.objects.create(
        answer=progress, file=ContentFile(b"%PDF-1.4 test", name="plan.pdf"),
        original_name="plan.pdf", content_type="application/pdf", size=13,
    )
    ReportRevision.objects.create(
        report=report, number=1, version=1, action="created", status="draft",
        actor=personas.reporter, snapshot={"progress": []},
    )
    OutboxMessage.objects.create(topic="report.submitted", payload={"report": report.pk}, last_error="broker down")
    SentNotification.objects.create(kind="reminder", key="2025-Q3", recipient=personas.reporter)
    subscription = WebhookSubscription.objects.create(
        owner=personas.integrator, url="https://integrator.example/hook", secret="s3cret"
    )
    WebhookDelivery.objects.create(
        subscription=subscription, event_id=uuid.uuid4(), event_type="report.approved", payload={}
    )
    DemoDataset.objects.create(seed=1, size=1)
    assessment = AssessmentFactory(year=2025, status="approved", answers={"A1": True}, decisions={"A1": True})
    AssessmentRevision.objects.create(assessment=assessment, number=1, version=1, action="created", status="draft",
                                      snapshot={"chosen": [], "criteria": {}})
    from indicators.results.maturity import recompute_maturity

    recompute_maturity([(assessment.unit_id, 2025, assessment.framework_version_id)])
    now = timezone.now()
    NodeResult.objects.create(
        boundaries=Boundaries.CURRENT, unit=unit, year=2025, quarter=3,
        node=task_group(1), percent_complete=Decimal(60), computed_at=now,
    )
    IndicatorResult.objects.create(
        boundaries=Boundaries.AS_REPORTED, unit=unit, year=2025, quarter=3,
        indicator=Indicator.objects.get(code="TG5-01"), value=Decimal(75), computed_at=now,
    )
    Target.objects.create(indicator=Indicator.objects.get(code="TG5-01"), year=2025, unit=unit, value=85)
    Job.objects.create(kind=Job.Kind.EXPORT, owner=personas.reviewer, total=10, processed=4)
    StandardDocument.objects.create(version=draft, kind="decree", number="269/2025/NĐ-CP", title_vi="Nghị định")
    project = ProjectFactory(unit=unit, code="IOC-01", nodes=[task_group(8)])
    approved = ReportFactory(unit=unit, year=2025, quarter=4, status="approved")
    ProjectProgress.objects.create(report=approved, project=project, status="in-progress", percent_complete=10)
    projects.publish(approved)
    releases.build_release(Quarter(2025, 3))
    return report


def registered():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def ids(item):
    return item[0]._meta.label


@pytest.fixture
def admin_client(client, users):
    client.force_login(users.superuser)
    return client


def test_every_model_of_our_apps_is_registered():
    from django.apps import apps

    for label in OUR_APPS:
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            assert model in admin.site._registry, model._meta.label


@pytest.mark.parametrize("model, model_admin", registered(), ids=[ids(i) for i in registered()])
def test_admin_pages_load(admin_client, one_of_each, model, model_admin):
    opts = model._meta
    prefix = f"admin:{opts.app_label}_{opts.model_name}"

    response = admin_client.get(reverse(f"{prefix}_changelist"))
    assert response.status_code == 200, opts.label

    if model_admin.search_fields:
        response = admin_client.get(reverse(f"{prefix}_changelist"), {"q": "Bắc Ninh"})
        assert response.status_code == 200, opts.label

    expected_add = 200 if model_admin.has_add_permission(_request(admin_client, model)) else 403
    assert admin_client.get(reverse(f"{prefix}_add")).status_code == expected_add, opts.label

    obj = model._default_manager.order_by("pk").first()
    if opts.app_label in OUR_APPS:
        assert obj is not None, f"no {opts.label} row to open; add one to one_of_each"
    if obj is not None:
        response = admin_client.get(reverse(f"{prefix}_change", args=[obj.pk]))
        assert response.status_code == 200, opts.label
        if isinstance(model_admin, SimpleHistoryAdmin):
            assert admin_client.get(reverse(f"{prefix}_history", args=[obj.pk])).status_code == 200


def _request(client, model):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    from django.contrib.auth import get_user_model

    request.user = get_user_model().objects.get(pk=client.session["_auth_user_id"])
    return request


@pytest.mark.parametrize("label", sorted(VIEW_ONLY))
def test_workflow_records_are_view_only(admin_client, one_of_each, label):
    from django.apps import apps

    model = apps.get_model(label)
    opts = model._meta
    prefix = f"admin:{opts.app_label}_{opts.model_name}"
    obj = model._default_manager.order_by("pk").first()
    count = model._default_manager.count()

    assert admin_client.get(reverse(f"{prefix}_add")).status_code == 403
    change_url = reverse(f"{prefix}_change", args=[obj.pk])
    page = admin_client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.post(change_url, {}).status_code == 403
    assert admin_client.post(reverse(f"{prefix}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    assert model._default_manager.count() == count


def test_report_admin_shows_progress_and_values_read_only(admin_client, one_of_each):
    report = one_of_each
    response = admin_client.get(reverse("admin:programmes_report_change", args=[report.pk]))
    html = response.content.decode()
    assert "Tiến độ nhóm nhiệm vụ 1" in html
    assert "TG5-01" in html
    assert 'name="progress-0-narrative"' not in html


def test_admin_edit_of_a_unit_is_saved_normalised_and_recorded(admin_client):
    import unicodedata

    unit = AdministrativeUnit.objects.get(slug="hue")
    url = reverse("admin:provinces_administrativeunit_change", args=[unit.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data["region"] = unit.region_id
    data["name_en"] = unicodedata.normalize("NFD", "Huế City")
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    unit.refresh_from_db()
    assert unit.name_en == unicodedata.normalize("NFC", "Huế City")
    assert unit.history.count() >= 1


def test_admin_list_of_units_runs_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries):
    admin_client.get(reverse("admin:provinces_administrativeunit_changelist"))
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("admin:provinces_administrativeunit_changelist"), {"all": ""})
    assert response.status_code == 200


def test_reports_cannot_be_edited_in_the_admin(admin_client, one_of_each):
    report = Report.objects.get(pk=one_of_each.pk)
    admin_client.post(
        reverse("admin:programmes_report_change", args=[report.pk]), {"status": "approved"}
    )
    report.refresh_from_db()
    assert report.status == "draft"
    assert IndicatorValue.objects.filter(report=report).count() == 2
