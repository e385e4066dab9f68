from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from provinces.models import AdministrativeUnit, AseanSmartCity, Region


class ValidityListFilter(admin.SimpleListFilter):
    title = _("in force")
    parameter_name = "in_force"

    def lookups(self, request, model_admin):
        return [("current", _("in force now")), ("historical", _("dissolved"))]

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.current()
        if self.value() == "historical":
            return queryset.historical()
        return queryset


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ["name_vi", "name_en", "slug"]
    search_fields = ["name_vi", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(SimpleHistoryAdmin):
    list_display = [
        "code", "name_vi", "name_en", "kind", "region", "valid_from", "valid_until", "successor",
    ]
    list_display_links = ["code", "name_vi"]
    list_filter = [ValidityListFilter, "kind", "region"]
    list_select_related = ["region", "successor"]
    search_fields = ["code", "slug", "name_vi", "name_en", "search_text"]
    autocomplete_fields = ["successor"]
    ordering = ["code", "valid_from"]
    fieldsets = [
        (None, {"fields": ["code", "slug", "name_vi", "name_en", "kind", "region"]}),
        (_("Validity and lineage"), {"fields": ["valid_from", "valid_until", "successor", "former_names"]}),
        (_("Tile map"), {"fields": ["map_row", "map_col"], "classes": ["collapse"]}),
    ]


@admin.register(AseanSmartCity)
class AseanSmartCityAdmin(SimpleHistoryAdmin):
    list_display = ["city", "country", "country_code", "joined_year", "unit"]
    list_filter = ["country", "joined_year"]
    list_select_related = ["unit"]
    search_fields = ["city", "country", "country_code"]
    autocomplete_fields = ["unit"]
