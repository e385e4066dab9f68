"""Every figure and API v1 answer of a database, as JSON on standard output.

Run by ``test_migration_on_the_demo.py`` with the code before frameworks as data and
again with today's, through ``manage.py shell < migration_dump.py``: it reads the
models of whichever code it runs in.
"""
import json
import sys

from django.test import Client

from indicators import models as im
from programmes import models as pm

out = {}
if hasattr(im, "TaskGroupResult"):
    out["node_results"] = sorted(
        [r.boundaries, r.unit.slug, r.year, r.quarter, str(r.task_group.number), str(r.percent_complete), r.units_reporting]
        for r in im.TaskGroupResult.objects.select_related("unit", "task_group")
    )
    out["answers"] = sorted(
        [p.report_id, str(p.task_group.number), p.status, str(p.percent_complete), p.narrative]
        for p in pm.TaskGroupProgress.objects.select_related("task_group")
    )
else:
    out["node_results"] = sorted(
        [r.boundaries, r.unit.slug, r.year, r.quarter, r.node.code, str(r.percent_complete), r.units_reporting]
        for r in im.NodeResult.objects.select_related("unit", "node").filter(node__version__framework__code="decision-950")
    )
    out["answers"] = sorted(
        [a.report_id, a.node.code, a.status, str(a.percent_complete), a.narrative]
        for a in pm.NodeAnswer.objects.select_related("node")
    )
out["indicator_results"] = sorted(
    [r.boundaries, r.unit.slug, r.year, r.quarter, r.indicator.code, str(r.value), r.units_reporting]
    for r in im.IndicatorResult.objects.select_related("unit", "indicator")
)
out["values"] = sorted([v.report_id, v.indicator.code, str(v.value), v.note] for v in im.IndicatorValue.objects.select_related("indicator"))
out["counts"] = {
    "reports": pm.Report.objects.count(), "revisions": pm.ReportRevision.objects.count(),
    "evidence": pm.Evidence.objects.count(), "programmes": pm.Programme.objects.count(),
}
client = Client(HTTP_ACCEPT_LANGUAGE="en")


def pages(url):
    results, page = [], 1
    while True:
        body = client.get(url, {"page": page, "page_size": 500}).json()
        results += body["results"]
        if not body["next"]:
            return results
        page += 1


api = {}
for boundaries in ("current", "as-reported"):
    api[f"progress-{boundaries}"] = pages(f"/api/v1/progress/?boundaries={boundaries}&ordering=id")
    api[f"values-{boundaries}"] = pages(f"/api/v1/indicator-values/?boundaries={boundaries}&ordering=id")
api["task-groups"] = pages("/api/v1/task-groups/")
api["pillars"] = pages("/api/v1/pillars/")
api["indicators"] = pages("/api/v1/indicators/")
out["api"] = api
# A ministry viewer's report bodies (task_groups as API v1 gave them).
from django.contrib.auth import get_user_model

viewer = get_user_model().objects.filter(is_superuser=False, role="ministry-viewer").first()
if viewer:
    client.force_login(viewer)
    out["reports"] = pages("/api/v1/reports/?ordering=id")
json.dump(out, sys.stdout, ensure_ascii=False, sort_keys=True, default=str)
