"""The ledger is append-only in the database too (DESIGN.md invariant 6)."""

from django.db import migrations

from trading.db_triggers import install_ledger_triggers, remove_ledger_triggers


class Migration(migrations.Migration):
    dependencies = [("trading", "0006_jurisdiction_regulator_trigger")]

    operations = [migrations.RunPython(install_ledger_triggers, remove_ledger_triggers)]
