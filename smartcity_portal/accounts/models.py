from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MINISTRY_VIEWER = "ministry-viewer", _("ministry viewer")
    MINISTRY_REVIEWER = "ministry-reviewer", _("ministry reviewer")
    PROVINCE_REPORTER = "province-reporter", _("province reporter")
    INTEGRATOR = "integrator", _("integrator")


class User(AbstractUser):
    """A portal account. The role decides what it may read and write.

    Province reporters are bound to one unit in force; an integrator is bound to
    one unit (it may then write that unit's reports) or to none (read-only).
    """

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    unit = models.ForeignKey(
        "provinces.AdministrativeUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    language = models.CharField(
        _("language"), max_length=8, choices=[("vi", "Tiếng Việt"), ("en", "English")], default="vi"
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="province-reporter") | Q(unit__isnull=False),
                name="user_reporter_has_unit",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["province-reporter", "integrator"]) | Q(unit__isnull=True),
                name="user_unit_only_for_unit_roles",
            ),
            # A superuser approves reports: one bound to a unit could approve his own unit's.
            models.CheckConstraint(
                condition=Q(is_superuser=False) | Q(unit__isnull=True),
                name="user_superuser_has_no_unit",
                violation_error_message=_(
                    "An account bound to a unit cannot be a superuser: superusers approve "
                    "reports, and nobody may approve his own unit's. Remove the unit or the "
                    "superuser status."
                ),
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def is_ministry(self):
        return self.is_superuser or self.role in {Role.MINISTRY_VIEWER, Role.MINISTRY_REVIEWER}

    @property
    def is_reviewer(self):
        return self.is_superuser or self.role == Role.MINISTRY_REVIEWER

    @property
    def is_reporter(self):
        return self.role == Role.PROVINCE_REPORTER


class AuditLogEntry(models.Model):
    """Who did what that matters for accountability: logins, role changes, approvals."""

    class Action(models.TextChoices):
        LOGIN = "login", _("logged in")
        LOGIN_FAILED = "login-failed", _("login failed")
        LOGOUT = "logout", _("logged out")
        ROLE_CHANGED = "role-changed", _("role changed")
        REPORT_APPROVED = "report-approved", _("report approved")
        REPORT_RETURNED = "report-returned", _("report returned")
        REPORT_REOPENED = "report-reopened", _("report reopened")
        TOKEN_CREATED = "token-created", _("API token created")
        TOKEN_REVOKED = "token-revoked", _("API token revoked")
        PASSWORD_CHANGED = "password-changed", _("password changed")
        PASSWORD_RESET = "password-reset", _("password reset by e-mail")
        ASSESSMENT_APPROVED = "assessment-approved", _("maturity assessment approved")
        ASSESSMENT_RETURNED = "assessment-returned", _("maturity assessment returned")
        ASSESSMENT_REOPENED = "assessment-reopened", _("maturity assessment reopened")

    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    actor = models.ForeignKey(
        User, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    target = models.CharField(_("object"), max_length=255, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.username} {self.action}"


class TokenScope(models.Model):
    """What an API token may do beyond reading: a read-only token is refused every write.

    A token without a row here may do what its owner may (the tokens made before scopes).
    """

    token = models.OneToOneField(
        "knox.AuthToken", verbose_name=_("token"), on_delete=models.CASCADE, primary_key=True, related_name="scope"
    )
    read_only = models.BooleanField(_("read only"), default=False)

    class Meta:
        verbose_name = _("API token scope")
        verbose_name_plural = _("API token scopes")

    def __str__(self):
        return f"{self.token_id}: {'read only' if self.read_only else 'read and write'}"
