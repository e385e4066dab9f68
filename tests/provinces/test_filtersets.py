"""``AdministrativeUnitFilterSet``: the filters of ``/provinces/`` and ``/api/v1/provinces/``."""
import unicodedata

import pytest
from django.http import QueryDict

from provinces.filtersets import AdministrativeUnitFilterSet
from provinces.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


def slugs(data):
    filterset = AdministrativeUnitFilterSet(data, queryset=AdministrativeUnit.objects.all())
    assert filterset.is_valid(), filterset.errors
    return {u.slug for u in filterset.qs}


def test_parameter_names_are_the_api_contract():
    assert set(AdministrativeUnitFilterSet.base_filters) == {"status", "region", "kind", "code", "q"}


@pytest.mark.parametrize("data", [None, {}, QueryDict(""), {"status": ""}])
def test_status_defaults_to_current(data):
    filterset = AdministrativeUnitFilterSet(data)
    assert filterset.qs.count() == 34
    assert all(u.is_current for u in filterset.qs)


def test_status_historical_is_the_map_before_july_2025():
    found = slugs({"status": "historical"})
    assert len(found) == 63
    assert {"ha-noi", "hue", "bac-giang", "bac-ninh-pre2025"} <= found
    assert "bac-ninh" not in found


def test_status_all():
    assert len(slugs({"status": "all"})) == 86


def test_region_by_slug():
    found = slugs({"region": "central-highlands", "status": "all"})
    assert found == set(
        AdministrativeUnit.objects.filter(region__slug="central-highlands").values_list("slug", flat=True)
    )
    assert "kon-tum" in found and "ha-noi" not in found


def test_kind():
    assert slugs({"kind": "municipality"}) == {
        "ha-noi", "hai-phong", "hue", "da-nang", "ho-chi-minh", "can-tho",
    }


@pytest.mark.parametrize("code", ["24", "24 ", " 24"])
def test_code(code):
    assert slugs({"code": code}) == {"bac-ninh"}
    assert slugs({"code": code, "status": "all"}) == {"bac-ninh", "bac-giang"}


def test_one_digit_code_is_padded():
    assert slugs({"code": "1"}) == {"ha-noi"}


@pytest.mark.parametrize(
    "text",
    [
        "Bắc Ninh",
        "bac ninh",
        "BAC NINH",
        "  bắc   ninh ",
        unicodedata.normalize("NFD", "Bắc Ninh"),
    ],
)
def test_search_is_accent_insensitive_and_normalised(text):
    assert slugs({"q": text}) == {"bac-ninh"}
    assert slugs({"q": text, "status": "all"}) == {"bac-ninh", "bac-ninh-pre2025"}


def test_search_finds_former_names_and_english_names():
    assert slugs({"q": "Thừa Thiên"}) == {"hue"}
    assert slugs({"q": "Ho Chi Minh City"}) == {"ho-chi-minh"}


def test_search_with_d_stroke():
    assert slugs({"q": "Đà Nẵng", "status": "all"}) == {"da-nang", "da-nang-pre2025"}
    assert slugs({"q": "da nang"}) == {"da-nang"}


@pytest.mark.parametrize(
    "data, field",
    [
        ({"status": "former"}, "status"),
        ({"region": "atlantis"}, "region"),
        ({"kind": "village"}, "kind"),
        ({"code": "1a"}, "code"),
        ({"code": "123"}, "code"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_invalid_values_make_the_filterset_invalid(data, field):
    filterset = AdministrativeUnitFilterSet(data)
    assert not filterset.is_valid()
    assert list(filterset.errors) == [field]
