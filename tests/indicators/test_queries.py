"""Every dashboard page runs a fixed number of SQL queries, whatever the number of units and quarters."""
import pytest
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse

from indicators.results.services import recompute_all
from programmes.models import ProgrammeStatus
from provinces.models import AdministrativeUnit
from provinces.quarters import MERGER_DATE, Quarter, quarter_range
from tests.factories import ProgrammeFactory
from tests.indicators.conftest import approved_report

pytestmark = pytest.mark.django_db

# The most queries each page may run on a cold cache, the same for small and for ten-times-larger
# data (about five more than today's count, for the frame's own queries to grow). The overview also
# reads the framework version it shows, its items and the active frameworks.
PAGES = {
    reverse("home"): 28,
    reverse("home") + "?boundaries=as-reported&region=red-river-delta&pillar=digital-economy": 30,
    reverse("home") + "?format=csv&table=heat": 24,
    reverse("indicators:task_group_detail", kwargs={"number": 4}): 18,
    reverse("indicators:task_group_detail", kwargs={"number": 4}) + "?boundaries=as-reported": 18,
    reverse("indicators:indicator_detail", kwargs={"code": "TG5-01"}): 15,
    reverse("indicators:indicator_detail", kwargs={"code": "TG1-02"}) + "?boundaries=as-reported&format=xlsx&table=units": 13,
    reverse("indicators:completeness"): 19,
    reverse("indicators:completeness") + "?format=csv&table=units": 17,
    reverse("provinces:unit_detail", kwargs={"slug": "bac-ninh"}): 21,
    reverse("provinces:unit_detail", kwargs={"slug": "bac-giang"}): 18,
    reverse("indicators:unit_export", kwargs={"slug": "bac-ninh"}) + "?table=reports&format=csv": 17,
    reverse("provinces:asean"): 15,
    reverse("indicators:asean_export"): 11,
}


def fill(scale):
    """Approved reports of ``3 × scale`` old units over ``2 × scale`` quarters and ``scale`` new units since."""
    old_units = list(AdministrativeUnit.objects.in_force_on(MERGER_DATE.replace(day=1, month=6)).order_by("slug"))
    new_units = list(AdministrativeUnit.objects.current().order_by("slug"))
    last_before = Quarter(2025, 2)
    quarters = list(quarter_range(Quarter.parse("2018-Q1"), last_before))[-2 * min(scale, 4):]
    chosen = [u for u in old_units if u.slug in ("bac-giang", "bac-ninh-pre2025")]
    chosen += [u for u in old_units if u not in chosen][: 3 * scale - 2]
    for each in chosen:
        for q in quarters:
            approved_report(each.slug, q.year, q.quarter, percent=10 + each.pk % 80,
                            values={"TG5-01": each.pk % 90, "TG1-02": 3, "TG1-01": 1}, recompute=False)
        ProgrammeFactory(unit=each, status=ProgrammeStatus.APPROVED)
    new_chosen = [u for u in new_units if u.slug == "bac-ninh"] + [u for u in new_units if u.slug != "bac-ninh"][: scale - 1]
    for each in new_chosen:
        approved_report(each.slug, 2025, 3, percent=60, values={"TG5-01": 50}, recompute=False)
    recompute_all()


def queries_per_page(client, django_assert_max_num_queries):
    for url, bound in PAGES.items():
        cache.clear()
        with django_assert_max_num_queries(bound, info=url):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, url


@pytest.mark.parametrize("scale", [1, 10], ids=["small", "ten-times-larger"])
def test_pages_run_a_bounded_number_of_queries(client, personas, django_assert_max_num_queries, scale):
    fill(scale)
    queries_per_page(client, django_assert_max_num_queries)
    try:
        reverse("programmes:report_list")  # in the menu of signed-in users
    except NoReverseMatch:
        return
    client.force_login(personas.viewer)
    queries_per_page(client, django_assert_max_num_queries)
