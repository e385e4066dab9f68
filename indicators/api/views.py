"""Frameworks, indicators, and the approved results the dashboards show (precomputed, never raw reports)."""
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from indicators import selectors as reference
from indicators.api.filtersets import IndicatorFilterSet
from indicators.api.serializers import (
    FrameworkSerializer,
    IndicatorResultSerializer,
    IndicatorSerializer,
    ProgressResultSerializer,
    VersionNodesSerializer,
)
from indicators.filtersets import IndicatorResultFilterSet, NodeResultFilterSet
from indicators.models import (
    Framework,
    FrameworkVersion,
    Indicator,
    IndicatorMapping,
    IndicatorResult,
    NodeResult,
)
from smartcity_portal.api.mixins import (
    CachedList,
    FilterListOnly,
    LastModified,
    SparseFields,
)
from smartcity_portal.api.schema import errors

LIST_ERRORS = errors(400, 401, 404, 429)
DETAIL_ERRORS = errors(401, 404, 429)

BOUNDARIES = (
    "From approved reports only. `boundaries=current` (the default) rolls the units that reported "
    "up to today's 34 units by each indicator's roll-up rule; `boundaries=as-reported` gives each "
    "unit's own figures, including the units dissolved on 1 July 2025."
)


@extend_schema_view(
    list=extend_schema(
        summary="List frameworks with their versions",
        description="Decision 950, the digital-transformation pillars, criteria sets… (docs/frameworks.md).",
        responses={200: FrameworkSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One framework, by code",
        description="A framework (e.g. `decision-950`) with its versions, newest first; read a version's items at `versions/{version}/nodes/`.",
        responses={200: FrameworkSerializer, **DETAIL_ERRORS}),
)
class FrameworkViewSet(SparseFields, viewsets.ReadOnlyModelViewSet):
    brief_fields = ["code", "name"]
    queryset = Framework.objects.prefetch_related(
        Prefetch("versions", queryset=FrameworkVersion.objects.annotate_node_count().order_by("-valid_from"))
    ).order_by("code")
    serializer_class = FrameworkSerializer
    lookup_field = "code"
    lookup_value_regex = r"[a-z0-9-]+"
    ordering_fields = ["code"]

    @extend_schema(
        summary="A framework version's tree of nodes, with each node's indicators",
        description=(
            "The version's groups, items and criteria as a tree (`children`), each with the indicators mapped "
            "to it, and the version's maturity `levels` (empty for a framework without levels)."
        ),
        request=None,
        responses={200: VersionNodesSerializer, **DETAIL_ERRORS},
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<version>[a-z0-9-]+)/nodes",
            filter_backends=[], pagination_class=None)
    def nodes(self, request, code=None, version=None):
        version = get_object_or_404(
            FrameworkVersion.objects.select_related("framework"), framework__code=code, code=version
        )
        nodes = reference.version_nodes(version)
        by_pk = {node.pk: node for node in nodes}
        roots = []
        for node in nodes:
            node.tree_children = []
        for node in nodes:
            (by_pk[node.parent_id].tree_children if node.parent_id in by_pk else roots).append(node)
        body = {"version": version, "levels": list(version.levels.all()), "nodes": roots}
        return Response(VersionNodesSerializer(body, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(
        summary="List indicators",
        description="What units report each quarter; each indicator lists the framework `nodes` it counts toward.",
        responses={200: IndicatorSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(
        summary="One indicator, by code",
        description="An indicator by its code (e.g. `TG5-01`): its unit, value type, roll-up rule and the nodes it counts toward.",
        responses={200: IndicatorSerializer, **DETAIL_ERRORS}),
)
class IndicatorViewSet(SparseFields, CachedList, viewsets.ReadOnlyModelViewSet):
    brief_fields = ["code", "name", "unit", "value_type"]
    queryset = Indicator.objects.prefetch_related(
        Prefetch("mappings", queryset=IndicatorMapping.objects.select_related("node__version__framework").order_by(
            "node__version__framework__code", "-node__version__valid_from", "node__order"
        ))
    ).order_by("code")
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilterSet
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    ordering_fields = ["code"]


@extend_schema_view(
    list=extend_schema(
        summary="Approved answers per unit, framework item and quarter",
        description=BOUNDARIES,
        responses={200: ProgressResultSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One progress result",
        description=(
            "A row of `progress/` by its `id`. Ids are not stable: a unit's rows of a quarter are replaced "
            "when they are recomputed; address a result by its natural key in a list instead."
        ),
        responses={200: ProgressResultSerializer, **DETAIL_ERRORS}),
)
class ProgressViewSet(SparseFields, LastModified, CachedList, FilterListOnly, viewsets.ReadOnlyModelViewSet):
    brief_fields = ["id", "province", "year", "quarter", "framework", "node", "percent_complete", "met"]
    last_modified_field = "computed_at"
    queryset = NodeResult.objects.select_related("unit", "node__version__framework")
    serializer_class = ProgressResultSerializer
    filterset_class = NodeResultFilterSet
    lookup_value_regex = r"\d+"
    ordering_fields = ["id", "year", "quarter", "percent_complete", "computed_at"]


@extend_schema_view(
    list=extend_schema(
        summary="Approved indicator values per unit and quarter",
        description=BOUNDARIES,
        responses={200: IndicatorResultSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One indicator value",
        description=(
            "A row of `indicator-values/` by its `id`. Ids are not stable: a unit's rows of a quarter are "
            "replaced when they are recomputed; address a value by its natural key in a list instead."
        ),
        responses={200: IndicatorResultSerializer, **DETAIL_ERRORS}),
)
class IndicatorValueViewSet(SparseFields, LastModified, CachedList, FilterListOnly, viewsets.ReadOnlyModelViewSet):
    brief_fields = ["id", "province", "year", "quarter", "indicator", "value"]
    last_modified_field = "computed_at"
    queryset = IndicatorResult.objects.select_related("unit", "indicator")
    serializer_class = IndicatorResultSerializer
    filterset_class = IndicatorResultFilterSet
    lookup_value_regex = r"\d+"
    ordering_fields = ["id", "year", "quarter", "value", "computed_at"]
