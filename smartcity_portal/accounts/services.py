"""Writes about accounts: provisioning users, API tokens and the audit log.

Pages, the admin, management commands and other apps call these functions; none
repeats their rules. Errors are ``django.core.exceptions.ValidationError`` with a
``code``, raised before anything is written.
"""
import contextlib
import contextvars
import difflib
import hashlib
import math
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from knox.models import AuthToken

from provinces.models import AdministrativeUnit
from provinces.selectors import current_unit
from smartcity_portal.accounts.models import AuditLogEntry, Role, TokenScope
from smartcity_portal.cache import count_in_window
from smartcity_portal.clientaddress import client_address

UNIT_ROLES = {Role.PROVINCE_REPORTER, Role.INTEGRATOR}
LANGUAGES = {"vi", "en"}
MIN_TOKEN_EXPIRY_DAYS = 1
MAX_TOKEN_EXPIRY_DAYS = 3650
# Fields whose change alters what an account may do; each change is audited.
PRIVILEGE_FIELDS = ("role", "unit_id", "is_staff", "is_superuser")
# Keys that must never reach the audit log, whatever a caller passes.
_SECRET_KEYS = {"password", "password1", "password2", "new_password1", "new_password2",
                "old_password", "token", "secret"}

_audit_context = contextvars.ContextVar("audit_context", default=None)


# --- audit log ------------------------------------------------------------------


def _clean_details(details):
    return {
        key: value for key, value in (details or {}).items()
        if str(key).lower() not in _SECRET_KEYS
    }


def record(action, *, actor=None, target="", details=None, request=None, username=None):
    """Write one ``AuditLogEntry``.

    ``action`` is an ``AuditLogEntry.Action`` (or its value, e.g. ``"report-approved"``);
    ``actor`` the user who did it (anonymous users count as nobody); ``target`` the
    object concerned, as text; ``details`` a JSON-serialisable dict (secrets such as
    passwords are dropped); ``request`` gives the IP address. ``username`` overrides the
    recorded user name, e.g. the name tried in a failed login.
    """
    if action not in AuditLogEntry.Action.values:
        raise ValueError(f"Unknown audit action {action!r}; use AuditLogEntry.Action.")
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if actor is not None and actor.pk is None:
        actor = None
    context = _audit_context.get() or {}
    if request is None:
        request = context.get("request")
    if username is None:
        username = actor.get_username() if actor is not None else ""
    return AuditLogEntry.objects.create(
        action=action,
        actor=actor,
        username=str(username)[:150],
        target=str(target or "")[:255],
        details=_clean_details(details),
        ip_address=client_address(request) if request is not None else None,
    )


@contextlib.contextmanager
def acting_as(actor, request=None):
    """Attribute the audit entries that saving users writes inside the block to ``actor``.

    Role changes are audited by a signal on every save of a user (admin, commands,
    shell); the signal cannot see who made the change, so callers that know say it here.
    """
    token = _audit_context.set({"actor": actor, "request": request})
    try:
        yield
    finally:
        _audit_context.reset(token)


@contextlib.contextmanager
def resetting_password(user, request=None):
    """Audit a new password of ``user`` set inside the block as a reset by e-mail link."""
    token = _audit_context.set({"actor": user, "request": request, "password_reset": True})
    try:
        yield
    finally:
        _audit_context.reset(token)


def record_password_change(user):
    """Audit a new password of ``user``: a reset by e-mail link, or a change.

    Called by a signal on every save that sets a password (the pages, the admin,
    commands, the shell), so that no way of changing one escapes the log; who did it
    comes from ``acting_as`` or ``resetting_password``. Never records the password.
    """
    context = _audit_context.get() or {}
    action = (
        AuditLogEntry.Action.PASSWORD_RESET if context.get("password_reset")
        else AuditLogEntry.Action.PASSWORD_CHANGED
    )
    return record(action, actor=context.get("actor"), target=user.get_username())


def current_actor():
    context = _audit_context.get() or {}
    return context.get("actor")


def privilege_snapshot(user):
    return {field: getattr(user, field) for field in PRIVILEGE_FIELDS}


def record_privilege_change(user, before, *, created=False):
    """Audit a change of role, unit or staff status of ``user`` (``before`` → now)."""
    after = privilege_snapshot(user)
    if created:
        if not (user.role or user.unit_id or user.is_staff or user.is_superuser):
            return None
        before = {"role": "", "unit_id": None, "is_staff": False, "is_superuser": False}
    changed = {field for field in PRIVILEGE_FIELDS if before.get(field) != after[field]}
    if not changed:
        return None
    details = {"created": created}
    for field in sorted(changed):
        name = field.removesuffix("_id")
        details[name] = {"old": before.get(field), "new": after[field]}
    if "unit_id" in changed:
        slugs = dict(
            AdministrativeUnit.objects.filter(
                pk__in=[pk for pk in (before.get("unit_id"), after["unit_id"]) if pk]
            ).values_list("pk", "slug")
        )
        details["unit"] = {
            "old": slugs.get(before.get("unit_id")),
            "new": slugs.get(after["unit_id"]),
        }
    return record(
        AuditLogEntry.Action.ROLE_CHANGED,
        actor=current_actor(),
        target=user.get_username(),
        details=details,
    )


# --- roles and units ----------------------------------------------------------------


def _long_date(day):
    # Same msgid and context as the units pages, so that one translation serves both.
    return formats.date_format(day, pgettext("long date format", "j F Y"))


def resolve_unit(slug):
    """The unit in force with ``slug``; a clear ``ValidationError`` otherwise."""
    unit = AdministrativeUnit.objects.filter(slug=slug).first()
    if unit is None:
        known = list(AdministrativeUnit.objects.current().values_list("slug", flat=True))
        close = difflib.get_close_matches(str(slug), known, n=3)
        message = _("There is no unit with the slug “%(slug)s”.") % {"slug": slug}
        if close:
            message += " " + _("Did you mean: %(slugs)s?") % {"slugs": ", ".join(close)}
        raise ValidationError(message, code="unknown_unit")
    check_unit_in_force(unit, option="--province")
    return unit


def check_unit_in_force(unit, *, option=None):
    """Accounts are bound to units in force only: a dissolved unit names its successor."""
    if unit.is_current:
        return
    successor = current_unit(unit)
    params = {
        "unit": unit.name,
        "day": _long_date(unit.valid_until),
        "successor": successor.name,
        "slug": successor.slug,
    }
    if option:
        message = _(
            "%(unit)s was dissolved on %(day)s; it became %(successor)s: use --province %(slug)s."
        ) % params
    else:
        message = _(
            "%(unit)s was dissolved on %(day)s; it became %(successor)s (%(slug)s): "
            "choose the unit in force."
        ) % params
    raise ValidationError(message, code="unit_dissolved")


def _unknown_role(role):
    return ValidationError(
        _("Unknown role “%(role)s”. Valid roles: %(roles)s.")
        % {"role": role, "roles": ", ".join(Role.values)},
        code="unknown_role",
    )


def _unit_not_allowed(role):
    return ValidationError(
        _("The role “%(role)s” is not bound to a unit: leave out --province "
          "(only province reporters and integrators have one).")
        % {"role": role or "—"},
        code="unit_not_allowed",
    )


def check_role_and_unit(role, unit):
    """Raise ``ValidationError`` unless ``role`` may be bound to ``unit`` (``None`` = no unit).

    Province reporters need a unit in force; integrators may have one (to write its
    reports) or none (read-only); ministry roles and accounts without a role have none.
    """
    if role and role not in Role.values:
        raise _unknown_role(role)
    if role == Role.PROVINCE_REPORTER and unit is None:
        raise ValidationError(
            _("A province reporter must be bound to a unit: give its slug with --province "
              "(for example --province bac-ninh)."),
            code="unit_required",
        )
    if unit is not None and role not in UNIT_ROLES:
        raise _unit_not_allowed(role)
    if unit is not None:
        check_unit_in_force(unit, option="--province")


def provision_user(
    username,
    *,
    role,
    province=None,
    email=None,
    password=None,
    language=None,
    first_name=None,
    last_name=None,
    superuser=False,
    actor=None,
):
    """Create or update the account ``username``; returns ``(user, created, changed_fields)``.

    Idempotent: the same arguments twice change nothing the second time. ``province``
    is a unit slug; options left as ``None`` keep their current value on update (the
    unit is always set from ``province``, as the role requires). A new account without
    ``password`` gets an unusable one (the user sets it by password reset).
    ``superuser=True`` makes an administrator, who may have no role (``role=""``).
    Every error is raised before anything is written.
    """
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise ValidationError(_("Give a user name."), code="username_required")
    if role not in Role.values and not (superuser and not role):
        raise _unknown_role(role)
    # Checked before the slug, so that a ministry role with a wrong slug gets the real reason.
    if province and role not in UNIT_ROLES:
        raise _unit_not_allowed(role)
    unit = resolve_unit(province) if province else None
    check_role_and_unit(role, unit)
    if language is not None and language not in LANGUAGES:
        raise ValidationError(
            _("Unknown language “%(language)s”: use vi or en.") % {"language": language},
            code="unknown_language",
        )

    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User(username=username)
    wanted = {"role": role, "unit": unit}
    if superuser:
        wanted.update(is_staff=True, is_superuser=True)
    for field, value in (("email", email), ("language", language),
                         ("first_name", first_name), ("last_name", last_name)):
        if value is not None:
            wanted[field] = value
    changed = [field for field, value in wanted.items() if getattr(user, field) != value]
    for field, value in wanted.items():
        setattr(user, field, value)
    if password is not None:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise ValidationError(
                _("The password is not accepted: %(reasons)s")
                % {"reasons": " ".join(error.messages)},
                code="weak_password",
            ) from error
    if email:
        try:
            User._meta.get_field("email").run_validators(email)
        except ValidationError as error:
            raise ValidationError(
                _("“%(email)s” is not a valid e-mail address.") % {"email": email},
                code="invalid_email",
            ) from error

    with transaction.atomic(), acting_as(actor):
        if password is not None and (created or not user.check_password(password)):
            user.set_password(password)
            changed.append("password")
        elif created:
            user.set_unusable_password()
        if created or changed:
            user.full_clean(exclude=["password"])
            user.save()
    return user, created, [] if created else changed


# --- password reset -------------------------------------------------------------------


def count_password_reset(email, client):
    """Count one request for a reset e-mail to ``email`` from the client address ``client``.

    Raises ``ValidationError`` (code ``too_many_resets``), saying when to try again,
    once the client made more than ``PASSWORD_RESET_LIMIT_PER_CLIENT`` requests or
    the address was asked for more than ``PASSWORD_RESET_LIMIT_PER_ADDRESS`` times in
    ``PASSWORD_RESET_WINDOW_MINUTES``; the caller then sends nothing. The address is
    counted whether an account has it or not, so that neither answer tells which
    addresses exist. Requests refused for the client do not count against the address.
    While the cache keeps nothing (Redis down), nothing is refused.
    """
    window = settings.PASSWORD_RESET_WINDOW_MINUTES * 60
    # Hashed: the cache holds no e-mail addresses.
    address = hashlib.sha256(str(email).strip().casefold().encode()).hexdigest()
    limits = [
        (f"password-reset:client:{client or '-'}", settings.PASSWORD_RESET_LIMIT_PER_CLIENT),
        (f"password-reset:address:{address}", settings.PASSWORD_RESET_LIMIT_PER_ADDRESS),
    ]
    for key, limit in limits:
        counted = count_in_window(cache, key, window)
        if counted is not None and counted[0] > limit:
            minutes = max(1, math.ceil(counted[1] / 60))
            raise ValidationError(
                ngettext(
                    "Too many requests to reset a password: no e-mail was sent. "
                    "Try again in %(minutes)d minute.",
                    "Too many requests to reset a password: no e-mail was sent. "
                    "Try again in %(minutes)d minutes.",
                    minutes,
                ) % {"minutes": minutes},
                code="too_many_resets",
            )


# --- API tokens ---------------------------------------------------------------------


def parse_expiry_days(value):
    """``None``/``""`` → ``None`` (never expires); else an int of days in range, or an error."""
    if value is None or value == "":
        return None
    try:
        days = int(str(value).strip())
    except ValueError:
        raise ValidationError(
            _("The expiry must be a whole number of days."), code="invalid_expiry"
        ) from None
    if not MIN_TOKEN_EXPIRY_DAYS <= days <= MAX_TOKEN_EXPIRY_DAYS:
        raise ValidationError(
            _("The expiry must be between %(min)s and %(max)s days, or empty for none.")
            % {"min": MIN_TOKEN_EXPIRY_DAYS, "max": MAX_TOKEN_EXPIRY_DAYS},
            code="invalid_expiry",
        )
    return days


def create_api_token(user, *, expiry_days=None, read_only=False, request=None):
    """Create a personal API token; returns ``(instance, token_string)``.

    Only a hash is stored: ``token_string`` must be shown to its owner now and never
    again. ``expiry_days`` is 1–3650 or ``None`` for a token that does not expire;
    a ``read_only`` token is refused every write (``TokenScope``).
    """
    days = parse_expiry_days(expiry_days)
    if user is None or not user.is_authenticated or not user.is_active:
        raise ValidationError(_("Only active accounts can have API tokens."), code="inactive_user")
    with transaction.atomic():
        instance, token = AuthToken.objects.create(
            user, expiry=timedelta(days=days) if days else None
        )
        if read_only:
            TokenScope.objects.create(token=instance, read_only=True)
        record(
            AuditLogEntry.Action.TOKEN_CREATED,
            actor=user,
            target=f"token {instance.token_key}",
            details={
                "token_key": instance.token_key,
                "expiry": instance.expiry.isoformat() if instance.expiry else None,
                "read_only": bool(read_only),
            },
            request=request,
        )
    return instance, token


def revoke_api_token(user, token_key, *, request=None, actor=None):
    """Delete ``user``'s token whose key prefix is ``token_key``; an error if it has none.

    ``actor`` is who revokes it: the owner by default, or an administrator.
    """
    tokens = AuthToken.objects.filter(user=user, token_key=str(token_key or ""))
    with transaction.atomic():
        deleted, _rows = tokens.delete()
        if not deleted:
            raise ValidationError(
                _("You have no API token “%(key)s”; it may have been revoked already.")
                % {"key": token_key},
                code="token_not_found",
            )
        record(
            AuditLogEntry.Action.TOKEN_REVOKED,
            actor=actor or user,
            target=f"token {token_key}",
            details={"token_key": token_key, "owner": user.get_username()},
            request=request,
        )
    return deleted
