from django.core.management.base import BaseCommand, CommandError

from indicators.results import releases
from provinces.quarters import Quarter


class Command(BaseCommand):
    help = (
        "Publish the next open-data release of every quarter whose approved figures differ from its latest release "
        "(or of the quarters given). Approvals do this by themselves; run it once on a database that had approved "
        "reports before releases existed. Safe to run again: a quarter whose figures did not change gets none."
    )

    def add_arguments(self, parser):
        parser.add_argument("quarters", nargs="*", metavar="QUARTER", help="e.g. 2025-Q3; every quarter by default.")

    def handle(self, *args, quarters, **options):
        try:
            wanted = [Quarter.parse(text) for text in quarters] or releases.quarters_with_figures()
        except ValueError:
            raise CommandError("Give quarters as 2025-Q3.") from None
        built = releases.publish_quarters(wanted)
        for release in built:
            self.stdout.write(f"{release.period}: release {release.number} ({release.get_kind_display()})")
        self.stdout.write(f"{len(built)} releases published; {len(set(wanted)) - len(built)} quarters unchanged.")
