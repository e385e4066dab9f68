from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcity_portal.accounts.services import MAX_TOKEN_EXPIRY_DAYS, create_api_token


class Command(BaseCommand):
    help = (
        "Create a personal API token for a user and print it, once: only a hash is stored. "
        "The token alone goes to standard output, so that a script can capture it."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--expiry-days", metavar="N",
            help=f"Days until the token expires, 1 to {MAX_TOKEN_EXPIRY_DAYS}; without it, never.",
        )

    def handle(self, *args, username, expiry_days=None, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("There is no user “%(username)s”.") % {"username": username})
        try:
            instance, token = create_api_token(user, expiry_days=expiry_days)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if instance.expiry:
            expiry = _("it expires on %(day)s") % {"day": timezone.localtime(instance.expiry).strftime("%Y-%m-%d %H:%M %Z")}
        else:
            expiry = _("it does not expire")
        self.stderr.write(
            _("API token for %(username)s (%(expiry)s). Copy it now: it cannot be shown again.")
            % {"username": user.get_username(), "expiry": expiry}
        )
        self.stdout.write(token)
