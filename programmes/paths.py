"""One name for each field of a report, used throughout the domain.

A report answers the items of the framework versions in force for its quarter
and gives a value for each indicator. Each field it holds is named by a
``FieldPath``, written with dots:

- ``nodes.decision-950:3.percent_complete``: item ``3`` (task group 3) of the
  Decision 950 framework; a node is named by its framework and its code, so
  that one report may answer several frameworks;
- ``nodes.bxd-2024:G05.met``: a criterion;
- ``indicators.TG5-01.value``, ``indicators.TG5-01.note``;
- ``projects.17.percent_complete``: a project of the unit's register, by its id
  (codes may be changed in the register; ids never are);
- ``comment``, ``reason``, ``version``: whole-report fields of an action.

A maturity assessment (``programmes.assessments``) names its fields the same
way, by criterion code within its framework version:

- ``criteria.A1.met``, ``criteria.A1.explanation``, ``criteria.A1.evidence_links``,
  ``criteria.A1.evidence_files``; ``criteria.A1.measured`` (the approved values
  that decide a criterion measured by an indicator threshold);
- ``criteria.A1.accepted``, ``criteria.A1.comment``: the reviewer's decision;
- ``chosen``: the optional criteria the unit assesses.

Services, validation, revisions, reviewers' comments and notifications speak
in paths. Only the edges translate them: the report form into its field names,
the API into its own paths (``programmes.api.keys``).
"""
from dataclasses import dataclass

NODES = "nodes"
INDICATORS = "indicators"
CRITERIA = "criteria"
PROJECTS = "projects"
SECTIONS = (NODES, INDICATORS, CRITERIA, PROJECTS)
CHOSEN = "chosen"

# ``public_links``: the evidence links the reporter marked public (shown on the approved
# report's public page); each is one of ``evidence_links``.
NODE_FIELDS = ("status", "percent_complete", "met", "narrative", "evidence_links", "public_links", "evidence_files")
INDICATOR_FIELDS = ("value", "note")
# An assessment's answer (the unit's), then the reviewer's decision.
ANSWER_FIELDS = ("met", "explanation", "evidence_links", "evidence_files", "measured")
DECISION_FIELDS = ("accepted", "comment")
CRITERION_FIELDS = (*ANSWER_FIELDS, *DECISION_FIELDS)
PROJECT_FIELDS = ("status", "percent_complete", "spending_to_date", "note")
FIELDS = {NODES: NODE_FIELDS, INDICATORS: INDICATOR_FIELDS, CRITERIA: CRITERION_FIELDS, PROJECTS: PROJECT_FIELDS}


@dataclass(frozen=True, order=True)
class FieldPath:
    """``section.key.field``, or a bare name (``comment``) for a field of the whole report."""

    section: str
    key: str = ""
    field: str = ""

    def __post_init__(self):
        object.__setattr__(self, "key", str(self.key))

    def __str__(self):
        return ".".join(part for part in (self.section, self.key, self.field) if part)

    @classmethod
    def parse(cls, text):
        """The path written as ``text``; ``ValueError`` if it is not a path of a report or an assessment."""
        text = str(text)
        section, _, rest = text.partition(".")
        if section not in SECTIONS:
            if not section or rest:
                raise ValueError(f"not a report field path: {text!r}")
            return cls(section)
        # Node keys hold no dots; indicator and criterion codes (see NODE_CODE_PATTERN) and project ids hold none either.
        key, _, field = rest.partition(".")
        if not key or (section == PROJECTS and not key.isdigit()):
            raise ValueError(f"not a report field path: {text!r}")
        if field and field not in FIELDS[section]:
            raise ValueError(f"not a report field path: {text!r}")
        return cls(section, key, field)

    @property
    def is_node(self):
        return self.section == NODES

    @property
    def is_indicator(self):
        return self.section == INDICATORS

    @property
    def is_criterion(self):
        return self.section == CRITERIA

    def is_project(self):
        return self.section == PROJECTS

    @property
    def item(self):
        """The path of the node or indicator this field belongs to (``nodes.decision-950:3``)."""
        return FieldPath(self.section, self.key)


def node_key(framework_code, node_code):
    """The key of a node in a report: its framework's code and its own (``decision-950:3``)."""
    return f"{framework_code}:{node_code}"


def split_node_key(key):
    """``(framework code, node code)`` of a node key."""
    framework_code, _, node_code = str(key).partition(":")
    return framework_code, node_code


def node_path(key, field=""):
    return FieldPath(NODES, key, field)


def indicator_path(code, field=""):
    return FieldPath(INDICATORS, code, field)


def criterion_path(code, field=""):
    """``criteria.A1.met``: a field of an assessment's answer for the criterion ``code``."""
    return FieldPath(CRITERIA, code, field)


def project_path(project_id, field=""):
    return FieldPath(PROJECTS, str(project_id), field)


def parse_or_none(text):
    try:
        return FieldPath.parse(text)
    except ValueError:
        return None
