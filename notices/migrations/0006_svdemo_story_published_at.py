"""The demo's own publication moment of a notice (demo and training data only)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0005_svdocs_complaint_documents"),
    ]

    operations = [
        migrations.AddField(
            model_name="notice",
            name="story_published_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
    ]
