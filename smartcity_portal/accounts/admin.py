from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from smartcity_portal.accounts import services
from smartcity_portal.accounts.models import AuditLogEntry, User


class RoleAndUnitMixin:
    """The role/unit rules of ``services.check_role_and_unit``, shown next to the fields."""

    def clean(self):
        cleaned = super().clean()
        if "role" in cleaned and "unit" in cleaned:
            try:
                services.check_role_and_unit(cleaned["role"], cleaned["unit"])
            except ValidationError as error:
                field = "role" if error.code == "unknown_role" else "unit"
                self.add_error(field, error)
        return cleaned


class PortalUserChangeForm(RoleAndUnitMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


class PortalUserCreationForm(RoleAndUnitMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "role", "unit", "language")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email", "language"]}),
        (_("Role in the portal"), {"fields": ["role", "unit"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "usable_password", "password1", "password2"],
            },
        ),
        (_("Role in the portal"), {"fields": ["role", "unit", "language"]}),
    ]
    list_display = ["username", "email", "first_name", "last_name", "role", "unit", "is_staff", "is_active"]
    list_filter = ["role", "is_staff", "is_superuser", "is_active", "language"]
    list_select_related = ["unit"]
    search_fields = ["username", "first_name", "last_name", "email", "unit__name_vi", "unit__slug"]
    # The unit admin has search fields today, but a raw id does not depend on it.
    raw_id_fields = ["unit"]

    def save_model(self, request, obj, form, change):
        # The role-change audit entry is written by a signal; tell it who did it.
        with services.acting_as(request.user, request):
            super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        # So is the password-change entry.
        with services.acting_as(request.user, request):
            return super().user_change_password(request, id, form_url)


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    """The audit log: read by superusers only, written only by the portal."""

    list_display = ["created_at", "action", "username", "target", "ip_address"]
    list_filter = ["action"]
    search_fields = ["username", "target", "ip_address"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "action", "actor", "username", "target", "details", "ip_address"]
    fields = readonly_fields
    show_full_result_count = False

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens: administrators see and revoke them; owners create them (profile, command).

    Replaces knox's admin, which creates tokens and deletes them without an audit entry.
    """

    list_display = ["token_key", "user", "created", "expiry"]
    list_select_related = ["user"]
    search_fields = ["token_key", "user__username"]
    readonly_fields = ["token_key", "user", "created", "expiry"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.revoke_api_token(obj.user, obj.token_key, request=request, actor=request.user)

    def delete_queryset(self, request, queryset):
        for token in queryset.select_related("user"):
            self.delete_model(request, token)
