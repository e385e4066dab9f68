"""The permission matrix: who may use every URL of the portal, declared in one place.

Each ``Rule`` names a URL route (``namespace:name``), the sample objects its
URL is built from, and the expected outcome for each role:

- ``allow``: the request is served (2xx, or a redirect that is not to a login page);
- ``deny``: refused (401 or 403, or a redirect to a login page);
- ``hidden``: answered 404, as if the object did not exist, so that its
  existence does not leak (e.g. another province's draft);
- ``state``: the role may do this, but not to the object in its present
  state (409, e.g. editing an approved report).

The rules here are *expectations* derived from ``programmes.policies`` and the
views; they are not used to decide anything at run time. ``tests/security/
test_permission_matrix.py`` walks the URL configuration and fails for a route
without a rule, then checks every cell against the running portal;
``manage.py permission_matrix`` writes the table into ``docs/security.md``.

This module imports no models, so that the command and the test can read it
before the database is ready.
"""
from dataclasses import dataclass, field

ALLOW, DENY, HIDDEN, STATE = "allow", "deny", "hidden", "state"

ROLES = ("anonymous", "reporter", "other_reporter", "viewer", "reviewer", "integrator", "superuser")
ROLE_LABELS = {
    "anonymous": "anonymous",
    "reporter": "reporter (of the unit)",
    "other_reporter": "reporter of another unit",
    "viewer": "ministry viewer",
    "reviewer": "ministry reviewer",
    "integrator": "integrator (bound to the unit)",
    "superuser": "superuser",
}

# The objects a URL can point at, created by tests/security/conftest.py.
# The unit is new Bắc Ninh (formed on 1 July 2025); the other unit is Hà Nội.
SAMPLES = {
    "draft": "a draft report of the unit (2025-Q3)",
    "submitted": "a submitted report of the unit (2025-Q4)",
    "approved": "an approved report of the unit (2026-Q1)",
    "returned": "a report of the unit returned for changes (2026-Q2)",
    "other_draft": "a draft report of the other unit (Hà Nội, 2025-Q3)",
    "old_unit_draft": "a draft of a unit merged into the unit (Bắc Giang, 2025-Q1)",
    "evidence": "an evidence file of the draft",
    "job": "a finished export job of the reviewer",
    "webhook": "a webhook subscription of the integrator",
    "token": "an API token of the reporter",
    "region": "a region",
    "pillar": "a pillar",
    "asean_city": "an ASEAN smart city",
    "programme": "a programme of the other unit",
    "progress": "a task group result",
    "indicator_value": "an indicator result",
    "assessment_draft": "a draft maturity assessment of the unit (2026)",
    "assessment_submitted": "a submitted maturity assessment of the unit, every criterion decided (2025)",
    "assessment_approved": "an approved maturity assessment of a unit merged into the unit (Bắc Giang, 2024)",
    "assessment_other_draft": "a draft maturity assessment of the other unit (Hà Nội, 2026)",
    "assessment_evidence": "an evidence file of the draft assessment",
    "assessment_version": "the framework version assessed (a test framework with three levels)",
    "old_unit": "a unit merged into the unit (Bắc Giang)",
    "maturity_result": "the published level of the approved assessment",
    "project": "a project of the unit, published by the approved report",
    "unpublished_project": "a project of the unit that no approved report published",
    "other_project": "a project of the other unit (not published)",
}


@dataclass(frozen=True)
class Sample:
    """A URL argument taken from the sample object ``name`` (see ``SAMPLES``)."""

    name: str

    def __str__(self):
        return f"<{self.name}>"


@dataclass(frozen=True)
class Rule:
    route: str
    access: dict
    kwargs: dict = field(default_factory=dict)
    method: str = "GET"
    # Form data (pages) or a JSON body (API) for POST, PUT and PATCH; a ``Sample``
    # value is replaced by the sample object's id.
    data: dict = None
    query: str = ""
    # What the row shows, when a route has several rows (e.g. "draft of another unit").
    label: str = ""
    # A change that must happen when the cell is "allow" and must not happen
    # otherwise; checked by the test (see ``EFFECTS`` there).
    effect: str = ""

    @property
    def is_api(self):
        return self.route.startswith("api:") or self.route.startswith("api-")

    @property
    def samples(self):
        values = [*self.kwargs.values(), *(self.data or {}).values()]
        return sorted({v.name for v in values if isinstance(v, Sample)})

    def describe(self):
        parts = [self.label] if self.label else []
        parts += [SAMPLES[name] for name in self.samples if SAMPLES[name] not in parts]
        return "; ".join(parts)


def _table(default, **cells):
    unknown = set(cells) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    return {role: cells.get(role, default) for role in ROLES}


def everyone(**cells):
    """Open to all, anonymous included (reference data, dashboards, approved results)."""
    return _table(ALLOW, **cells)


def signed_in(**cells):
    """Any signed-in user; anonymous visitors are sent to log in (pages) or get 401 (API)."""
    return _table(ALLOW, anonymous=DENY, **cells)


def nobody_but(*roles, otherwise=DENY, **cells):
    return _table(otherwise, **{role: ALLOW for role in roles}, **cells)


MINISTRY = ("viewer", "reviewer", "superuser")
REVIEWERS = ("reviewer", "superuser")
UNIT_WRITERS = ("reporter", "integrator")
# Reports of the unit: its reporter and integrator, and the ministry; another
# unit's reporter gets 404. A report of another unit is the mirror image.
OWN_UNIT_REPORT = signed_in(other_reporter=HIDDEN)
OTHER_UNIT_REPORT = signed_in(reporter=HIDDEN, integrator=HIDDEN)
# Writes to a draft of the unit: its reporter and integrator only; readers get 403.
WRITE_OWN_DRAFT = nobody_but(*UNIT_WRITERS, other_reporter=HIDDEN)
# Review of a submitted report of the unit: reviewers only.
REVIEW_OWN_REPORT = nobody_but(*REVIEWERS, other_reporter=HIDDEN)
# Webhook subscriptions, on the page and in the API alike (``policies.can_manage_webhooks``);
# another integrator's subscription is 404 (tests/api/test_webhooks.py).
WEBHOOK_MANAGERS = nobody_but("integrator", "superuser")

d, s, a, r = Sample("draft"), Sample("submitted"), Sample("approved"), Sample("returned")
ad, asub, aa = Sample("assessment_draft"), Sample("assessment_submitted"), Sample("assessment_approved")

RULES = [
    # --- the portal --------------------------------------------------------------------------
    Rule("home", everyone(), label="a province reporter is sent on to programmes:my_unit"),
    Rule("overview", everyone()),
    Rule("about", everyone()),
    Rule("healthz", everyone()),
    Rule("readyz", everyone()),
    Rule("set_language", everyone(), method="POST", data={"language": "en", "next": "/"}),
    Rule("admin:index", nobody_but("superuser")),
    # --- units ---------------------------------------------------------------------------------
    Rule("provinces:unit_list", everyone()),
    Rule("provinces:unit_list", everyone(), query="q=B%E1%BA%AFc+Ninh&status=all", label="search"),
    Rule("provinces:asean", everyone()),
    Rule("provinces:unit_detail", everyone(), kwargs={"slug": "bac-ninh"}, label="a unit in force"),
    Rule("provinces:unit_detail", everyone(), kwargs={"slug": "bac-giang"}, label="a dissolved unit"),
    # --- dashboards and exports of approved results ----------------------------------------------
    Rule("indicators:task_group_detail", everyone(), kwargs={"number": 5}),
    Rule("indicators:node_detail", everyone(), kwargs={"framework": "decision-950", "version": "2018", "code": "5"}),
    Rule("indicators:framework_list", everyone()),
    Rule("indicators:framework_detail", everyone(), kwargs={"code": "decision-950"}),
    Rule("indicators:crosswalk", everyone()),
    Rule("indicators:crosswalk", everyone(), query="format=csv", label="the crosswalk as CSV"),
    Rule("indicators:indicator_detail", everyone(), kwargs={"code": "TG5-01"}),
    Rule("indicators:completeness", everyone()),
    Rule("indicators:method", everyone()),
    Rule("indicators:unit_export", everyone(), kwargs={"slug": "bac-ninh"}, query="format=csv"),
    Rule("indicators:unit_export", everyone(), kwargs={"slug": "bac-ninh"}, query="format=xlsx&table=reports",
         label="the unit's reports table, as XLSX"),
    Rule("indicators:asean_export", everyone(), query="format=csv"),
    Rule("indicators:standards", everyone()),
    Rule("indicators:version_standards", everyone(), kwargs={"framework": "decision-950", "version": "2018"}),
    # --- open data: catalogue, downloads, Data Packages, DCAT, releases (approved figures only) -------
    Rule("data:index", everyone()),
    Rule("data:catalog", everyone()),
    Rule("data:dataset", everyone(), kwargs={"dataset": "indicator-values"}),
    Rule("data:datapackage", everyone(), kwargs={"dataset": "indicator-values"}),
    Rule("data:download", everyone(), kwargs={"dataset": "indicator-values", "table": "indicator-values", "fmt": "csv"}),
    Rule("data:download", everyone(), kwargs={"dataset": "projects", "table": "projects", "fmt": "xlsx"},
         label="published projects only"),
    Rule("data:release_list", everyone()),
    Rule("data:release_quarter", everyone(), kwargs={"period": "2026-Q1"}),
    Rule("data:release_detail", everyone(), kwargs={"period": "2026-Q1", "number": 1}),
    Rule("data:release_file", everyone(), kwargs={"period": "2026-Q1", "number": "1", "name": "indicator-values.csv"}),
    # --- published reports: approved ones only, the same page for everyone --------------------------------
    Rule("published:list", everyone(), label="approved reports only"),
    Rule("published:report", everyone(), kwargs={"slug": "bac-ninh", "period": "2026-Q1"},
         label="the approved report of the unit (2026-Q1)"),
    Rule("published:report", nobody_but(otherwise=HIDDEN), kwargs={"slug": "bac-ninh", "period": "2025-Q3"},
         label="the draft of the unit (2025-Q3): no public page, whoever asks"),
    Rule("published:assessment_list", everyone(), label="approved self-assessments only"),
    Rule("published:assessment", everyone(),
         kwargs={"slug": "bac-giang", "year": 2024, "framework": "test-maturity", "version": "v1"},
         label="the approved self-assessment of Bắc Giang (2024)"),
    Rule("published:assessment", nobody_but(otherwise=HIDDEN),
         kwargs={"slug": "bac-ninh", "year": 2026, "framework": "test-maturity", "version": "v1"},
         label="the draft self-assessment of the unit (2026): no public page, whoever asks"),
    Rule("published:assessment", nobody_but(otherwise=HIDDEN),
         kwargs={"slug": "bac-ninh", "year": 2025, "framework": "test-maturity", "version": "v1"},
         label="the submitted self-assessment of the unit (2025): no public page, whoever asks"),
    # --- projects: the published register for all; the register kept by the unit's writers ----------
    Rule("projects:list", everyone(), label="published projects only"),
    Rule("projects:list", everyone(), query="format=csv", label="published projects as CSV"),
    Rule("projects:detail", everyone(), kwargs={"pk": Sample("project")}),
    Rule("projects:detail", nobody_but(otherwise=HIDDEN), kwargs={"pk": Sample("unpublished_project")}),
    Rule("projects:manage", signed_in(),
         label="reporters and integrators: their unit's register; the ministry: every register"),
    Rule("projects:create", nobody_but(*UNIT_WRITERS, "other_reporter")),
    Rule("projects:create", nobody_but(*UNIT_WRITERS, "other_reporter"), method="POST",
         data={"code": "NEW-1", "name_vi": "Dự án mới", "funding_source": "oda", "status": "planned"},
         label="add a project to the user's own unit", effect="project_created"),
    Rule("projects:edit", nobody_but(*UNIT_WRITERS, other_reporter=HIDDEN), kwargs={"pk": Sample("unpublished_project")}),
    Rule("projects:edit", nobody_but(*UNIT_WRITERS, other_reporter=HIDDEN), kwargs={"pk": Sample("unpublished_project")},
         method="POST", data={"code": "CHANGED", "name_vi": "Đổi tên", "funding_source": "oda", "status": "planned"},
         effect="project_changed"),
    Rule("projects:edit", nobody_but("other_reporter", reporter=HIDDEN, integrator=HIDDEN),
         kwargs={"pk": Sample("other_project")}, label="a project of another unit"),
    Rule("projects:import", nobody_but(*UNIT_WRITERS, "other_reporter")),
    Rule("projects:template", nobody_but(*UNIT_WRITERS, "other_reporter")),
    Rule("projects:register_csv", nobody_but(*UNIT_WRITERS, "other_reporter")),
    # --- findable --------------------------------------------------------------------------------------
    Rule("sitemap", everyone(), label="public pages, published reports, self-assessments and projects only"),
    Rule("robots_txt", everyone()),
    # --- bulk import, full export, background jobs ---------------------------------------------------
    Rule("indicators:import", nobody_but(*REVIEWERS)),
    Rule("indicators:import_template_csv", nobody_but(*REVIEWERS)),
    Rule("indicators:import_template_xlsx", nobody_but(*REVIEWERS)),
    Rule("indicators:export", nobody_but(*MINISTRY)),
    # A job is its owner's (the reviewer's); others get 404, superusers see all.
    Rule("indicators:job_detail", nobody_but("reviewer", "superuser", otherwise=HIDDEN, anonymous=DENY),
         kwargs={"pk": Sample("job")}),
    Rule("indicators:job_status", nobody_but("reviewer", "superuser", otherwise=HIDDEN, anonymous=DENY),
         kwargs={"pk": Sample("job")}),
    Rule("indicators:job_problems_csv", nobody_but("reviewer", "superuser", otherwise=HIDDEN, anonymous=DENY),
         kwargs={"pk": Sample("job")}),
    Rule("indicators:job_download", nobody_but("reviewer", "superuser", otherwise=HIDDEN, anonymous=DENY),
         kwargs={"pk": Sample("job")}),
    # --- quarterly reports (pages) --------------------------------------------------------------------------------
    Rule("programmes:report_list", signed_in(), label="only the reports the user may read are listed"),
    Rule("programmes:report_start", nobody_but("reporter", "other_reporter", "integrator")),
    Rule("programmes:my_unit", signed_in(), label="a province reporter's unit; others are sent to the overview"),
    Rule("programmes:reporting_status", nobody_but(*MINISTRY)),
    Rule("programmes:report_detail", OWN_UNIT_REPORT, kwargs={"pk": d}),
    Rule("programmes:report_detail", OWN_UNIT_REPORT, kwargs={"pk": Sample("old_unit_draft")}),
    Rule("programmes:report_detail", OTHER_UNIT_REPORT, kwargs={"pk": Sample("other_draft")}),
    Rule("programmes:report_detail", signed_in(), kwargs={"pk": a}, label="approved reports are read by all signed-in users"),
    Rule("programmes:report_history", OWN_UNIT_REPORT, kwargs={"pk": d}),
    Rule("programmes:report_history", OTHER_UNIT_REPORT, kwargs={"pk": Sample("other_draft")}),
    Rule("programmes:report_diff", OWN_UNIT_REPORT, kwargs={"pk": d}),
    Rule("programmes:evidence_download", OWN_UNIT_REPORT, kwargs={"pk": Sample("evidence")}),
    Rule("programmes:report_edit", WRITE_OWN_DRAFT, kwargs={"pk": d}),
    Rule("programmes:report_edit", nobody_but("other_reporter", reporter=HIDDEN, integrator=HIDDEN),
         kwargs={"pk": Sample("other_draft")}),
    Rule("programmes:report_edit", WRITE_OWN_DRAFT, kwargs={"pk": d}, method="POST",
         data={"version": "1", "action": "submit", "confirm_warnings": "on"}, label="submit", effect="report_submitted"),
    Rule("programmes:report_edit", WRITE_OWN_DRAFT, kwargs={"pk": d}, method="POST",
         data={"version": "1", "remove_evidence": Sample("evidence")}, label="remove an evidence file",
         effect="evidence_removed"),
    Rule("programmes:report_approve", REVIEW_OWN_REPORT, kwargs={"pk": s}, method="POST",
         data={"version": "1", "comment": "", "confirm": "on"}, effect="report_approved"),
    Rule("programmes:report_return", REVIEW_OWN_REPORT, kwargs={"pk": s}, method="POST",
         data={"version": "1", "comment": "Bổ sung minh chứng."}, effect="report_returned"),
    Rule("programmes:report_reopen", nobody_but(*REVIEWERS), kwargs={"pk": a}, method="POST",
         data={"version": "1", "reason": "Sai số liệu."}, effect="report_reopened"),
    # --- maturity self-assessments (pages): the rules of reports -------------------------------------------
    Rule("assessments:list", signed_in(), label="only the assessments the user may read are listed"),
    Rule("assessments:start", nobody_but("reporter", "other_reporter", "integrator")),
    Rule("assessments:start", nobody_but(*UNIT_WRITERS), method="POST",
         data={"unit": Sample("old_unit"), "framework_version": Sample("assessment_version"), "year": "2023"},
         label="start an assessment of Bắc Giang for 2023", effect="assessment_created"),
    Rule("assessments:detail", OWN_UNIT_REPORT, kwargs={"pk": ad}),
    Rule("assessments:detail", OTHER_UNIT_REPORT, kwargs={"pk": Sample("assessment_other_draft")}),
    Rule("assessments:detail", signed_in(), kwargs={"pk": aa},
         label="approved assessments are read by all signed-in users"),
    Rule("assessments:history", OWN_UNIT_REPORT, kwargs={"pk": ad}),
    Rule("assessments:history", OTHER_UNIT_REPORT, kwargs={"pk": Sample("assessment_other_draft")}),
    Rule("assessments:diff", OWN_UNIT_REPORT, kwargs={"pk": ad}),
    Rule("assessments:evidence_download", OWN_UNIT_REPORT, kwargs={"pk": Sample("assessment_evidence")}),
    Rule("assessments:edit", WRITE_OWN_DRAFT, kwargs={"pk": ad}),
    Rule("assessments:edit", nobody_but("other_reporter", reporter=HIDDEN, integrator=HIDDEN),
         kwargs={"pk": Sample("assessment_other_draft")}),
    Rule("assessments:edit", WRITE_OWN_DRAFT, kwargs={"pk": ad}, method="POST",
         data={"version": "1", "action": "save", "criteria.A1.explanation": "Cập nhật"}, label="save",
         effect="assessment_saved"),
    Rule("assessments:edit", WRITE_OWN_DRAFT, kwargs={"pk": ad}, method="POST",
         data={"version": "1", "action": "submit"}, label="submit", effect="assessment_submitted"),
    Rule("assessments:edit", WRITE_OWN_DRAFT, kwargs={"pk": ad}, method="POST",
         data={"version": "1", "remove_evidence": Sample("assessment_evidence")}, label="remove an evidence file",
         effect="assessment_evidence_removed"),
    Rule("assessments:verify", REVIEW_OWN_REPORT, kwargs={"pk": asub}, method="POST",
         data={"version": "1", "criteria.A1.accepted": "no", "criteria.A1.comment": "Thiếu minh chứng."},
         label="decide on a criterion", effect="assessment_saved"),
    Rule("assessments:verify", REVIEW_OWN_REPORT, kwargs={"pk": asub}, method="POST",
         data={"version": "1", "action": "approve", "confirm": "on"}, label="approve", effect="assessment_approved"),
    Rule("assessments:return", REVIEW_OWN_REPORT, kwargs={"pk": asub}, method="POST",
         data={"version": "1", "comment": "Bổ sung minh chứng."}, effect="assessment_returned"),
    Rule("assessments:reopen", nobody_but(*REVIEWERS), kwargs={"pk": aa}, method="POST",
         data={"version": "1", "reason": "Sai số liệu."}, effect="assessment_reopened"),
    # --- maturity levels (public, from approved assessments) ------------------------------------------------
    Rule("indicators:maturity", everyone()),
    Rule("indicators:maturity", everyone(), query="format=csv&table=gaps", label="the gap list as CSV"),
    Rule("indicators:maturity_method", everyone()),
    # --- webhook subscriptions of integrators (the API's rows below are the same) -----------------------------
    Rule("programmes:webhook_list", WEBHOOK_MANAGERS),
    Rule("programmes:webhook_create", WEBHOOK_MANAGERS),
    Rule("programmes:webhook_detail", WEBHOOK_MANAGERS, kwargs={"pk": Sample("webhook")}),
    Rule("programmes:webhook_delete", WEBHOOK_MANAGERS, kwargs={"pk": Sample("webhook")}),
    Rule("programmes:webhook_delete", WEBHOOK_MANAGERS, kwargs={"pk": Sample("webhook")},
         method="POST", data={}, effect="webhook_deleted"),
    # --- accounts -------------------------------------------------------------------------------------------
    Rule("accounts:login", everyone()),
    Rule("accounts:logout", everyone(), method="POST", data={}),
    Rule("accounts:session", signed_in()),
    Rule("accounts:password_change", signed_in()),
    Rule("accounts:password_change_done", signed_in()),
    Rule("accounts:password_reset", everyone()),
    Rule("accounts:password_reset_done", everyone()),
    Rule("accounts:password_reset_confirm", everyone(), kwargs={"uidb64": "MQ", "token": "set-password"},
         label="an invalid link: the page says so"),
    Rule("accounts:password_reset_complete", everyone()),
    Rule("accounts:profile", signed_in()),
    Rule("accounts:token_create", signed_in(), method="POST", data={"expiry_days": "30"},
         effect="token_created"),
    # Revoking someone else's token: refused with a message (the token stays).
    Rule("accounts:token_revoke", nobody_but("reporter"), kwargs={"token_key": Sample("token")},
         method="POST", data={}, effect="token_revoked"),
    # The same through the API: a user's own tokens; an administrator's, anyone's.
    Rule("api:token-list", signed_in(), label="the user's own tokens, never their secrets"),
    Rule("api:token-list", signed_in(), method="POST", data={"read_only": True}, effect="token_created"),
    Rule("api:token-detail", nobody_but("reporter", "superuser", otherwise=HIDDEN, anonymous=DENY),
         kwargs={"token_key": Sample("token")}, method="DELETE", effect="token_revoked"),
    # --- REST API: reference data and approved results (public) ----------------------------------------------
    Rule("api:root", everyone()),
    Rule("api-schema", everyone()),
    Rule("api-docs", everyone()),
    Rule("api:region-list", everyone()),
    Rule("api:region-detail", everyone(), kwargs={"slug": Sample("region")}),
    Rule("api:province-list", everyone()),
    Rule("api:province-detail", everyone(), kwargs={"slug": "bac-ninh"}),
    Rule("api:asean-city-list", everyone()),
    Rule("api:asean-city-detail", everyone(), kwargs={"pk": Sample("asean_city")}),
    Rule("api:task-group-list", everyone()),
    Rule("api:task-group-detail", everyone(), kwargs={"number": 5}),
    Rule("api:pillar-list", everyone()),
    Rule("api:pillar-detail", everyone(), kwargs={"code": Sample("pillar")}),
    Rule("api:programme-list", everyone()),
    Rule("api:programme-detail", everyone(), kwargs={"pk": Sample("programme")}),
    Rule("api:project-list", everyone(), label="published projects only"),
    Rule("api:project-detail", everyone(), kwargs={"pk": Sample("project")}),
    Rule("api:project-detail", nobody_but(otherwise=HIDDEN), kwargs={"pk": Sample("unpublished_project")}),
    Rule("api:framework-list", everyone()),
    Rule("api:framework-detail", everyone(), kwargs={"code": "decision-950"}),
    Rule("api:framework-nodes", everyone(), kwargs={"code": "decision-950", "version": "2018"}),
    Rule("api:indicator-list", everyone()),
    Rule("api:indicator-detail", everyone(), kwargs={"code": "TG5-01"}),
    Rule("api:progress-list", everyone()),
    Rule("api:progress-detail", everyone(), kwargs={"pk": Sample("progress")}),
    Rule("api:indicator-value-list", everyone()),
    Rule("api:indicator-value-detail", everyone(), kwargs={"pk": Sample("indicator_value")}),
    # --- REST API: reports -------------------------------------------------------------------------------------
    Rule("api:report-list", signed_in(), label="only the reports the user may read are listed"),
    Rule("api:report-list", nobody_but(*UNIT_WRITERS), method="POST",
         data={"province": "bac-ninh", "year": 2026, "quarter": 3}, label="start a report of the unit",
         effect="report_created"),
    Rule("api:report-detail", OWN_UNIT_REPORT, kwargs={"pk": d}),
    Rule("api:report-detail", OWN_UNIT_REPORT, kwargs={"pk": Sample("old_unit_draft")}),
    Rule("api:report-detail", OTHER_UNIT_REPORT, kwargs={"pk": Sample("other_draft")}),
    Rule("api:report-detail", signed_in(), kwargs={"pk": a}, label="approved reports are read by all signed-in users"),
    Rule("api:report-detail", WRITE_OWN_DRAFT, kwargs={"pk": d}, method="PATCH",
         data={"version": 1, "task_groups": [{"number": 1, "narrative": "Cập nhật"}]}, effect="report_saved"),
    Rule("api:report-detail", WRITE_OWN_DRAFT, kwargs={"pk": r}, method="PUT",
         data={"version": 1, "task_groups": [{"number": n, "status": "in-progress", "percent_complete": "60"}
                                             for n in range(1, 10)], "indicator_values": []},
         effect="report_saved"),
    # The unit's writers may not change an approved report (409); others are refused (403).
    Rule("api:report-detail", nobody_but(reporter=STATE, integrator=STATE), kwargs={"pk": a}, method="PATCH",
         data={"version": 1, "task_groups": [{"number": 1, "narrative": "Sửa"}]}, effect="report_saved"),
    Rule("api:report-history", OWN_UNIT_REPORT, kwargs={"pk": d}),
    Rule("api:report-history", OTHER_UNIT_REPORT, kwargs={"pk": Sample("other_draft")}),
    Rule("api:report-submit", WRITE_OWN_DRAFT, kwargs={"pk": d}, method="POST",
         data={"version": 1, "confirm_warnings": True}, effect="report_submitted"),
    Rule("api:report-remove-evidence", WRITE_OWN_DRAFT, kwargs={"pk": d}, method="POST",
         data={"version": 1, "evidence_file": Sample("evidence")}, effect="evidence_removed"),
    Rule("api:report-approve", REVIEW_OWN_REPORT, kwargs={"pk": s}, method="POST",
         data={"version": 1, "comment": "OK"}, effect="report_approved"),
    Rule("api:report-return-", REVIEW_OWN_REPORT, kwargs={"pk": s}, method="POST",
         data={"version": 1, "comment": "Bổ sung minh chứng."}, effect="report_returned"),
    Rule("api:report-reopen", nobody_but(*REVIEWERS), kwargs={"pk": a}, method="POST",
         data={"version": 1, "reason": "Sai số liệu."}, effect="report_reopened"),
    # --- REST API: maturity assessments (the rules of reports) and levels ----------------------------------------
    Rule("api:assessment-list", signed_in(), label="only the assessments the user may read are listed"),
    Rule("api:assessment-list", nobody_but(*UNIT_WRITERS), method="POST",
         data={"province": "bac-giang", "framework": "test-maturity", "framework_version": "v1", "year": 2023},
         label="start an assessment of Bắc Giang for 2023", effect="assessment_created"),
    Rule("api:assessment-detail", OWN_UNIT_REPORT, kwargs={"pk": ad}),
    Rule("api:assessment-detail", OTHER_UNIT_REPORT, kwargs={"pk": Sample("assessment_other_draft")}),
    Rule("api:assessment-detail", signed_in(), kwargs={"pk": aa},
         label="approved assessments are read by all signed-in users"),
    Rule("api:assessment-detail", WRITE_OWN_DRAFT, kwargs={"pk": ad}, method="PATCH",
         data={"version": 1, "criteria": [{"code": "A1", "explanation": "Cập nhật"}]}, effect="assessment_saved"),
    Rule("api:assessment-detail", nobody_but(reporter=STATE, integrator=STATE), kwargs={"pk": aa}, method="PATCH",
         data={"version": 1, "criteria": [{"code": "A1", "explanation": "Sửa"}]}, effect="assessment_saved"),
    Rule("api:assessment-history", OWN_UNIT_REPORT, kwargs={"pk": ad}),
    Rule("api:assessment-history", OTHER_UNIT_REPORT, kwargs={"pk": Sample("assessment_other_draft")}),
    Rule("api:assessment-submit", WRITE_OWN_DRAFT, kwargs={"pk": ad}, method="POST", data={"version": 1},
         effect="assessment_submitted"),
    Rule("api:assessment-verify", REVIEW_OWN_REPORT, kwargs={"pk": asub}, method="POST",
         data={"version": 1, "decisions": [{"code": "A1", "accepted": False, "comment": "Thiếu minh chứng."}]},
         effect="assessment_saved"),
    Rule("api:assessment-approve", REVIEW_OWN_REPORT, kwargs={"pk": asub}, method="POST",
         data={"version": 1}, effect="assessment_approved"),
    Rule("api:assessment-return-", REVIEW_OWN_REPORT, kwargs={"pk": asub}, method="POST",
         data={"version": 1, "comment": "Bổ sung minh chứng."}, effect="assessment_returned"),
    Rule("api:assessment-reopen", nobody_but(*REVIEWERS), kwargs={"pk": aa}, method="POST",
         data={"version": 1, "reason": "Sai số liệu."}, effect="assessment_reopened"),
    Rule("api:reporting-status-list", nobody_but(*MINISTRY)),
    # Bulk import through the API: the web import's rule (reviewers); a job is its owner's.
    Rule("api:data-value-set-list", nobody_but(*REVIEWERS), method="POST", query="dry_run=true",
         data={"dataValues": [{"province": "bac-ninh", "year": 2026, "quarter": 1, "indicator": "TG5-01",
                               "value": 50}]},
         label="check a set of values (dry_run: nothing is written)"),
    Rule("api:job-detail", nobody_but("reviewer", "superuser", otherwise=HIDDEN, anonymous=DENY),
         kwargs={"pk": Sample("job")}),
    Rule("api:maturity-list", everyone()),
    Rule("api:maturity-detail", everyone(), kwargs={"pk": Sample("maturity_result")}),
    # --- REST API: webhook subscriptions (the page's rules: integrators and superusers) ------------------------
    Rule("api:webhook-list", WEBHOOK_MANAGERS, label="only the user's own subscriptions are listed"),
    Rule("api:webhook-list", WEBHOOK_MANAGERS, method="POST",
         data={"url": "https://hooks.example.org/portal", "topics": ["report.approved"]}, effect="webhook_created"),
    Rule("api:webhook-detail", WEBHOOK_MANAGERS, kwargs={"pk": Sample("webhook")}),
    Rule("api:webhook-detail", WEBHOOK_MANAGERS, kwargs={"pk": Sample("webhook")}, method="PATCH",
         data={"url": "https://hooks.example.org/changed"}, effect="webhook_changed"),
    Rule("api:webhook-detail", WEBHOOK_MANAGERS, kwargs={"pk": Sample("webhook")}, method="DELETE",
         effect="webhook_deleted"),
]

# Routes that are deliberately not in the matrix: Django admin's own pages
# (the admin index is; every other admin page requires is_staff and checks
# model permissions itself), and static and media files.
SKIPPED_NAMESPACES = ("admin",)
SKIPPED_ROUTES = ("admin:index",)


def walk_routes(patterns=None, namespace=None, prefix=""):
    """``(name, pattern)`` of every route of the URL configuration, recursively.

    ``name`` is ``namespace:name`` (``None`` for an unnamed route). Admin's
    internal routes are left out, except the admin index.
    """
    from django.urls import URLResolver, get_resolver

    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            if inner in SKIPPED_NAMESPACES:
                for route in SKIPPED_ROUTES:
                    if route.startswith(f"{inner}:"):
                        yield route, prefix + str(entry.pattern)
                continue
            yield from walk_routes(entry.url_patterns, inner, prefix + str(entry.pattern))
        else:
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            pattern = prefix + str(entry.pattern)
            if pattern.lstrip("^").startswith(("static/", "media/")):
                continue
            yield name, pattern


def declared_routes():
    return {rule.route for rule in RULES}


def undeclared_routes():
    """Routes of the URL configuration that have no rule (unnamed ones by their pattern)."""
    declared = declared_routes()
    return sorted(
        {name or pattern for name, pattern in walk_routes() if (name or pattern) not in declared}
    )


def sample_url(rule):
    """The URL of ``rule`` with its samples shown as ``<name>``, for the documentation."""
    from django.urls import NoReverseMatch, reverse

    # Numbers fit every converter (int, slug, str and the API's patterns); each is
    # then replaced by the sample's name.
    markers, kwargs = {}, {}
    for key, value in rule.kwargs.items():
        if isinstance(value, Sample):
            marker = str(987650 + len(markers))
            markers[marker] = str(value)
            value = marker
        kwargs[key] = value
    try:
        url = reverse(rule.route, kwargs=kwargs)
    except NoReverseMatch:
        return f"({rule.route}: not mounted)"
    for marker, text in markers.items():
        url = url.replace(marker, text)
    return url + (f"?{rule.query}" if rule.query else "")


DOC_START = "<!-- permission-matrix:start (generated by manage.py permission_matrix; do not edit) -->"
DOC_END = "<!-- permission-matrix:end -->"

SYMBOLS = {ALLOW: "allow", DENY: "**deny**", HIDDEN: "**404**", STATE: "409"}


def matrix_markdown():
    """The permission matrix as a Markdown table (generated into docs/security.md)."""
    header = ["method", "URL", "route: what", *(ROLE_LABELS[role] for role in ROLES)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for rule in RULES:
        cells = [
            rule.method,
            f"`{sample_url(rule)}`",
            f"`{rule.route}`" + (f": {rule.describe()}" if rule.describe() else ""),
            *(SYMBOLS[rule.access[role]] for role in ROLES),
        ]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def write_matrix(text):
    """``text`` (a document with the markers) with the generated matrix between them."""
    if DOC_START not in text or DOC_END not in text:
        raise ValueError("the document lacks the permission-matrix markers")
    head, rest = text.split(DOC_START, 1)
    _old, tail = rest.split(DOC_END, 1)
    return f"{head}{DOC_START}\n{matrix_markdown()}\n{DOC_END}{tail}"
