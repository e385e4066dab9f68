"""The public pages in headless Chromium: no serious or critical axe-core violation, and no sideways scrolling on a phone.

Run on the demo picture (its releases and published projects included), in
Vietnamese and English, at desktop width and at 375 px; screenshots go to
test-artifacts/ for a person to look at.
"""
from pathlib import Path

import pytest
from django.core.management import call_command

from programmes.models import Assessment, PublishedProject, Report, ReportStatus
from provinces.models import AdministrativeUnit
from tests.browser import CHROMIUM_ARGS

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SERIOUS = {"serious", "critical"}


def public_pages():
    report = Report.objects.filter(status=ReportStatus.APPROVED, unit__valid_until__isnull=True).select_related(
        "unit").order_by("-year", "-quarter", "unit__slug").first()
    project = PublishedProject.objects.order_by("pk").first()
    from indicators.models import DataRelease

    release = DataRelease.objects.order_by("-year", "-quarter", "-number").first()
    assessment = Assessment.objects.filter(status=ReportStatus.APPROVED, unit__valid_until__isnull=True).select_related(
        "unit", "framework_version__framework").order_by("-year", "unit__slug").first()
    version = assessment.framework_version
    assessment_page = (f"/published-reports/assessments/{assessment.unit.slug}/{assessment.year}/"
                       f"{version.framework.code}/{version.code}/")
    return [
        ("home", "/"),
        ("units", "/provinces/"),
        ("unit", "/provinces/bac-ninh/"),
        ("asean", "/provinces/asean/"),
        ("frameworks", "/results/frameworks/"),
        ("crosswalk", "/results/crosswalk/"),
        ("completeness", "/results/completeness/"),
        ("task-group", "/results/task-groups/5/"),
        ("indicator", "/results/indicators/TG5-01/"),
        ("standards", "/results/standards/"),
        ("standards-version", "/results/standards/decision-950/2018/"),
        ("open-data", "/data/"),
        ("dataset", "/data/indicator-values/"),
        ("dataset-projects", "/data/projects/"),
        ("releases", "/data/releases/"),
        ("release-quarter", f"/data/releases/{release.period}/"),
        ("release", release.get_absolute_url()),
        ("published-reports", "/published-reports/"),
        ("published-report", f"/published-reports/{report.unit.slug}/{report.period_label}/"),
        ("published-assessments", "/published-reports/assessments/"),
        ("published-assessment", assessment_page),
        ("dataset-maturity", "/data/maturity-levels/"),
        ("maturity", "/results/maturity/"),
        ("projects", "/projects/"),
        ("projects-filtered", "/projects/?funding=oda"),
        ("project", project.get_absolute_url()),
        ("about", "/about/"),
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_public_pages_have_no_serious_accessibility_violation_and_fit_a_phone(live_server, chromium_path):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    if not AdministrativeUnit.objects.exists():
        call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", verbosity=0)
    pages = public_pages()
    ARTIFACTS.mkdir(exist_ok=True)
    axe = Axe()
    problems, too_wide = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            for language in ("vi", "en"):
                for width, height, label in ((1280, 900, "desktop"), (375, 812, "phone")):
                    context = browser.new_context(
                        viewport={"width": width, "height": height}, extra_http_headers={"Accept-Language": language},
                        bypass_csp=True,
                    )
                    page = context.new_page()
                    for name, path in pages:
                        response = page.goto(live_server.url + path, wait_until="networkidle")
                        assert response.status == 200, path
                        if label == "desktop":
                            for violation in axe.run(page).response["violations"]:
                                if violation["impact"] in SERIOUS:
                                    targets = [node["target"] for node in violation["nodes"]][:3]
                                    problems.append(f"{language} {path}: {violation['id']} ({violation['impact']}) "
                                                    f"{violation['help']} {targets}")
                        else:
                            overflow = page.evaluate(
                                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                            )
                            if overflow > 0:
                                wide = page.evaluate(
                                    "Array.from(document.querySelectorAll('body *'))"
                                    ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1"
                                    " && !e.closest('.table-wrap, .table-wrapper'))"
                                    ".slice(0, 3).map(e => e.tagName + '.' + e.className)"
                                )
                                too_wide.append(f"{language} {path}: {overflow}px too wide {wide}")
                        if language == "vi" or name in {"open-data", "release", "project", "published-report",
                                                       "published-assessment"}:
                            page.screenshot(path=str(ARTIFACTS / f"public-{name}-{language}-{label}.png"),
                                            full_page=label == "phone")
                    context.close()
        finally:
            browser.close()
    assert problems == [], "\n".join(problems)
    assert too_wide == [], "\n".join(too_wide)
