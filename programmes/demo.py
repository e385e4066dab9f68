"""A deterministic, generated picture of the portal for demonstrations and benchmarks.

``seed_demo(seed, size)`` fills programmes and quarterly reports for about 40
localities from 2021-Q1 to the last complete quarter, across the July 2025
merger, with a realistic mix of approved, returned, late, missing and draft
reports. ``size`` > 1 multiplies the rows (every unit reporting since 2018,
extra demo indicators, more revisions) with the same shape, for benchmarks.
Everything is written with bulk inserts.

It also loads an **illustrative** maturity framework (``fixtures/demo/``: three
levels, twelve criteria, some measured by indicator thresholds; not official
content, and every page showing it says so) and gives the units in force a
self-assessment of the last complete quarter's year in every state: drafts,
submitted ones partly verified, returned ones, approved ones of several levels.
"""
import math
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from indicators import selectors as reference
from indicators.models import (
    Indicator,
    IndicatorResult,
    IndicatorValue,
    NodeResult,
    Rollup,
    Target,
    ValueType,
)
from programmes import assessment_selectors, paths, selectors
from programmes.models import (
    Assessment,
    AssessmentEvidence,
    AssessmentRevision,
    CriterionAnswer,
    DemoDataset,
    Evidence,
    FundingSource,
    NodeAnswer,
    OutboxMessage,
    Programme,
    ProgressStatus,
    Project,
    ProjectProgress,
    ProjectStatus,
    PublishedProject,
    Report,
    ReportRevision,
    ReportStatus,
    RevisionAction,
)
from programmes.selectors import build_content
from provinces.models import AdministrativeUnit
from provinces.quarters import MERGER_DATE, Quarter, quarter_range

# Units whose history the demo always carries, whatever the seed: the ASEAN
# network's members and both halves of new Bắc Ninh.
ALWAYS = {
    "ha-noi", "da-nang-pre2025", "ho-chi-minh-pre2025", "bac-giang", "bac-ninh-pre2025",
    "hue", "quang-ninh", "can-tho-pre2025", "hai-phong-pre2025", "binh-duong",
    "thai-nguyen-pre2025", "lam-dong-pre2025", "khanh-hoa-pre2025", "vinh-phuc",
}
PARTICIPANTS = 40
BATCH = 5000
# The illustrative maturity framework of the demo: never loaded by load_reference_data.
DEMO_MATURITY = Path(__file__).resolve().parent / "fixtures" / "demo" / "maturity-illustrative.json"
EXPLANATIONS = [
    "Đã triển khai trên toàn tỉnh; xem văn bản và báo cáo kèm theo.",
    "Đang triển khai thí điểm tại thành phố trung tâm.",
    "Chưa triển khai; dự kiến đưa vào kế hoạch năm sau.",
]

NARRATIVES = [
    "Đã ban hành kế hoạch triển khai và phân công nhiệm vụ cho các sở, ngành.",
    "Đang hoàn thiện hồ sơ, dự kiến trình phê duyệt trong quý tới.",
    "Hoàn thành giai đoạn 1; tiếp tục mở rộng sang các huyện, thị xã.",
    "Đã tổ chức hội thảo với các doanh nghiệp công nghệ và chuyên gia.",
    "Chậm tiến độ do vướng mắc về nguồn vốn, đang đề xuất điều chỉnh.",
    "Tích hợp dữ liệu với Trung tâm giám sát, điều hành đô thị thông minh (IOC).",
]


def last_complete_quarter():
    return Quarter.last_complete()


def _aware(day, hour=9):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


class DemoBuilder:
    def __init__(self, seed, size, today=None):
        self.rng = random.Random(seed)
        self.seed, self.size = seed, size
        self.last = Quarter.last_complete(today)
        self.first = Quarter(2018, 1) if size > 1 else Quarter(2021, 1)
        self._items = {}
        self.now = timezone.now()

    def items(self, quarter):
        """The framework items a report on ``quarter`` answers (Decision 950's task groups)."""
        if quarter not in self._items:
            self._items[quarter] = reference.report_items(quarter)
        return self._items[quarter]

    # --- who takes part ---------------------------------------------------------

    def participants(self):
        old_units = list(
            AdministrativeUnit.objects.in_force_on(MERGER_DATE - timedelta(days=1)).order_by("slug")
        )
        if self.size > 1:
            chosen = {u.slug for u in old_units}
        else:
            others = [u.slug for u in old_units if u.slug not in ALWAYS]
            self.rng.shuffle(others)
            chosen = ALWAYS | set(others[: PARTICIPANTS - len(ALWAYS)])
        old = [u for u in old_units if u.slug in chosen]
        successor_ids = {u.successor_id or u.pk for u in old}
        new = list(AdministrativeUnit.objects.current().filter(pk__in=successor_ids).order_by("slug"))
        return old, new

    def indicators(self, reports_per_quarter):
        indicators = list(Indicator.objects.filter(is_active=True).order_by("code"))
        if self.size <= 1:
            return indicators
        # Enough extra demo indicators that values grow about ``size`` times.
        base_rows = PARTICIPANTS * len(list(quarter_range(Quarter(2021, 1), self.last))) * len(indicators)
        reports = reports_per_quarter * len(list(quarter_range(self.first, self.last)))
        wanted = math.ceil(self.size * base_rows / max(reports, 1))
        extra = []
        for n in range(max(0, wanted - len(indicators))):
            extra.append(Indicator(
                code=f"DEMO-{n + 1:03d}",
                name_vi=f"Chỉ tiêu minh hoạ {n + 1}", name_en=f"Demonstration indicator {n + 1}",
                unit="", value_type=ValueType.COUNT if n % 3 else ValueType.PERCENT,
                rollup=Rollup.SUM if n % 3 else Rollup.MEAN, cumulative=False,
            ))
        Indicator.objects.bulk_create(extra, ignore_conflicts=True)
        return list(Indicator.objects.filter(is_active=True).order_by("code"))

    # --- programmes ---------------------------------------------------------------

    def programmes(self, old, new):
        rows = []
        for unit in [*old, *new]:
            formed_later = unit.valid_from is not None
            start = 2025 if formed_later else self.rng.choice([2019, 2020, 2021, 2022])
            status = self.rng.choices(
                ["approved", "implementing", "preparing", "completed"], [3, 6, 1, 0 if formed_later else 1]
            )[0]
            if formed_later:
                status = self.rng.choice(["approved", "implementing", "preparing"])
            rows.append(Programme(
                unit=unit,
                title=f"Đề án phát triển đô thị thông minh bền vững {unit.name_vi} giai đoạn {start}–2030",
                decision_number=f"{self.rng.randint(100, 3999)}/QĐ-UBND",
                decision_date=_aware(Quarter(start, self.rng.randint(1, 4)).start).date(),
                start_year=start, end_year=2030,
                budget_billion_vnd=Decimal(self.rng.randrange(50, 5000)),
                status=status,
                lead_agency=self.rng.choice(["Sở Thông tin và Truyền thông", "Sở Xây dựng", "Sở Khoa học và Công nghệ"]),
                summary="Chương trình minh hoạ, số liệu được sinh tự động.",
            ))
        Programme.objects.bulk_create(rows)

    # --- reports ---------------------------------------------------------------------

    def _status_for(self, quarter):
        lag = self.last.index - quarter.index
        if lag == 0:
            weights = {"approved": 30, "submitted": 30, "returned": 10, "draft": 10, "missing": 20}
        elif lag == 1:
            weights = {"approved": 80, "submitted": 5, "returned": 5, "draft": 0, "missing": 10}
        else:
            weights = {"approved": 93, "submitted": 0, "returned": 0, "draft": 0, "missing": 7}
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def run(self):
        old, new = self.participants()
        self.programmes(old, new)
        indicators = self.indicators(reports_per_quarter=(len(old) + len(new)) / 2)
        # Per unit: a starting level and a pace, so each unit tells a consistent story.
        profile = {
            u.pk: (self.rng.uniform(0, 35), self.rng.uniform(1.0, 4.5)) for u in [*old, *new]
        }
        merged_from = {}
        for unit in old:
            if unit.successor_id:
                merged_from.setdefault(unit.successor_id, []).append(unit.pk)
        for unit in new:
            if unit.pk in merged_from:
                parts = [profile[pk] for pk in merged_from[unit.pk]]
                profile[unit.pk] = (
                    sum(p[0] for p in parts) / len(parts), sum(p[1] for p in parts) / len(parts)
                )

        reports, plans = [], []
        for quarter in quarter_range(self.first, self.last):
            units = old if quarter.start < MERGER_DATE else new
            for unit in units:
                status = self._status_for(quarter)
                if status == "missing":
                    continue
                late = self.rng.random() < 0.15
                submitted = None
                if status != "draft":
                    offset = self.rng.randint(16, 45) if late else self.rng.randint(1, 14)
                    submitted = _aware(quarter.end + timedelta(days=offset))
                    if submitted > self.now:
                        submitted = self.now - timedelta(hours=self.rng.randint(1, 48))
                        late = submitted.date() > quarter.due_date
                approved = None
                if status == "approved":
                    approved = min(submitted + timedelta(days=self.rng.randint(2, 20)), self.now)
                report = Report(
                    unit=unit, year=quarter.year, quarter=quarter.quarter, status=status,
                    first_submitted_at=submitted, submitted_at=submitted,
                    is_late=bool(submitted and late), approved_at=approved,
                    review_comment="Đề nghị bổ sung minh chứng cho nhóm nhiệm vụ 2 và 5." if status == "returned" else "",
                    field_comments={
                        str(paths.node_path(paths.node_key(reference.DEFAULT_FRAMEWORK, "2"), "narrative")):
                            "Cần nêu rõ kết quả đạt được."
                    } if status == "returned" else {},
                )
                reports.append(report)
                plans.append((report, quarter, unit))
        Report.objects.bulk_create(reports, batch_size=BATCH)

        progress_rows, value_rows, revisions = [], [], []
        running = {}  # (unit_id, code) → cumulative total so far
        for report, quarter, unit in plans:
            level, pace = profile[unit.pk]
            elapsed = quarter.index - Quarter(2018, 1).index
            progress = []
            for node in self.items(quarter):
                percent = max(0.0, min(100.0, level + pace * elapsed * (0.6 + node.order / 15) + self.rng.uniform(-6, 6)))
                if report.status == "draft" and node.order > 6:
                    status, percent_value = "", None
                else:
                    status = (
                        ProgressStatus.COMPLETED if percent >= 99.5 else
                        ProgressStatus.NOT_STARTED if percent < 1 else
                        ProgressStatus.DELAYED if self.rng.random() < 0.08 else ProgressStatus.IN_PROGRESS
                    )
                    percent_value = Decimal(f"{percent:.2f}")
                row = NodeAnswer(
                    report=report, node=node, status=status, percent_complete=percent_value,
                    narrative=self.rng.choice(NARRATIVES) if status else "",
                )
                progress.append((node, row, []))
                progress_rows.append(row)
            values = []
            for indicator in indicators:
                value = self._value(indicator, unit, quarter, level, pace, elapsed, running)
                row = IndicatorValue(report=report, indicator=indicator, value=value)
                values.append((indicator.code, row))
                value_rows.append(row)
            content = build_content(progress, values)
            for number, action in enumerate(self._actions(report.status), start=1):
                revisions.append(ReportRevision(
                    report=report, number=number, version=number, action=action,
                    status=_status_after(action), comment=report.review_comment if action == "returned" else "",
                    snapshot={**content, "status": _status_after(action)},
                ))
            report.version = len(self._actions(report.status))
        Report.objects.bulk_update(reports, ["version"], batch_size=BATCH)
        NodeAnswer.objects.bulk_create(progress_rows, batch_size=BATCH)
        IndicatorValue.objects.bulk_create(value_rows, batch_size=BATCH)
        ReportRevision.objects.bulk_create(revisions, batch_size=BATCH)
        self.targets(new, indicators)
        project_count = self.projects(new, [(r, q, u) for r, q, u in plans if u.valid_until is None])
        assessed = self.assessments(new, profile)
        return {"old_units": len(old), "new_units": len(new), "reports": len(reports), "values": len(value_rows),
                "revisions": len(revisions), "projects": project_count, "assessments": assessed}


    # --- maturity self-assessments (illustrative framework) --------------------------------------

    ASSESSMENT_STATES = ("approved", "approved", "submitted", "approved", "returned", "draft", "approved",
                         "submitted", "approved", "draft")
    # The demo accounts' units (create_demo_accounts) and a few others, in a known state.
    ASSESSMENT_STATE_OF = MappingProxyType(
        {"bac-ninh": "draft", "ha-noi": "submitted", "hue": "approved", "da-nang": "returned"}
    )

    def assessments(self, units, profile):
        """Self-assessments of the last complete quarter's year, in every state, against the illustrative framework."""
        version = load_demo_framework()
        year = self.last.year
        if version.valid_from.year > year:
            return 0
        criteria = assessment_selectors.criteria_of(version)
        optional = [node.code for node in criteria if not node.basic]
        units = [u for u in units if u.in_force_throughout(date(year, 12, 31), date(year, 12, 31))]
        planned = []
        for position, unit in enumerate(units):
            state = self.ASSESSMENT_STATE_OF.get(
                unit.slug, self.ASSESSMENT_STATES[position % len(self.ASSESSMENT_STATES)]
            )
            submitted = approved = None
            if state != "draft":
                submitted = min(_aware(self.last.end) + timedelta(days=self.rng.randint(1, 20)), self.now)
            if state == "approved":
                approved = min(submitted + timedelta(days=self.rng.randint(1, 10)), self.now)
            planned.append(Assessment(
                unit=unit, framework_version=version, year=year, status=state, submitted_at=submitted,
                first_submitted_at=submitted, approved_at=approved,
                review_comment="Đề nghị bổ sung minh chứng cho các tiêu chí bị từ chối." if state == "returned" else "",
            ))
        Assessment.objects.bulk_create(planned)
        answers, evidence, revisions = [], [], []
        for assessment in planned:
            unit = assessment.unit
            level, pace = profile.get(unit.pk, (10, 2))
            strength = min(0.95, 0.35 + (level + pace * 10) / 100)
            chosen = set(self.rng.sample(optional, k=self.rng.randint(0, min(2, len(optional)))))
            measured = assessment_selectors.measured_answers(assessment, criteria)
            rows, files = [], {}
            for node in criteria:
                row = CriterionAnswer(assessment=assessment, node=node, chosen=node.code in chosen and not node.basic)
                assessed = node.basic or row.chosen
                if node.code in measured:
                    row.met, row.measured = measured[node.code]
                elif assessed and not (assessment.status == "draft" and self.rng.random() < 0.3):
                    row.met = self.rng.random() < min(0.97, strength + 0.35 - 0.15 * (node.level or 1))
                    row.explanation = self.rng.choice(EXPLANATIONS[:2] if row.met else EXPLANATIONS[2:])
                files[node.code] = [
                    AssessmentEvidence(answer=row, url=f"https://minh-chung.example.vn/{unit.slug}/{node.code}")
                ] if row.met and node.code not in measured else []
                if assessed and assessment.status in ("approved", "submitted", "returned"):
                    decided = assessment.status == "approved" or self.rng.random() < 0.5
                    if decided:
                        row.accepted = bool(row.met) and self.rng.random() < 0.93
                        if not row.accepted:
                            row.comment = "Minh chứng chưa đủ để xác nhận tiêu chí này."
                rows.append(row)
            answers.extend(rows)
            for items in files.values():
                evidence.extend(items)
            assessment.demo_rows = (rows, files)
        CriterionAnswer.objects.bulk_create(answers, batch_size=BATCH)
        for item in evidence:
            item.answer_id = item.answer.pk
        AssessmentEvidence.objects.bulk_create(evidence, batch_size=BATCH)
        for assessment in planned:
            rows, files = assessment.demo_rows
            content = {
                paths.CHOSEN: sorted(r.node.code for r in rows if r.chosen),
                paths.CRITERIA: {
                    r.node.code: assessment_selectors.answer_entry(r, files[r.node.code])
                    for r in rows if r.node.basic or r.chosen
                },
            }
            actions = {
                "draft": [RevisionAction.CREATED, RevisionAction.SAVED],
                "submitted": [RevisionAction.CREATED, RevisionAction.SAVED, RevisionAction.SUBMITTED],
                "returned": [RevisionAction.CREATED, RevisionAction.SAVED, RevisionAction.SUBMITTED,
                             RevisionAction.VERIFIED, RevisionAction.RETURNED],
                "approved": [RevisionAction.CREATED, RevisionAction.SAVED, RevisionAction.SUBMITTED,
                             RevisionAction.VERIFIED, RevisionAction.APPROVED],
            }[assessment.status]
            for number, action in enumerate(actions, start=1):
                status = _status_after(action) if action != RevisionAction.VERIFIED else ReportStatus.SUBMITTED
                revisions.append(AssessmentRevision(
                    assessment=assessment, number=number, version=number, action=action, status=status,
                    comment=assessment.review_comment if action == RevisionAction.RETURNED else "",
                    snapshot={**content, "status": status},
                ))
            assessment.version = len(actions)
        Assessment.objects.bulk_update(planned, ["version"])
        AssessmentRevision.objects.bulk_create(revisions, batch_size=BATCH)
        return len(planned)

    # --- the project register ------------------------------------------------------------

    PROJECTS = [
        ("IOC", "Trung tâm giám sát, điều hành đô thị thông minh", "Smart-city operations centre", "8"),
        ("CAM", "Hệ thống camera giám sát giao thông", "Traffic camera network", "3"),
        ("DVC", "Nâng cấp cổng dịch vụ công trực tuyến", "Online public-service portal upgrade", "5"),
        ("GIS", "Cơ sở dữ liệu GIS quy hoạch đô thị", "Urban-planning GIS database", "2"),
    ]

    def projects(self, units, plans):
        """Two or three demo projects per unit in force, with their progress in the unit's reports since July 2025."""
        version = reference.current_version(reference.DEFAULT_FRAMEWORK)
        nodes = {n.code: n for n in reference.items_of(version)} if version else {}
        created = []
        for unit in units:
            for code, name_vi, name_en, node in self.rng.sample(self.PROJECTS, self.rng.randint(2, 3)):
                start = MERGER_DATE + timedelta(days=self.rng.randint(0, 120))
                project = Project.objects.create(
                    unit=unit, code=f"{code}-{unit.code}", name_vi=f"{name_vi} {unit.name_vi}",
                    name_en=f"{name_en}, {unit.name_en}", lead_agency="Sở Khoa học và Công nghệ",
                    funding_source=self.rng.choice(FundingSource.values),
                    total_investment=Decimal(self.rng.randrange(20, 900)), start_date=start,
                    planned_end_date=start + timedelta(days=self.rng.randint(400, 1200)),
                    status=ProjectStatus.IN_PROGRESS,
                )
                if node in nodes:
                    project.nodes.add(nodes[node])
                created.append(project)
        by_unit = {}
        for project in created:
            by_unit.setdefault(project.unit_id, []).append(project)
        rows = []
        for report, quarter, unit in sorted(plans, key=lambda plan: plan[1]):
            for project in by_unit.get(unit.pk, []):
                if quarter < Quarter.containing(project.start_date):
                    continue
                done = min(100, 15 * (quarter.index - Quarter.containing(project.start_date).index + 1))
                rows.append(ProjectProgress(
                    report=report, project=project,
                    status=ProjectStatus.COMPLETED if done >= 100 else ProjectStatus.IN_PROGRESS,
                    percent_complete=Decimal(done), spending_to_date=(project.total_investment * done / 100).quantize(
                        Decimal("0.001")),
                ))
        ProjectProgress.objects.bulk_create(rows, batch_size=BATCH)
        from programmes import projects

        for report in {row.report for row in rows if row.report.status == ReportStatus.APPROVED}:
            projects.publish(report)
        return len(created)

    def _actions(self, status):
        extra = [RevisionAction.SAVED] * (self.size // 3)
        return {
            "draft": [RevisionAction.CREATED, RevisionAction.SAVED, *extra],
            "submitted": [RevisionAction.CREATED, RevisionAction.SAVED, *extra, RevisionAction.SUBMITTED],
            "returned": [RevisionAction.CREATED, *extra, RevisionAction.SUBMITTED, RevisionAction.RETURNED],
            "approved": [RevisionAction.CREATED, RevisionAction.SAVED, *extra, RevisionAction.SUBMITTED, RevisionAction.APPROVED],
        }[status]

    def _value(self, indicator, unit, quarter, level, pace, elapsed, running):
        rng = self.rng
        if indicator.value_type == ValueType.BOOLEAN:
            return Decimal(1 if level + pace * elapsed > rng.uniform(20, 60) else 0)
        if indicator.value_type == ValueType.PERCENT:
            return Decimal(f"{max(0, min(100, level + pace * elapsed * 0.9 + rng.uniform(-4, 4))):.2f}")
        if indicator.value_type == ValueType.AMOUNT:
            return Decimal(f"{rng.uniform(5, 400) * (1 + elapsed / 20):.2f}")
        if indicator.cumulative:
            key = (unit.pk, indicator.pk)
            if key not in running and unit.valid_from:
                running[key] = rng.randint(5, 40)  # a merged unit starts from its parts' totals
            running[key] = running.get(key, rng.randint(0, 5)) + rng.randint(0, 3)
            return Decimal(running[key])
        return Decimal(rng.randint(0, 30))

    def targets(self, new, indicators):
        by_code = {i.code: i for i in indicators}
        rows = []
        for unit in new:
            for code, low, high in (("TG5-01", 70, 95), ("TG5-02", 80, 100), ("TG2-01", 50, 90)):
                if code in by_code:
                    rows.append(Target(indicator=by_code[code], year=2026, unit=unit,
                                       value=Decimal(self.rng.randint(low, high))))
        Target.objects.bulk_create(rows, ignore_conflicts=True)


def load_demo_framework():
    """Load (once; loading again changes nothing) the demo's illustrative maturity framework; its version."""
    from indicators.frameworks import load_file

    return load_file(DEMO_MATURITY).version


def _status_after(action):
    return {
        RevisionAction.CREATED: ReportStatus.DRAFT,
        RevisionAction.SAVED: ReportStatus.DRAFT,
        RevisionAction.SUBMITTED: ReportStatus.SUBMITTED,
        RevisionAction.RETURNED: ReportStatus.RETURNED,
        RevisionAction.APPROVED: ReportStatus.APPROVED,
    }[action]


class DemoRefused(Exception):
    pass


def clear_demo_data():
    """Remove everything ``seed_demo`` wrote (refuses if the database holds real reports)."""
    from indicators.models import MaturityResult

    MaturityResult.objects.all().delete()
    AssessmentRevision.objects.all().delete()
    Assessment.objects.all().delete()

    from indicators.models import DataRelease, DataReleaseFile

    for item in DataReleaseFile.objects.all():
        item.file.delete(save=False)
    DataReleaseFile.objects.all().delete()
    DataRelease.objects.all().delete()
    PublishedProject.objects.all().delete()
    ProjectProgress.objects.all().delete()
    Project.objects.all().delete()
    IndicatorResult.objects.all().delete()
    NodeResult.objects.all().delete()
    OutboxMessage.objects.all().delete()
    Evidence.objects.all().delete()
    ReportRevision.objects.all().delete()
    Report.objects.all().delete()
    Programme.objects.all().delete()
    Target.objects.exclude(unit=None).delete()
    Indicator.objects.filter(code__startswith="DEMO-").delete()
    DemoDataset.objects.all().delete()
    transaction.on_commit(lambda: cache.delete(selectors.DEMO_FLAG_KEY))


@transaction.atomic
def seed_demo(*, seed=2025, size=1, reset=False, today=None):
    """Fill the demo picture. Returns a summary dict, or ``None`` if it is already there."""
    existing = DemoDataset.objects.first()
    if existing and not reset and existing.seed == seed and existing.size == size:
        return None
    if (Report.objects.exists() or Assessment.objects.exists()) and not existing:
        raise DemoRefused(
            "The database holds reports that seed_demo did not write; refusing to mix demo data with them."
        )
    if existing:
        clear_demo_data()
    summary = DemoBuilder(seed, size, today).run()
    DemoDataset.objects.create(seed=seed, size=size)
    # Every process reads the flag from the cache (selectors.holds_demo_data).
    transaction.on_commit(lambda: cache.set(selectors.DEMO_FLAG_KEY, True, None))
    return summary
