from django.utils.translation import gettext as _
from knox.auth import TokenAuthentication
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS

from smartcity_portal.accounts.models import TokenScope


class PortalTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` with the portal's revocable, expiring tokens.

    A read-only token (``TokenScope``) authenticates reads only: any write with it is a
    403, whatever its owner's role would allow.
    """

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is not None and request.method not in SAFE_METHODS:
            _user, token = found
            if TokenScope.objects.filter(token=token, read_only=True).exists():
                raise PermissionDenied(_("This token may only read: use a token that may write."))
        return found
