from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "programmes"
    verbose_name = _("Programmes and reports")

    def ready(self):
        # Registers the Celery tasks that the workflow queues by name (programmes.events).
        from programmes import tasks  # noqa: F401
