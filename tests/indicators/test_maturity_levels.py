"""Maturity levels (indicators/results/maturity.py) against hand-computed cases.

The rule: a unit reaches level L when every assessed criterion (basic or chosen)
of level L and of every level below is verified met (answered met and accepted).
"""
import pytest
from django.test import Client

from indicators.models import MaturityResult
from indicators.results import maturity
from indicators.results.maturity import CriterionState, reached_level, summarise
from programmes import events, handlers
from programmes.models import OutboxMessage, ReportStatus
from tests.factories import AssessmentFactory, maturity_version, unit

LEVELS = [1, 2, 3]


def states(*rows):
    return [CriterionState(code, level, met) for code, level, met in rows]


# (criteria as (code, level, verified met), level reached, gaps for the next level), worked out by hand.
CASES = [
    pytest.param([], 3, [], id="nothing-assessed-asks-nothing"),
    pytest.param([("A1", 1, False)], 0, ["A1"], id="a-level-1-criterion-not-met-gives-level-0"),
    pytest.param([("A1", 1, True), ("A2", 1, True), ("B1", 2, False), ("C1", 3, True)], 1, ["B1"],
                 id="a-gap-at-level-2-stops-at-level-1-though-level-3-is-met"),
    pytest.param([("A1", 1, True), ("B1", 2, True), ("B2", 2, True), ("C1", 3, False), ("C2", 3, False)], 2,
                 ["C1", "C2"], id="every-level-3-criterion-missing-is-a-gap"),
    pytest.param([("A1", 1, True), ("B1", 2, True), ("C1", 3, True)], 3, [], id="all-met-reaches-the-top"),
    pytest.param([("A1", 1, True), ("C1", 3, True)], 3, [], id="a-level-without-assessed-criteria-is-passed"),
    pytest.param([("A1", 1, True), ("C1", 3, False)], 2, ["C1"], id="passed-level-2-then-stopped-at-level-3"),
    pytest.param([("A1", 1, True), ("X1", None, False)], 3, [], id="a-criterion-without-level-counts-for-none"),
    pytest.param([("A1", 1, False), ("B1", 2, True), ("C1", 3, True)], 0, ["A1"],
                 id="higher-levels-met-do-not-help-below"),
]


@pytest.mark.parametrize("criteria, level, gaps", CASES)
def test_the_level_reached_and_the_gaps_are_those_computed_by_hand(criteria, level, gaps):
    summary = summarise(LEVELS, states(*criteria))
    assert summary.level == level
    assert summary.gaps == gaps
    assert reached_level(LEVELS, states(*criteria)) == level


def test_the_summary_counts_criteria_met_and_assessed_per_level():
    summary = summarise(LEVELS, states(("A1", 1, True), ("A2", 1, False), ("B1", 2, True), ("C1", 3, True)))
    assert summary.per_level == [
        {"level": 1, "met": 1, "assessed": 2},
        {"level": 2, "met": 1, "assessed": 1},
        {"level": 3, "met": 1, "assessed": 1},
    ]
    assert summary.criteria_met == 3


@pytest.mark.django_db
def test_an_approved_assessment_gets_the_level_of_its_verified_criteria_only():
    # A1 and A2 (level 1) met and accepted; A3 chosen, met but rejected: level 0; B1 met and accepted.
    assessment = AssessmentFactory(
        status=ReportStatus.APPROVED, chosen=["A3"],
        answers={"A1": True, "A2": True, "A3": True, "B1": True, "C1": True},
        decisions={"A1": True, "A2": True, "A3": False, "B1": True, "C1": True},
    )
    maturity.recompute_maturity([(assessment.unit_id, assessment.year, assessment.framework_version_id)])
    result = MaturityResult.objects.get(assessment=assessment)
    assert (result.level, result.gaps, result.criteria_met) == (0, ["A3"], 4)


@pytest.mark.django_db
def test_a_criterion_answered_not_met_and_accepted_is_not_verified_met():
    assessment = AssessmentFactory(
        status=ReportStatus.APPROVED, answers={"A1": True, "A2": False, "B1": True, "C1": True},
        decisions={"A1": True, "A2": True, "B1": True, "C1": True},
    )
    maturity.recompute_maturity([(assessment.unit_id, assessment.year, assessment.framework_version_id)])
    assert MaturityResult.objects.get(assessment=assessment).level == 0


@pytest.mark.django_db
def test_an_optional_criterion_not_chosen_does_not_count():
    # B2 is optional and not chosen: its "not met" does not stop level 2.
    assessment = AssessmentFactory(
        status=ReportStatus.APPROVED, answers={"A1": True, "A2": True, "B1": True, "B2": False, "C1": False},
        decisions={"A1": True, "A2": True, "B1": True, "C1": True},
    )
    maturity.recompute_maturity([(assessment.unit_id, assessment.year, assessment.framework_version_id)])
    result = MaturityResult.objects.get(assessment=assessment)
    assert (result.level, result.gaps) == (2, ["C1"])
    assert result.per_level == [
        {"level": 1, "met": 2, "assessed": 2}, {"level": 2, "met": 1, "assessed": 1},
        {"level": 3, "met": 0, "assessed": 1},
    ]


@pytest.mark.django_db
def test_only_approved_assessments_have_results():
    submitted = AssessmentFactory(status=ReportStatus.SUBMITTED, answers={"A1": True}, decisions={"A1": True})
    maturity.recompute_maturity([(submitted.unit_id, submitted.year, submitted.framework_version_id)])
    assert not MaturityResult.objects.exists()


@pytest.mark.django_db
def test_the_subscriber_writes_the_level_on_approval_and_removes_it_on_reopening(django_capture_on_commit_callbacks):
    assessment = AssessmentFactory(
        status=ReportStatus.APPROVED, answers={"A1": True, "A2": True, "B1": True, "C1": True},
        decisions={"A1": True, "A2": True, "B1": True, "C1": True},
    )
    assessment.unit.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        events.record_assessment_event(events.ASSESSMENT_APPROVED, assessment)
    assert MaturityResult.objects.get(assessment=assessment).level == 3
    assert OutboxMessage.objects.filter(topic=events.ASSESSMENT_APPROVED, processed_at__isnull=False).exists()

    assessment.status = ReportStatus.RETURNED
    assessment.save()
    message = events.record_assessment_event(events.ASSESSMENT_REOPENED, assessment)
    assert handlers.process_outbox_message(message.pk) == "done"
    assert not MaturityResult.objects.exists()


@pytest.mark.django_db
def test_distribution_and_ranking_follow_the_levels_and_share_ranks():
    version = maturity_version()
    top = {"A1": True, "A2": True, "B1": True, "C1": True}
    for slug, answers in (("bac-ninh", top), ("ha-noi", top), ("hue", {**top, "C1": False}),
                          ("da-nang", {**top, "A1": False})):
        assessment = AssessmentFactory(unit=unit(slug), version=version, year=2026, status=ReportStatus.APPROVED,
                                       answers=answers, decisions=dict.fromkeys(answers, True))
        maturity.recompute_maturity([(assessment.unit_id, 2026, version.pk)])
    rows = maturity.level_rows(version, 2026)
    assert len(rows) == 34
    counts = dict(maturity.distribution(rows, list(version.levels.all())))
    assert counts == {0: 1, 1: 0, 2: 1, 3: 2, None: 30}
    ranked = [(rank, row.unit.slug) for rank, row in maturity.ranking(rows)]
    assert ranked[:2] in ([(1, "bac-ninh"), (1, "ha-noi")], [(1, "ha-noi"), (1, "bac-ninh")])
    assert ranked[2:] == [(3, "hue"), (4, "da-nang")]


@pytest.mark.django_db
def test_the_dashboard_shows_each_level_and_downloads_its_tables(settings):
    version = maturity_version()
    assessment = AssessmentFactory(
        unit=unit("hue"), version=version, year=2025, status=ReportStatus.APPROVED,
        answers={"A1": True, "A2": True, "B1": False, "C1": True}, decisions={"A1": True, "A2": True, "B1": True,
                                                                              "C1": True},
    )
    maturity.recompute_maturity([(assessment.unit_id, 2025, version.pk)])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = client.get("/results/maturity/?framework=test-maturity&year=2025").content.decode()
    assert "This version is illustrative" in page
    assert "1. Foundation" in page and "B1. Criterion B1" in page
    csv = client.get("/results/maturity/?framework=test-maturity&year=2025&format=csv&table=gaps")
    assert csv.status_code == 200 and "B1. Criterion B1" in csv.content.decode("utf-8-sig")
    xlsx = client.get("/results/maturity/?framework=test-maturity&year=2025&format=xlsx&table=ranking")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    for table in ("levels", "distribution"):
        assert client.get(f"/results/maturity/?framework=test-maturity&year=2025&format=csv&table={table}").status_code == 200
    assert client.get("/results/maturity/?format=csv&table=nope").status_code == 400


@pytest.mark.django_db
def test_the_dashboard_refuses_a_year_that_has_not_begun():
    maturity_version()
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/results/maturity/?year=2100")
    assert response.status_code == 400
    assert "has not begun yet" in response.content.decode()


@pytest.mark.django_db
def test_the_method_page_computes_its_worked_example_with_the_rule():
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/results/maturity/method/").content.decode()
    assert "Level reached: 1." in page and "To reach level 2: B2." in page
    assert "Circular 03/2026/TT-BXD" in page
