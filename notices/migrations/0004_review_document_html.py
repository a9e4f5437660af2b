"""Published notices keep the HTML their PDF was rendered from, frozen like the PDF itself."""

from django.db import migrations, models

from notices.db_triggers import install_notice_triggers, remove_notice_triggers


class Migration(migrations.Migration):
    dependencies = [("notices", "0003_immutable")]

    operations = [
        # Adding a column to a table whose published rows are frozen: lift the triggers, add the
        # column (SQLite rebuilds the table), then freeze it with the others.
        migrations.RunPython(remove_notice_triggers, install_notice_triggers),
        migrations.AddField(
            model_name="notice",
            name="document_html",
            field=models.TextField(blank=True, default="", verbose_name="网页正文"),
        ),
        migrations.RunPython(install_notice_triggers, remove_notice_triggers),
    ]
