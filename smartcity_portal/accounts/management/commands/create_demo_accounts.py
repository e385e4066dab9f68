from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from smartcity_portal.accounts.models import Role
from smartcity_portal.accounts.services import provision_user

# Known to everyone who reads this file: never on a production database (see handle()).
DEMO_PASSWORD = "demo-password-2025"

DEMO_ACCOUNTS = [
    # username, role, unit slug, first name, last name
    ("bo.xem", Role.MINISTRY_VIEWER, None, "Lan", "Nguyễn Thị"),
    ("bo.duyet", Role.MINISTRY_REVIEWER, None, "Minh", "Trần Văn"),
    ("bacninh.baocao", Role.PROVINCE_REPORTER, "bac-ninh", "Hà", "Lê Thu"),
    ("hanoi.baocao", Role.PROVINCE_REPORTER, "ha-noi", "Dũng", "Phạm Quốc"),
    ("tichhop.bacninh", Role.INTEGRATOR, "bac-ninh", "Sở TT&TT", "Bắc Ninh"),
    ("tichhop.chidoc", Role.INTEGRATOR, None, "Viện nghiên cứu", "Đô thị"),
    ("quantri", "", None, "Quản trị", "Hệ thống"),
]


class Command(BaseCommand):
    help = (
        "Create one demo account per role, all with the password "
        f"{DEMO_PASSWORD!r}, and print them. Safe to run again. Refused on a production "
        "database (DEBUG off and not SQLite) unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true",
            help="Create the accounts even with DEBUG off on PostgreSQL (a test server, never production).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and connection.vendor != "sqlite" and not force:
            raise CommandError(
                "Refusing to create demo accounts with a publicly known password: DEBUG is off and "
                f"the database is {connection.vendor}, so this looks like production. Use --force "
                "only on a test server."
            )
        rows = []
        try:
            with transaction.atomic():
                for username, role, province, first_name, last_name in DEMO_ACCOUNTS:
                    user, created, changed = provision_user(
                        username,
                        role=role,
                        province=province,
                        email=f"{username}@demo.invalid",
                        password=DEMO_PASSWORD,
                        language="vi",
                        first_name=first_name,
                        last_name=last_name,
                        superuser=not role,
                    )
                    state = "created" if created else ("updated" if changed else "unchanged")
                    role_label = user.role or "superuser"
                    rows.append((username, DEMO_PASSWORD, role_label, province or "—", state))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

        headers = ("username", "password", "role", "unit", "status")
        widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
        for row in [headers, *rows]:
            self.stdout.write("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        self.stdout.write("Log in at /accounts/login/ with any of these accounts.")
