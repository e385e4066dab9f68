"""Forms of the maturity assessment pages.

As the report forms (``programmes.forms``) they only shape the pages and read
what was posted; every rule is in ``programmes.assessments`` and
``programmes.validation``. A criterion's fields are named by their field path
(``criteria.A1.met``, ``criteria.A1.accepted``), so the services' errors land
next to them with ``add_error``.
"""
from django import forms
from django.utils.translation import gettext_lazy as _

from programmes import assessment_selectors, paths, policies
from programmes.filtersets import UnitChoiceField
from programmes.forms import (
    MET_CHOICES,
    REMOVE_EVIDENCE,
    MultipleFileField,
    VersionForm,
    _text,
)
from programmes.uploads import UnreadableUpload
from programmes.validation import MAX_COMMENT_LENGTH, MAX_FIELD_COMMENT_LENGTH
from provinces.models import AdministrativeUnit

DECISION_CHOICES = [("yes", _("accepted")), ("no", _("rejected"))]


def version_label(version):
    label = f"{version.framework.name} · {version.code}"
    if version.is_illustrative:
        label = f"{label} ({_('illustrative')})"
    return label


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, version):
        return version_label(version)


class StartAssessmentForm(forms.Form):
    unit = UnitChoiceField(
        label=_("Unit"), queryset=AdministrativeUnit.objects.none(), empty_label=None,
        help_text=_("A year is assessed for the units in force on its last day."),
    )
    framework_version = VersionChoiceField(
        label=_("Framework version"), queryset=None, empty_label=None,
        help_text=_("A framework whose criteria are assessed by maturity level."),
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, help_text=_("Only years that have begun."))

    def __init__(self, *args, user, today, **kwargs):
        super().__init__(*args, **kwargs)
        from indicators.models import FrameworkVersion

        units = AdministrativeUnit.objects.filter(pk__in=policies.reportable_unit_ids(user)).order_by(
            "valid_until", "name_vi"
        )
        self.fields["unit"].queryset = units
        versions = assessment_selectors.maturity_versions()
        self.fields["framework_version"].queryset = FrameworkVersion.objects.filter(
            pk__in=[v.pk for v in versions]
        ).select_related("framework").order_by("framework__code", "-valid_from")
        years = assessment_selectors.assessment_years(today) or [today.year]
        self.fields["year"].choices = [(year, str(year)) for year in years]
        if not self.is_bound:
            self.initial.setdefault("unit", user.unit_id)
            self.initial.setdefault("year", years[0])


class AssessmentForm(forms.Form):
    """The whole self-assessment on one page: each criterion's answer, evidence and whether it is assessed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    chosen = forms.MultipleChoiceField(label=_("Assessed"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, answers, unreadable=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.answers = list(answers)
        self.unreadable = list(unreadable)
        self.fields["chosen"].choices = [(a.node.code, a.node.code) for a in self.answers if not a.node.basic]
        for answer in self.answers:
            code = answer.node.code
            if not assessment_selectors.is_measured(answer.node):
                self.fields[self.name(code, "met")] = forms.CharField(
                    label=_("Met"), required=False, widget=forms.Select(choices=MET_CHOICES)
                )
            self.fields[self.name(code, "explanation")] = _text(_("Explanation"), rows=3)
            links = self.fields[self.name(code, "evidence_links")] = _text(
                _("Evidence links"), rows=2, placeholder="https://…"
            )
            links.help_text = _("One web address per line, starting with https://.")
            self.fields[self.name(code, "evidence_files")] = MultipleFileField(
                label=_("Attach evidence files"),
                help_text=_("PDF, images, Word, Excel or OpenDocument files; you may choose several."),
            )

    @staticmethod
    def name(code, field):
        return str(paths.criterion_path(code, field))

    @classmethod
    def initial_from(cls, answers, version):
        initial = {"version": version, "chosen": [a.node.code for a in answers if a.chosen and not a.node.basic]}
        for answer in answers:
            code = answer.node.code
            initial[cls.name(code, "met")] = {True: "yes", False: "no"}.get(answer.met, "")
            initial[cls.name(code, "explanation")] = answer.explanation
            initial[cls.name(code, "evidence_links")] = "\n".join(e.url for e in answer.evidence.all() if e.url)
        return initial

    def chosen_codes(self):
        """The optional criteria ticked on the page (posted), or assessed now (unbound)."""
        if not self.is_bound:
            return set(self.initial.get("chosen") or [])
        if "chosen" in getattr(self, "cleaned_data", {}):
            return set(self.cleaned_data["chosen"])
        return set(self.data.getlist("chosen")) if hasattr(self.data, "getlist") else set(self.data.get("chosen") or [])

    def assessed_codes(self):
        chosen = self.chosen_codes()
        return {a.node.code for a in self.answers if a.node.basic or a.node.code in chosen}

    def to_data(self):
        """The posted contents in the services' ``data`` shape; criteria not assessed are left alone."""
        assessed = self.assessed_codes()
        data = {paths.CHOSEN: sorted(self.cleaned_data.get("chosen") or []), paths.CRITERIA: {}}
        for answer in self.answers:
            code = answer.node.code
            if code not in assessed:
                continue
            entry = {}
            for name in ("met", "explanation", "evidence_links"):
                field_name = self.name(code, name)
                if field_name in self.fields and field_name in self.data:
                    entry[name] = self.cleaned_data.get(field_name, self.data.get(field_name))
            if entry:
                data[paths.CRITERIA][code] = entry
        return data

    def uploads(self):
        """``[(code, file)]`` for the services to check and keep."""
        unreadable = {}
        for field_name, name in self.unreadable:
            unreadable.setdefault(field_name, []).append(UnreadableUpload(name))
        found = []
        for answer in self.answers:
            field_name = self.name(answer.node.code, "evidence_files")
            for upload in [*(self.cleaned_data.get(field_name) or []), *unreadable.get(field_name, [])]:
                found.append((answer.node.code, upload))
        return found

    def removals(self):
        values = self.data.getlist(REMOVE_EVIDENCE) if hasattr(self.data, "getlist") else []
        return [int(value) if value.isdigit() and len(value) <= 18 else 0 for value in values]

    def add_service_errors(self, errors):
        """Place the services' errors next to their fields; errors on a whole criterion are kept apart."""
        self.criterion_errors = {}
        for key, messages in errors.items():
            path = paths.parse_or_none(key)
            if key in self.fields and key != "version":
                for message in messages:
                    self.add_error(key, message)
            elif path is not None and path.is_criterion:
                self.criterion_errors.setdefault(path.key, []).extend(messages)
                for message in messages:
                    self.add_error(None, message)
            else:
                for message in messages:
                    self.add_error(None, message)


class DecisionForm(VersionForm):
    """The reviewer's decision on each assessed criterion of a submitted assessment."""

    id_prefix = "verify"
    CONFIRM_REQUIRED = _("Tick the box to confirm the approval; nothing was saved or approved.")
    # Asked only when approving (programmes.assessment_views.AssessmentVerifyView): "Save the decisions"
    # needs no confirmation, so the box is not required in the page.
    confirm = forms.BooleanField(
        label=_("I have checked this assessment: approve it and publish the level it reaches."), required=False,
    )

    def __init__(self, *args, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.codes = []
        for answer in answers:
            if not assessment_selectors.is_assessed(answer):
                continue
            code = answer.node.code
            self.codes.append(code)
            self.fields[self.name(code, "accepted")] = forms.ChoiceField(
                label=_("Decision"), required=False, choices=DECISION_CHOICES, widget=forms.RadioSelect,
                initial={True: "yes", False: "no"}.get(answer.accepted),
            )
            self.fields[self.name(code, "comment")] = forms.CharField(
                label=_("Comment (required to reject)"), required=False, max_length=MAX_FIELD_COMMENT_LENGTH,
                initial=answer.comment, widget=forms.Textarea(attrs={"rows": 1}),
            )

    @staticmethod
    def name(code, field):
        return str(paths.criterion_path(code, field))

    def decisions(self):
        """``[{"code", "accepted", "comment"}]`` for the criteria given a decision on the page."""
        found = []
        for code in self.codes:
            value = self.cleaned_data.get(self.name(code, "accepted"))
            if value in ("yes", "no"):
                found.append({"code": code, "accepted": value == "yes",
                              "comment": self.cleaned_data.get(self.name(code, "comment"), "")})
        return found


class AssessmentReturnForm(VersionForm):
    """The reviewer's comment, and optionally one per criterion (``Assessment.field_comments``)."""

    id_prefix = "return"
    comment = forms.CharField(
        label=_("What the unit should change"), required=False, max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
    )

    def __init__(self, *args, answers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = []
        for answer in answers:
            if not assessment_selectors.is_assessed(answer):
                continue
            key = str(paths.criterion_path(answer.node.code))
            self.fields[f"comment-{key}"] = forms.CharField(
                label=f"{answer.node.code}. {answer.node.name}", required=False, max_length=MAX_FIELD_COMMENT_LENGTH,
                widget=forms.Textarea(attrs={"rows": 1}),
            )
            self.keys.append(key)

    def field_comments(self):
        return {
            key: self.cleaned_data.get(f"comment-{key}", "")
            for key in self.keys
            if (self.cleaned_data.get(f"comment-{key}") or "").strip()
        }

    def item_fields(self):
        return [self[f"comment-{key}"] for key in self.keys]
