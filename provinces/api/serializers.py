from rest_framework import serializers

from provinces.models import AdministrativeUnit, AseanSmartCity, Region
from smartcity_portal.api.schema import AnswerOnly


class RegionSerializer(AnswerOnly, serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="The name in the language of Accept-Language.")

    class Meta:
        model = Region
        fields = ["slug", "name", "name_vi", "name_en"]


class ProvinceSerializer(AnswerOnly, serializers.ModelSerializer):
    """A provincial unit, old or current, with where it came from and what it became."""

    name = serializers.CharField(read_only=True, help_text="The name in the language of Accept-Language.")
    region = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    successor = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True,
        help_text="Slug of the unit this one was merged into; null while it is in force.",
    )
    predecessors = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True,
        help_text="Slugs of the units merged directly into this one.",
    )
    is_current = serializers.BooleanField(read_only=True)
    former_names = serializers.ListField(
        source="former_name_list", child=serializers.CharField(), read_only=True
    )

    class Meta:
        model = AdministrativeUnit
        fields = [
            "slug", "code", "name", "name_vi", "name_en", "kind", "region",
            "valid_from", "valid_until", "is_current", "successor", "predecessors", "former_names",
        ]


class AseanCitySerializer(AnswerOnly, serializers.ModelSerializer):
    province = serializers.SlugRelatedField(
        source="unit", slug_field="slug", read_only=True, allow_null=True,
        help_text="For Vietnamese members: slug of the unit the city belonged to when it joined.",
    )

    class Meta:
        model = AseanSmartCity
        fields = ["id", "country_code", "country", "city", "joined_year", "province"]
