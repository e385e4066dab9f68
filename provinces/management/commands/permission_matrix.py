from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from smartcity_portal import access


class Command(BaseCommand):
    help = (
        "Write the permission matrix declared in smartcity_portal/access.py (every URL × role) "
        "into docs/security.md, between its permission-matrix markers."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", default=str(Path(settings.BASE_DIR) / "docs" / "security.md"),
            help="The document to update (default docs/security.md).",
        )
        parser.add_argument(
            "--check", action="store_true",
            help="Change nothing; fail if the document's matrix is out of date or a route has no rule.",
        )

    def handle(self, *args, output, check, **options):
        path = Path(output)
        try:
            text = path.read_text(encoding="utf-8")
            updated = access.write_matrix(text)
        except FileNotFoundError:
            raise CommandError(f"{path} does not exist.") from None
        except ValueError:
            raise CommandError(
                f"{path} has no place for the matrix: add the lines\n{access.DOC_START}\n{access.DOC_END}"
            ) from None
        missing = access.undeclared_routes()
        if missing:
            message = "Routes without a rule in smartcity_portal/access.py: " + ", ".join(missing)
            if check:
                raise CommandError(message)
            self.stderr.write(self.style.WARNING(message))
        if check:
            if updated != text:
                raise CommandError(f"The matrix in {path} is out of date: run manage.py permission_matrix.")
            return
        if updated != text:
            path.write_text(updated, encoding="utf-8")
        if options["verbosity"]:
            self.stdout.write(f"{path}: {len(access.RULES)} rows × {len(access.ROLES)} roles.")
