"""Task-group results become results per framework item, keeping every row and its figures."""
import django.db.models.deletion
from django.db import migrations, models


def forwards(apps, schema_editor):
    NodeResult = apps.get_model("indicators", "NodeResult")
    FrameworkNode = apps.get_model("indicators", "FrameworkNode")
    TaskGroup = apps.get_model("programmes", "TaskGroup")
    nodes = dict(
        FrameworkNode.objects.filter(version__framework__code="decision-950", version__code="2018").values_list(
            "code", "pk"
        )
    )
    for task_group_id, number in TaskGroup.objects.values_list("pk", "number"):
        NodeResult.objects.filter(task_group_id=task_group_id).update(node_id=nodes[str(number)])


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0003_frameworks_from_task_groups"),
        ("programmes", "0003_answers_and_paths"),
    ]

    operations = [
        migrations.RenameModel("TaskGroupResult", "NodeResult"),
        migrations.RemoveIndex(model_name="noderesult", name="tg_result_period_idx"),
        migrations.RemoveIndex(model_name="noderesult", name="tg_result_tg_idx"),
        migrations.RemoveConstraint(model_name="noderesult", name="task_group_result_unique"),
        migrations.AddField(
            model_name="noderesult",
            name="node",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                to="indicators.frameworknode", verbose_name="framework item",
            ),
        ),
        migrations.AddField(
            model_name="noderesult",
            name="met",
            field=models.BooleanField(blank=True, null=True, verbose_name="met"),
        ),
        migrations.AlterField(
            model_name="noderesult",
            name="percent_complete",
            field=models.DecimalField(
                blank=True, decimal_places=2, max_digits=5, null=True, verbose_name="percent complete"
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(model_name="noderesult", name="task_group"),
        migrations.AlterField(
            model_name="noderesult",
            name="node",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+",
                to="indicators.frameworknode", verbose_name="framework item",
            ),
        ),
        migrations.AlterModelOptions(
            name="noderesult",
            options={"ordering": ["year", "quarter", "unit_id", "node_id"], "verbose_name": "framework item result",
                     "verbose_name_plural": "framework item results"},
        ),
        migrations.AddIndex(
            model_name="noderesult",
            index=models.Index(fields=["boundaries", "year", "quarter"], name="node_result_period_idx"),
        ),
        migrations.AddIndex(
            model_name="noderesult",
            index=models.Index(fields=["boundaries", "node", "year", "quarter"], name="node_result_node_idx"),
        ),
        migrations.AddConstraint(
            model_name="noderesult",
            constraint=models.UniqueConstraint(
                fields=("boundaries", "unit", "year", "quarter", "node"), name="node_result_unique"
            ),
        ),
    ]
