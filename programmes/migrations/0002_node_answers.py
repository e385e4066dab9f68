"""Task-group progress becomes a report's answer for a framework item (first step: the columns)."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0001_initial"),
        ("indicators", "0003_frameworks_from_task_groups"),
    ]

    operations = [
        migrations.RenameModel("TaskGroupProgress", "NodeAnswer"),
        migrations.RenameField("evidence", "progress", "answer"),
        migrations.AddField(
            model_name="nodeanswer",
            name="node",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="indicators.frameworknode", verbose_name="framework item",
            ),
        ),
        migrations.AddField(
            model_name="nodeanswer",
            name="met",
            field=models.BooleanField(blank=True, null=True, verbose_name="met"),
        ),
    ]
