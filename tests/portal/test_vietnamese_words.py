"""Vietnamese pages say units of measure, durations and city names in Vietnamese."""
import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from indicators.models import Indicator
from programmes.models import ReportStatus
from programmes.templatetags.reports import waiting_for
from tests.factories import ReportFactory
from tests.indicators.conftest import approved_report

pytestmark = pytest.mark.django_db

ENGLISH_UNITS = ["documents", "databases", "billion VND", "persons", "meetings", "hotspots", "datasets"]


def visible_text(response):
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.DOTALL)
    return re.sub(r"<[^>]+>", " ", html)


def test_every_unit_of_measure_of_the_indicators_has_a_vietnamese_label():
    with translation.override("vi"):
        labels = {indicator.unit: indicator.unit_label for indicator in Indicator.objects.exclude(unit="")}
    assert labels and all(label != unit or unit == "%" for unit, label in labels.items())


@pytest.mark.parametrize("url", ["/results/indicators/TG5-01/", "/results/indicators/TG2-01/"])
def test_an_indicator_page_in_vietnamese_names_its_unit_in_vietnamese(client, url):
    approved_report("ha-noi", 2025, 2, values={"TG5-01": 60})

    text = visible_text(client.get(url, HTTP_ACCEPT_LANGUAGE="vi"))

    assert not [word for word in ENGLISH_UNITS if word in text]


def test_a_report_page_in_vietnamese_names_units_of_measure_in_vietnamese(client, personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    client.force_login(personas.reporter)

    text = visible_text(client.get(report.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="vi"))

    assert not [word for word in ENGLISH_UNITS if re.search(rf"\b{word}\b", text)]


def test_the_waiting_time_on_the_status_page_is_in_the_pages_language(client, personas):
    ReportFactory(unit=personas.unit, year=2025, quarter=3, status=ReportStatus.SUBMITTED,
                  submitted_at=timezone.now() - timedelta(days=40))
    client.force_login(personas.viewer)

    text = visible_text(client.get("/reports/status/", HTTP_ACCEPT_LANGUAGE="vi"))

    assert "40 ngày" in text and "month" not in text and "weeks" not in text
    with translation.override("en"):
        assert waiting_for(timezone.now() - timedelta(days=1)) == "1 day"


def test_the_asean_page_in_vietnamese_names_vietnamese_cities_in_vietnamese(client):
    text = visible_text(client.get("/provinces/asean/", HTTP_ACCEPT_LANGUAGE="vi"))

    assert "Hồ Chí Minh City" not in text and "Hồ Chí Minh" in text
