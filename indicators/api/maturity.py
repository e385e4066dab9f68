"""``/api/v1/maturity/``: the level each unit reached, per year and framework version.

From approved maturity assessments only, as ``indicators.results.maturity``
computed them (never the assessments themselves): public, like every result.
"""
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from indicators.filtersets import MaturityResultFilterSet
from indicators.models import MaturityResult
from smartcity_portal.api.mixins import CachedList, FilterListOnly, SparseFields
from smartcity_portal.api.schema import AnswerOnly, errors


class LevelMetSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField(help_text="In the language of Accept-Language.")
    met = serializers.IntegerField(help_text="Criteria of this level verified met.")
    assessed = serializers.IntegerField(help_text="Criteria of this level assessed (basic and chosen).")


class MaturityResultSerializer(AnswerOnly, serializers.ModelSerializer):
    province = serializers.SlugRelatedField(source="unit", slug_field="slug", read_only=True)
    framework = serializers.CharField(source="version.framework.code", read_only=True)
    framework_version = serializers.CharField(source="version.code", read_only=True)
    illustrative = serializers.BooleanField(
        source="version.is_illustrative", read_only=True, help_text="An illustrative version is not official content."
    )
    level = serializers.IntegerField(read_only=True, help_text="The level reached; 0: not even the first.")
    level_name = serializers.SerializerMethodField(help_text="The name of the level reached; null for 0.")
    criteria_met = serializers.SerializerMethodField(help_text="Per level: criteria verified met and assessed.")
    gaps = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text="Codes of the next level's criteria not verified met (what the unit lacks to reach it).",
    )

    class Meta:
        model = MaturityResult
        fields = [
            "id", "province", "year", "framework", "framework_version", "illustrative", "level", "level_name",
            "criteria_met", "gaps", "computed_at",
        ]

    def _names(self, result):
        return {lv.number: lv for lv in result.version.levels.all()}

    def get_level_name(self, result) -> str | None:
        level = self._names(result).get(result.level)
        return None if level is None else level.name

    @extend_schema_field(LevelMetSerializer(many=True))
    def get_criteria_met(self, result):
        names = self._names(result)
        return [
            {"number": row["level"], "name": names[row["level"]].name if row["level"] in names else "",
             "met": row["met"], "assessed": row["assessed"]}
            for row in result.per_level
        ]


@extend_schema_view(
    list=extend_schema(
        summary="Maturity level reached per unit, year and framework version",
        description=(
            "From approved maturity assessments only: the level the verified criteria reach by the portal's rule "
            "(/results/maturity/method/), with the criteria verified met per level and the next level's gaps."
        ),
        responses={200: MaturityResultSerializer(many=True), **errors(400, 404, 429)},
    ),
    retrieve=extend_schema(
        summary="One maturity result",
        description="A row of `maturity/` by its `id`: the level a unit reached for a year and framework version.",
        responses={200: MaturityResultSerializer, **errors(404, 429)}),
)
class MaturityViewSet(SparseFields, CachedList, FilterListOnly, viewsets.ReadOnlyModelViewSet):
    brief_fields = ["id", "province", "year", "framework", "level"]
    queryset = MaturityResult.objects.select_related("unit", "version__framework").prefetch_related(
        "version__levels"
    ).order_by("-year", "version__framework__code", "-level", "-criteria_met", "unit__name_vi", "pk")
    serializer_class = MaturityResultSerializer
    filterset_class = MaturityResultFilterSet
    lookup_value_regex = r"\d+"
    ordering_fields = ["id", "year", "level", "criteria_met", "computed_at"]
