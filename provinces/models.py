from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from smartcity_portal.text import BilingualNameMixin, fold, normalise


class Region(BilingualNameMixin, models.Model):
    """One of Vietnam's six socio-economic regions."""

    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=128)
    name_en = models.CharField(_("name (English)"), max_length=128)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name


class UnitKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("centrally-run city")
    PROVINCE = "province", _("province")


class AdministrativeUnitQuerySet(models.QuerySet):
    def current(self):
        return self.filter(valid_until__isnull=True)

    def historical(self):
        return self.filter(valid_until__isnull=False)

    def in_force_on(self, day):
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        )

    def in_force_throughout(self, start, end):
        """Units that existed on every day from ``start`` to ``end`` (``AdministrativeUnit.in_force_throughout``)."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=start),
            Q(valid_until__isnull=True) | Q(valid_until__gte=end),
        )

    def search(self, text):
        folded = fold(text).strip()
        if not folded:
            return self
        return self.filter(
            Q(search_text__contains=folded) | Q(code=folded) | Q(slug__contains=folded)
        )


class AdministrativeUnit(BilingualNameMixin, models.Model):
    """A provincial-level unit: a province (tỉnh) or a centrally-run city.

    Units carry their period of validity. The 52 units dissolved on 1 July 2025
    keep their rows (their reports belong to them) and point to the unit they
    were merged into through ``successor``.
    """

    code = models.CharField(
        _("statistics code"),
        max_length=2,
        help_text=_("Two-digit code; a merged unit reuses the code of the unit holding its capital."),
    )
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=128)
    name_en = models.CharField(_("name (English)"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="units"
    )
    valid_from = models.DateField(_("in force from"), null=True, blank=True)
    valid_until = models.DateField(_("in force until"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
    )
    former_names = models.CharField(
        _("former names"), max_length=255, blank=True,
        help_text=_("Earlier names of the same unit, separated by semicolons."),
    )
    map_row = models.PositiveSmallIntegerField(_("map row"), null=True, blank=True)
    map_col = models.PositiveSmallIntegerField(_("map column"), null=True, blank=True)
    # Accent-folded names, so that "Bac Ninh", "bắc ninh" and decomposed input all match.
    search_text = models.CharField(max_length=512, editable=False, default="")
    history = HistoricalRecords()

    objects = AdministrativeUnitQuerySet.as_manager()

    class Meta:
        ordering = ["name_vi"]
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_from__lt=models.F("valid_until")),
                name="unit_valid_from_before_valid_until",
            ),
            models.CheckConstraint(
                condition=Q(successor__isnull=True) | Q(valid_until__isnull=False),
                name="unit_successor_only_when_dissolved",
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(valid_until__isnull=True),
                name="unit_current_code_unique",
            ),
        ]
        indexes = [models.Index(fields=["valid_until", "valid_from"], name="unit_validity_idx")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        for field in ("name_vi", "name_en", "former_names"):
            setattr(self, field, normalise(getattr(self, field)))
        self.search_text = " ".join(
            fold(part) for part in (self.name_vi, self.name_en, self.former_names, self.slug)
        )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("provinces:unit_detail", kwargs={"slug": self.slug})

    def in_force_throughout(self, start, end):
        """Whether the unit existed on every day from ``start`` to ``end``: the rule of the queryset method."""
        return (self.valid_from is None or self.valid_from <= start) and (
            self.valid_until is None or self.valid_until >= end
        )

    @property
    def is_current(self):
        return self.valid_until is None

    @property
    def dated_name(self):
        """The name, with the end date of a dissolved unit: old Bắc Ninh is "Bắc Ninh (until 30/06/2025)",
        not to be taken for the Bắc Ninh formed on 1 July 2025 (page titles, tables, lists)."""
        if self.valid_until is None:
            return self.name
        return gettext("%(name)s (until %(date)s)") % {
            "name": self.name, "date": self.valid_until.strftime("%d/%m/%Y"),
        }

    @property
    def former_name_list(self):
        return [name.strip() for name in self.former_names.split(";") if name.strip()]


class AseanSmartCity(models.Model):
    """A member city of the ASEAN Smart Cities Network."""

    country_code = models.CharField(_("country code"), max_length=2)
    country = models.CharField(_("country"), max_length=64)
    city = models.CharField(_("city"), max_length=128)
    joined_year = models.PositiveSmallIntegerField(_("year joined"))
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("Vietnamese unit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="asean_cities",
        help_text=_("For Vietnamese members: the unit the city belonged to when it joined."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["country", "city"]
        verbose_name = _("ASEAN smart city")
        verbose_name_plural = _("ASEAN smart cities")
        constraints = [
            models.UniqueConstraint(fields=["country_code", "city"], name="asean_city_unique"),
            models.CheckConstraint(
                condition=Q(joined_year__gte=2018), name="asean_city_joined_since_2018"
            ),
        ]

    def __str__(self):
        return f"{self.city} ({self.country})"

    @property
    def display_name(self):
        """The name pages show: a Vietnamese member by its unit's name in the page's language
        ("Hồ Chí Minh", not the network's "Hồ Chí Minh City"), others as the network lists them."""
        return self.unit.name if self.unit_id else self.city
