"""An indicator's task group and pillar are now mappings to framework nodes (migration 0003)."""
import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("indicators", "0004_node_results")]

    operations = [
        migrations.RemoveField(model_name="indicator", name="task_group"),
        migrations.RemoveField(model_name="indicator", name="pillar"),
        migrations.RemoveField(model_name="historicalindicator", name="task_group"),
        migrations.RemoveField(model_name="historicalindicator", name="pillar"),
        migrations.AlterField(
            model_name="indicator",
            name="code",
            field=models.CharField(
                max_length=16, unique=True, verbose_name="code",
                validators=[django.core.validators.RegexValidator(
                    "^[A-Za-z0-9][A-Za-z0-9_-]*$", "Letters, digits, “-” and “_” only.")],
            ),
        ),
        migrations.AlterField(
            model_name="historicalindicator",
            name="code",
            field=models.CharField(
                db_index=True, max_length=16, verbose_name="code",
                validators=[django.core.validators.RegexValidator(
                    "^[A-Za-z0-9][A-Za-z0-9_-]*$", "Letters, digits, “-” and “_” only.")],
            ),
        ),
    ]
