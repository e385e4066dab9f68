from django.core.management.base import BaseCommand
from tqdm import tqdm

from indicators.results.services import recompute_all


class Command(BaseCommand):
    help = (
        "Rebuild the results tables of the dashboards and the API (both boundaries) from "
        "every approved report. Safe to run at any time; the pages refresh at once."
    )

    def handle(self, *args, **options):
        bar = tqdm(desc="quarters", unit="quarter", disable=options["verbosity"] == 0, file=self.stderr)

        def progress(done, total):
            bar.total = total
            bar.update(done - bar.n)

        item_rows, indicator_rows = recompute_all(progress=progress)
        bar.close()
        if options["verbosity"]:
            self.stdout.write(
                f"Results rebuilt: {item_rows} framework item rows, {indicator_rows} indicator rows."
            )
