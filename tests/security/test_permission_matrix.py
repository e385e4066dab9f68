"""The permission matrix of ``smartcity_portal.access``, checked against the portal.

One test fails when a URL route has no rule (so that a new page cannot be
added without saying who may use it); one parametrised test checks every cell
of every rule: a request by that role, and for writes the change it must (or
must not) have made.
"""
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from knox.models import AuthToken

from programmes.models import (
    Assessment,
    AssessmentEvidence,
    Evidence,
    Project,
    Report,
    WebhookSubscription,
)
from smartcity_portal import access
from tests.factories import api_client, user_of

DOCS = Path(settings.BASE_DIR) / "docs" / "security.md"


def test_every_route_of_the_url_configuration_has_a_rule():
    missing = access.undeclared_routes()
    assert not missing, (
        "These routes have no row in smartcity_portal/access.py (say who may use them), "
        f"then run `manage.py permission_matrix`: {missing}"
    )


def test_every_rule_names_an_existing_route():
    routes = {name or pattern for name, pattern in access.walk_routes()}
    stale = sorted(access.declared_routes() - routes)
    assert not stale, f"Rules for routes that no longer exist: {stale}"


def test_the_walk_sees_pages_api_and_admin_index_but_not_admin_internals():
    names = {name for name, _ in access.walk_routes()}
    assert {"home", "admin:index", "api:report-detail", "api-schema", "healthz"} <= names
    assert not any(name and name.startswith("admin:") and name != "admin:index" for name in names)


def test_every_rule_has_a_cell_for_every_role_and_known_samples():
    for rule in access.RULES:
        assert set(rule.access) == set(access.ROLES), rule
        assert set(rule.access.values()) <= {access.ALLOW, access.DENY, access.HIDDEN, access.STATE}, rule
        assert set(rule.samples) <= set(access.SAMPLES), rule
        assert rule.method in {"GET", "POST", "PUT", "PATCH", "DELETE"}, rule


def test_the_documented_matrix_is_the_declared_one():
    text = DOCS.read_text(encoding="utf-8")
    start, end = text.index(access.DOC_START), text.index(access.DOC_END)
    assert text[start + len(access.DOC_START):end].strip() == access.matrix_markdown().strip(), (
        "docs/security.md is out of date: run `python manage.py permission_matrix`."
    )


def test_the_command_writes_the_matrix_between_the_markers(tmp_path):
    target = tmp_path / "security.md"
    target.write_text(f"# Before\n\n{access.DOC_START}\nSTALE ROWS\n{access.DOC_END}\n\nAfter\n", encoding="utf-8")
    call_command("permission_matrix", "--output", str(target), verbosity=0)
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Before") and text.endswith("After\n")
    assert "STALE ROWS" not in text and "| GET | `/` |" in text
    call_command("permission_matrix", "--output", str(target), "--check", verbosity=0)


# --- every cell against the running portal --------------------------------------------------------


def _report_field(name):
    def read(kwargs):
        return Report.objects.filter(pk=kwargs["pk"]).values_list(name, flat=True).first()

    return read


def _assessment_field(name):
    def read(kwargs):
        return Assessment.objects.filter(pk=kwargs["pk"]).values_list(name, flat=True).first()

    return read


# What a write changes; the cell is "allow" exactly when this changes.
EFFECTS = {
    "assessment_created": lambda kwargs: Assessment.objects.filter(unit__slug="bac-giang", year=2023).exists(),
    "assessment_saved": _assessment_field("version"),
    "assessment_submitted": _assessment_field("status"),
    "assessment_approved": _assessment_field("status"),
    "assessment_returned": _assessment_field("status"),
    "assessment_reopened": _assessment_field("status"),
    "assessment_evidence_removed": lambda kwargs: AssessmentEvidence.objects.filter(
        answer__assessment_id=kwargs["pk"]).count(),
    "report_created": lambda kwargs: Report.objects.filter(unit__slug="bac-ninh", year=2026, quarter=3).exists(),
    "report_saved": _report_field("version"),
    "report_submitted": _report_field("status"),
    "report_approved": _report_field("status"),
    "report_returned": _report_field("status"),
    "report_reopened": _report_field("status"),
    "token_created": lambda kwargs: AuthToken.objects.count(),
    "token_revoked": lambda kwargs: AuthToken.objects.filter(token_key=kwargs["token_key"]).exists(),
    "webhook_deleted": lambda kwargs: WebhookSubscription.objects.filter(pk=kwargs["pk"]).exists(),
    "webhook_created": lambda kwargs: WebhookSubscription.objects.count(),
    "webhook_changed": lambda kwargs: WebhookSubscription.objects.filter(pk=kwargs["pk"]).values_list("url", flat=True).first(),
    "evidence_removed": lambda kwargs: Evidence.objects.filter(answer__report_id=kwargs["pk"]).count(),
    "project_created": lambda kwargs: Project.objects.count(),
    "project_changed": lambda kwargs: Project.objects.filter(pk=kwargs["pk"]).values_list("code", flat=True).first(),
}


def outcome(response):
    status = response.status_code
    if status == 404:
        return access.HIDDEN
    if status == 409:
        return access.STATE
    if status in (401, 403):
        return access.DENY
    if 300 <= status < 400:
        return access.DENY if "/login/" in response["Location"] else access.ALLOW
    if 200 <= status < 300:
        return access.ALLOW
    return f"unexpected status {status}"


CELLS = [
    pytest.param(index, role, id=f"{rule.method}-{rule.route}-{index}-{role}")
    for index, rule in enumerate(access.RULES)
    for role in access.ROLES
]


@pytest.mark.django_db
@pytest.mark.parametrize("index, role", CELLS)
def test_cell(client, personas, samples, index, role):
    rule = access.RULES[index]
    expected = rule.access[role]
    kwargs = {
        key: samples[value.name] if isinstance(value, access.Sample) else value
        for key, value in rule.kwargs.items()
    }
    url = reverse(rule.route, kwargs=kwargs) + (f"?{rule.query}" if rule.query else "")
    user = user_of(personas, role)
    if rule.is_api:
        http = api_client(user)
        send = {"format": "json"}
    else:
        http = client
        if user is not None:
            http.force_login(user)
        send = {}
    before = EFFECTS[rule.effect](kwargs) if rule.effect else None

    data = None if rule.data is None else {
        key: samples[value.name] if isinstance(value, access.Sample) else value for key, value in rule.data.items()
    }
    method = getattr(http, rule.method.lower())
    response = method(url, data, **send) if data is not None else method(url)

    observed = outcome(response)
    if rule.effect:
        changed = EFFECTS[rule.effect](kwargs) != before
        if observed == access.ALLOW and not changed:
            # Refused with a message on the page it came from (e.g. someone else's token).
            observed = access.DENY
        assert changed == (observed == access.ALLOW), (
            f"{rule.effect} {'happened' if changed else 'did not happen'} but the answer was {response.status_code}"
        )
    assert observed == expected, (
        f"{rule.method} {url} as {role}: expected {expected}, got {response.status_code} "
        f"{response.get('Location', '')} {response.content[:300]!r}"
    )
