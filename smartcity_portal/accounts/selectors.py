"""Reads about accounts: API tokens and the audit log."""
from django.db.models import Q
from django.utils import timezone
from knox.models import AuthToken

from smartcity_portal.accounts.models import AuditLogEntry

ACCOUNT_ACTIONS = [
    AuditLogEntry.Action.LOGIN,
    AuditLogEntry.Action.LOGIN_FAILED,
    AuditLogEntry.Action.LOGOUT,
    AuditLogEntry.Action.ROLE_CHANGED,
    AuditLogEntry.Action.TOKEN_CREATED,
    AuditLogEntry.Action.TOKEN_REVOKED,
    AuditLogEntry.Action.PASSWORD_CHANGED,
    AuditLogEntry.Action.PASSWORD_RESET,
]


def api_tokens_of(user):
    """``user``'s API tokens, newest first, each with ``is_expired``."""
    now = timezone.now()
    tokens = list(AuthToken.objects.filter(user=user).order_by("-created"))
    for token in tokens:
        token.is_expired = token.expiry is not None and token.expiry <= now
    return tokens


def account_activity(user, limit=10):
    """The latest audit entries about ``user``'s account: sign-ins (also failed), tokens, roles, passwords.

    Failed logins have no actor, only the name that was tried, so they are matched by name.
    """
    name = user.get_username()
    return list(
        AuditLogEntry.objects.filter(action__in=ACCOUNT_ACTIONS)
        .filter(Q(actor=user) | Q(username=name, actor__isnull=True) | Q(target=name))
        .order_by("-created_at")[:limit]
    )
