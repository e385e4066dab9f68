"""create_portal_user, create_api_token and create_demo_accounts."""
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.utils import translation
from knox.models import AuthToken

from smartcity_portal.accounts.management.commands.create_demo_accounts import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
)
from smartcity_portal.accounts.models import AuditLogEntry, Role

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture(autouse=True)
def _in_english():
    # Messages are compared in English, whatever the portal's default language.
    with translation.override("en"):
        yield


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def error_of(*args):
    with pytest.raises(CommandError) as error:
        run(*args)
    return str(error.value)


# --- create_portal_user: errors -------------------------------------------------------


def test_an_unknown_role_is_refused_with_the_list_of_roles():
    message = error_of("create_portal_user", "x", "--role", "boss")

    assert "boss" in message
    for role in Role.values:
        assert role in message
    assert not User.objects.filter(username="x").exists()


def test_a_province_reporter_needs_a_province():
    message = error_of("create_portal_user", "x", "--role", "province-reporter")

    assert "--province" in message
    assert not User.objects.filter(username="x").exists()


def test_an_unknown_slug_is_refused_with_suggestions():
    message = error_of("create_portal_user", "x", "--role", "province-reporter", "--province", "bac-nin")

    assert "bac-nin" in message and "bac-ninh" in message
    assert not User.objects.filter(username="x").exists()


def test_a_dissolved_unit_is_refused_naming_its_successor():
    message = error_of("create_portal_user", "x", "--role", "province-reporter", "--province", "bac-giang")

    assert "dissolved on 30 June 2025" in message
    assert "use --province bac-ninh" in message
    assert not User.objects.filter(username="x").exists()


def test_a_dissolved_unit_is_refused_for_integrators_too():
    message = error_of("create_portal_user", "x", "--role", "integrator", "--province", "bac-giang")

    assert "--province bac-ninh" in message


@pytest.mark.parametrize("role", ["ministry-viewer", "ministry-reviewer"])
def test_a_ministry_role_with_a_province_is_refused(role):
    message = error_of("create_portal_user", "x", "--role", role, "--province", "ha-noi")

    assert "leave out --province" in message
    assert not User.objects.filter(username="x").exists()


def test_a_weak_password_is_refused():
    message = error_of("create_portal_user", "x", "--role", "ministry-viewer", "--password", "1234567890")

    assert "password" in message.lower()
    assert not User.objects.filter(username="x").exists()


@pytest.mark.parametrize(
    "option, value", [("--language", "fr"), ("--email", "not-an-address")]
)
def test_bad_options_are_refused(option, value):
    error_of("create_portal_user", "x", "--role", "ministry-viewer", option, value)

    assert not User.objects.filter(username="x").exists()


def test_role_is_required():
    with pytest.raises(CommandError):
        run("create_portal_user", "x")


# --- create_portal_user: creating and updating ------------------------------------------


def test_creates_a_reporter_without_password_and_says_to_use_password_reset():
    out, _ = run(
        "create_portal_user", "bn.reporter", "--role", "province-reporter", "--province", "bac-ninh",
        "--email", "bn@example.gov.vn", "--language", "en",
    )

    user = User.objects.get(username="bn.reporter")
    assert (user.role, user.unit.slug, user.email, user.language) == (
        "province-reporter", "bac-ninh", "bn@example.gov.vn", "en",
    )
    assert not user.has_usable_password()
    assert "Created" in out and "Forgot your password?" in out


def test_creates_an_account_with_a_password():
    run("create_portal_user", "viewer2", "--role", "ministry-viewer", "--password", "a-long-pass-phrase-42")

    assert User.objects.get(username="viewer2").check_password("a-long-pass-phrase-42")


def test_running_twice_changes_nothing_the_second_time():
    args = ("create_portal_user", "bo.duyet", "--role", "ministry-reviewer", "--email", "d@example.gov.vn")
    run(*args)
    entries = AuditLogEntry.objects.count()
    before = User.objects.values().get(username="bo.duyet")

    out, _ = run(*args)

    assert "already up to date" in out
    assert User.objects.values().get(username="bo.duyet") == before
    assert AuditLogEntry.objects.count() == entries


def test_updating_changes_the_role_and_unit_and_keeps_the_password(personas):
    out, _ = run("create_portal_user", "reporter", "--role", "integrator", "--province", "ha-noi")

    user = User.objects.get(username="reporter")
    assert (user.role, user.unit.slug) == ("integrator", "ha-noi")
    assert user.has_usable_password()
    assert "Updated" in out
    entry = AuditLogEntry.objects.filter(action=AuditLogEntry.Action.ROLE_CHANGED, target="reporter").latest("pk")
    assert entry.details["role"] == {"old": "province-reporter", "new": "integrator"}
    assert entry.details["unit"] == {"old": "bac-ninh", "new": "ha-noi"}


def test_updating_an_integrator_without_province_makes_it_read_only(personas):
    run("create_portal_user", "integrator", "--role", "integrator")

    assert User.objects.get(username="integrator").unit is None


def test_a_refused_update_changes_nothing(personas):
    error_of("create_portal_user", "reporter", "--role", "province-reporter", "--province", "bac-giang")

    personas.reporter.refresh_from_db()
    assert personas.reporter.unit.slug == "bac-ninh"


# --- create_api_token ---------------------------------------------------------------------


def test_create_api_token_prints_a_working_token_once(personas):
    out, err = run("create_api_token", "integrator", "--expiry-days", "30")

    token = out.strip()
    stored = AuthToken.objects.get(user=personas.integrator)
    assert token.startswith(stored.token_key) and len(token) > len(stored.token_key)
    assert token not in stored.digest
    assert "cannot be shown again" in err
    assert stored.expiry is not None


def test_create_api_token_for_an_unknown_user_is_refused(db):
    assert "nobody" in error_of("create_api_token", "nobody")


def test_create_api_token_with_a_bad_expiry_is_refused(personas):
    assert "between 1 and 3650" in error_of("create_api_token", "integrator", "--expiry-days", "0")
    assert not AuthToken.objects.exists()


# --- create_demo_accounts --------------------------------------------------------------------


def test_demo_accounts_are_refused_on_a_production_like_database(settings):
    settings.DEBUG = False  # and the tests run on PostgreSQL

    assert "--force" in error_of("create_demo_accounts")
    assert not User.objects.filter(username="bo.xem").exists()


def test_demo_accounts_are_created_once_with_a_valid_password():
    out, _ = run("create_demo_accounts", "--force")
    entries = AuditLogEntry.objects.count()
    run("create_demo_accounts", "--force")

    assert AuditLogEntry.objects.count() == entries
    expected = {
        "bo.xem": ("ministry-viewer", None),
        "bo.duyet": ("ministry-reviewer", None),
        "bacninh.baocao": ("province-reporter", "bac-ninh"),
        "hanoi.baocao": ("province-reporter", "ha-noi"),
        "tichhop.bacninh": ("integrator", "bac-ninh"),
    }
    for username, (role, slug) in expected.items():
        user = User.objects.get(username=username)
        assert (user.role, user.unit.slug if user.unit else None) == (role, slug)
        assert user.check_password(DEMO_PASSWORD)
        assert username in out
    admin = User.objects.get(username="quantri")
    assert admin.is_superuser and admin.is_staff and admin.check_password(DEMO_PASSWORD)
    assert User.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS]).count() == len(DEMO_ACCOUNTS)
    assert DEMO_PASSWORD in out


def test_demo_password_passes_the_password_validators(db):
    for username, *_ in DEMO_ACCOUNTS:
        validate_password(DEMO_PASSWORD, User(username=username, email=f"{username}@demo.invalid"))


def test_demo_accounts_restore_a_changed_demo_password(db):
    run("create_demo_accounts", "--force")
    user = User.objects.get(username="bo.xem")
    user.set_password("someone-changed-it-2025")
    user.save()

    run("create_demo_accounts", "--force")

    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)
