"""Delivery logs written before the fixed vocabulary quoted what targets answered: replace it.

Up to 200 characters of a failed answer (or a connection error naming internal
addresses) were stored in ``WebhookDelivery.last_error`` and shown to the
integrator. Each such value becomes the code the delivery log now uses.
"""
from django.db import migrations

# The codes of programmes.webhooks at the time of this migration (copied: a migration
# must not change meaning when the module does).
CODES = {
    "timeout", "connection_refused", "connection_failed", "tls_error", "dns_failed", "redirect",
    "http_error", "address_not_allowed", "invalid_url", "subscription_deactivated", "failed",
}


def code_for(last_error, status_code):
    if status_code is not None and 300 <= status_code < 400:
        return "redirect"
    if status_code is not None and not 200 <= status_code < 300:
        return "http_error"
    if last_error.startswith("timeout"):
        return "timeout"
    if last_error == "subscription deactivated":
        return "subscription_deactivated"
    return "failed"


def forwards(apps, schema_editor):
    WebhookDelivery = apps.get_model("programmes", "WebhookDelivery")
    rows = WebhookDelivery.objects.exclude(last_error="").exclude(last_error__in=CODES)
    for delivery in rows.only("pk", "last_error", "last_status_code").iterator():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            last_error=code_for(delivery.last_error, delivery.last_status_code)
        )


class Migration(migrations.Migration):
    dependencies = [("programmes", "0004_answers_by_node")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
