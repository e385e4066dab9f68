"""Indicators, and the approved results the dashboards show (precomputed, never raw reports)."""
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from indicators.api.filtersets import IndicatorFilterSet
from indicators.api.serializers import IndicatorResultSerializer, IndicatorSerializer, ProgressResultSerializer
from indicators.filtersets import IndicatorResultFilterSet, TaskGroupResultFilterSet
from indicators.models import Indicator, IndicatorResult, TaskGroupResult
from smartcity_portal.api.mixins import CachedList, FilterListOnly
from smartcity_portal.api.schema import errors

LIST_ERRORS = errors(400, 401, 404, 429)
DETAIL_ERRORS = errors(401, 404, 429)

BOUNDARIES = (
    "From approved reports only. `boundaries=current` (the default) rolls the units that reported "
    "up to today's 34 units by each indicator's roll-up rule; `boundaries=as-reported` gives each "
    "unit's own figures, including the units dissolved on 1 July 2025."
)


@extend_schema_view(
    list=extend_schema(summary="List indicators", responses={200: IndicatorSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(summary="One indicator, by code", responses={200: IndicatorSerializer, **DETAIL_ERRORS}),
)
class IndicatorViewSet(CachedList, viewsets.ReadOnlyModelViewSet):
    queryset = Indicator.objects.select_related("task_group", "pillar")
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilterSet
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    ordering_fields = ["code"]


@extend_schema_view(
    list=extend_schema(
        summary="Approved percent complete per unit, task group and quarter",
        description=BOUNDARIES,
        responses={200: ProgressResultSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="One progress result", responses={200: ProgressResultSerializer, **DETAIL_ERRORS}),
)
class ProgressViewSet(CachedList, FilterListOnly, viewsets.ReadOnlyModelViewSet):
    queryset = TaskGroupResult.objects.select_related("unit", "task_group")
    serializer_class = ProgressResultSerializer
    filterset_class = TaskGroupResultFilterSet
    lookup_value_regex = r"\d+"
    ordering_fields = ["id", "year", "quarter", "percent_complete", "computed_at"]


@extend_schema_view(
    list=extend_schema(
        summary="Approved indicator values per unit and quarter",
        description=BOUNDARIES,
        responses={200: IndicatorResultSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="One indicator value", responses={200: IndicatorResultSerializer, **DETAIL_ERRORS}),
)
class IndicatorValueViewSet(CachedList, FilterListOnly, viewsets.ReadOnlyModelViewSet):
    queryset = IndicatorResult.objects.select_related("unit", "indicator")
    serializer_class = IndicatorResultSerializer
    filterset_class = IndicatorResultFilterSet
    lookup_value_regex = r"\d+"
    ordering_fields = ["id", "year", "quarter", "value", "computed_at"]
