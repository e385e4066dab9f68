"""The portal's Celery application (``celery -A smartcity_portal worker``)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity_portal.settings")

app = Celery("smartcity_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
