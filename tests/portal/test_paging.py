"""Paged lists: an address names a page that exists, or it is not found."""
import pytest
from django.urls import reverse

from programmes.models import ReportStatus
from tests.factories import ReportFactory, unit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["abc", "0", "2", "999"])
def test_a_page_that_is_not_a_number_or_does_not_exist_is_not_found(client, page):
    ReportFactory(unit=unit("hue"), year=2025, quarter=3, status=ReportStatus.APPROVED)

    response = client.get(reverse("published:list"), {"page": page})

    assert response.status_code == 404


@pytest.mark.parametrize("page", ["", "1"])
def test_the_first_page_is_found_with_or_without_its_number(client, page):
    ReportFactory(unit=unit("hue"), year=2025, quarter=3, status=ReportStatus.APPROVED)

    response = client.get(reverse("published:list"), {"page": page} if page else {})

    assert response.status_code == 200 and [r.unit.slug for r in response.context["reports"]] == ["hue"]


def test_a_list_with_nothing_in_it_has_its_first_page(client):
    assert client.get(reverse("published:list")).status_code == 200
    assert client.get(reverse("projects:list")).status_code == 200
