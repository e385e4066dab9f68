"""The frameworks migration on the demo data: every count, figure and API v1 answer is the same after it.

The demo is seeded by the code as it was before frameworks as data (taken from
git history), the database is then migrated by today's code, and both codes dump
the same figures (``migration_dump.py``): the results tables, every answer and
value, and the API's progress, indicator values, task groups, pillars,
indicators and report bodies (today's additive fields set aside).
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The last commit before frameworks as data.
BEFORE = "f179532"
DUMP = Path(__file__).with_name("migration_dump.py")
ADDED = {"progress": {"framework", "version", "node", "met", "updated_at"}, "indicators": {"nodes"},
         "reports": {"nodes", "projects"}, "values": {"updated_at"}}
# Fields added inside a list of an answer: a task group's public evidence links (issue 16).
ADDED_INSIDE = {"reports": {"task_groups": {"public_links"}}}

pytestmark = pytest.mark.slow


def run(code, database, *args, stdin=None):
    env = {**os.environ, "DATABASE_URL": database, "SECRET_KEY": "migration-test", "DEBUG": "0", "HTTPS": "0",
           "PYTHONPATH": str(code)}
    env.pop("REDIS_URL", None)
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=code, env=env, capture_output=True,
                            text=True, stdin=stdin, check=False)
    assert result.returncode == 0, f"{args}: {result.stderr[-3000:]}"
    return result.stdout


def dump(code, database):
    with DUMP.open() as script:
        out = run(code, database, "shell", stdin=script)
    return json.loads(out[out.index("{"):])


def without_added(rows, name):
    def inside(key, value):
        added = ADDED_INSIDE.get(name, {}).get(key)
        if not added or not isinstance(value, list):
            return value
        return [{k: v for k, v in item.items() if k not in added} for item in value]

    return [{k: inside(k, v) for k, v in row.items() if k not in ADDED.get(name, set())} for row in rows]


@pytest.fixture
def old_code(tmp_path):
    if not shutil.which("git") or subprocess.run(["git", "cat-file", "-e", BEFORE], cwd=ROOT, check=False).returncode:
        pytest.skip(f"commit {BEFORE} is not in this clone's history")
    target = tmp_path / "before"
    target.mkdir()
    archive = subprocess.run(["git", "archive", BEFORE], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


@pytest.fixture
def scratch_database(django_db_setup, django_db_blocker):
    from django.db import connection

    name = f"{connection.settings_dict['NAME']}_migration_demo"
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    settings = connection.settings_dict
    yield f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{name}"
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_demo_migrated_to_frameworks_keeps_every_figure_and_api_answer(old_code, scratch_database):
    for step in (["migrate", "-v0"], ["load_reference_data", "-v0"], ["seed_demo", "-v0"],
                 ["create_demo_accounts", "--force", "-v0"]):
        run(old_code, scratch_database, *step)
    before = dump(old_code, scratch_database)

    run(ROOT, scratch_database, "migrate", "-v0")
    loaded = run(ROOT, scratch_database, "load_reference_data")
    after = dump(ROOT, scratch_database)

    assert before["counts"]["reports"] > 500
    for table in ("counts", "node_results", "answers", "indicator_results", "values"):
        assert after[table] == before[table], table
    for name, rows in before["api"].items():
        kind = "progress" if name.startswith("progress") else "values" if name.startswith("values") else name
        assert without_added(after["api"][name], kind) == rows, name
    assert without_added(after["reports"], "reports") == before["reports"]
    # The migrated frameworks are the shipped ones: loading the reference data keeps them as they are.
    assert "kept edit" not in loaded
