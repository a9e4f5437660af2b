"""管办分离: a jurisdiction with supervising grants keeps its regulator (DESIGN.md invariant 5)."""

from django.db import migrations

from trading.db_triggers import install_employer_triggers


def remove_jurisdiction_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS tianping_jurisdiction_changes_regulator_update")
    else:
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS tianping_jurisdiction_changes_regulator ON trading_jurisdiction"
        )
        schema_editor.execute("DROP FUNCTION IF EXISTS tianping_jurisdiction_changes_regulator()")


class Migration(migrations.Migration):
    dependencies = [("trading", "0005_organisation_uscc_normalised")]

    # install_employer_triggers replaces every employer trigger with the current RULES.
    operations = [migrations.RunPython(install_employer_triggers, remove_jurisdiction_trigger)]
