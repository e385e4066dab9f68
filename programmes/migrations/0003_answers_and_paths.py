"""Each task-group answer points at its Decision 950 item; stored field names become field paths.

Revisions keep the report's contents as they were at each step. Their snapshots
named task groups by number (``{"task_groups": {"3": …}}``) and reviewers'
comments and confirmed warnings named fields as the form did
(``tg-3-narrative``, ``indicator-TG5-01-value``). They now use the field paths
of ``programmes.paths`` (``{"nodes": {"decision-950:3": …}}``,
``nodes.decision-950:3.narrative``, ``indicators.TG5-01.value``), so that the
history, the differences between revisions and the API read one format.
"""
import re

from django.db import migrations

FRAMEWORK = "decision-950"
_TG = re.compile(r"^tg-(\d+)(?:-([a-z_]+))?$")
_INDICATOR = re.compile(r"^indicator-(.+?)(?:-(value|note))?$")


def path_of(key):
    if match := _TG.match(key):
        number, name = match.groups()
        return ".".join(p for p in ("nodes", f"{FRAMEWORK}:{number}", name) if p)
    if match := _INDICATOR.match(key):
        code, name = match.groups()
        return ".".join(p for p in ("indicators", code, name) if p)
    return key


def comments(field_comments):
    return {path_of(str(key)): text for key, text in (field_comments or {}).items()}


def warnings(confirmed):
    return [{**w, "field": path_of(str(w.get("field", "")))} for w in confirmed or [] if isinstance(w, dict)]


def snapshot(content):
    if not isinstance(content, dict) or "task_groups" not in content:
        return content
    content = dict(content)
    content["nodes"] = {f"{FRAMEWORK}:{number}": entry for number, entry in content.pop("task_groups").items()}
    return content


def forwards(apps, schema_editor):
    NodeAnswer = apps.get_model("programmes", "NodeAnswer")
    Report = apps.get_model("programmes", "Report")
    ReportRevision = apps.get_model("programmes", "ReportRevision")
    FrameworkNode = apps.get_model("indicators", "FrameworkNode")

    nodes = {
        int(code): pk
        for code, pk in FrameworkNode.objects.filter(
            version__framework__code=FRAMEWORK, version__code="2018"
        ).values_list("code", "pk")
    }
    TaskGroup = apps.get_model("programmes", "TaskGroup")
    for task_group_id, number in TaskGroup.objects.values_list("pk", "number"):
        NodeAnswer.objects.filter(task_group_id=task_group_id).update(node_id=nodes[number])

    for report in Report.objects.exclude(field_comments={}).only("pk", "field_comments").iterator(chunk_size=2000):
        Report.objects.filter(pk=report.pk).update(field_comments=comments(report.field_comments))
    batch = []
    for revision in ReportRevision.objects.only(
        "pk", "snapshot", "field_comments", "confirmed_warnings"
    ).iterator(chunk_size=2000):
        revision.snapshot = snapshot(revision.snapshot)
        revision.field_comments = comments(revision.field_comments)
        revision.confirmed_warnings = warnings(revision.confirmed_warnings)
        batch.append(revision)
        if len(batch) == 2000:
            ReportRevision.objects.bulk_update(batch, ["snapshot", "field_comments", "confirmed_warnings"])
            batch = []
    ReportRevision.objects.bulk_update(batch, ["snapshot", "field_comments", "confirmed_warnings"])


class Migration(migrations.Migration):
    dependencies = [("programmes", "0002_node_answers")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
