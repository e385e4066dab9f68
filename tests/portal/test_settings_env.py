"""Configuration from the environment: a bad value stops start-up and names the variable."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from smartcity_portal import env

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value, expected", [("1", True), ("yes", True), (" ON ", True), ("0", False), ("off", False), ("False", False)])
def test_get_bool_reads_the_usual_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("PORTAL_TEST_FLAG", value)
    assert env.get_bool("PORTAL_TEST_FLAG") is expected


def test_get_bool_default_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("PORTAL_TEST_FLAG", raising=False)
    assert env.get_bool("PORTAL_TEST_FLAG", default=True) is True
    monkeypatch.setenv("PORTAL_TEST_FLAG", "")
    assert env.get_bool("PORTAL_TEST_FLAG", default=True) is True


@pytest.mark.parametrize("value", ["maybe", "2", "tru"])
def test_get_bool_rejects_other_values_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("PORTAL_TEST_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="PORTAL_TEST_FLAG"):
        env.get_bool("PORTAL_TEST_FLAG")


def test_get_int(monkeypatch):
    monkeypatch.setenv("PORTAL_TEST_INT", " 42 ")
    assert env.get_int("PORTAL_TEST_INT", 1) == 42
    monkeypatch.delenv("PORTAL_TEST_INT")
    assert env.get_int("PORTAL_TEST_INT", 7) == 7


@pytest.mark.parametrize("value", ["forty", "4.5", "1e3"])
def test_get_int_rejects_non_integers(monkeypatch, value):
    monkeypatch.setenv("PORTAL_TEST_INT", value)
    with pytest.raises(ImproperlyConfigured, match="PORTAL_TEST_INT"):
        env.get_int("PORTAL_TEST_INT", 1)


@pytest.mark.parametrize("value", ["0", "70000"])
def test_get_int_rejects_values_out_of_range(monkeypatch, value):
    monkeypatch.setenv("PORTAL_TEST_PORT", value)
    with pytest.raises(ImproperlyConfigured, match="PORTAL_TEST_PORT"):
        env.get_int("PORTAL_TEST_PORT", 25, minimum=1, maximum=65535)


def test_get_float(monkeypatch):
    monkeypatch.setenv("PORTAL_TEST_FLOAT", "2.5")
    assert env.get_float("PORTAL_TEST_FLOAT", 1.0) == 2.5
    monkeypatch.setenv("PORTAL_TEST_FLOAT", "lots")
    with pytest.raises(ImproperlyConfigured, match="PORTAL_TEST_FLOAT"):
        env.get_float("PORTAL_TEST_FLOAT", 1.0)
    monkeypatch.setenv("PORTAL_TEST_FLOAT", "0.5")
    with pytest.raises(ImproperlyConfigured, match="PORTAL_TEST_FLOAT"):
        env.get_float("PORTAL_TEST_FLOAT", 1.0, minimum=1.0)


def test_get_url(monkeypatch):
    monkeypatch.setenv("PORTAL_TEST_URL", "postgres://u@db:5432/portal")
    assert env.get_url("PORTAL_TEST_URL", schemes={"postgres"}) == "postgres://u@db:5432/portal"


@pytest.mark.parametrize("value", ["mysql://db/portal", "db:5432/portal", "postgres://", "not a url"])
def test_get_url_rejects_wrong_scheme_or_empty_location(monkeypatch, value):
    monkeypatch.setenv("PORTAL_TEST_URL", value)
    with pytest.raises(ImproperlyConfigured, match="PORTAL_TEST_URL"):
        env.get_url("PORTAL_TEST_URL", schemes={"postgres", "postgresql"})


def test_get_list(monkeypatch):
    monkeypatch.setenv("PORTAL_TEST_HOSTS", "portal.gov.vn, www.portal.gov.vn")
    assert env.get_list("PORTAL_TEST_HOSTS") == ["portal.gov.vn", "www.portal.gov.vn"]
    monkeypatch.delenv("PORTAL_TEST_HOSTS")
    assert env.get_list("PORTAL_TEST_HOSTS", default=["localhost"]) == ["localhost"]


@pytest.mark.parametrize("value", ["a,,b", "a,", ",a", " , "])
def test_get_list_rejects_empty_items(monkeypatch, value):
    monkeypatch.setenv("PORTAL_TEST_HOSTS", value)
    with pytest.raises(ImproperlyConfigured, match="PORTAL_TEST_HOSTS"):
        env.get_list("PORTAL_TEST_HOSTS")


def test_get_str_required(monkeypatch):
    monkeypatch.delenv("PORTAL_TEST_STR", raising=False)
    with pytest.raises(ImproperlyConfigured, match="PORTAL_TEST_STR"):
        env.get_str("PORTAL_TEST_STR", required=True)


def test_get_choice_matches_without_regard_to_case_and_names_the_variable(monkeypatch):
    monkeypatch.setenv("PORTAL_TEST_CHOICE", "cc0-1.0")
    assert env.get_choice("PORTAL_TEST_CHOICE", "CC-BY-4.0", choices=("CC-BY-4.0", "CC0-1.0")) == "CC0-1.0"
    monkeypatch.setenv("PORTAL_TEST_CHOICE", "")
    assert env.get_choice("PORTAL_TEST_CHOICE", "CC-BY-4.0", choices=("CC-BY-4.0",)) == "CC-BY-4.0"
    monkeypatch.setenv("PORTAL_TEST_CHOICE", "GPL")
    with pytest.raises(ImproperlyConfigured, match="PORTAL_TEST_CHOICE"):
        env.get_choice("PORTAL_TEST_CHOICE", "CC-BY-4.0", choices=("CC-BY-4.0",))


def _start_django(**overrides):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "smartcity_portal.settings", **overrides}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.mark.parametrize(
    "variable, value",
    [
        ("DEBUG", "maybe"),
        ("SESSION_COOKIE_AGE", "eight hours"),
        ("DATABASE_URL", "mysql://db/portal"),
        ("ALLOWED_HOSTS", "portal.gov.vn,,"),
        ("EVIDENCE_MAX_BYTES_PER_REPORT", "50 MB"),
        ("TRUSTED_PROXY_COUNT", "-1"),
        ("TRUSTED_PROXY_COUNT", "one"),
        ("PASSWORD_RESET_LIMIT_PER_ADDRESS", "0"),
        ("OPEN_DATA_LICENSE", "public domain"),
    ],
)
def test_start_up_fails_on_a_bad_value_naming_the_variable(variable, value):
    result = _start_django(**{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


def test_start_up_succeeds_with_the_test_environment():
    result = _start_django()
    assert result.returncode == 0, result.stderr


def test_the_demos_sqlite_database_lets_pages_be_read_while_someone_signs_in(tmp_path):
    # Readers of a rollback-journal SQLite file block every writer: a sign-in failed with
    # "database is locked" while four browsers read pages. With a write-ahead log they do not.
    database = tmp_path / "demo.sqlite3"
    environment = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    environment.update(DJANGO_SETTINGS_MODULE="smartcity_portal.settings", DATABASE_URL=f"sqlite:///{database}",
                       SECRET_KEY="settings-test", DEBUG="1", HTTPS="0")
    script = (
        "import django; django.setup(); from django.db import connection; "
        "cursor = connection.cursor(); cursor.execute('PRAGMA journal_mode'); print(cursor.fetchone()[0])"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=BASE_DIR, env=environment, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "wal"


def test_the_demo_runs_with_debug_off_so_visitors_see_the_portals_own_error_pages():
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY")}
    environment["DJANGO_SETTINGS_MODULE"] = "smartcity_portal.settings"
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.test import Client; "
        "response = Client().get('/no-such-page/', HTTP_ACCEPT_LANGUAGE='en'); "
        "print(settings.DEBUG, settings.WHITENOISE_USE_FINDERS, response.status_code, "
        "'Page not found' in response.content.decode() and 'URLconf' not in response.content.decode())"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=BASE_DIR, env=environment, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-4:] == ["False", "True", "404", "True"]
