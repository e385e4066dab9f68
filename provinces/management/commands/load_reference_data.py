from django.core.management.base import BaseCommand

from smartcity_portal.reference import load_reference_data


class Command(BaseCommand):
    help = (
        "Load the reference data (units, regions, ASEAN cities, task groups, pillars, "
        "indicators). Safe to run again: it never overwrites an administrator's edit "
        "unless --overwrite is given, and lists every edit it kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--overwrite", action="store_true",
            help="Restore the shipped values over administrators' edits.",
        )

    def handle(self, *args, overwrite=False, **options):
        report = load_reference_data(overwrite=overwrite)
        for name, count in sorted(report.created.items()):
            self.stdout.write(f"created {count} {name}")
        unchanged = sum(report.unchanged.values())
        self.stdout.write(f"{unchanged} rows already up to date")
        for entry in report.kept_edits:
            self.stdout.write(self.style.WARNING(
                "kept edit: {model} «{object}» {field} = {database!r} "
                "(reference: {reference!r}); use --overwrite to restore".format(**entry)
            ))
        for entry in report.overwritten:
            self.stdout.write(
                "restored: {model} «{object}» {field} = {reference!r} "
                "(was {database!r})".format(**entry)
            )
