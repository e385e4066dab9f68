"""The portal's Celery application (``celery -A smartcity_portal worker``)."""
import os

from celery import Celery, signals

from smartcity_portal.logging import request_id_var

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity_portal.settings")

app = Celery("smartcity_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
def _log_with_task_id(task_id=None, **kwargs):
    # Task log lines carry the task id where request log lines carry the request id.
    request_id_var.set(f"task-{task_id}")
