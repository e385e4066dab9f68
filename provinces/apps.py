from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvincesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "provinces"
    verbose_name = _("Provincial units")

    def ready(self):
        from django.db.backends.signals import connection_created

        from provinces.selectors import add_vietnamese_collation

        connection_created.connect(add_vietnamese_collation, dispatch_uid="provinces.vietnamese_collation")
