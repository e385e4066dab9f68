"""What a data centre's operations and security teams check before go-live."""
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
import yaml
from django.db import connection

from programmes import services
from programmes.models import Report, ReportRevision
from tests.factories import make_personas

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DATABASE_URL": "postgres://portal:secret@db.example.gov.vn:5432/portal",
    "REDIS_URL": "redis://redis.example.gov.vn:6379/0",
    "SECRET_KEY": "k" + uuid.uuid4().hex + uuid.uuid4().hex,
    "DEBUG": "0",
    "ALLOWED_HOSTS": "portal.example.gov.vn",
    "HTTPS": "1",
}


def _manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k not in {"HTTPS"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secret_key_is_mandatory_outside_the_demo():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_debug_is_off_by_default_outside_the_demo():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DEBUG"}
    result = _manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)", env=env)
    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/provinces/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_templates_have_no_inline_scripts_or_styles():
    offenders = []
    for path in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text):
            offenders.append(f"{path}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{path}: inline event handler")
        if re.search(r"<style|\sstyle\s*=", text):
            offenders.append(f"{path}: inline style")
    assert offenders == []


@pytest.mark.django_db
def test_every_response_has_a_request_id(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nINJECTED")
    assert forged["X-Request-ID"] != "bad id\nINJECTED"
    assert re.fullmatch(r"[0-9a-f]{32}", forged["X-Request-ID"])


def test_compose_file_runs_the_whole_stack_as_the_settings_expect():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services_ = compose["services"]
    assert set(services_) >= {"web", "worker", "beat", "db", "redis"}
    assert services_["db"]["image"].startswith("postgres:16")
    assert services_["redis"]["image"].startswith("redis:7")
    for name in ("web", "worker", "beat", "db", "redis"):
        assert services_[name].get("restart") in {"unless-stopped", "always"}, name
    for name in ("web", "db", "redis"):
        assert "healthcheck" in services_[name], name
    web_command = " ".join(services_["web"]["command"]) if isinstance(services_["web"]["command"], list) else services_["web"]["command"]
    assert "migrate" in web_command and "collectstatic" in web_command and "gunicorn" in web_command
    assert "worker" in str(services_["worker"]["command"]) and "beat" in str(services_["beat"]["command"])
    assert {"pgdata"} <= set(compose["volumes"])
    for name in ("web", "worker", "beat"):
        environment = services_[name].get("environment", {})
        keys = set(environment) if isinstance(environment, dict) else {e.split("=")[0] for e in environment}
        assert {"DATABASE_URL", "REDIS_URL"} <= keys, name


def test_env_example_lists_only_variables_the_settings_read():
    settings_text = (ROOT / "smartcity_portal" / "settings.py").read_text()
    gunicorn_text = (ROOT / "smartcity_portal" / "gunicorn.conf.py").read_text()
    compose_text = (ROOT / "docker-compose.yml").read_text()
    names = re.findall(r"^#?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
    unknown = [
        n for n in names
        if f'"{n}"' not in settings_text and n not in gunicorn_text and n not in compose_text
    ]
    assert unknown == []
    read_by_settings = set(re.findall(r'env\.get_\w+\(\s*"([A-Z_]+)"', settings_text))
    assert read_by_settings - set(names) == set()


@pytest.mark.django_db
def test_healthz_names_redis_when_it_is_down(client, settings):
    assert client.get("/healthz").status_code == 200
    settings.REDIS_URL = "redis://127.0.0.1:6390/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["redis"]
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_keep_every_report_and_revision(tmp_path):
    from django.core.management import call_command

    call_command("load_reference_data", verbosity=0)
    people = make_personas()
    report = services.start_report(user=people.reporter, unit=people.unit, year=2025, quarter=3)
    services.save_report(user=people.reporter, report=report, version=report.version,
                         data={"indicators": {"TG5-01": {"value": "61,5", "note": "Bắc Ninh"}}})
    counts = (Report.objects.count(), ReportRevision.objects.count())

    source = connection.settings_dict
    base = f"postgres://{source['USER']}@{source['HOST'] or '127.0.0.1'}:{source['PORT'] or 5432}"
    target = f"{source['NAME']}_restored"
    admin = psycopg2.connect(f"{base}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
        cursor.execute(f'CREATE DATABASE "{target}"')
    try:
        backup = subprocess.run(
            ["make", "-s", "backup", f"DATABASE_URL={base}/{source['NAME']}"],
            cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        )
        assert backup.returncode == 0, backup.stderr
        dump = ROOT / backup.stdout.strip().splitlines()[-1]
        restore = subprocess.run(
            ["make", "-s", "restore", f"FILE={dump}", f"DATABASE_URL={base}/{target}"],
            cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        )
        dump.unlink()
        assert restore.returncode == 0, restore.stderr
        restored = psycopg2.connect(f"{base}/{target}")
        with restored.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM programmes_report")
            reports = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM programmes_reportrevision")
            revisions = cursor.fetchone()[0]
            cursor.execute(
                "SELECT v.value FROM indicators_indicatorvalue v JOIN indicators_indicator i "
                "ON i.id = v.indicator_id WHERE i.code = 'TG5-01'"
            )
            value = cursor.fetchone()[0]
        restored.close()
        assert (reports, revisions) == counts
        assert str(value) == "61.5000"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
        admin.close()
