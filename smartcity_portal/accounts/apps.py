from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "smartcity_portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from smartcity_portal.accounts import signals  # noqa: F401 - connects the audit receivers
