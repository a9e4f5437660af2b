from typing import Any

from django.db import migrations, models


def procurement_publishes_results(apps: Any, schema_editor: Any) -> None:
    # 政府采购法实施条例 第43条, 87号令 第69条: no candidate publicity in government procurement.
    Procedure = apps.get_model("trading", "Procedure")
    Procedure.objects.filter(business_type__code="procurement").update(candidate_publicity=False)


class Migration(migrations.Migration):
    dependencies = [
        ("trading", "0009_rule_counted_back"),
    ]

    operations = [
        migrations.AddField(
            model_name="procedure",
            name="candidate_publicity",
            field=models.BooleanField(default=True, verbose_name="中标候选人公示"),
        ),
        migrations.AddField(
            model_name="contract",
            name="deviates",
            field=models.BooleanField(default=False, verbose_name="与中标结果不一致"),
        ),
        migrations.AddField(
            model_name="contract",
            name="deviation_reason",
            field=models.TextField(blank=True, verbose_name="不一致的理由"),
        ),
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("deviates", False),
                    models.Q(("deviation_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="contract_deviation_has_reason",
            ),
        ),
        migrations.RunPython(procurement_publishes_results, migrations.RunPython.noop),
    ]
