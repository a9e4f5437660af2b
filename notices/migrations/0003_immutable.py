"""A published notice is immutable, enforced in the database (DESIGN.md invariant 7)."""

from django.db import migrations

from notices.db_triggers import install_notice_triggers, remove_notice_triggers


class Migration(migrations.Migration):
    dependencies = [("notices", "0002_search")]

    operations = [migrations.RunPython(install_notice_triggers, remove_notice_triggers)]
