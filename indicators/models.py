import re
from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from smartcity_portal.text import BilingualNameMixin


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    ACTIVE = "active", _("active")
    RETIRED = "retired", _("retired")


class Cycle(models.TextChoices):
    QUARTERLY = "quarterly", _("quarterly")
    ANNUAL = "annual", _("annual")


class NodeKind(models.TextChoices):
    GROUP = "group", _("group (structure only)")
    PROGRESS = "progress", _("progress (status, percent complete, narrative, evidence)")
    CRITERION = "criterion", _("criterion (met or not met, with evidence)")


class Relation(models.TextChoices):
    EXACT = "exact", _("exact")
    PARTIAL = "partial", _("partial")
    PROXY = "proxy", _("proxy")


# Node codes end up in field paths (``nodes.decision-950:3.narrative``) and form names.
NODE_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"


class Framework(BilingualNameMixin, models.Model):
    """A set of tasks or criteria that units report against: Decision 950, a criteria set, the DTI…"""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255)
    issuer = models.CharField(_("issuer"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("indicators:framework_detail", kwargs={"code": self.code})


class FrameworkVersionQuerySet(models.QuerySet):
    def annotate_node_count(self):
        return self.annotate(node_count=models.Count("nodes"))


class FrameworkVersion(models.Model):
    """One edition of a framework: its tree of nodes, frozen once active.

    A version in force on a day is active with ``valid_from`` on or before that
    day and ``valid_until`` empty or on or after it. Reports filed under a
    version keep pointing at its nodes after it is retired.
    """

    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.PROTECT, related_name="versions"
    )
    code = models.SlugField(_("version code"), max_length=64)
    source_number = models.CharField(
        _("issuing document number"), max_length=64, blank=True, help_text=_("For example 950/QĐ-TTg.")
    )
    source_date = models.DateField(_("issuing document date"), null=True, blank=True)
    source_title = models.CharField(_("issuing document title"), max_length=500, blank=True)
    source_url = models.URLField(_("issuing document link"), max_length=500, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=FrameworkStatus.choices, default=FrameworkStatus.DRAFT
    )
    cycle = models.CharField(_("reporting cycle"), max_length=16, choices=Cycle.choices)
    item_kind = models.CharField(
        _("what a report says about each item"), max_length=16, choices=NodeKind.choices,
        help_text=_("Progress for task lists, criterion for criteria sets, group when items only gather indicators."),
    )
    is_illustrative = models.BooleanField(
        _("illustrative"), default=False,
        help_text=_("Not official content: every page that shows it says so."),
    )
    history = HistoricalRecords()

    objects = FrameworkVersionQuerySet.as_manager()

    class Meta:
        ordering = ["framework__code", "-valid_from"]
        verbose_name = _("framework version")
        verbose_name_plural = _("framework versions")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="framework_version_code_unique"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_from__lte=models.F("valid_until")),
                name="framework_version_valid_from_not_after_until",
            ),
        ]

    def __str__(self):
        return f"{self.framework} ({self.code})"

    @property
    def is_frozen(self):
        """An active or retired version never changes: a change makes a new version."""
        return self.status != FrameworkStatus.DRAFT


class FrameworkLevel(BilingualNameMixin, models.Model):
    """A maturity level a version declares (Circular 03/2026 has three)."""

    version = models.ForeignKey(
        FrameworkVersion, verbose_name=_("framework version"), on_delete=models.CASCADE, related_name="levels"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255)

    class Meta:
        ordering = ["version", "number"]
        verbose_name = _("maturity level")
        verbose_name_plural = _("maturity levels")
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="framework_level_number_unique"),
        ]

    def __str__(self):
        return f"{self.number}. {self.name}"


class FrameworkNode(BilingualNameMixin, models.Model):
    """A group or an item of a framework version; ``order`` is the position in the tree, depth first."""

    version = models.ForeignKey(
        FrameworkVersion, verbose_name=_("framework version"), on_delete=models.CASCADE, related_name="nodes"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), on_delete=models.CASCADE, related_name="children", null=True, blank=True
    )
    code = models.CharField(
        _("code"), max_length=32,
        validators=[RegexValidator(NODE_CODE_PATTERN, _("Letters, digits, “-” and “_” only, at most 32."))],
    )
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=500)
    name_en = models.CharField(_("name (English)"), max_length=500)
    order = models.PositiveIntegerField(_("order"))
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=NodeKind.choices)
    level = models.PositiveSmallIntegerField(_("maturity level"), null=True, blank=True)
    basic = models.BooleanField(
        _("basic criterion"), default=False, help_text=_("Every unit is assessed on it; the others are chosen.")
    )

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("framework node")
        verbose_name_plural = _("framework nodes")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="framework_node_code_unique"),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(kind="criterion"), name="framework_node_level_on_criteria"
            ),
        ]
        indexes = [models.Index(fields=["version", "kind"], name="framework_node_kind_idx")]

    def __str__(self):
        return f"{self.code}. {self.name}"

    def get_absolute_url(self):
        return reverse("indicators:node_detail", kwargs={
            "framework": self.version.framework.code, "version": self.version.code, "code": self.code,
        })

    @property
    def key(self):
        """The node's name in a report: unique among everything one report answers."""
        return f"{self.version.framework.code}:{self.code}"

    @property
    def is_item(self):
        return self.kind != NodeKind.GROUP

    @property
    def label(self):
        """The node as a page names it: "3. Xây dựng…", "NT-1. …"; a code that is a slug
        (``digital-government``) only repeats the name in other words, so the name alone."""
        return self.name if re.fullmatch(r"[a-z]+(-[a-z]+)*", self.code) else f"{self.code}. {self.name}"


class DocumentKind(models.TextChoices):
    LAW = "law", _("law")
    DECREE = "decree", _("decree")
    DECISION = "decision", _("decision")
    CIRCULAR = "circular", _("circular")
    STANDARD = "standard", _("standard")
    GUIDANCE = "guidance", _("guidance")
    OTHER = "other", _("other document")


class StandardDocument(models.Model):
    """A legal document or standard behind a framework version, listed on its public page.

    Kept by administrators in the admin; unlike the version's tree it may be
    completed after the version is active (a guidance issued later, a link that moved).
    """

    version = models.ForeignKey(
        FrameworkVersion, verbose_name=_("framework version"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices, default=DocumentKind.OTHER)
    number = models.CharField(_("number"), max_length=64, help_text=_("For example 269/2025/NĐ-CP or TCVN 13694:2023."))
    date = models.DateField(_("date"), null=True, blank=True)
    issuer = models.CharField(_("issuer"), max_length=255, blank=True)
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["version", "order", "date", "number"]
        verbose_name = _("standard or legal document")
        verbose_name_plural = _("standards and legal documents")

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def title(self):
        if (get_language() or "vi").startswith("en") and self.title_en:
            return self.title_en
        return self.title_vi


class ThresholdOperator(models.TextChoices):
    AT_LEAST = ">=", "≥"
    MORE_THAN = ">", ">"
    AT_MOST = "<=", "≤"
    LESS_THAN = "<", "<"
    EQUAL = "==", "="


class ValueType(models.TextChoices):
    PERCENT = "percent", _("percent (0–100)")
    COUNT = "count", _("count")
    AMOUNT = "amount", _("amount (billion VND)")
    BOOLEAN = "boolean", _("yes/no")


class Direction(models.TextChoices):
    INCREASE = "increase", _("higher is better")
    DECREASE = "decrease", _("lower is better")


class Rollup(models.TextChoices):
    SUM = "sum", _("sum")
    MEAN = "mean", _("mean")
    ANY = "any", _("any (yes if any unit says yes)")


# The units of measure of the shipped indicators, in the page's language. The stored value
# stays the English word (files and the API give it as it is); a unit an administrator
# types that is not here is shown as typed.
UNIT_LABELS = {
    "%": "%",
    "agreements": pgettext_lazy("unit of measure", "agreements"),
    "billion VND": pgettext_lazy("unit of measure", "billion VND"),
    "databases": pgettext_lazy("unit of measure", "databases"),
    "datasets": pgettext_lazy("unit of measure", "datasets"),
    "documents": pgettext_lazy("unit of measure", "documents"),
    "hotspots": pgettext_lazy("unit of measure", "hotspots"),
    "meetings": pgettext_lazy("unit of measure", "meetings"),
    "persons": pgettext_lazy("unit of measure", "persons"),
    "policies": pgettext_lazy("unit of measure", "policies"),
    "projects": pgettext_lazy("unit of measure", "projects"),
    "urban areas": pgettext_lazy("unit of measure", "urban areas"),
}


class Indicator(BilingualNameMixin, models.Model):
    """A measure that units report every quarter, counted toward framework nodes through mappings."""

    code = models.CharField(
        _("code"), max_length=16, unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_-]*$", _("Letters, digits, “-” and “_” only."))],
    )
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255)
    unit = models.CharField(_("unit of measure"), max_length=32, blank=True)
    value_type = models.CharField(_("value type"), max_length=16, choices=ValueType.choices)
    direction = models.CharField(
        _("direction"), max_length=16, choices=Direction.choices, default=Direction.INCREASE
    )
    rollup = models.CharField(_("roll-up rule"), max_length=8, choices=Rollup.choices)
    cumulative = models.BooleanField(
        _("cumulative"), default=False,
        help_text=_("A running total: it may not fall without an explanation."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=~Q(value_type="boolean") | Q(rollup="any"),
                name="indicator_boolean_rolls_up_with_any",
            )
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("indicators:indicator_detail", kwargs={"code": self.code})

    @property
    def unit_label(self):
        """The unit of measure in the page's language (``UNIT_LABELS``)."""
        return str(UNIT_LABELS.get(self.unit, self.unit))


class IndicatorMapping(models.Model):
    """An indicator counted toward a framework node; with a threshold, it decides whether a criterion is met."""

    indicator = models.ForeignKey(
        "Indicator", verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="mappings"
    )
    node = models.ForeignKey(
        FrameworkNode, verbose_name=_("framework node"), on_delete=models.CASCADE, related_name="mappings"
    )
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices, default=Relation.EXACT)
    threshold_operator = models.CharField(
        _("threshold operator"), max_length=2, choices=ThresholdOperator.choices, blank=True
    )
    threshold_value = models.DecimalField(
        _("threshold value"), max_digits=18, decimal_places=4, null=True, blank=True
    )

    class Meta:
        ordering = ["node__version", "node__order", "indicator__code"]
        verbose_name = _("indicator mapping")
        verbose_name_plural = _("indicator mappings")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "node"], name="indicator_mapping_unique"),
            models.CheckConstraint(
                condition=(Q(threshold_operator="") & Q(threshold_value__isnull=True))
                | (~Q(threshold_operator="") & Q(threshold_value__isnull=False)),
                name="indicator_mapping_threshold_complete",
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} → {self.node.code}"

    def is_met_by(self, value):
        """Whether ``value`` meets this mapping's threshold (``None`` without a value or a threshold)."""
        if value is None or not self.threshold_operator:
            return None
        value, limit = Decimal(value), self.threshold_value
        return {
            ThresholdOperator.AT_LEAST: value >= limit,
            ThresholdOperator.MORE_THAN: value > limit,
            ThresholdOperator.AT_MOST: value <= limit,
            ThresholdOperator.LESS_THAN: value < limit,
            ThresholdOperator.EQUAL: value == limit,
        }[self.threshold_operator]

    @property
    def threshold(self):
        """``">= 10"``, or ``""`` without a threshold."""
        if not self.threshold_operator:
            return ""
        value = f"{self.threshold_value:f}"
        value = value.rstrip("0").rstrip(".") if "." in value else value
        return f"{self.threshold_operator} {value}"

    @property
    def threshold_label(self):
        """The threshold as a page writes it: "≥ 62,5" in Vietnamese, "≥ 62.5" in English (the API keeps
        ``threshold``)."""
        if not self.threshold_operator:
            return ""
        return f"{self.get_threshold_operator_display()} {number_format(self.threshold_value.normalize(), use_l10n=True)}"


class Target(models.Model):
    """A target value for a year: national (no unit) or for one unit."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    unit = models.ForeignKey(
        "provinces.AdministrativeUnit", verbose_name=_("unit"), on_delete=models.CASCADE,
        null=True, blank=True, related_name="targets",
        help_text=_("Leave empty for a national target."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "year"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "unit"],
                condition=Q(unit__isnull=False),
                name="target_unique_per_unit_year",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year"],
                condition=Q(unit__isnull=True),
                name="target_unique_national_year",
            ),
        ]

    def __str__(self):
        scope = self.unit or _("national")
        return f"{self.indicator.code} {self.year} {scope}: {self.value}"


class IndicatorValue(models.Model):
    """A report's value for one indicator."""

    report = models.ForeignKey(
        "programmes.Report", verbose_name=_("report"), on_delete=models.CASCADE,
        related_name="indicator_values",
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="values"
    )
    # Booleans are stored as 1 and 0 so that every roll-up works on one column.
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["indicator__code"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "indicator"], name="indicator_value_one_per_report"
            )
        ]

    def __str__(self):
        return f"{self.report} {self.indicator.code}={self.value}"


class Boundaries(models.TextChoices):
    CURRENT = "current", _("today's 34 units")
    AS_REPORTED = "as-reported", _("units as they reported")


class NodeResult(models.Model):
    """The approved answer for a framework item, per unit and quarter.

    Computed from approved reports when one is approved (see
    ``indicators.services.recompute_results``) in both views: as reported, and
    rolled up to today's boundaries (percent complete by the mean; a criterion
    is met when every unit that answered it met it).
    """

    boundaries = models.CharField(_("boundaries"), max_length=16, choices=Boundaries.choices)
    unit = models.ForeignKey(
        "provinces.AdministrativeUnit", verbose_name=_("unit"), on_delete=models.CASCADE,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    node = models.ForeignKey(
        FrameworkNode, verbose_name=_("framework item"), on_delete=models.CASCADE, related_name="+",
    )
    percent_complete = models.DecimalField(
        _("percent complete"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    met = models.BooleanField(_("met"), null=True, blank=True)
    units_reporting = models.PositiveSmallIntegerField(_("units reporting"), default=1)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        ordering = ["year", "quarter", "unit_id", "node_id"]
        verbose_name = _("framework item result")
        verbose_name_plural = _("framework item results")
        constraints = [
            models.UniqueConstraint(
                fields=["boundaries", "unit", "year", "quarter", "node"],
                name="node_result_unique",
            )
        ]
        indexes = [
            models.Index(fields=["boundaries", "year", "quarter"], name="node_result_period_idx"),
            models.Index(fields=["boundaries", "node", "year", "quarter"], name="node_result_node_idx"),
            # "Computed at" on every dashboard: the latest one without reading the table.
            models.Index(fields=["computed_at"], name="node_result_computed_idx"),
            # The first and the last quarter with results, whatever the boundaries.
            models.Index(fields=["year", "quarter"], name="node_result_quarter_idx"),
        ]

    def __str__(self):
        return f"{self.unit_id} {self.year}-Q{self.quarter} {self.node_id} ({self.boundaries})"


class IndicatorResult(models.Model):
    """Approved value of an indicator, per unit and quarter, in both views."""

    boundaries = models.CharField(_("boundaries"), max_length=16, choices=Boundaries.choices)
    unit = models.ForeignKey(
        "provinces.AdministrativeUnit", verbose_name=_("unit"), on_delete=models.CASCADE,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="+"
    )
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    units_reporting = models.PositiveSmallIntegerField(_("units reporting"), default=1)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        ordering = ["year", "quarter", "unit_id", "indicator_id"]
        verbose_name = _("indicator result")
        verbose_name_plural = _("indicator results")
        constraints = [
            models.UniqueConstraint(
                fields=["boundaries", "unit", "year", "quarter", "indicator"],
                name="indicator_result_unique",
            )
        ]
        indexes = [
            models.Index(fields=["boundaries", "year", "quarter"], name="ind_result_period_idx"),
            models.Index(fields=["boundaries", "indicator", "year", "quarter"], name="ind_result_ind_idx"),
            models.Index(fields=["computed_at"], name="ind_result_computed_idx"),
        ]

    def __str__(self):
        return f"{self.unit_id} {self.year}-Q{self.quarter} {self.indicator_id} ({self.boundaries})"


class MaturityResult(models.Model):
    """The level a unit reached in an approved maturity assessment: one row per unit, year and version.

    Written by ``indicators.results.maturity`` when an assessment is approved or
    reopened, never typed: ``level`` (0 when not even the first level is reached)
    follows from the verified criteria by the portal's rule.
    """

    unit = models.ForeignKey(
        "provinces.AdministrativeUnit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.ForeignKey(
        FrameworkVersion, verbose_name=_("framework version"), on_delete=models.CASCADE, related_name="+",
    )
    assessment = models.ForeignKey(
        "programmes.Assessment", verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="+",
    )
    level = models.PositiveSmallIntegerField(_("level reached"))
    # [{"level": 1, "met": 3, "assessed": 4}]: criteria verified met and assessed, per level.
    per_level = models.JSONField(_("criteria met per level"), default=list)
    # Codes of the criteria of the next level not verified met (empty at the top level).
    gaps = models.JSONField(_("criteria missing for the next level"), default=list)
    criteria_met = models.PositiveSmallIntegerField(_("criteria verified met"), default=0)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        ordering = ["year", "version_id", "unit_id"]
        verbose_name = _("maturity result")
        verbose_name_plural = _("maturity results")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "version"], name="maturity_result_unique"),
        ]
        indexes = [models.Index(fields=["version", "year"], name="maturity_result_year_idx")]

    def __str__(self):
        return f"{self.unit_id} {self.year} v{self.version_id}: {self.level}"


class Job(models.Model):
    """A long import or export run by a Celery worker, with its progress."""

    class Kind(models.TextChoices):
        IMPORT = "import", _("import")
        EXPORT = "export", _("export")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("finished")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE,
        related_name="jobs",
    )
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    input_file = models.FileField(_("input file"), upload_to="jobs/input/", blank=True)
    result_file = models.FileField(_("result file"), upload_to="jobs/output/", blank=True)
    total = models.PositiveIntegerField(_("total items"), default=0)
    processed = models.PositiveIntegerField(_("items done"), default=0)
    # Per-row outcome of an import: [{"row": 3, "errors": {"value": ["…"]}}].
    row_report = models.JSONField(_("row report"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    # Runs started; more than one when a worker died during a run (see indicators.jobs).
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Of the current (or last) attempt.
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def percent(self):
        if not self.total:
            return 100 if self.status == self.Status.SUCCEEDED else 0
        return min(100, round(100 * self.processed / self.total))


def release_file_path(instance, filename):
    # Each release has its own folder, and a stored file is never replaced (DataReleaseFile).
    release = instance.release
    return f"releases/{release.year}-Q{release.quarter}/{release.number}/{filename}"


class DataRelease(models.Model):
    """A numbered, immutable publication of one quarter's approved figures.

    The first approval touching a quarter makes release 1; every later change
    of the quarter's published figures (another unit approved, a correction:
    a report reopened and approved again, an import) makes the next number,
    with a change log against the release before. A release's files are
    written once, with their SHA-256, and never regenerated.
    """

    class Kind(models.TextChoices):
        FIRST = "first", _("first publication")
        UPDATE = "update", _("new approved reports")
        CORRECTION = "correction", _("correction")

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    number = models.PositiveIntegerField(_("release number"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(_("published"))
    # The SHA-256 of the data files' hashes: a build equal to the latest release makes none.
    content_hash = models.CharField(_("content hash"), max_length=64)
    # [{"dataset", "table", "key": {...}, "field", "old", "new"}]: what changed since the release before.
    change_log = models.JSONField(_("change log"), default=list, blank=True)
    # The units whose approvals or corrections the release follows (slugs), for its page.
    units = models.JSONField(_("units concerned"), default=list, blank=True)

    class Meta:
        ordering = ["-year", "-quarter", "-number"]
        verbose_name = _("data release")
        verbose_name_plural = _("data releases")
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter", "number"], name="data_release_number_unique"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="data_release_quarter_1_to_4"),
        ]

    def __str__(self):
        return f"{self.period} #{self.number}"

    def get_absolute_url(self):
        return reverse("data:release_detail", kwargs={"period": self.period, "number": self.number})

    @property
    def period(self):
        return f"{self.year}-Q{self.quarter}"


class DataReleaseFile(models.Model):
    """One stored file of a release: served byte for byte as written."""

    release = models.ForeignKey(
        DataRelease, verbose_name=_("release"), on_delete=models.PROTECT, related_name="files"
    )
    name = models.CharField(_("file name"), max_length=100)
    file = models.FileField(_("file"), upload_to=release_file_path, max_length=255)
    media_type = models.CharField(_("media type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        ordering = ["release", "name"]
        verbose_name = _("data release file")
        verbose_name_plural = _("data release files")
        constraints = [models.UniqueConstraint(fields=["release", "name"], name="data_release_file_name_unique")]

    def __str__(self):
        return f"{self.release} {self.name}"

    def get_absolute_url(self):
        return reverse("data:release_file", kwargs={
            "period": self.release.period, "number": self.release.number, "name": self.name,
        })
