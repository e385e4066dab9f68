"""The report pages' forms: shape only; every rule's message comes from the services, next to its field,
in the user's language."""
from datetime import date

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from indicators.selectors import active_indicators
from programmes import services
from programmes.filtersets import ReportFilterSet
from programmes.forms import ReportForm, StartReportForm, quarter_choices
from programmes.models import Report, ReportStatus
from programmes.paths import FieldPath
from programmes.selectors import report_content
from programmes.validation import plain_number
from tests.factories import ReportFactory, report_form_data, task_groups, unit

pytestmark = pytest.mark.django_db


def make_form(data=None, **kwargs):
    return ReportForm(data, items=task_groups(), indicators=active_indicators(), **kwargs)


# --- the report form --------------------------------------------------------------------------


def test_field_names_are_the_keys_of_the_services_errors():
    form = make_form()
    names = set(form.fields)
    for n in range(1, 10):
        for part in ("status", "percent_complete", "narrative", "evidence_links", "evidence_files"):
            assert f"nodes.decision-950:{n}.{part}" in names
    assert {"indicators.TG5-01.value", "indicators.TG5-01.note", "version", "confirm_warnings"} <= names


def test_inputs_suit_each_indicators_type():
    form = make_form()
    html = {code: str(form[f"indicators.{code}.value"]) for code in ("TG1-01", "TG1-02", "TG5-01", "TG4-04")}
    assert html["TG1-01"].startswith("<select") and 'value="yes"' in html["TG1-01"] and 'value="no"' in html["TG1-01"]
    # Numbers in text boxes with a numeric keyboard: a type="number" box shows "62,5" empty.
    assert 'type="text"' in html["TG1-02"] and 'inputmode="numeric"' in html["TG1-02"]
    assert 'type="text"' in html["TG5-01"] and 'inputmode="decimal"' in html["TG5-01"]
    assert 'type="number"' not in "".join(html.values())
    assert 'multiple' in str(form["nodes.decision-950:1.evidence_files"]) and ".pdf" in str(form["nodes.decision-950:1.evidence_files"])


def test_only_posted_fields_reach_the_services():
    form = make_form(QueryDict("version=3&nodes.decision-950:2.status=completed&nodes.decision-950:2.narrative=Xong&indicators.TG5-01.value=1,5"))

    assert form.is_valid(), form.errors
    assert form.to_data() == {
        "nodes": {"decision-950:2": {"status": "completed", "narrative": "Xong"}},
        "indicators": {"TG5-01": {"value": "1,5"}},
    }


def test_the_form_does_not_repeat_the_rules_of_the_services():
    # Out of range and not a number: the form passes them on; the services judge them.
    form = make_form(QueryDict("version=1&nodes.decision-950:1.percent_complete=150&indicators.TG1-02.value=abc"))
    assert form.is_valid(), form.errors


def test_initial_values_read_like_the_user_typed_them(personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3, answered=42)
    from tests.factories import set_values

    set_values(report, {"TG5-01": "62.5", "TG1-01": 0, "TG1-03": 1})
    with translation.override("en"):
        form = make_form(initial=ReportForm.initial_from(report_content(report), report.version))
        assert form["nodes.decision-950:1.percent_complete"].value() == "42"
        assert form["indicators.TG5-01.value"].value() == "62.5"
        assert form["indicators.TG1-01.value"].value() == "no"
        assert form["indicators.TG1-03.value"].value() == "yes"
        assert form["nodes.decision-950:1.status"].value() == "in-progress"
    with translation.override("vi"):
        # The decimal comma of the page's language; the form reads it back (validation.parse_number).
        form = make_form(initial=ReportForm.initial_from(report_content(report), report.version))
        assert form["indicators.TG5-01.value"].value() == "62,5"


def test_service_errors_land_next_to_their_fields():
    form = make_form(QueryDict("version=1"))
    assert form.is_valid()
    form.add_service_errors({
        "nodes.decision-950:3.percent_complete": ["out of range"], "indicators": ["no such indicator"], "version": ["which?"],
    })
    assert form.errors["nodes.decision-950:3.percent_complete"] == ["out of range"]
    assert form.non_field_errors() == ["no such indicator", "which?"]


@pytest.mark.parametrize("key, expected", [
    ("nodes.decision-950:3.narrative", ("nodes", "decision-950:3", "narrative")),
    ("nodes.decision-950:3", ("nodes", "decision-950:3", "")),
    ("indicators.TG5-01", ("indicators", "TG5-01", "")),
    ("indicators.TG5-01.value", ("indicators", "TG5-01", "value")),
    ("indicators.DE-02.note", ("indicators", "DE-02", "note")),
    ("comment", ("comment", "", "")),
])
def test_field_paths_name_an_item_or_indicator_and_its_field(key, expected):
    path = FieldPath.parse(key)
    assert (path.section, path.key, path.field) == expected
    assert str(path) == key


@pytest.mark.parametrize("key", ["nodes", "nodes.decision-950:3.colour", "indicators.TG5-01.value.x", "a.b"])
def test_a_path_that_names_no_field_of_a_report_is_refused(key):
    with pytest.raises(ValueError):
        FieldPath.parse(key)


def test_plain_numbers():
    assert [plain_number(v) for v in ("42.5000", "40.00", "0.0000", None, "100")] == ["42.5", "40", "0", "", "100"]


# --- errors in the user's language ------------------------------------------------------------------


def expected(language, message):
    with translation.override(language):
        return gettext(message)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_report_form_errors_are_in_the_users_language(client, personas, language):
    report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
    client.force_login(personas.reporter)
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    data = report_form_data(report, **{"nodes.decision-950:2.percent_complete": "150", "indicators.TG1-02.value": "-3"})

    response = client.post(reverse("programmes:report_edit", kwargs={"pk": report.pk}), data, **headers)

    assert response.status_code == 200 and response["Content-Language"] == language
    errors = response.context["form"].errors
    assert errors["nodes.decision-950:2.percent_complete"] == [expected(language, "Percent complete must be between 0 and 100.")]
    assert errors["indicators.TG1-02.value"] == [expected(language, "A count cannot be negative.")]
    assert f'<html lang="{language}">' in response.content.decode()

    # Django's own messages are translated already (the portal corrects a few of them), and prove the language reached the form.
    response = client.post(
        reverse("programmes:report_edit", kwargs={"pk": report.pk}), {**data, "version": "abc"}, **headers
    )
    message = {"vi": "Nhập một số nguyên.", "en": "Enter a whole number."}[language]
    assert message in response.content.decode()


@pytest.mark.parametrize("language, words", [("vi", "lựa chọn hợp lệ"), ("en", "Select a valid choice")])
def test_start_form_errors_are_in_the_users_language(client, personas, language, words):
    client.force_login(personas.reporter)

    response = client.post(
        reverse("programmes:report_start"), {"unit": unit("ha-noi").pk, "quarter": "2025-Q3"},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 200
    assert words in response.context["form"].errors["unit"][0]
    assert not Report.objects.exists()


# --- starting a report ----------------------------------------------------------------------------


def test_quarters_offered_follow_the_units_validity():
    today = date(2026, 2, 1)
    new = quarter_choices([unit("bac-ninh")], today)
    assert new[0][0] == "2025-Q4" and new[-1][0] == "2025-Q3"
    old = quarter_choices([unit("bac-giang")], today)
    assert old[0][0] == "2025-Q2" and old[-1][0] == "2018-Q1"
    both = quarter_choices([unit("bac-ninh"), unit("bac-giang")], today)
    assert [q for q, _ in both][:3] == ["2025-Q4", "2025-Q3", "2025-Q2"]


def test_start_form_defaults_to_the_users_unit_and_the_last_complete_quarter(personas):
    form = StartReportForm(user=personas.reporter, today=date(2026, 2, 1))
    assert form["unit"].value() == personas.unit.pk
    assert form["quarter"].value() == "2025-Q4"
    assert {u.slug for u in form.fields["unit"].queryset} == {"bac-ninh", "bac-giang", "bac-ninh-pre2025"}
    # Old and new Bắc Ninh share a name: the list says which is which.
    with translation.override("en"):
        assert "Bac Ninh (until 30/06/2025)" in str(form["unit"])


@pytest.mark.parametrize("language", ["vi", "en"])
def test_starting_a_report_that_exists_links_to_it(client, personas, language):
    existing = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    client.force_login(personas.reporter)

    response = client.post(
        reverse("programmes:report_start"), {"unit": personas.unit.pk, "quarter": "2025-Q3"},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 200
    with translation.override(language):
        message = gettext("%(unit)s already has a report for %(quarter)s.") % {
            "unit": personas.unit.name, "quarter": "2025-Q3",
        }
    assert response.context["form"].errors["quarter"] == [message]
    assert f'href="{existing.get_absolute_url()}"' in response.content.decode()
    assert Report.objects.count() == 1


def test_a_dissolved_unit_cannot_start_a_quarter_after_the_merger(client, personas):
    client.force_login(personas.reporter)

    response = client.post(
        reverse("programmes:report_start"), {"unit": unit("bac-giang").pk, "quarter": "2025-Q3"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "was dissolved on" in response.context["form"].errors["unit"][0]
    assert not Report.objects.exists()


def test_a_quarter_that_has_not_ended_is_not_offered(client, personas):
    client.force_login(personas.reporter)

    response = client.post(reverse("programmes:report_start"), {"unit": personas.unit.pk, "quarter": "2099-Q1"})

    assert response.status_code == 200 and "quarter" in response.context["form"].errors
    assert not Report.objects.exists()


def test_starting_a_report_prefills_it_and_opens_the_form(client, personas):
    previous = ReportFactory(unit=personas.unit, year=2025, quarter=3, status=ReportStatus.APPROVED, answered=60)
    client.force_login(personas.reporter)

    response = client.post(reverse("programmes:report_start"), {"unit": personas.unit.pk, "quarter": "2025-Q4"})

    report = Report.objects.exclude(pk=previous.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:report_edit", kwargs={"pk": report.pk})
    assert report.created_by == personas.reporter and report.status == ReportStatus.DRAFT
    assert {str(p.percent_complete) for p in report.answers.all()} == {"60.00"}


# --- the report filters (shared with /api/v1/reports/) ---------------------------------------------------


def test_filterset_narrows_by_unit_year_quarter_and_status(personas):
    a = ReportFactory(unit=personas.unit, year=2025, quarter=3, status=ReportStatus.SUBMITTED)
    b = ReportFactory(unit=personas.unit, year=2025, quarter=4)
    c = ReportFactory(unit=personas.other_unit, year=2024, quarter=3, status=ReportStatus.APPROVED)

    def ids(**params):
        return set(ReportFilterSet(params, queryset=Report.objects.all()).qs.values_list("pk", flat=True))

    assert ids() == {a.pk, b.pk, c.pk}
    assert ids(province="bac-ninh") == {a.pk, b.pk}
    assert ids(year="2025", quarter="3") == {a.pk}
    assert ids(quarter="3") == {a.pk, c.pk}
    assert ids(status="approved") == {c.pk}


@pytest.mark.parametrize("params, field", [
    ({"province": "atlantis"}, "province"),
    ({"year": "abc"}, "year"),
    ({"year": "2025.5"}, "year"),
    ({"year": "1999"}, "year"),
    ({"quarter": "7"}, "quarter"),
    ({"status": "lost"}, "status"),
])
def test_filterset_refuses_bad_values(params, field):
    filterset = ReportFilterSet(params, queryset=Report.objects.all())
    assert not filterset.is_valid() and field in filterset.errors


def test_the_list_page_shows_filter_errors_without_crashing(client, personas):
    ReportFactory(unit=personas.unit, year=2025, quarter=3, status=ReportStatus.APPROVED)
    client.force_login(personas.viewer)

    response = client.get(reverse("programmes:report_list"), {"year": "abc", "quarter": "9"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_year_error"' in html and 'id="id_quarter_error"' in html
    assert list(response.context["reports"]) == []
