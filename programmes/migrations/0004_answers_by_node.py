"""Answers are kept by framework item alone; the task-group and pillar tables go (their rows are nodes now)."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0003_answers_and_paths"),
        ("indicators", "0005_indicators_without_task_groups"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="nodeanswer", name="progress_one_per_report_task_group"),
        migrations.RemoveField(model_name="nodeanswer", name="task_group"),
        migrations.AlterField(
            model_name="nodeanswer",
            name="node",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="indicators.frameworknode", verbose_name="framework item",
            ),
        ),
        migrations.AlterField(
            model_name="nodeanswer",
            name="report",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="answers",
                to="programmes.report", verbose_name="report",
            ),
        ),
        migrations.AlterModelOptions(
            name="nodeanswer",
            options={"ordering": ["node__version_id", "node__order"], "verbose_name": "answer",
                     "verbose_name_plural": "answers"},
        ),
        migrations.AddConstraint(
            model_name="nodeanswer",
            constraint=models.UniqueConstraint(fields=("report", "node"), name="answer_one_per_report_node"),
        ),
        migrations.AlterField(
            model_name="evidence",
            name="answer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="evidence",
                to="programmes.nodeanswer", verbose_name="answer",
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="field_comments",
            field=models.JSONField(blank=True, default=dict, verbose_name="comments on fields"),
        ),
        migrations.DeleteModel(name="HistoricalTaskGroup"),
        migrations.DeleteModel(name="HistoricalPillar"),
        migrations.DeleteModel(name="TaskGroup"),
        migrations.DeleteModel(name="Pillar"),
    ]
