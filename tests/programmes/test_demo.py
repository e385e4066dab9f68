"""``seed_demo``: a deterministic picture across the July 2025 merger."""
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from programmes.demo import seed_demo
from programmes.models import DemoDataset, Programme, Report, ReportStatus
from provinces.models import AdministrativeUnit
from provinces.quarters import Quarter
from tests.factories import ReportFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 25)


def _fingerprint():
    return list(
        Report.objects.order_by("unit__slug", "year", "quarter").values_list(
            "unit__slug", "year", "quarter", "status", "is_late"
        )
    )


def test_demo_covers_about_forty_localities_from_2021_to_last_complete_quarter():
    summary = seed_demo(seed=7, size=1, today=TODAY)
    assert summary["old_units"] == 40
    first = Report.objects.order_by("year", "quarter").first()
    last = Report.objects.order_by("-year", "-quarter").first()
    assert (first.year, first.quarter) == (2021, 1)
    assert Quarter(last.year, last.quarter) == Quarter.last_complete(TODAY)
    assert Programme.objects.count() >= 40


def test_demo_reports_belong_to_units_in_force_for_their_quarter():
    seed_demo(seed=7, size=1, today=TODAY)
    for report in Report.objects.select_related("unit"):
        quarter = Quarter(report.year, report.quarter)
        assert AdministrativeUnit.objects.in_force_throughout(quarter.start, quarter.end).filter(
            pk=report.unit_id
        ).exists(), report


def test_demo_has_a_realistic_mix_of_statuses():
    seed_demo(seed=7, size=1, today=TODAY)
    statuses = set(Report.objects.values_list("status", flat=True))
    assert statuses == set(ReportStatus.values)
    assert Report.objects.filter(is_late=True).exists()
    bac_ninh_history = Report.objects.filter(unit__slug__in=["bac-giang", "bac-ninh-pre2025"])
    assert bac_ninh_history.filter(status="approved").count() > 10


def test_demo_is_deterministic_and_safe_to_run_again():
    seed_demo(seed=7, size=1, today=TODAY)
    first = _fingerprint()
    assert seed_demo(seed=7, size=1, today=TODAY) is None
    seed_demo(seed=7, size=1, reset=True, today=TODAY)
    assert _fingerprint() == first
    assert DemoDataset.objects.count() == 1


def test_demo_refuses_to_mix_with_real_reports():
    ReportFactory(unit=AdministrativeUnit.objects.get(slug="ha-noi"))
    with pytest.raises(CommandError, match="refusing"):
        call_command("seed_demo")


def test_every_page_says_it_shows_demo_data_once_the_demo_is_seeded(client, django_capture_on_commit_callbacks):
    banner = "demo-banner"
    client.get("/about/")  # the flag is now in the cache, as another process would have it
    assert banner not in client.get("/about/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        seed_demo(seed=7, size=1, today=TODAY)
    assert banner in client.get("/about/").content.decode()


def test_demo_loads_an_illustrative_maturity_framework_and_assessments_in_every_state():
    from indicators.models import FrameworkVersion
    from programmes.models import Assessment

    summary = seed_demo(seed=7, size=1, today=TODAY)
    version = FrameworkVersion.objects.get(framework__code="illustrative-maturity")
    assert version.is_illustrative and version.levels.count() == 3
    criteria = version.nodes.filter(kind="criterion")
    assert criteria.count() == 12
    assert criteria.filter(mappings__threshold_operator__gt="").distinct().count() >= 4
    assert summary["assessments"] >= 20
    assessments = Assessment.objects.filter(framework_version=version, year=2026)
    assert set(assessments.values_list("status", flat=True)) == set(ReportStatus.values)
    assert assessments.get(unit__slug="bac-ninh").status == ReportStatus.DRAFT
    for assessment in assessments:
        assert assessment.revisions.count() == assessment.version


def test_the_demo_levels_are_computed_by_the_rule_for_the_approved_assessments():
    from indicators.models import MaturityResult
    from indicators.results.maturity import recompute_all_maturity
    from programmes.models import Assessment

    seed_demo(seed=7, size=1, today=TODAY)
    recompute_all_maturity()
    results = MaturityResult.objects.all()
    assert results.count() == Assessment.objects.filter(status=ReportStatus.APPROVED).count()
    assert len({r.level for r in results}) >= 3  # several levels: the dashboards show a distribution


def test_load_reference_data_loads_no_illustrative_content():
    from indicators.models import FrameworkVersion

    call_command("load_reference_data", verbosity=0)
    assert not FrameworkVersion.objects.filter(is_illustrative=True).exists()
    assert not FrameworkVersion.objects.filter(framework__code="illustrative-maturity").exists()
