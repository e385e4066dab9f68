"""Reference data about units: regions, provinces (old and current) and ASEAN member cities."""
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from provinces.api.serializers import (
    AseanCitySerializer,
    ProvinceSerializer,
    RegionSerializer,
)
from provinces.filtersets import AdministrativeUnitFilterSet
from provinces.models import AdministrativeUnit, AseanSmartCity, Region
from smartcity_portal.api.mixins import CachedList, FilterListOnly, SparseFields
from smartcity_portal.api.schema import errors

LIST_ERRORS = errors(400, 401, 404, 429)
DETAIL_ERRORS = errors(401, 404, 429)


@extend_schema_view(
    list=extend_schema(
        summary="List the six socio-economic regions",
        description="Each region's slug, and its name in Vietnamese and English; `name` follows Accept-Language.",
        responses={200: RegionSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(
        summary="One region, by slug",
        description="A region by its slug (e.g. `red-river-delta`), as `provinces/?region=` takes it.",
        responses={200: RegionSerializer, **DETAIL_ERRORS}),
)
class RegionViewSet(SparseFields, CachedList, viewsets.ReadOnlyModelViewSet):
    brief_fields = ["slug", "name"]
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    lookup_field = "slug"
    ordering_fields = ["id", "slug", "name_vi", "name_en"]


@extend_schema_view(
    list=extend_schema(
        summary="List provincial units",
        description=(
            "The 34 units in force by default (`status=current`); `status=historical` gives the 63 "
            "units in force before 1 July 2025, `status=all` every unit. Each unit names its "
            "successor and predecessors by slug."
        ),
        responses={200: ProvinceSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One provincial unit, by slug (old units too)",
        description=(
            "Any unit, in force or dissolved on 1 July 2025 (`is_current`, `valid_until`), with the unit it "
            "became (`successor`) and those merged into it (`predecessors`)."
        ),
        responses={200: ProvinceSerializer, **DETAIL_ERRORS},
    ),
)
class ProvinceViewSet(SparseFields, CachedList, FilterListOnly, viewsets.ReadOnlyModelViewSet):
    brief_fields = ["slug", "code", "name", "is_current"]
    serializer_class = ProvinceSerializer
    filterset_class = AdministrativeUnitFilterSet
    lookup_field = "slug"
    ordering_fields = ["name_vi", "name_en", "code", "slug", "valid_from", "valid_until"]

    def get_queryset(self):
        return AdministrativeUnit.objects.select_related("region", "successor").prefetch_related(
            Prefetch("predecessors", queryset=AdministrativeUnit.objects.order_by("name_vi").only("pk", "slug", "successor_id", "name_vi"))
        )


@extend_schema_view(
    list=extend_schema(
        summary="List member cities of the ASEAN Smart Cities Network",
        description="Every member city; for Vietnamese members, `province` is the unit it belonged to when it joined.",
        responses={200: AseanCitySerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(
        summary="One ASEAN smart city",
        description="A member city of the network by its `id`.",
        responses={200: AseanCitySerializer, **DETAIL_ERRORS}),
)
class AseanCityViewSet(SparseFields, CachedList, viewsets.ReadOnlyModelViewSet):
    brief_fields = ["id", "city", "country_code", "province"]
    queryset = AseanSmartCity.objects.select_related("unit")
    serializer_class = AseanCitySerializer
    filterset_fields = ["country_code", "joined_year"]
    ordering_fields = ["country", "city", "joined_year"]
