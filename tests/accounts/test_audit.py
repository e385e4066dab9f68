"""The audit log: what is recorded, and who may read it."""
import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from smartcity_portal.accounts.models import AuditLogEntry, Role
from smartcity_portal.accounts.services import (
    acting_as,
    create_api_token,
    record,
    revoke_api_token,
)
from tests.factories import PASSWORD, UserFactory, unit

pytestmark = pytest.mark.django_db

Action = AuditLogEntry.Action


def entries(action):
    return list(AuditLogEntry.objects.filter(action=action).order_by("pk"))


def test_a_login_is_recorded_with_the_ip(client, personas):
    client.post(reverse("accounts:login"), {"username": "reporter", "password": PASSWORD},
                REMOTE_ADDR="203.0.113.7")

    [entry] = entries(Action.LOGIN)
    assert entry.actor == personas.reporter
    assert entry.username == "reporter"
    assert entry.ip_address == "203.0.113.7"


def test_a_failed_login_records_the_name_and_ip_but_never_the_password(client, personas):
    client.post(reverse("accounts:login"), {"username": "reporter", "password": "s3cret-guess-xyz"},
                REMOTE_ADDR="198.51.100.4")

    [entry] = entries(Action.LOGIN_FAILED)
    assert entry.actor is None
    assert entry.username == "reporter"
    assert entry.ip_address == "198.51.100.4"
    stored = json.dumps([entry.username, entry.target, entry.details])
    assert "s3cret-guess-xyz" not in stored
    assert "password" not in entry.details


def test_a_failed_login_for_an_unknown_name_is_recorded_too(client, db):
    client.post(reverse("accounts:login"), {"username": "ghost", "password": "whatever-1234"})

    [entry] = entries(Action.LOGIN_FAILED)
    assert entry.username == "ghost"


def test_a_refused_attempt_during_lockout_is_marked(client, personas, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        client.post(reverse("accounts:login"), {"username": "reporter", "password": f"wrong-{attempt}"})

    assert entries(Action.LOGIN_FAILED)[-1].details.get("locked_out") is True


def test_a_logout_is_recorded(client, personas):
    client.force_login(personas.viewer)

    client.post(reverse("accounts:logout"))

    [entry] = entries(Action.LOGOUT)
    assert entry.actor == personas.viewer


def test_creating_a_user_with_a_role_records_it(db):
    user = UserFactory(username="new-reporter", role=Role.PROVINCE_REPORTER, unit=unit("ha-noi"))

    [entry] = entries(Action.ROLE_CHANGED)
    assert entry.target == user.username
    assert entry.details["created"] is True
    assert entry.details["role"] == {"old": "", "new": "province-reporter"}
    assert entry.details["unit"]["new"] == "ha-noi"


def test_a_role_change_records_old_and_new_and_who_did_it(personas):
    before = len(entries(Action.ROLE_CHANGED))
    user = personas.viewer
    user.role = Role.MINISTRY_REVIEWER

    with acting_as(personas.superuser):
        user.save()

    assert len(entries(Action.ROLE_CHANGED)) == before + 1
    entry = entries(Action.ROLE_CHANGED)[-1]
    assert entry.actor == personas.superuser
    assert entry.target == "viewer"
    assert entry.details["role"] == {"old": "ministry-viewer", "new": "ministry-reviewer"}


def test_saving_a_user_without_privilege_changes_records_nothing(personas):
    before = AuditLogEntry.objects.count()
    personas.viewer.first_name = "Lan"
    personas.viewer.save()

    assert AuditLogEntry.objects.count() == before


def test_granting_superuser_is_recorded(personas):
    personas.viewer.is_superuser = True
    personas.viewer.save()

    entry = entries(Action.ROLE_CHANGED)[-1]
    assert entry.details["is_superuser"] == {"old": False, "new": True}


def test_a_role_change_in_the_admin_is_recorded_with_the_admin_as_actor(client, personas):
    client.force_login(personas.superuser)
    user = personas.reporter
    url = reverse("admin:accounts_user_change", args=[user.pk])
    data = {
        "username": user.username, "first_name": "", "last_name": "", "email": user.email,
        "language": "vi", "role": Role.INTEGRATOR, "unit": str(personas.other_unit.pk),
        "is_active": "on", "date_joined_0": "2025-01-01", "date_joined_1": "00:00:00",
        "last_login_0": "", "last_login_1": "",
    }

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = entries(Action.ROLE_CHANGED)[-1]
    assert entry.actor == personas.superuser
    assert entry.details["role"] == {"old": "province-reporter", "new": "integrator"}
    assert entry.details["unit"] == {"old": "bac-ninh", "new": "ha-noi"}


def test_the_admin_refuses_a_dissolved_unit_next_to_the_field(client, personas):
    from provinces.models import AdministrativeUnit

    client.force_login(personas.superuser)
    user = personas.reporter
    dissolved = AdministrativeUnit.objects.get(slug="bac-giang")
    data = {
        "username": user.username, "email": user.email, "language": "vi",
        "role": Role.PROVINCE_REPORTER, "unit": str(dissolved.pk), "is_active": "on",
        "date_joined_0": "2025-01-01", "date_joined_1": "00:00:00",
    }

    response = client.post(reverse("admin:accounts_user_change", args=[user.pk]), data,
                           HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "bac-ninh" in " ".join(response.context["adminform"].form.errors["unit"])
    user.refresh_from_db()
    assert user.unit.slug == "bac-ninh"


def test_token_creation_and_revocation_are_recorded(personas):
    instance, token = create_api_token(personas.integrator, expiry_days=5)
    revoke_api_token(personas.integrator, instance.token_key)

    [created] = entries(Action.TOKEN_CREATED)
    [revoked] = entries(Action.TOKEN_REVOKED)
    assert created.actor == revoked.actor == personas.integrator
    assert created.details["token_key"] == revoked.details["token_key"] == instance.token_key
    assert token not in json.dumps(created.details)


def test_record_is_the_helper_for_other_apps(personas, rf):
    request = rf.post("/", REMOTE_ADDR="192.0.2.1")

    entry = record("report-approved", actor=personas.reviewer, target="Hà Nội 2025-Q3",
                   details={"report_id": 7, "password": "never-stored"}, request=request)

    assert entry.action == Action.REPORT_APPROVED
    assert entry.username == "reviewer"
    assert entry.ip_address == "192.0.2.1"
    assert entry.details == {"report_id": 7}


def test_record_refuses_an_unknown_action(db):
    with pytest.raises(ValueError):
        record("report-deleted")
    assert not AuditLogEntry.objects.exists()


# --- admin ------------------------------------------------------------------------------


@pytest.fixture
def staff_with_every_permission(db):
    user = UserFactory(username="staff", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="accounts"))
    return user


def test_audit_log_is_hidden_from_staff_who_are_not_superusers(client, staff_with_every_permission):
    record("login", actor=staff_with_every_permission)
    entry = AuditLogEntry.objects.latest("pk")
    client.force_login(staff_with_every_permission)

    assert client.get(reverse("admin:accounts_auditlogentry_changelist")).status_code == 403
    assert client.get(reverse("admin:accounts_auditlogentry_change", args=[entry.pk])).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:accounts_auditlogentry_changelist") not in index


def test_superusers_read_the_audit_log_but_cannot_change_it(client, personas):
    client.force_login(personas.superuser)
    entry = AuditLogEntry.objects.latest("pk")
    change_url = reverse("admin:accounts_auditlogentry_change", args=[entry.pk])

    assert client.get(reverse("admin:accounts_auditlogentry_changelist")).status_code == 200
    page = client.get(change_url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:accounts_auditlogentry_add")).status_code == 403
    assert client.post(change_url, {"action": "logout"}).status_code == 403
    delete = client.post(reverse("admin:accounts_auditlogentry_delete", args=[entry.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert AuditLogEntry.objects.filter(pk=entry.pk, action=entry.action).exists()


def test_user_admin_lists_roles_and_units(client, personas):
    client.force_login(personas.superuser)

    response = client.get(reverse("admin:accounts_user_changelist"), {"role": "province-reporter"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "reporter" in html and "other-reporter" in html
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200


def test_token_admin_cannot_create_tokens_and_audits_revocation(client, personas):
    from knox.models import AuthToken

    instance, _ = create_api_token(personas.integrator)
    client.force_login(personas.superuser)

    assert client.get(reverse("admin:knox_authtoken_add")).status_code == 403
    assert client.get(reverse("admin:knox_authtoken_changelist")).status_code == 200
    response = client.post(
        reverse("admin:knox_authtoken_delete", args=[instance.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not AuthToken.objects.filter(pk=instance.pk).exists()
    entry = entries(Action.TOKEN_REVOKED)[-1]
    assert entry.actor == personas.superuser
    assert entry.details == {"token_key": instance.token_key, "owner": "integrator"}


def test_behind_a_trusted_proxy_a_failed_login_records_the_clients_address(client, personas, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(reverse("accounts:login"), {"username": "reporter", "password": "wrong-password-1"},
                REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66, 198.51.100.4")

    [entry] = entries(Action.LOGIN_FAILED)
    assert entry.ip_address == "198.51.100.4"


def test_without_a_trusted_proxy_a_forged_x_forwarded_for_is_not_recorded(client, personas, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    client.post(reverse("accounts:login"), {"username": "reporter", "password": "wrong-password-1"},
                REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4")

    [entry] = entries(Action.LOGIN_FAILED)
    assert entry.ip_address == "10.0.0.1"


# --- passwords --------------------------------------------------------------------------------


def test_a_password_change_writes_an_audit_entry(client, personas):
    client.force_login(personas.viewer)

    client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": "a-much-longer-new-secret-2025",
        "new_password2": "a-much-longer-new-secret-2025",
    }, REMOTE_ADDR="203.0.113.8")

    [entry] = entries(Action.PASSWORD_CHANGED)
    assert (entry.actor, entry.target, entry.ip_address) == (personas.viewer, "viewer", "203.0.113.8")
    assert "a-much-longer-new-secret-2025" not in json.dumps(entry.details)
    assert entries(Action.PASSWORD_RESET) == []


def test_a_password_reset_writes_an_audit_entry(client, personas):
    client.post(reverse("accounts:password_reset"), {"email": personas.reporter.email})
    link = re.search(r"https?://testserver(/accounts/password/reset/\S+/\S+/)", mail.outbox[0].body).group(1)
    page = client.get(link, follow=True)
    client.post(page.redirect_chain[-1][0], {
        "new_password1": "a-much-longer-new-secret-2025", "new_password2": "a-much-longer-new-secret-2025",
    }, REMOTE_ADDR="203.0.113.9")

    [entry] = entries(Action.PASSWORD_RESET)
    assert (entry.actor, entry.target, entry.ip_address) == (personas.reporter, "reporter", "203.0.113.9")
    assert entries(Action.PASSWORD_CHANGED) == []


def test_a_password_set_in_the_admin_is_recorded_with_the_admin_as_actor(client, personas):
    client.force_login(personas.superuser)

    response = client.post(reverse("admin:auth_user_password_change", args=[personas.viewer.pk]), {
        "usable_password": "true",
        "password1": "a-much-longer-new-secret-2025", "password2": "a-much-longer-new-secret-2025",
    })

    assert response.status_code == 302
    [entry] = entries(Action.PASSWORD_CHANGED)
    assert (entry.actor, entry.target) == (personas.superuser, "viewer")


def test_a_login_that_rehashes_the_password_is_not_a_password_change(client, personas, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher", "django.contrib.auth.hashers.MD5PasswordHasher",
    ]

    client.post(reverse("accounts:login"), {"username": "viewer", "password": PASSWORD})

    personas.viewer.refresh_from_db()
    assert personas.viewer.password.startswith("pbkdf2_")
    assert entries(Action.PASSWORD_CHANGED) == []
