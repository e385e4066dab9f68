"""Audit-log receivers: logins, failed logins, logouts, new passwords and changes of privileges.

Connected in ``AccountsConfig.ready()``.
"""
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from smartcity_portal.accounts import services
from smartcity_portal.accounts.models import AuditLogEntry, User

USERNAME_FIELD = get_user_model().USERNAME_FIELD


@receiver(user_logged_in, dispatch_uid="accounts.audit_login")
def audit_login(sender, request, user, **kwargs):
    services.record(AuditLogEntry.Action.LOGIN, actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="accounts.audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in ``credentials``; only the name is kept.
    username = str(credentials.get(USERNAME_FIELD) or credentials.get("username") or "")
    details = {}
    if request is not None and getattr(request, "axes_locked_out", False):
        details["locked_out"] = True
    services.record(
        AuditLogEntry.Action.LOGIN_FAILED,
        username=username,
        target=username,
        details=details,
        request=request,
    )


@receiver(user_logged_out, dispatch_uid="accounts.audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        services.record(AuditLogEntry.Action.LOGOUT, actor=user, request=request)


@receiver(pre_save, sender=User, dispatch_uid="accounts.remember_privileges")
def remember_privileges(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._privileges_before = None
    if raw or instance.pk is None:
        return
    # Logins save last_login only; no need to look the old row up for those.
    if update_fields is not None and not {
        "role", "unit", "unit_id", "is_staff", "is_superuser"
    } & set(update_fields):
        return
    before = (
        sender.objects.filter(pk=instance.pk).values(*services.PRIVILEGE_FIELDS).first()
    )
    instance._privileges_before = before


@receiver(post_save, sender=User, dispatch_uid="accounts.audit_privileges")
def audit_privileges(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_privileges_before", None)
    instance._privileges_before = None
    if created:
        services.record_privilege_change(instance, {}, created=True)
    elif before is not None:
        services.record_privilege_change(instance, before)


@receiver(post_save, sender=User, dispatch_uid="accounts.audit_password")
def audit_password(sender, instance, created, raw=False, **kwargs):
    # ``set_password`` keeps the new password in ``_password`` until the save is done;
    # Django clears it before saving a mere rehash at login, which is not a change.
    if raw or created or getattr(instance, "_password", None) is None:
        return
    services.record_password_change(instance)
