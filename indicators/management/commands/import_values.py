from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from indicators import imports


class Command(BaseCommand):
    help = (
        "Import indicator values from a CSV or XLSX file (columns: province, year, quarter, "
        "indicator, value, note), whole or not at all, as the given reviewer. On any problem "
        "nothing is written, the problems are listed by row and the exit code is 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the CSV (UTF-8) or XLSX file.")
        parser.add_argument("--user", required=True, help="User name of the ministry reviewer importing.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file only; write nothing.")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw the progress bar.")

    def handle(self, *args, file, user, dry_run, no_progress, **options):
        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"There is no user {user!r}.")
        try:
            table = imports.read_table(file)
        except FileNotFoundError:
            raise CommandError(f"There is no file {file!r}.") from None
        except imports.ImportFileError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"{file}: {len(table.rows)} rows ({table.kind.upper()}).")

        bar = tqdm(
            total=100, unit="%", desc="check" if dry_run else "import", file=self.stderr._out,
            disable=no_progress or options["verbosity"] == 0,
            bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}",
        )

        def progress(done, total):
            bar.update(int(100 * done / max(total, 1)) - bar.n)

        try:
            result = imports.import_indicator_values(user=account, rows=table.rows, dry_run=dry_run, progress=progress)
        except PermissionDenied as error:
            raise CommandError(str(error) or "This user may not import values.") from None
        finally:
            bar.close()
        if not result.ok:
            for row, column, message in imports.row_report_lines(result.row_report):
                self.stderr.write(f"row {row}, {column}: {message}")
            raise CommandError(result.message)
        self.stdout.write(self.style.SUCCESS(result.message))
