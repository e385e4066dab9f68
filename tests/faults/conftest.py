"""One private stack for the whole fault suite (see ``tests/faults/stack.py``).

Built once per session (about 20 s: a PostgreSQL cluster, a Redis server,
migrations, reference data, static files, gunicorn) and shared by the
concurrency and outage tests; torn down, every process of it, at the end.
"""
import pytest

from tests.faults.stack import Stack, available

SETUP = """
import json
from knox.models import AuthToken
from programmes import services
from provinces.models import AdministrativeUnit
from smartcity_portal.accounts.models import Role, User

bac_ninh = AdministrativeUnit.objects.get(slug="bac-ninh")
ha_noi = AdministrativeUnit.objects.get(slug="ha-noi")
def user(name, **fields):
    return User.objects.create(username=name, email=f"{name}@example.gov.vn", **fields)
reporter = user("reporter", role=Role.PROVINCE_REPORTER, unit=bac_ninh)
colleague = user("colleague", role=Role.PROVINCE_REPORTER, unit=bac_ninh)
integrator = user("integrator", role=Role.INTEGRATOR, unit=bac_ninh)
hanoi = user("hanoi", role=Role.PROVINCE_REPORTER, unit=ha_noi)
reviewer = user("reviewer", role=Role.MINISTRY_REVIEWER)
out = {"tokens": {}, "load_reports": [], "reports": {}}
for who in (reporter, integrator, hanoi, reviewer):
    out["tokens"][who.username] = AuthToken.objects.create(who)[1]
for quarter in (1, 2, 3, 4):
    report = services.start_report(user=hanoi, unit=ha_noi, year=2024, quarter=quarter)
    out["load_reports"].append(report.pk)
for name, year, quarter in (("redis", 2025, 3), ("worker", 2025, 4), ("race", 2026, 1)):
    report = services.start_report(user=reporter, unit=bac_ninh, year=year, quarter=quarter)
    out["reports"][name] = report.pk
print(json.dumps(out))
"""


@pytest.fixture(scope="session")
def stack():
    reason = available()
    if reason:
        pytest.skip(f"fault tests need a private PostgreSQL and Redis: {reason}")
    stack = Stack()
    try:
        stack.start()
        stack.objects = stack.django(SETUP)
        # Enough threads for 50 simultaneous clients to reach the database at once.
        stack.start_gunicorn(workers=4, threads=13)
        yield stack
    finally:
        stack.close()
