from django.core.management.base import BaseCommand, CommandError

from programmes.handlers import sweep_outbox


class Command(BaseCommand):
    help = (
        "Queue again the report events and webhook deliveries that were not processed in time "
        "(Celery beat does this every minute). With --inline, process them here instead, "
        "for when no worker or no broker is available."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--inline", action="store_true", help="Process the work in this process instead of queueing it."
        )
        parser.add_argument(
            "--older-than", type=int, default=None, metavar="SECONDS",
            help="Only work recorded at least this long ago (default OUTBOX_SWEEP_AFTER_SECONDS; 0 for all).",
        )
        parser.add_argument("--limit", type=int, default=500, help="At most this many of each (default 500).")

    def handle(self, *args, inline, older_than, limit, **options):
        if older_than is not None and older_than < 0:
            raise CommandError("--older-than must be 0 or more seconds.")
        summary = sweep_outbox(older_than=older_than, inline=inline, limit=limit)
        if inline:
            self.stdout.write(
                f"{summary['messages']} event(s) found: {summary['done']} done, "
                f"{summary['incomplete']} incomplete (see last_error); "
                f"{summary['deliveries']} webhook delivery attempt(s) made."
            )
        else:
            self.stdout.write(
                f"{summary['messages']} event(s) and {summary['deliveries']} webhook delivery(ies) found, "
                f"{summary['queued']} queued."
            )
