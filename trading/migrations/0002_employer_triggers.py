"""管办分离 by employer, enforced in the database (DESIGN.md invariant 5)."""

from django.db import migrations

from trading.db_triggers import install_employer_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("trading", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("guardian", "0003_remove_groupobjectpermission_guardian_gr_content_ae6aec_idx_and_more"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # Re-running install replaces the triggers, so a later migration can call it again after
    # the rules change.
    operations = [migrations.RunPython(install_employer_triggers, migrations.RunPython.noop)]
