from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from smartcity_portal.accounts.models import Role
from smartcity_portal.accounts.services import provision_user


class Command(BaseCommand):
    help = (
        "Create a portal account, or update it if the user name exists (safe to run again). "
        f"Roles: {', '.join(Role.values)}. Province reporters need --province; integrators may have one."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help=f"One of: {', '.join(Role.values)}.")
        parser.add_argument(
            "--province", metavar="SLUG",
            help="Slug of the unit in force the account works for, e.g. bac-ninh.",
        )
        parser.add_argument("--email")
        parser.add_argument(
            "--password",
            help="Without it a new account has no password and its user sets one by password reset.",
        )
        parser.add_argument("--language", help="vi (default for new accounts) or en: the language of e-mails.")
        parser.add_argument("--first-name")
        parser.add_argument("--last-name")

    def handle(self, *args, **options):
        try:
            user, created, changed = provision_user(
                options["username"],
                role=options["role"],
                province=options["province"],
                email=options["email"],
                password=options["password"],
                language=options["language"],
                first_name=options["first_name"],
                last_name=options["last_name"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

        summary = {
            "username": user.get_username(),
            "role": user.role,
            "unit": user.unit.slug if user.unit else "—",
        }
        if created:
            self.stdout.write(
                _("Created user %(username)s: role %(role)s, unit %(unit)s.") % summary
            )
            if not user.has_usable_password():
                if user.email:
                    self.stdout.write(_(
                        "No password set: the user sets one with “Forgot your password?” on the "
                        "login page, which sends a link to %(email)s."
                    ) % {"email": user.email})
                else:
                    self.stdout.write(self.style.WARNING(_(
                        "No password and no e-mail address: the user cannot log in yet. Run this "
                        "command again with --email (then use password reset) or --password."
                    )))
        elif changed:
            self.stdout.write(
                _("Updated user %(username)s (%(fields)s): role %(role)s, unit %(unit)s.")
                % {**summary, "fields": ", ".join(changed)}
            )
        else:
            self.stdout.write(
                _("User %(username)s is already up to date: role %(role)s, unit %(unit)s.") % summary
            )
