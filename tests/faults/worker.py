"""A Celery worker for the fault tests: ``python tests/faults/worker.py NAME@HOST``.

It is the portal's worker (one prefork pool process, the settings' acks_late
and reject_on_worker_lost) with one addition: when ``FAULTS_SLOW_MARKER`` names
a file that does not exist yet, the first approval event it processes, after its
first step (recomputing results, inside the message's transaction), writes
its process id into that file and sleeps, so that the test can SIGKILL the
pool process in the middle of the task. Later runs
(the file exists) work normally.

``FAULTS_SLOW_IMPORT_MARKER`` does the same for import jobs: an import whose
values are written, inside its transaction and before it commits,
pauses while that file does not exist (after writing it).
"""
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity_portal.settings")

import django

django.setup()

from programmes import events, handlers
from smartcity_portal.celery import app

marker = os.environ.get("FAULTS_SLOW_MARKER")
if marker:

    def pause_once(report_events):
        """Stop here (results rewritten, nothing committed, no e-mail sent) the first time."""
        path = Path(marker)
        if any(e.topic == events.REPORT_APPROVED for e in report_events) and not path.exists():
            path.write_text(str(os.getpid()))
            time.sleep(120)
        return []

    # After the results layer's recomputation, before the e-mails and webhooks.
    handlers.subscribe(pause_once)

import_marker = os.environ.get("FAULTS_SLOW_IMPORT_MARKER")
if import_marker:
    from programmes import services

    write = services.import_report_values

    def write_then_pause(**kwargs):
        """Stop here (values written, nothing committed, the job shown running) while the file is missing."""
        outcome = write(**kwargs)
        path = Path(import_marker)
        if not path.exists():
            path.write_text(str(os.getpid()))
            time.sleep(120)
        return outcome

    services.import_report_values = write_then_pause

if __name__ == "__main__":
    app.worker_main(
        ["worker", "--hostname", sys.argv[1], "--pool", "prefork", "--concurrency", "1",
         "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    )
