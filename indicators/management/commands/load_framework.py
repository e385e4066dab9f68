"""``manage.py load_framework FILE``: load a framework version from a JSON or YAML document (docs/frameworks.md)."""
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from indicators import frameworks


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = "Load a framework version from a JSON or YAML document: all of it, or nothing with every problem listed."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The document (.json, .yaml or .yml).")
        parser.add_argument("--check", action="store_true", help="Check the document and write nothing.")

    def handle(self, *args, file, check, **options):
        try:
            document = frameworks.read_document(file)
            with transaction.atomic():
                result = frameworks.load_document(document)
                if check:
                    raise _DryRun
        except _DryRun:
            self.stdout.write(f"{file}: no problem found; nothing written (--check).")
            return
        except frameworks.FrameworkDocumentError as error:
            lines = [f"  {where}: {message}" if where else f"  {message}" for where, message in error.problems]
            raise CommandError(f"{file}: nothing was loaded.\n" + "\n".join(lines)) from None
        version = result.version
        if result.created:
            self.stdout.write(f"created {version.framework.code} {version.code} ({version.status}, "
                              f"{version.nodes.count()} nodes)")
        elif result.changed:
            self.stdout.write(f"updated {version.framework.code} {version.code}: {', '.join(result.changed)}")
        else:
            self.stdout.write(f"unchanged {version.framework.code} {version.code}")
