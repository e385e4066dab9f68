"""Every main page, in Vietnamese, says nothing in English (issue 17, item 4).

The pages are walked signed out and signed in as each persona, with data from the
factories (approved, submitted and draft reports, a published project, an approved
self-assessment, a data release), in Vietnamese by the browser's Accept-Language and by
the language cookie. Their visible text (without scripts, styles and code such as
column names) must not hold any of the English words below. Proper names (foreign
cities of the ASEAN network), the language switcher's "English" and licence and
specification names are not English words of the portal.
"""
import re
from html import unescape

import pytest
from django.conf import settings

from indicators.models import DataRelease
from programmes import services
from programmes.demo import load_demo_framework
from programmes.models import PublishedProject, Report, ReportStatus
from tests.factories import (
    ProjectFactory,
    ReportFactory,
    approved_assessment,
    submit_and_approve,
    task_group,
)

pytestmark = pytest.mark.django_db

# Words and phrases of the portal's English that must never reach a Vietnamese page.
ENGLISH = [
    # units of measure and durations
    "documents", "databases", "billion VND", "persons", "meetings", "hotspots", "datasets",
    "month", "months", "week", "weeks", "minute", "minutes", "hours", "days", "ago",
    # the portal's own words
    "City", "Report", "Reports", "Status", "Save", "Submit", "Approved", "Draft", "Submitted", "Returned",
    "Overview", "Units", "Indicators", "Projects", "Quarter", "Download", "Edit", "Open", "Cancel",
    "no data", "not assessed", "in progress", "until", "Formerly", "Yes", "None", "True", "False",
    # reference and demonstration data
    "province", "Illustrative", "Circular", "demonstration", "Portal",
    # machine words shown as text instead of as code
    "string", "integer", "boolean",
]
# Names that are English and right on a Vietnamese page.
ALLOWED = [
    "Cebu City", "Davao City",                                       # ASEAN Smart Cities Network members
    "Creative Commons Attribution 4.0 International",                # a licence's name
    "Table Schema", "Frictionless Data Package",                     # specifications' names
]
PUBLIC = [
    "/", "/?boundaries=as-reported", "/provinces/", "/provinces/bac-ninh/", "/provinces/hue/",
    "/provinces/bac-giang/", "/provinces/ho-chi-minh/", "/provinces/asean/",
    "/results/frameworks/", "/results/frameworks/decision-950/", "/results/crosswalk/", "/results/completeness/",
    "/results/task-groups/5/", "/results/indicators/TG5-01/", "/results/indicators/TG2-01/",
    "/results/indicators/TG4-04/", "/results/standards/", "/results/method/", "/results/maturity/",
    "/results/maturity/method/", "/data/", "/data/indicator-values/", "/data/projects/", "/data/maturity-levels/",
    "/data/releases/", "/published-reports/", "/published-reports/assessments/", "/projects/", "/about/",
    "/accounts/login/", "/accounts/password/reset/",
]


def visible_text(html):
    html = re.sub(r"<(script|style|code|kbd|pre)\b[^>]*>.*?</\1>", " ", html, flags=re.DOTALL)
    html = re.sub(r'<option value="en"[^>]*>.*?</option>', " ", html)  # the language switcher
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    for name in ALLOWED:
        text = text.replace(name, " ")
    return " ".join(text.split())


def english_in(text):
    found = []
    for word in ENGLISH:
        for match in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text):
            found.append(f"{word!r} in “…{text[max(0, match.start() - 50):match.end() + 50]}…”")
    return found


@pytest.fixture
def data(personas, django_capture_on_commit_callbacks):
    """Reports in every state, a published project, an approved self-assessment and a release."""
    project = ProjectFactory(unit=personas.unit, nodes=[task_group(5)])
    approved = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    contents = {
        "indicators": {"TG5-01": {"value": "62.5"}, "TG4-04": {"value": "12"}, "TG2-01": {"value": "4"}},
        "projects": {str(project.pk): {"status": "in-progress", "percent_complete": "40", "spending_to_date": "30.5"}},
    }
    approved = submit_and_approve(approved, reporter=personas.reporter, reviewer=personas.reviewer,
                                  data=contents, run=django_capture_on_commit_callbacks)
    submitted = ReportFactory(unit=personas.other_unit, year=2025, quarter=3)
    submitted = services.submit_report(user=personas.other_reporter, report=submitted, version=submitted.version,
                                       confirm_warnings=True)
    draft = ReportFactory(unit=personas.unit, year=2025, quarter=4)
    assessment = approved_assessment(unit=personas.unit, year=2025)
    load_demo_framework()
    return {"approved": approved, "submitted": submitted, "draft": draft, "project": project,
            "assessment": assessment}


def signed_in_pages(personas, data):
    approved, submitted, draft = data["approved"], data["submitted"], data["draft"]
    assessment = data["assessment"]
    return {
        "reporter": ["/reports/mine/", "/reports/?unit=bac-ninh", f"/reports/{draft.pk}/edit/", draft.get_absolute_url(),
                     approved.get_absolute_url(), f"/reports/{approved.pk}/history/", "/reports/new/",
                     "/assessments/", f"/assessments/{assessment.pk}/", "/projects/manage/",
                     f"/projects/manage/{data['project'].pk}/edit/", "/projects/manage/import/", "/accounts/profile/"],
        "reviewer": ["/reports/", submitted.get_absolute_url(), f"/reports/{submitted.pk}/history/",
                     "/reports/status/", "/assessments/", "/results/import/", "/results/export/"],
        "viewer": ["/reports/", "/reports/status/", approved.get_absolute_url(), "/results/export/"],
        "integrator": ["/accounts/profile/", "/reports/webhooks/"],
        "superuser": ["/reports/", "/reports/webhooks/", "/accounts/profile/"],
    }


def walk(client, paths, **headers):
    problems = []
    for path in paths:
        response = client.get(path, **headers)
        assert response.status_code == 200, (path, response.status_code)
        html = response.content.decode()
        assert '<html lang="vi">' in html, path
        problems += [f"{path}: {found}" for found in english_in(visible_text(html))]
    return problems


def test_the_word_list_catches_english_and_lets_proper_names_and_code_through():
    assert english_in(visible_text("<p>Báo cáo <b>Draft</b> · 3 documents</p>")) != []
    assert english_in(visible_text(
        "<p>Cebu City · <code>string</code> · Giấy phép Creative Commons Attribution 4.0 International</p>"
        '<select><option value="vi">Tiếng Việt</option><option value="en">English</option></select>'
    )) == []


@pytest.mark.parametrize("who", ["anonymous", "reporter", "reviewer", "viewer", "integrator", "superuser"])
def test_every_main_page_in_vietnamese_has_no_english_word(client, personas, data, who):
    if who == "anonymous":
        approved = data["approved"]
        paths = [*PUBLIC, f"/published-reports/{approved.unit.slug}/{approved.period_label}/"]
        paths += [release.get_absolute_url() for release in DataRelease.objects.all()[:1]]
        paths += [published.get_absolute_url() for published in PublishedProject.objects.all()[:1]]
        assert len(paths) == len(PUBLIC) + 3, "the data has a release and a published project"
    else:
        client.force_login(getattr(personas, who))
        paths = signed_in_pages(personas, data)[who]

    problems = walk(client, paths, HTTP_ACCEPT_LANGUAGE="vi")

    assert problems == [], "\n".join(problems)


def test_the_language_cookie_gives_the_same_vietnamese_pages(client, personas, data):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    client.force_login(personas.reviewer)

    problems = walk(client, ["/", "/reports/", data["submitted"].get_absolute_url(), "/reports/status/"],
                    HTTP_ACCEPT_LANGUAGE="en")

    assert problems == [], "\n".join(problems)
    assert Report.objects.filter(status=ReportStatus.SUBMITTED).exists()
