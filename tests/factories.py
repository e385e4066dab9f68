"""Factories and the personas that every permission test uses.

The reference data (units, task groups, indicators…) is loaded once per test
session (see ``tests/conftest.py``), so factories look reference rows up
instead of inventing them.
"""
from dataclasses import dataclass
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from indicators import selectors as reference
from indicators.models import Indicator, IndicatorValue
from programmes.models import (
    NodeAnswer,
    Programme,
    ProgressStatus,
    Report,
    ReportStatus,
)
from provinces.models import AdministrativeUnit
from smartcity_portal.accounts.models import Role

PASSWORD = "correct-horse-battery-staple"


def unit(slug):
    return AdministrativeUnit.objects.get(slug=slug)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.gov.vn")
    # Hashed before the first save: the account is created with it, nobody changes it
    # (a change would be audited). ``password=None`` gives an unusable password.
    password = factory.django.Password(PASSWORD)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    unit = factory.LazyFunction(lambda: unit("ha-noi"))
    title = factory.Sequence(lambda n: f"Đề án đô thị thông minh {n}")
    start_year = 2021
    end_year = 2030
    status = "approved"


class ReportFactory(factory.django.DjangoModelFactory):
    """A report with every item of its quarter answered (Decision 950's nine task groups) and no values."""

    class Meta:
        model = Report
        skip_postgeneration_save = True

    unit = factory.LazyFunction(lambda: unit("ha-noi"))
    year = 2024
    quarter = 1
    status = ReportStatus.DRAFT

    @factory.post_generation
    def answered(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        percent = Decimal(extracted if extracted not in (None, True) else 50)
        NodeAnswer.objects.bulk_create(
            NodeAnswer(
                report=obj,
                node=node,
                status=ProgressStatus.IN_PROGRESS,
                percent_complete=percent,
                narrative=f"Tiến độ nhóm nhiệm vụ {node.code}",
            )
            for node in task_groups()
        )


def task_groups():
    """Decision 950's items (its nine task groups), in order."""
    return reference.items_of(reference.current_version(reference.DEFAULT_FRAMEWORK))


def task_group(number):
    return next(node for node in task_groups() if node.code == str(number))


def tg_path(number, field=""):
    """The field path of task group ``number``'s ``field`` (``nodes.decision-950:3.narrative``)."""
    return ".".join(part for part in ("nodes", f"decision-950:{number}", field) if part)


def set_values(report, values):
    """Give ``report`` indicator values: ``{"TG5-01": 42, …}``."""
    for code, value in values.items():
        IndicatorValue.objects.update_or_create(
            report=report,
            indicator=Indicator.objects.get(code=code),
            defaults={"value": None if value is None else Decimal(str(value))},
        )


@dataclass
class Personas:
    """The cast of every permission test, around one unit (``unit``).

    ``unit`` is new Bắc Ninh (formed on 1 July 2025 from Bắc Giang and old Bắc
    Ninh); ``other_unit`` is Hà Nội.
    """

    unit: AdministrativeUnit
    other_unit: AdministrativeUnit
    reporter: object
    other_reporter: object
    viewer: object
    reviewer: object
    integrator: object
    readonly_integrator: object
    superuser: object

    def all_signed_in(self):
        return {
            "reporter": self.reporter,
            "other_reporter": self.other_reporter,
            "viewer": self.viewer,
            "reviewer": self.reviewer,
            "integrator": self.integrator,
            "readonly_integrator": self.readonly_integrator,
            "superuser": self.superuser,
        }


def promoted_to_superuser(user):
    """``user`` made an administrator: the same person, without a unit (superusers have none)."""
    type(user).objects.filter(pk=user.pk).update(role="", unit=None, is_superuser=True, is_staff=True)
    return type(user).objects.get(pk=user.pk)


def user_of(personas, role):
    """The persona named ``role`` ("reporter", "viewer", …); ``None`` for "anonymous"."""
    return None if role == "anonymous" else getattr(personas, role)


def api_client(user=None, language="en"):
    """A REST client authenticating as ``user`` with a personal token, as integrators do."""
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        _, key = AuthToken.objects.create(user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def api_problems(body, prefix=""):
    """A 400 body of the API as ``{"task_groups.3.percent_complete": [{"code", "message"}], …}``."""
    flat = {}
    for name, value in body.items():
        path = f"{prefix}.{name}" if prefix else str(name)
        if isinstance(value, dict):
            flat.update(api_problems(value, path))
        else:
            assert isinstance(value, list) and all(set(item) == {"code", "message"} for item in value), value
            flat[path] = value
    return flat


def api_errors(body):
    """A 400 body as ``{path: [messages]}``, flattened."""
    return {path: [item["message"] for item in items] for path, items in api_problems(body).items()}


def api_error_codes(body):
    """A 400 body as ``{path: [codes]}``, flattened."""
    return {path: [item["code"] for item in items] for path, items in api_problems(body).items()}


def make_personas():
    bac_ninh, ha_noi = unit("bac-ninh"), unit("ha-noi")
    return Personas(
        unit=bac_ninh,
        other_unit=ha_noi,
        reporter=UserFactory(username="reporter", role=Role.PROVINCE_REPORTER, unit=bac_ninh),
        other_reporter=UserFactory(username="other-reporter", role=Role.PROVINCE_REPORTER, unit=ha_noi),
        viewer=UserFactory(username="viewer", role=Role.MINISTRY_VIEWER),
        reviewer=UserFactory(username="reviewer", role=Role.MINISTRY_REVIEWER),
        integrator=UserFactory(username="integrator", role=Role.INTEGRATOR, unit=bac_ninh),
        readonly_integrator=UserFactory(username="readonly-integrator", role=Role.INTEGRATOR),
        superuser=UserFactory(username="admin", is_superuser=True, is_staff=True),
    )


# --- the report form (programmes/forms.py), as a browser would post it ---------------------

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def report_form_data(report, *, action="save", answered=True, **fields):
    """Everything the report form posts for ``report`` as it is now, plus ``fields``.

    With ``answered`` every task group gets a status and a percent complete, so
    the report can be submitted. ``fields`` are keyed by the form's field names,
    e.g. ``**{"nodes.decision-950:3.narrative": "…", "indicators.TG5-01.value": "42"}``.
    """
    from programmes.forms import ReportForm
    from programmes.selectors import report_content, report_items

    form = ReportForm(
        initial=ReportForm.initial_from(report_content(report), report.version),
        items=report_items(report), indicators=reference.active_indicators(),
    )
    data = {"action": action}
    for name, field in form.fields.items():
        if name.endswith("evidence_files") or name == "confirm_warnings":
            continue
        value = form.get_initial_for_field(field, name)
        data[name] = "" if value is None else str(value)
    if answered:
        for name in list(data):
            if name.endswith(".status"):
                data[name] = data[name] or "in-progress"
            elif name.endswith(".percent_complete"):
                data[name] = data[name] or "50"
    data.update(fields)
    return data


# --- maturity assessments (programmes/assessments.py) ------------------------------------

# A small criteria framework with three levels, for tests only (not official content):
# level 1: A1 (basic), A2 (basic, measured: TG5-01 >= 50), A3 (optional);
# level 2: B1 (basic), B2 (optional); level 3: C1 (basic), C2 (optional, measured: TG1-01 == 1);
# X1 has no level.
TEST_MATURITY = {
    "framework": {"code": "test-maturity", "name_vi": "Bộ tiêu chí thử", "name_en": "Test criteria set"},
    "version": {
        "code": "v1", "valid_from": "2020-01-01", "valid_until": None, "cycle": "annual", "status": "active",
        "illustrative": True,
        "levels": [
            {"number": 1, "name_vi": "Nền tảng", "name_en": "Foundation"},
            {"number": 2, "name_vi": "Liên kết", "name_en": "Linking"},
            {"number": 3, "name_vi": "Quản trị", "name_en": "Governance"},
        ],
    },
    "nodes": [
        {"code": "A", "name_vi": "Nhóm A", "name_en": "Group A", "kind": "group", "children": [
            {"code": "A1", "name_vi": "Tiêu chí A1", "name_en": "Criterion A1", "kind": "criterion", "level": 1,
             "basic": True},
            {"code": "A2", "name_vi": "Tiêu chí A2", "name_en": "Criterion A2", "kind": "criterion", "level": 1,
             "basic": True, "indicators": [{"code": "TG5-01", "threshold": ">= 50"}]},
            {"code": "A3", "name_vi": "Tiêu chí A3", "name_en": "Criterion A3", "kind": "criterion", "level": 1},
        ]},
        {"code": "B1", "name_vi": "Tiêu chí B1", "name_en": "Criterion B1", "kind": "criterion", "level": 2,
         "basic": True},
        {"code": "B2", "name_vi": "Tiêu chí B2", "name_en": "Criterion B2", "kind": "criterion", "level": 2},
        {"code": "C1", "name_vi": "Tiêu chí C1", "name_en": "Criterion C1", "kind": "criterion", "level": 3,
         "basic": True},
        {"code": "C2", "name_vi": "Tiêu chí C2", "name_en": "Criterion C2", "kind": "criterion", "level": 3,
         "indicators": [{"code": "TG1-01", "threshold": "== 1"}]},
        {"code": "X1", "name_vi": "Tiêu chí X1", "name_en": "Criterion X1", "kind": "criterion"},
    ],
}
EVIDENCE_LINK = "https://bacninh.gov.vn/minh-chung"


def maturity_version(document=None):
    """The version of ``TEST_MATURITY`` (or of ``document``), loaded once per test database."""
    from indicators.frameworks import load_document

    return load_document(document or TEST_MATURITY).version


def AssessmentFactory(*, unit=None, version=None, year=2024, status=ReportStatus.DRAFT, chosen=(), answers=None,
                      decisions=None):
    """An assessment written directly (no service rules), with one answer per criterion of its version.

    ``answers``: ``{code: met}`` (each met one gets a link as evidence); ``decisions``: ``{code: accepted}``.
    """
    from programmes.models import Assessment, AssessmentEvidence, CriterionAnswer

    version = version or maturity_version()
    assessment = Assessment.objects.create(
        unit=unit or AdministrativeUnit.objects.get(slug="bac-ninh"), framework_version=version, year=year, status=status,
    )
    answers, decisions = answers or {}, decisions or {}
    rows = CriterionAnswer.objects.bulk_create(
        CriterionAnswer(
            assessment=assessment, node=node, chosen=node.code in chosen and not node.basic,
            met=answers.get(node.code), accepted=decisions.get(node.code),
            comment="" if decisions.get(node.code) is not False else "Thiếu minh chứng.",
        )
        for node in version.nodes.filter(kind="criterion").order_by("order")
    )
    AssessmentEvidence.objects.bulk_create(
        AssessmentEvidence(answer=row, url=EVIDENCE_LINK) for row in rows if row.met
    )
    return assessment


def approved_assessment(*, unit=None, year=2025, version=None, answers=None, decisions=None, chosen=(),
                        explanations=None):
    """An approved assessment (``AssessmentFactory``) with its approval date and its published level computed.

    By default A1, A2 and B1 are met and accepted, C1 is answered not met (level 2 of ``TEST_MATURITY``);
    ``explanations``: ``{code: text}``.
    """
    from django.utils import timezone

    from indicators.results.maturity import recompute_maturity

    answers = {"A1": True, "A2": True, "B1": True, "C1": False} if answers is None else answers
    decisions = {code: True for code in answers} if decisions is None else decisions
    assessment = AssessmentFactory(unit=unit, version=version, year=year, status=ReportStatus.APPROVED,
                                   answers=answers, decisions=decisions, chosen=chosen)
    type(assessment).objects.filter(pk=assessment.pk).update(approved_at=timezone.now())
    for code, text in (explanations or {}).items():
        assessment.answers.filter(node__code=code).update(explanation=text)
    recompute_maturity([(assessment.unit_id, assessment.year, assessment.framework_version_id)])
    assessment.refresh_from_db()
    return assessment


# --- the project register and the workflow, through the services ----------------------------


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project of a unit's register (new Bắc Ninh's by default), not published."""

    class Meta:
        model = "programmes.Project"
        skip_postgeneration_save = True

    unit = factory.LazyFunction(lambda: unit("bac-ninh"))
    code = factory.Sequence(lambda n: f"P-{n:03d}")
    name_vi = factory.Sequence(lambda n: f"Dự án đô thị thông minh số {n}")
    name_en = factory.Sequence(lambda n: f"Smart-city project no. {n}")
    lead_agency = "Sở Khoa học và Công nghệ"
    funding_source = "local-budget"
    total_investment = Decimal("120.5")

    @factory.post_generation
    def nodes(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.nodes.set(extracted)


def submit_and_approve(report, *, reporter, reviewer, data=None, run=None):
    """Submit ``report`` (as ``reporter``, saving ``data`` first) and approve it (as ``reviewer``) through the services.

    With ``run`` (pytest-django's ``django_capture_on_commit_callbacks``) the
    events' work is done too: results, releases, e-mails, webhooks.
    """
    from contextlib import nullcontext

    from programmes import services

    with run(execute=True) if run else nullcontext():
        report = services.submit_report(
            user=reporter, report=report, version=report.version, data=data, confirm_warnings=True
        )
    with run(execute=True) if run else nullcontext():
        report = services.approve_report(user=reviewer, report=report, version=report.version)
    return report


def reopen(report, *, reviewer, run=None, reason="Sửa số liệu."):
    from contextlib import nullcontext

    from programmes import services

    with run(execute=True) if run else nullcontext():
        return services.reopen_report(user=reviewer, report=report, version=report.version, reason=reason)
