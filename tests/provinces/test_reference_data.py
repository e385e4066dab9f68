"""The shipped reference data: counts, the 1 July 2025 lineage, and the loader."""
import re
import unicodedata
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from indicators.models import FrameworkNode, Indicator, Target
from provinces import selectors
from provinces.models import AdministrativeUnit, AseanSmartCity, Region, UnitKind

pytestmark = pytest.mark.django_db

BEFORE_MERGER = date(2025, 6, 30)
MERGER = date(2025, 7, 1)


def test_reference_counts():
    units = AdministrativeUnit.objects
    assert units.count() == 86
    assert units.in_force_on(BEFORE_MERGER).count() == 63
    assert units.in_force_on(MERGER).count() == 34
    assert selectors.units_in_force().count() == 34
    assert units.current().count() == 34
    in_both = units.in_force_on(BEFORE_MERGER) & units.in_force_on(MERGER)
    assert in_both.count() == 11
    assert units.historical().count() == 52
    assert Region.objects.count() == 6
    task_groups = FrameworkNode.objects.filter(version__framework__code="decision-950", kind="progress")
    assert sorted(int(code) for code in task_groups.values_list("code", flat=True)) == list(range(1, 10))
    assert FrameworkNode.objects.filter(version__framework__code="digital-transformation-2020").count() == 3
    assert AseanSmartCity.objects.count() == 29
    assert Indicator.objects.count() == 32


def test_national_2025_targets():
    national = {
        t.indicator.code: t.value
        for t in Target.objects.filter(unit__isnull=True, year=2025).select_related("indicator")
    }
    assert national == {"TG5-01": Decimal(80), "TG5-02": Decimal(90), "DE-01": Decimal(20)}


def test_every_dissolved_unit_has_exactly_one_current_successor():
    dissolved = list(AdministrativeUnit.objects.historical())
    assert len(dissolved) == 52
    for unit in dissolved:
        assert unit.successor_id is not None, unit.slug
        assert unit.valid_until == BEFORE_MERGER, unit.slug
        today = selectors.current_unit(unit)
        assert today.is_current, unit.slug
        assert today in AdministrativeUnit.objects.in_force_on(MERGER)
    mapping = selectors.lineage_map()
    assert {mapping[u.pk] for u in dissolved} <= set(
        AdministrativeUnit.objects.current().values_list("pk", flat=True)
    )


def test_every_unit_formed_on_1_july_2025_lists_its_predecessors():
    formed = list(AdministrativeUnit.objects.current().filter(valid_from=MERGER))
    assert len(formed) == 23
    for unit in formed:
        found = selectors.predecessors(unit)
        assert len(found) >= 2, unit.slug
        assert all(p.valid_until == BEFORE_MERGER for p in found), unit.slug
    # The 11 units in force before and after were not formed from anything.
    for unit in AdministrativeUnit.objects.current().filter(valid_from__isnull=True):
        assert selectors.predecessors(unit) == [], unit.slug


def test_new_bac_ninh_was_formed_from_bac_giang_and_old_bac_ninh():
    bac_ninh = AdministrativeUnit.objects.get(slug="bac-ninh")
    assert [u.slug for u in selectors.predecessors(bac_ninh)] == ["bac-giang", "bac-ninh-pre2025"]
    assert selectors.reporting_units_of(bac_ninh)[0] == bac_ninh
    old = AdministrativeUnit.objects.get(slug="bac-ninh-pre2025")
    assert selectors.current_unit(old) == bac_ninh


def test_hue_is_current_and_was_thua_thien_hue():
    hue = AdministrativeUnit.objects.get(slug="hue")
    assert hue.is_current
    assert hue.kind == UnitKind.MUNICIPALITY
    assert any(name.startswith("Thừa Thiên Huế") for name in hue.former_name_list)
    assert list(AdministrativeUnit.objects.search("thua thien")) == [hue]


def test_loading_twice_creates_nothing_the_second_time():
    before = AdministrativeUnit.objects.count(), Indicator.objects.count(), Target.objects.count()
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    text = out.getvalue()
    assert "created" not in text
    assert "kept edit" not in text
    assert re.search(r"^\d+ rows already up to date$", text, re.MULTILINE)
    after = AdministrativeUnit.objects.count(), Indicator.objects.count(), Target.objects.count()
    assert after == before


def test_loader_keeps_an_admin_edit_and_reports_it_until_overwrite():
    unit = AdministrativeUnit.objects.get(slug="hue")
    unit.name_en = "Hue City"
    unit.save()

    out = StringIO()
    call_command("load_reference_data", stdout=out)
    unit.refresh_from_db()
    assert unit.name_en == "Hue City"
    assert "kept edit" in out.getvalue()
    assert "Hue City" in out.getvalue() and "name_en" in out.getvalue()

    out = StringIO()
    call_command("load_reference_data", "--overwrite", stdout=out)
    unit.refresh_from_db()
    assert unit.name_en == "Hue"
    assert "restored" in out.getvalue()

    out = StringIO()
    call_command("load_reference_data", stdout=out)
    assert "kept edit" not in out.getvalue()


def _plain_name(name):
    name = unicodedata.normalize("NFC", name).strip()
    for prefix in ("Thành phố ", "Tỉnh "):
        name = name.removeprefix(prefix)
    return name


def test_current_units_agree_with_the_vietnam_provinces_package():
    from vietnam_provinces import Province, VietNamDivisionType

    package = {int(p.code): p for p in Province.iter_all()}
    ours = {int(u.code): u for u in AdministrativeUnit.objects.current()}
    assert len(package) == 34
    assert set(ours) == set(package)
    for code, province in package.items():
        unit = ours[code]
        assert f"{code:02d}" == unit.code
        assert _plain_name(province.name) == _plain_name(unit.name_vi), code
        is_city = province.division_type == VietNamDivisionType.THANH_PHO_TRUNG_UONG
        assert (unit.kind == UnitKind.MUNICIPALITY) == is_city, code
