from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from indicators import jobs
from indicators.models import Boundaries


class Command(BaseCommand):
    help = (
        "Export every approved indicator result (as reported and rolled up to today's units) "
        "to a CSV or XLSX file, streaming rows so that memory stays flat."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the file to write.")
        parser.add_argument(
            "--format", choices=jobs.EXPORT_FORMATS,
            help="csv or xlsx (default: from the file's extension, else csv).",
        )
        parser.add_argument(
            "--boundaries", nargs="+", choices=Boundaries.values, default=None,
            help="Which views to export (default: both).",
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not draw the progress bar.")

    def handle(self, *args, file, format, boundaries, no_progress, **options):
        path = Path(file)
        fmt = format or ("xlsx" if path.suffix.lower() == ".xlsx" else "csv")
        if not path.parent.exists():
            raise CommandError(f"There is no folder {str(path.parent)!r}.")
        bar = tqdm(
            total=0, unit=" rows", desc="export", file=self.stderr._out,
            disable=no_progress or options["verbosity"] == 0,
        )

        def progress(done, total):
            if bar.total != total:
                bar.total = total
                bar.refresh()
            bar.update(done - bar.n)

        try:
            count = jobs.write_results(path, fmt=fmt, boundaries=boundaries, progress=progress)
        finally:
            bar.close()
        self.stdout.write(self.style.SUCCESS(f"{count} results written to {path} ({fmt.upper()})."))
