"""Units in Vietnamese dictionary order everywhere: the key, and the lists that use it."""
import re

import pytest
from django.urls import reverse
from django.utils import translation

from provinces.selectors import sorted_units
from smartcity_portal.text import collation_key
from tests.factories import ReportFactory, unit

# Real names, in the order of a Vietnamese dictionary.
IN_ORDER = [
    "An Giang", "Bà Rịa - Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Ninh", "Bến Tre", "Cà Mau", "Cao Bằng",
    "Dak Nong", "Đà Nẵng", "Đắk Lắk", "Điện Biên", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Nội", "Hải Phòng",
    "Hậu Giang", "Hoà Bình", "Hồ Chí Minh", "Huế", "Hưng Yên", "Yên Bái",
]


def test_names_sort_by_the_vietnamese_alphabet_with_tones_breaking_ties():
    shuffled = IN_ORDER[1::2] + IN_ORDER[::2]
    assert sorted(shuffled, key=collation_key) == IN_ORDER


@pytest.mark.parametrize("first, second", [
    ("Hà Nội", "Huế"),          # "a" before "u", whatever the tone
    ("Dak Nong", "Đà Nẵng"),    # "Đ" after every "D"
    ("Đà Nẵng", "Đắk Lắk"),     # "a" before "ă"
    ("Đồng Tháp", "Gia Lai"),   # "Đ" before "G", not after "Y"
    ("Hà Nam", "Hà Nội"),
    ("Ha", "Hà"),               # the tone only breaks a tie
    ("Hà Nội", "Hải Phòng"),    # the space before any letter
])
def test_one_name_before_another(first, second):
    assert collation_key(first) < collation_key(second)


def test_composed_and_decomposed_spellings_sort_alike():
    import unicodedata

    assert collation_key(unicodedata.normalize("NFD", "Đắk Lắk")) == collation_key("Đắk Lắk")


@pytest.mark.django_db
def test_units_sort_by_the_name_shown_in_the_active_language():
    units = [unit(slug) for slug in ("hue", "ha-noi", "da-nang", "dak-lak", "dien-bien")]
    with translation.override("vi"):
        assert [u.slug for u in sorted_units(units)] == ["da-nang", "dak-lak", "dien-bien", "ha-noi", "hue"]
    with translation.override("en"):
        names = [u.name for u in sorted_units(units)]
        assert names == sorted(names, key=str.lower)


def option_names(html, select_name):
    select = re.search(rf'<select name="{select_name}"[^>]*>(.*?)</select>', html, re.DOTALL).group(1)
    options = re.findall(r'<option value="[^"]+"[^>]*>(.*?)</option>', select, re.DOTALL)
    return [re.sub(r"\s+", " ", text).strip() for text in options]


@pytest.mark.django_db
def test_the_report_list_filter_lists_units_in_vietnamese_order(client, personas):
    client.force_login(personas.viewer)

    html = client.get(reverse("programmes:report_list"), HTTP_ACCEPT_LANGUAGE="vi").content.decode()

    names = option_names(html, "province")
    current = [n for n in names if "(" not in n]
    dissolved = names[len(current):]
    assert len(current) == 34 and dissolved and all("(" in n for n in dissolved)
    assert current == sorted(current, key=collation_key)
    assert current.index("Hà Nội") < current.index("Huế")
    assert current.index("Đà Nẵng") < current.index("Điện Biên") < current.index("Gia Lai")


@pytest.mark.django_db
def test_the_status_table_lists_units_in_vietnamese_order(client, personas):
    ReportFactory(unit=unit("hue"), year=2025, quarter=3)
    client.force_login(personas.viewer)

    response = client.get(reverse("programmes:reporting_status"), {"year": 2025, "quarter": 3},
                          HTTP_ACCEPT_LANGUAGE="vi")

    names = [row["unit"].name_vi for row in response.context["rows"]]
    assert names == sorted(names, key=collation_key)
    assert names.index("Hà Nội") < names.index("Huế") and names.index("Đồng Tháp") < names.index("Gia Lai")


@pytest.mark.django_db
def test_the_report_list_orders_a_quarters_reports_in_vietnamese_order(client, personas):
    for slug in ("hue", "ha-noi", "dong-thap", "gia-lai"):
        ReportFactory(unit=unit(slug), year=2025, quarter=3)
    client.force_login(personas.viewer)

    response = client.get(reverse("programmes:report_list"), HTTP_ACCEPT_LANGUAGE="vi")

    assert [r.unit.slug for r in response.context["reports"]] == ["dong-thap", "gia-lai", "ha-noi", "hue"]


def test_the_demos_sqlite_database_orders_names_as_postgresql_does():
    import sqlite3
    from types import SimpleNamespace

    from provinces.selectors import VIETNAMESE_COLLATION, add_vietnamese_collation

    database = sqlite3.connect(":memory:")
    add_vietnamese_collation(None, SimpleNamespace(vendor="sqlite", connection=database))
    database.execute("create table unit (name text)")
    database.executemany("insert into unit values (?)", [(name,) for name in reversed(IN_ORDER)])

    ordered = database.execute(f'select name from unit order by name collate "{VIETNAMESE_COLLATION}"').fetchall()

    assert [name for (name,) in ordered] == IN_ORDER


@pytest.mark.django_db
def test_the_published_reports_list_a_quarters_units_in_vietnamese_order(client):
    from programmes.models import ReportStatus

    for slug in ("hue", "ha-noi", "dong-thap"):
        ReportFactory(unit=unit(slug), year=2025, quarter=3, status=ReportStatus.APPROVED)

    response = client.get(reverse("published:list"), HTTP_ACCEPT_LANGUAGE="vi")

    assert [r.unit.slug for r in response.context["reports"]] == ["dong-thap", "ha-noi", "hue"]
