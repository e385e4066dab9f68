from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "indicators"
    verbose_name = _("Indicators and results")

    def ready(self):
        # Registers this app's Celery tasks in every process, not only in workers (beat names them).
        from indicators import tasks  # noqa: F401
        from indicators.results import handlers, maturity, signals
        from programmes.handlers import subscribe

        signals.connect()
        subscribe(handlers.recompute)
        subscribe(maturity.recompute)
        # After the recomputation: a release is built from the results it wrote.
        subscribe(handlers.publish_releases)
