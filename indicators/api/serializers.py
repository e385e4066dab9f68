from rest_framework import serializers

from indicators.models import Indicator, IndicatorResult, TaskGroupResult


class IndicatorSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="The name in the language of Accept-Language.")
    task_group = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True, help_text="Task group number; null for a pillar-only indicator."
    )
    pillar = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "code", "name", "name_vi", "name_en", "task_group", "pillar", "unit", "value_type",
            "direction", "rollup", "cumulative", "is_active",
        ]


class ResultSerializer(serializers.ModelSerializer):
    province = serializers.SlugRelatedField(source="unit", slug_field="slug", read_only=True)
    units_reporting = serializers.IntegerField(
        read_only=True, help_text="How many units' approved reports make up the figure."
    )


class ProgressResultSerializer(ResultSerializer):
    task_group = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = TaskGroupResult
        fields = [
            "id", "boundaries", "province", "year", "quarter", "task_group", "percent_complete",
            "units_reporting", "computed_at",
        ]


class IndicatorResultSerializer(ResultSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = IndicatorResult
        fields = [
            "id", "boundaries", "province", "year", "quarter", "indicator", "value",
            "units_reporting", "computed_at",
        ]
