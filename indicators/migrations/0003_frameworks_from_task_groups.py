"""Decision 950's task groups and the digital-transformation pillars become framework versions.

Until now the nine task groups and the three pillars were tables of their own and
each indicator named its task group and pillar. They become two framework
versions whose nodes keep the names stored here (with any edits an
administrator made), and the indicators' task group and pillar become
mappings. A database without task groups (a new one) gets both frameworks from
``load_reference_data`` instead.
"""
from datetime import date

from django.db import migrations

DECISION_950 = {
    "code": "decision-950",
    "name_vi": "Đề án phát triển đô thị thông minh bền vững Việt Nam (Quyết định 950/QĐ-TTg)",
    "name_en": "Scheme for sustainable smart urban development in Vietnam (Decision 950/QĐ-TTg)",
    "issuer": "Thủ tướng Chính phủ",
}
DECISION_950_VERSION = {
    "code": "2018",
    "source_number": "950/QĐ-TTg",
    "source_date": date(2018, 8, 1),
    "source_title": "Phê duyệt Đề án phát triển đô thị thông minh bền vững Việt Nam giai đoạn 2018 - 2025 "
                    "và định hướng đến năm 2030",
    "valid_from": date(2018, 8, 1),
    "cycle": "quarterly",
    "item_kind": "progress",
}
DIGITAL_TRANSFORMATION = {
    "code": "digital-transformation-2020",
    "name_vi": "Chương trình Chuyển đổi số quốc gia (Quyết định 749/QĐ-TTg)",
    "name_en": "National digital transformation programme (Decision 749/QĐ-TTg)",
    "issuer": "Thủ tướng Chính phủ",
}
DIGITAL_TRANSFORMATION_VERSION = {
    "code": "2020",
    "source_number": "749/QĐ-TTg",
    "source_date": date(2020, 6, 3),
    "source_title": "Phê duyệt Chương trình Chuyển đổi số quốc gia đến năm 2025, định hướng đến năm 2030",
    "valid_from": date(2020, 6, 3),
    "cycle": "quarterly",
    "item_kind": "group",
}


def forwards(apps, schema_editor):
    TaskGroup = apps.get_model("programmes", "TaskGroup")
    Pillar = apps.get_model("programmes", "Pillar")
    Indicator = apps.get_model("indicators", "Indicator")
    Framework = apps.get_model("indicators", "Framework")
    FrameworkVersion = apps.get_model("indicators", "FrameworkVersion")
    FrameworkNode = apps.get_model("indicators", "FrameworkNode")
    IndicatorMapping = apps.get_model("indicators", "IndicatorMapping")
    if not TaskGroup.objects.exists() and not Pillar.objects.exists():
        return

    def version_of(framework_values, version_values):
        framework = Framework.objects.create(**framework_values)
        return FrameworkVersion.objects.create(framework=framework, status="active", **version_values)

    tg_version = version_of(DECISION_950, DECISION_950_VERSION)
    nodes_by_task_group = {
        tg.pk: FrameworkNode.objects.create(
            version=tg_version, code=str(tg.number), name_vi=tg.name_vi, name_en=tg.name_en,
            order=position, depth=0, kind="progress",
        )
        for position, tg in enumerate(TaskGroup.objects.order_by("number"), start=1)
    }
    pillar_version = version_of(DIGITAL_TRANSFORMATION, DIGITAL_TRANSFORMATION_VERSION)
    nodes_by_pillar = {
        pillar.pk: FrameworkNode.objects.create(
            version=pillar_version, code=pillar.code[:32], name_vi=pillar.name_vi, name_en=pillar.name_en,
            order=position, depth=0, kind="group",
        )
        for position, pillar in enumerate(Pillar.objects.order_by("id"), start=1)
    }
    mappings = []
    for indicator in Indicator.objects.all():
        if indicator.task_group_id:
            mappings.append(IndicatorMapping(indicator=indicator, node=nodes_by_task_group[indicator.task_group_id]))
        if indicator.pillar_id:
            mappings.append(IndicatorMapping(indicator=indicator, node=nodes_by_pillar[indicator.pillar_id]))
    IndicatorMapping.objects.bulk_create(mappings)


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0002_frameworks"),
        ("programmes", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
