import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from smartcity_portal.text import BilingualNameMixin


class ProgrammeStatus(models.TextChoices):
    PREPARING = "preparing", _("being prepared")
    APPROVED = "approved", _("approved")
    IMPLEMENTING = "implementing", _("being implemented")
    COMPLETED = "completed", _("completed")
    SUSPENDED = "suspended", _("suspended")


class Programme(models.Model):
    """A locality's smart-city scheme (đề án đô thị thông minh)."""

    unit = models.ForeignKey(
        "provinces.AdministrativeUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    title = models.CharField(_("title"), max_length=255)
    decision_number = models.CharField(_("approving decision number"), max_length=64, blank=True)
    decision_date = models.DateField(_("approving decision date"), null=True, blank=True)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    budget_billion_vnd = models.DecimalField(
        _("budget (billion VND)"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProgrammeStatus.choices, default=ProgrammeStatus.PREPARING
    )
    lead_agency = models.CharField(_("lead agency"), max_length=255, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit__name_vi", "-start_year"]
        verbose_name = _("smart-city programme")
        verbose_name_plural = _("smart-city programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_year__lte=models.F("end_year")),
                name="programme_start_not_after_end",
            ),
            models.CheckConstraint(
                condition=Q(budget_billion_vnd__isnull=True) | Q(budget_billion_vnd__gte=0),
                name="programme_budget_not_negative",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_approved(self):
        return self.status in {
            ProgrammeStatus.APPROVED,
            ProgrammeStatus.IMPLEMENTING,
            ProgrammeStatus.COMPLETED,
        }


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    APPROVED = "approved", _("approved")


class Report(models.Model):
    """A unit's quarterly progress report: one per (unit, year, quarter)."""

    unit = models.ForeignKey(
        "provinces.AdministrativeUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    # Optimistic locking: every write must name the version it edits.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("last saved by"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )
    first_submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    is_late = models.BooleanField(_("submitted late"), default=False)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    # {"nodes.decision-950:3": "…", "indicators.TG5-01.value": "…"}: the reviewer's notes on
    # single fields, by field path (programmes.paths).
    field_comments = models.JSONField(_("comments on fields"), default=dict, blank=True)

    class Meta:
        ordering = ["-year", "-quarter", "unit__name_vi"]
        verbose_name = _("quarterly report")
        verbose_name_plural = _("quarterly reports")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "quarter"], name="report_one_per_unit_quarter"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="report_quarter_1_to_4"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2018, year__lte=2100), name="report_year_in_range"
            ),
        ]
        indexes = [
            models.Index(fields=["year", "quarter", "status"], name="report_period_status_idx"),
            models.Index(fields=["status", "submitted_at"], name="report_status_submitted_idx"),
        ]

    def __str__(self):
        return f"{self.unit} {self.year}-Q{self.quarter}"

    def get_absolute_url(self):
        return reverse("programmes:report_detail", kwargs={"pk": self.pk})

    @property
    def period_label(self):
        return f"{self.year}-Q{self.quarter}"


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not-started", _("not started")
    IN_PROGRESS = "in-progress", _("in progress")
    COMPLETED = "completed", _("completed")
    DELAYED = "delayed", _("delayed")


class NodeAnswer(models.Model):
    """A report's answer for one item of a framework version (a task group of Decision 950, a criterion…).

    A progress item is answered with a status, percent complete and a
    narrative; a criterion with met or not met and a narrative; both may carry
    evidence.
    """

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="answers"
    )
    node = models.ForeignKey(
        "indicators.FrameworkNode", verbose_name=_("framework item"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=ProgressStatus.choices, blank=True)
    percent_complete = models.DecimalField(
        _("percent complete"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    met = models.BooleanField(_("met"), null=True, blank=True)
    narrative = models.TextField(_("narrative"), blank=True)

    class Meta:
        ordering = ["node__version_id", "node__order"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["report", "node"], name="answer_one_per_report_node"),
            models.CheckConstraint(
                condition=Q(percent_complete__isnull=True)
                | Q(percent_complete__gte=0, percent_complete__lte=100),
                name="progress_percent_0_to_100",
            ),
        ]

    def __str__(self):
        return f"{self.report} · {self.node.code}"


def evidence_upload_path(instance, filename):
    # The stored name never comes from the user: only the extension is kept.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"evidence/{uuid.uuid4().hex}.{extension[:8]}"


class Evidence(models.Model):
    """A link or an uploaded file that backs a report's answer for one item."""

    answer = models.ForeignKey(
        NodeAnswer, verbose_name=_("answer"), on_delete=models.CASCADE, related_name="evidence",
    )
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to=evidence_upload_path, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    # Shown on the report's public page once it is approved (links only: files stay
    # for those who may read the report).
    is_public = models.BooleanField(_("public"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="evidence_link_or_file",
            )
        ]

    def __str__(self):
        return self.url or self.original_name


class FundingSource(models.TextChoices):
    CENTRAL_BUDGET = "central-budget", _("central budget")
    LOCAL_BUDGET = "local-budget", _("local budget")
    ODA = "oda", _("ODA")
    PPP = "ppp", _("PPP")
    PRIVATE = "private", _("private")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in-progress", _("in progress")
    COMPLETED = "completed", _("completed")
    SUSPENDED = "suspended", _("suspended")
    CANCELLED = "cancelled", _("cancelled")


# A project's code is the unit's own reference (the register's import matches rows by it).
PROJECT_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$"


class Project(BilingualNameMixin, models.Model):
    """A smart-city project in a unit's register, kept by the unit's reporters.

    Nothing of it is public until a quarterly report of its unit that gives
    its progress is approved: the approval copies it to ``PublishedProject``.
    """

    unit = models.ForeignKey(
        "provinces.AdministrativeUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="projects"
    )
    code = models.CharField(
        _("code"), max_length=32,
        validators=[RegexValidator(PROJECT_CODE_PATTERN, _("Letters, digits, “.”, “-” and “_” only, at most 32."))],
        help_text=_("The unit's own reference for the project; unique in the unit's register."),
    )
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=500)
    name_en = models.CharField(_("name (English)"), max_length=500, blank=True)
    lead_agency = models.CharField(_("lead agency"), max_length=255, blank=True)
    funding_source = models.CharField(_("funding source"), max_length=16, choices=FundingSource.choices)
    total_investment = models.DecimalField(
        _("total investment (billion VND)"), max_digits=16, decimal_places=3, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    planned_end_date = models.DateField(_("planned end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED,
        help_text=_("As the register has it; each quarterly report gives the status of its quarter."),
    )
    nodes = models.ManyToManyField(
        "indicators.FrameworkNode", verbose_name=_("framework nodes"), blank=True, related_name="projects",
    )
    indicators = models.ManyToManyField(
        "indicators.Indicator", verbose_name=_("indicators"), blank=True, related_name="projects",
    )
    asean_city = models.ForeignKey(
        "provinces.AseanSmartCity", verbose_name=_("ASEAN network city"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="projects",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("last saved by"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit__name_vi", "code"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="project_code_unique_in_unit"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(planned_end_date__isnull=True)
                | Q(start_date__lte=models.F("planned_end_date")),
                name="project_start_not_after_end",
            ),
            models.CheckConstraint(
                condition=Q(total_investment__isnull=True) | Q(total_investment__gte=0),
                name="project_investment_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class ProjectProgress(models.Model):
    """A project's status, percent complete and spending to date, as a quarterly report gives them."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="project_progress"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="progress"
    )
    status = models.CharField(_("status"), max_length=16, choices=ProjectStatus.choices, blank=True)
    percent_complete = models.DecimalField(
        _("percent complete"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    spending_to_date = models.DecimalField(
        _("spending to date (billion VND)"), max_digits=16, decimal_places=3, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["report", "project__code"]
        verbose_name = _("project progress")
        verbose_name_plural = _("project progress")
        constraints = [
            models.UniqueConstraint(fields=["report", "project"], name="project_progress_one_per_report"),
            models.CheckConstraint(
                condition=Q(percent_complete__isnull=True) | Q(percent_complete__gte=0, percent_complete__lte=100),
                name="project_progress_percent_0_to_100",
            ),
            models.CheckConstraint(
                condition=Q(spending_to_date__isnull=True) | Q(spending_to_date__gte=0),
                name="project_progress_spending_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.report} · {self.project.code}"


class PublishedProject(BilingualNameMixin, models.Model):
    """The public copy of a project: its register as of the approval that published it, and its latest approved progress.

    Written by ``programmes.projects.publish`` when a report giving the
    project's progress is approved, rewritten when such a report is reopened;
    public pages, downloads and the API read this table only.
    """

    project = models.OneToOneField(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, primary_key=True, related_name="published"
    )
    unit = models.ForeignKey(
        "provinces.AdministrativeUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("code"), max_length=32)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=500)
    name_en = models.CharField(_("name (English)"), max_length=500, blank=True)
    lead_agency = models.CharField(_("lead agency"), max_length=255, blank=True)
    funding_source = models.CharField(_("funding source"), max_length=16, choices=FundingSource.choices)
    total_investment = models.DecimalField(
        _("total investment (billion VND)"), max_digits=16, decimal_places=3, null=True, blank=True
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    planned_end_date = models.DateField(_("planned end"), null=True, blank=True)
    nodes = models.ManyToManyField(
        "indicators.FrameworkNode", verbose_name=_("framework nodes"), blank=True, related_name="+",
    )
    indicators = models.ManyToManyField("indicators.Indicator", verbose_name=_("indicators"), blank=True, related_name="+")
    asean_city = models.ForeignKey(
        "provinces.AseanSmartCity", verbose_name=_("ASEAN network city"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    # The latest approved report that gives the project's progress, and what it says.
    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    status = models.CharField(_("status"), max_length=16, choices=ProjectStatus.choices, blank=True)
    percent_complete = models.DecimalField(_("percent complete"), max_digits=5, decimal_places=2, null=True, blank=True)
    spending_to_date = models.DecimalField(
        _("spending to date (billion VND)"), max_digits=16, decimal_places=3, null=True, blank=True
    )
    published_at = models.DateTimeField(_("published"))

    class Meta:
        ordering = ["unit__name_vi", "code"]
        verbose_name = _("published project")
        verbose_name_plural = _("published projects")

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("projects:detail", kwargs={"pk": self.pk})

    @property
    def period_label(self):
        return f"{self.year}-Q{self.quarter}"


class RevisionAction(models.TextChoices):
    # What happened, as the history names each step ("created" alone is also a time's name: "thời điểm tạo").
    CREATED = "created", pgettext_lazy("revision action", "created")
    SAVED = "saved", _("saved")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    APPROVED = "approved", _("approved")
    REOPENED = "reopened", _("reopened")
    IMPORTED = "imported", _("imported")
    # A reviewer's decisions on an assessment's criteria (programmes.assessments.verify_assessment).
    VERIFIED = "verified", _("verified")


class ReportRevision(models.Model):
    """An immutable snapshot of a report after one save or transition."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.PROTECT, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("revision"))
    version = models.PositiveIntegerField(_("report version"))
    action = models.CharField(_("action"), max_length=16, choices=RevisionAction.choices)
    status = models.CharField(_("status"), max_length=16, choices=ReportStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)
    field_comments = models.JSONField(_("comments on fields"), default=dict, blank=True)
    # Warnings the reporter confirmed with this save (large changes from last quarter).
    confirmed_warnings = models.JSONField(_("confirmed warnings"), default=list, blank=True)
    snapshot = models.JSONField(_("content"))

    class Meta:
        ordering = ["report", "number"]
        verbose_name = _("report revision")
        verbose_name_plural = _("report revisions")
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="revision_number_unique")
        ]

    def __str__(self):
        return f"{self.report} r{self.number}"


class OutboxMessage(models.Model):
    """Work to hand to Celery, written in the same transaction as the change.

    A message is dispatched after commit; if the broker is down it stays
    undispatched and the periodic sweep queues it again, so no event is lost.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    topic = models.CharField(_("topic"), max_length=64)
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("queued"), null=True, blank=True)
    processed_at = models.DateTimeField(_("done"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [models.Index(fields=["processed_at", "created_at"], name="outbox_pending_idx")]

    def __str__(self):
        return f"{self.topic} {self.id}"


class SentNotification(models.Model):
    """Proof that one notification went to one person, so it is never sent twice."""

    kind = models.CharField(_("kind"), max_length=64)
    key = models.CharField(_("key"), max_length=128)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("sent notification")
        verbose_name_plural = _("sent notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "recipient"], name="notification_sent_once"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.key} → {self.recipient}"


class WebhookSubscription(models.Model):
    """An integrator's URL that receives signed report events."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=128)
    events = models.JSONField(
        _("events"), default=list, blank=True,
        help_text=_("Event types to send; empty means all."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["owner", "id"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    """One event sent, or being sent, to one subscription."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    subscription = models.ForeignKey(
        WebhookSubscription, verbose_name=_("subscription"), on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event_id = models.UUIDField(_("event id"))
    event_type = models.CharField(_("event"), max_length=64)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="webhook_delivery_once_per_event"
            )
        ]

    def __str__(self):
        return f"{self.event_type} → {self.subscription}"


class DemoDataset(models.Model):
    """Marks a database filled by ``seed_demo``; every page then says so."""

    seed = models.PositiveIntegerField(_("seed"))
    size = models.PositiveSmallIntegerField(_("size"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("demo data set")
        verbose_name_plural = _("demo data sets")

    def __str__(self):
        return f"demo seed={self.seed} size={self.size}"


# --- maturity self-assessments (programmes/assessments.py; docs/maturity.md) -----------------


class Assessment(models.Model):
    """A unit's self-assessment of one year against a framework version whose items are criteria with levels.

    It goes through the workflow of quarterly reports (``policies.ASSESSMENT_TRANSITIONS``):
    the unit answers its criteria and submits; a ministry reviewer accepts or rejects
    each criterion, then approves the assessment or returns it. Its status uses the
    report statuses. The level reached is never stored here: it is computed from the
    verified criteria (``indicators.results.maturity``).
    """

    unit = models.ForeignKey(
        "provinces.AdministrativeUnit", verbose_name=_("unit"), on_delete=models.PROTECT,
        related_name="assessments",
    )
    framework_version = models.ForeignKey(
        "indicators.FrameworkVersion", verbose_name=_("framework version"), on_delete=models.PROTECT,
        related_name="assessments",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    # Optimistic locking, as for reports: every write names the version it edits.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("last saved by"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )
    first_submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    # {"criteria.A1": "…"}: the reviewer's notes on single fields, by field path (programmes.paths).
    field_comments = models.JSONField(_("comments on fields"), default=dict, blank=True)

    class Meta:
        ordering = ["-year", "unit__name_vi", "framework_version_id"]
        verbose_name = _("maturity assessment")
        verbose_name_plural = _("maturity assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "framework_version", "year"], name="assessment_one_per_unit_version_year"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2018, year__lte=2100), name="assessment_year_in_range"
            ),
        ]
        indexes = [
            models.Index(fields=["year", "status"], name="assessment_year_status_idx"),
            models.Index(fields=["status", "submitted_at"], name="assessment_status_sub_idx"),
        ]

    def __str__(self):
        return f"{self.unit} {self.year} · {self.framework_version}"

    def get_absolute_url(self):
        return reverse("assessments:detail", kwargs={"pk": self.pk})


class CriterionAnswer(models.Model):
    """An assessment's answer for one criterion of its framework version.

    Every criterion of the version has a row; a basic criterion is always
    assessed, another one only while the unit has ``chosen`` it. ``met`` of a
    criterion measured by an indicator threshold is written by the services
    from the unit's approved values (``measured``), never by the unit.
    ``accepted`` and ``comment`` are the reviewer's decision.
    """

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="answers"
    )
    node = models.ForeignKey(
        "indicators.FrameworkNode", verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="+"
    )
    chosen = models.BooleanField(_("chosen"), default=False)
    met = models.BooleanField(_("met"), null=True, blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    # [{"indicator", "value", "quarter", "threshold", "met"}]: the approved values that decided ``met``.
    measured = models.JSONField(_("measured by indicators"), null=True, blank=True)
    accepted = models.BooleanField(_("accepted"), null=True, blank=True)
    comment = models.TextField(_("reviewer's comment"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["assessment", "node__order"]
        verbose_name = _("criterion answer")
        verbose_name_plural = _("criterion answers")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "node"], name="criterion_answer_one_per_node"),
        ]

    def __str__(self):
        return f"{self.assessment} · {self.node.code}"


class AssessmentEvidence(models.Model):
    """A link or an uploaded file that backs an assessment's answer for one criterion.

    The same rules as a report's evidence (``programmes.uploads``).
    """

    answer = models.ForeignKey(
        CriterionAnswer, verbose_name=_("answer"), on_delete=models.CASCADE, related_name="evidence",
    )
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to=evidence_upload_path, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("assessment evidence")
        verbose_name_plural = _("assessment evidence")
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="assessment_evidence_link_or_file",
            )
        ]

    def __str__(self):
        return self.url or self.original_name


class AssessmentRevision(models.Model):
    """An immutable snapshot of an assessment after one save or transition (as ``ReportRevision``)."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.PROTECT, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("revision"))
    version = models.PositiveIntegerField(_("assessment version"))
    action = models.CharField(_("action"), max_length=16, choices=RevisionAction.choices)
    status = models.CharField(_("status"), max_length=16, choices=ReportStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)
    field_comments = models.JSONField(_("comments on fields"), default=dict, blank=True)
    snapshot = models.JSONField(_("content"))

    class Meta:
        ordering = ["assessment", "number"]
        verbose_name = _("assessment revision")
        verbose_name_plural = _("assessment revisions")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "number"], name="assessment_revision_number_unique")
        ]

    def __str__(self):
        return f"{self.assessment} r{self.number}"
