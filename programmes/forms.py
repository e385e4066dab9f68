"""Forms of the report pages.

They only give the pages their shape and read what was posted: every rule a
report must satisfy (ranges, required answers, who may do what) lives in
``programmes.services`` and ``programmes.validation``. A field of the report
form is named by its field path (``programmes.paths``:
``nodes.decision-950:3.percent_complete``, ``indicators.TG5-01.value``), so
the services' errors are placed next to their fields with ``add_error``.
"""
import functools
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from indicators.models import NodeKind, ValueType
from programmes import paths, policies
from programmes.filtersets import QUARTER_CHOICES, UnitChoiceField
from programmes.models import FundingSource, ProgressStatus, ProjectStatus
from programmes.uploads import ALLOWED_TYPES, UnreadableUpload
from programmes.validation import (
    MAX_COMMENT_LENGTH,
    MAX_FIELD_COMMENT_LENGTH,
    shown_number,
)
from provinces.models import AdministrativeUnit
from provinces.quarters import FIRST_REPORTING_YEAR, Quarter, quarter_range

BOOLEAN_CHOICES = [("", "—"), ("yes", _("yes")), ("no", _("no"))]
MET_CHOICES = [("", _("— not answered —")), ("yes", _("met")), ("no", _("not met"))]
STATUS_CHOICES = [("", _("— not answered —")), *ProgressStatus.choices]
PROJECT_STATUS_CHOICES = [("", _("— not answered —")), *ProjectStatus.choices]
# The name of the "Remove" buttons next to attached files; the value is the file's id.
REMOVE_EVIDENCE = "remove_evidence"
EVIDENCE_ACCEPT = ",".join(f".{extension}" for extension in sorted(ALLOWED_TYPES))


# --- starting a report ---------------------------------------------------------------


def quarter_choices(units, today=None):
    """Ended quarters, newest first, that at least one of ``units`` was in force for all of."""
    last = Quarter.last_complete(today)
    choices = []
    for quarter in reversed(list(quarter_range(Quarter(FIRST_REPORTING_YEAR, 1), last))):
        if any(u.in_force_throughout(quarter.start, quarter.end) for u in units):
            choices.append((str(quarter), str(quarter)))
    return choices


class StartReportForm(forms.Form):
    unit = UnitChoiceField(
        label=_("Unit"), queryset=AdministrativeUnit.objects.none(), empty_label=None,
        help_text=_("Your unit, or a unit merged into it on 1 July 2025 for the quarters before."),
    )
    quarter = forms.ChoiceField(
        label=_("Quarter"),
        help_text=_("Only quarters that have ended can be reported."),
    )

    def __init__(self, *args, user, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = AdministrativeUnit.objects.filter(pk__in=policies.reportable_unit_ids(user)).order_by(
            "valid_until", "name_vi"
        )
        self.fields["unit"].queryset = units
        self.fields["quarter"].choices = quarter_choices(list(units), today)
        if not self.is_bound:
            self.initial.setdefault("unit", user.unit_id)
            self.initial.setdefault("quarter", str(Quarter.last_complete(today)))

    def clean_quarter(self):
        return Quarter.parse(self.cleaned_data["quarter"])


# --- the report itself --------------------------------------------------------------


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files; ``programmes.uploads`` (through the services) judges them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, "accept": EVIDENCE_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [item for item in data if item]
        return [data] if data else []


class LinkChoicesField(forms.MultipleChoiceField):
    """The evidence links to publish, ticked among the item's saved links; the services check them."""

    widget = forms.CheckboxSelectMultiple

    def valid_value(self, value):
        return True


def _posted_lines(text):
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def _text(label, rows=None, **attrs):
    widget = forms.Textarea(attrs={"rows": rows, **attrs}) if rows else forms.TextInput(attrs=attrs)
    return forms.CharField(label=label, required=False, strip=False, widget=widget)


def number_input(inputmode="decimal"):
    """A text box for a number as the page writes it ("62,5" in Vietnamese).

    Not ``type="number"``: a browser shows such a box empty when its value has a decimal
    comma, and sends it empty, so a save would wipe the value; its own range messages are
    also in the browser's language, not the page's. The keyboard is numeric all the same
    (``inputmode``); the rules (``programmes.validation``) check the value.
    """
    return forms.TextInput(attrs={"inputmode": inputmode, "class": "input-number", "autocomplete": "off"})


def indicator_value_field(indicator):
    """An input suited to the indicator's type: yes/no as a choice, numbers in a number box."""
    label = _("Value")
    if indicator.value_type == ValueType.BOOLEAN:
        return forms.CharField(label=label, required=False, widget=forms.Select(choices=BOOLEAN_CHOICES))
    inputmode = "numeric" if indicator.value_type == ValueType.COUNT else "decimal"
    return forms.CharField(label=label, required=False, widget=number_input(inputmode))


def node_key_of(node):
    return paths.node_key(node.version.framework.code, node.code)


class ReportForm(forms.Form):
    """The whole quarterly report on one page: each framework's items, then the indicators.

    Field names are field paths, the names the services use for their errors.
    ``to_data()`` gives the services the posted raw values; a field the page
    did not post stays as it is in the report.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    confirm_warnings = forms.BooleanField(label=_("I confirm these values"), required=False)

    def __init__(self, *args, items, indicators, projects=(), saved_links=None, unreadable=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.indicators = list(indicators)
        self.projects = list(projects)
        # {node key: [links]} as saved: those a reporter may tick to publish.
        self.saved_links = saved_links or {}
        # (field name, name) of files the browser sent whose names could not be read
        # (programmes.uploads.unreadable_uploads): refused by the services like any bad file.
        self.unreadable = list(unreadable)
        for node in self.items:
            key = node_key_of(node)
            if node.kind == NodeKind.CRITERION:
                self.fields[self.name(key, "met")] = forms.CharField(
                    label=_("Met"), required=False, widget=forms.Select(choices=MET_CHOICES)
                )
            else:
                self.fields[self.name(key, "status")] = forms.CharField(
                    label=_("Status"), required=False, widget=forms.Select(choices=STATUS_CHOICES)
                )
                self.fields[self.name(key, "percent_complete")] = forms.CharField(
                    label=_("Percent complete"), required=False,
                    widget=number_input(),
                )
            self.fields[self.name(key, "narrative")] = _text(_("What was done this quarter"), rows=5)
            links = self.fields[self.name(key, "evidence_links")] = _text(
                _("Evidence links"), rows=3, placeholder="https://…"
            )
            links.help_text = _("One web address per line, starting with https://.")
            if self.saved_links.get(key):
                self.fields[self.name(key, "public_links")] = LinkChoicesField(
                    label=_("Links to show on the public page of the approved report"), required=False,
                    choices=[(link, link) for link in self.saved_links[key]],
                    help_text=_("Only links that anyone may open; new links can be ticked once the draft is saved."),
                )
            self.fields[self.name(key, "evidence_files")] = MultipleFileField(
                label=_("Attach evidence files"),
                help_text=_("PDF, images, Word, Excel or OpenDocument files; you may choose several."),
            )
        for indicator in self.indicators:
            self.fields[str(paths.indicator_path(indicator.code, "value"))] = indicator_value_field(indicator)
            self.fields[str(paths.indicator_path(indicator.code, "note"))] = _text(_("Note"))
        for project in self.projects:
            path = functools.partial(paths.project_path, project.pk)
            self.fields[str(path("status"))] = forms.CharField(
                label=_("Status"), required=False, widget=forms.Select(choices=PROJECT_STATUS_CHOICES)
            )
            self.fields[str(path("percent_complete"))] = forms.CharField(
                label=_("Percent complete"), required=False, widget=number_input()
            )
            self.fields[str(path("spending_to_date"))] = forms.CharField(
                label=_("Spending to date (billion VND)"), required=False, widget=number_input()
            )
            self.fields[str(path("note"))] = _text(_("Note"))

    @staticmethod
    def name(key, field):
        return str(paths.node_path(key, field))

    @classmethod
    def initial_from(cls, content, version):
        """Initial values from a report's contents (``selectors.report_content``)."""
        initial = {"version": version}
        for key, entry in content.get(paths.NODES, {}).items():
            if "met" in entry:
                initial[cls.name(key, "met")] = {True: "yes", False: "no"}.get(entry["met"], "")
            initial[cls.name(key, "status")] = entry.get("status") or ""
            initial[cls.name(key, "percent_complete")] = shown_number(entry.get("percent_complete"), grouping=False)
            initial[cls.name(key, "narrative")] = entry.get("narrative") or ""
            initial[cls.name(key, "evidence_links")] = "\n".join(entry.get("evidence_links") or [])
            initial[cls.name(key, "public_links")] = list(entry.get("public_links") or [])
        for code, entry in content.get(paths.INDICATORS, {}).items():
            initial[str(paths.indicator_path(code, "value"))] = entry.get("value")
            initial[str(paths.indicator_path(code, "note"))] = entry.get("note") or ""
        for project_id, entry in content.get(paths.PROJECTS, {}).items():
            for name in paths.PROJECT_FIELDS:
                value = entry.get(name)
                if name in ("percent_complete", "spending_to_date"):
                    value = shown_number(value, grouping=False)
                initial[str(paths.project_path(project_id, name))] = value or ""
        return initial

    @staticmethod
    def saved_links_of(content):
        """``{node key: [links]}`` of a report's contents, for ``saved_links``."""
        return {key: entry.get("evidence_links") or [] for key, entry in content.get(paths.NODES, {}).items()}

    def get_initial_for_field(self, field, field_name):
        value = super().get_initial_for_field(field, field_name)
        path = paths.parse_or_none(field_name)
        if path is not None and path.is_indicator and path.field == "value" and value not in (None, ""):
            indicator = self._indicator(path.key)
            if indicator is not None and indicator.value_type == ValueType.BOOLEAN:
                return "yes" if Decimal(value) else "no"
            return shown_number(value, grouping=False)
        return value

    def _indicator(self, code):
        if not hasattr(self, "_by_code"):
            self._by_code = {i.code: i for i in self.indicators}
        return self._by_code.get(code)

    def to_data(self):
        """The posted contents in the services' ``data`` shape: raw strings, checked there."""
        data = {paths.NODES: {}, paths.INDICATORS: {}}
        for node in self.items:
            key = node_key_of(node)
            entry = {}
            for name in ("status", "percent_complete", "met", "narrative", "evidence_links"):
                field_name = self.name(key, name)
                if field_name in self.fields and field_name in self.data:
                    entry[name] = self.cleaned_data.get(field_name, self.data.get(field_name))
            if "evidence_links" in entry:
                # Unticked boxes post nothing: the links posted with the item decide. A link
                # ticked but taken off the list in the same post is simply not published.
                ticked = self.cleaned_data.get(self.name(key, "public_links")) or []
                posted = _posted_lines(entry["evidence_links"])
                entry["public_links"] = [link for link in ticked if link in posted]
            if entry:
                data[paths.NODES][key] = entry
        for indicator in self.indicators:
            entry = {}
            for name in paths.INDICATOR_FIELDS:
                field_name = str(paths.indicator_path(indicator.code, name))
                if field_name in self.data:
                    entry[name] = self.cleaned_data.get(field_name, self.data.get(field_name))
            if entry:
                data[paths.INDICATORS][indicator.code] = entry
        for project in self.projects:
            entry = {}
            for name in paths.PROJECT_FIELDS:
                field_name = str(paths.project_path(project.pk, name))
                if field_name in self.data:
                    entry[name] = self.cleaned_data.get(field_name, self.data.get(field_name))
            if entry:
                data.setdefault(paths.PROJECTS, {})[str(project.pk)] = entry
        return data

    def uploads(self):
        """``[(node key, file), …]`` for the services to check and keep."""
        unreadable = {}
        for field_name, name in self.unreadable:
            unreadable.setdefault(field_name, []).append(UnreadableUpload(name))
        return [
            (node_key_of(node), upload)
            for node in self.items
            for upload in [
                *(self.cleaned_data.get(self.name(node_key_of(node), "evidence_files")) or []),
                *unreadable.get(self.name(node_key_of(node), "evidence_files"), []),
            ]
        ]

    def removals(self):
        """Ids of the attached files whose "Remove" button was pressed; the services check them.

        A value that is not an id becomes 0, which no file has, so that it is
        refused as a file not attached to the report.
        """
        values = self.data.getlist(REMOVE_EVIDENCE) if hasattr(self.data, "getlist") else []
        return [int(value) if value.isdigit() and len(value) <= 18 else 0 for value in values]

    def add_service_errors(self, errors):
        """Place ``ReportInvalid.errors`` next to their fields; the rest above the form."""
        for key, messages in errors.items():
            target = key if key in self.fields and key != "version" else None
            for message in messages:
                self.add_error(target, message)


# --- review -------------------------------------------------------------------------


class VersionForm(forms.Form):
    """A review action; each has its own id prefix, as several share the report page."""

    id_prefix = "action"
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class ApproveForm(VersionForm):
    """Approving publishes the report and its figures: the reviewer confirms it, with or without script."""

    id_prefix = "approve"
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    CONFIRM_REQUIRED = _("Tick the box to confirm the approval; nothing was approved.")
    # Checked by the view after the reviewer's right to approve (programmes.views.ReportApproveView);
    # the browser asks for it first.
    confirm = forms.BooleanField(
        label=_("I have checked this report: approve it, publish it and count its figures on the dashboards."),
        required=False, widget=forms.CheckboxInput(attrs={"required": True}),
    )


class ReturnForm(VersionForm):
    """The reviewer's comment, and optionally a comment per item and per indicator.

    Per-item comments are stored in ``Report.field_comments`` under the field
    path of the item or indicator (``nodes.decision-950:3``, ``indicators.TG5-01``).
    """

    id_prefix = "return"
    # The comments on single items and indicators sit beside them on the report page, outside the
    # <form> element: the HTML ``form`` attribute makes them part of it (no script needed).
    form_id = "return-form"
    comment = forms.CharField(
        label=_("What the unit should change"), required=False, max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
    )

    def __init__(self, *args, items=(), indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.item_keys = []
        for node in items:
            self._add(str(paths.node_path(node_key_of(node))), node.label)
        for indicator in indicators:
            self._add(str(paths.indicator_path(indicator.code)), f"{indicator.code} {indicator.name}")

    def _add(self, key, label):
        self.fields[f"comment-{key}"] = forms.CharField(
            label=label, required=False, max_length=MAX_FIELD_COMMENT_LENGTH,
            widget=forms.Textarea(attrs={"rows": 2, "form": self.form_id}),
        )
        self.item_keys.append(key)

    def comment_field(self, key):
        """The comment box on the item or indicator at the field path ``key``."""
        return self[f"comment-{key}"]

    def field_comments(self):
        return {
            key: self.cleaned_data.get(f"comment-{key}", "")
            for key in self.item_keys
            if (self.cleaned_data.get(f"comment-{key}") or "").strip()
        }


class ReopenForm(VersionForm):
    id_prefix = "reopen"
    reason = forms.CharField(
        label=_("Reason for reopening"), required=False,
        widget=forms.Textarea(attrs={"rows": 2, "required": True}),
    )


# --- history and status -----------------------------------------------------------------


class DiffForm(forms.Form):
    """Two revisions of a report to compare."""

    def __init__(self, *args, revisions, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(r.number, self.label(r)) for r in revisions]
        # "from" is a Python keyword, hence fields added here rather than declared.
        self.fields["from"] = forms.TypedChoiceField(label=_("From revision"), coerce=int, choices=choices)
        self.fields["to"] = forms.TypedChoiceField(label=_("To revision"), coerce=int, choices=choices)

    @staticmethod
    def label(revision):
        when = timezone.localtime(revision.created_at)
        return f"{revision.number} · {capfirst(revision.get_action_display())} · {when:%d/%m/%Y %H:%M}"


class QuarterForm(forms.Form):
    """``?year=&quarter=`` of the reporting status page; the last complete quarter by default."""

    year = forms.IntegerField(
        label=_("Year"), min_value=FIRST_REPORTING_YEAR, max_value=2100,
        widget=forms.NumberInput(attrs={"class": "input-year"}),
    )
    quarter = forms.TypedChoiceField(label=_("Quarter"), choices=QUARTER_CHOICES, coerce=int)

    def clean(self):
        cleaned = super().clean()
        if "year" in cleaned and "quarter" in cleaned:
            cleaned["period"] = Quarter(cleaned["year"], cleaned["quarter"])
        return cleaned


# --- the project register --------------------------------------------------------------------------


class ProjectForm(forms.Form):
    """A project of the unit's register. Only the shape: ``programmes.projects.clean_project`` judges the values.

    Field names are the register's column names, those of the CSV import, so
    that the rules' errors land next to their fields.
    """

    code = forms.CharField(label=_("Code"), max_length=32, help_text=_("The unit's own reference, e.g. IOC-01."))
    name_vi = forms.CharField(label=_("Name (Vietnamese)"), max_length=500)
    name_en = forms.CharField(label=_("Name (English)"), max_length=500, required=False)
    lead_agency = forms.CharField(label=_("Lead agency"), max_length=255, required=False)
    funding_source = forms.ChoiceField(label=_("Funding source"), choices=[("", "—"), *FundingSource.choices])
    total_investment = forms.CharField(
        label=_("Total investment (billion VND)"), required=False,
        widget=number_input(),
    )
    start_date = forms.CharField(label=_("Start"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    planned_end_date = forms.CharField(
        label=_("Planned end"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices, initial=ProjectStatus.PLANNED)
    nodes = forms.MultipleChoiceField(
        label=_("Framework nodes it is meant to move"), required=False, widget=forms.CheckboxSelectMultiple,
    )
    indicators = forms.MultipleChoiceField(
        label=_("Indicators it is meant to move"), required=False, widget=forms.CheckboxSelectMultiple,
    )
    asean_city = forms.ChoiceField(label=_("ASEAN network city where it applies"), required=False)

    def __init__(self, *args, node_choices=(), indicator_choices=(), city_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nodes"].choices = list(node_choices)
        self.fields["indicators"].choices = list(indicator_choices)
        self.fields["asean_city"].choices = [("", "—"), *city_choices]

    @classmethod
    def initial_from(cls, project):
        return {
            "code": project.code, "name_vi": project.name_vi, "name_en": project.name_en,
            "lead_agency": project.lead_agency, "funding_source": project.funding_source,
            "total_investment": shown_number(project.total_investment, grouping=False),
            "start_date": project.start_date.isoformat() if project.start_date else "",
            "planned_end_date": project.planned_end_date.isoformat() if project.planned_end_date else "",
            "status": project.status,
            "nodes": [node.key for node in project.nodes.select_related("version__framework")],
            "indicators": [i.code for i in project.indicators.all()],
            "asean_city": str(project.asean_city_id or ""),
        }

    def values(self):
        """The posted values for the services, as the register's columns."""
        return {name: self.cleaned_data.get(name) for name in self.fields}

    def add_service_errors(self, errors):
        for name, messages in errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class RegisterImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("The columns of the template; CSV files must be UTF-8. Rows are matched to projects by code."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    dry_run = forms.BooleanField(label=_("Only check the file, import nothing"), required=False)
