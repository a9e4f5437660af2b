"""Complaint documents (受理通知书, 不予受理通知书, 处理决定书), stored once and immutable."""

import django.db.models.deletion
from django.db import migrations, models

from notices.complaint_triggers import (
    install_complaint_document_triggers,
    remove_complaint_document_triggers,
)


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0004_review_document_html"),
        ("trading", "0018_svcomplaints_complaints"),
    ]

    operations = [
        migrations.CreateModel(
            name="ComplaintDocument",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("complaint_accepted", "投诉受理通知书"),
                            ("complaint_refused", "投诉不予受理通知书"),
                            ("complaint_decision", "投诉处理决定书"),
                        ],
                        max_length=30,
                        verbose_name="类型",
                    ),
                ),
                ("source_event_id", models.BigIntegerField(unique=True)),
                ("issuer", models.CharField(max_length=200, verbose_name="出具单位")),
                (
                    "verification_code",
                    models.CharField(max_length=20, unique=True, verbose_name="验证码"),
                ),
                ("data", models.JSONField(default=dict, verbose_name="数据")),
                ("created_at", models.DateTimeField(verbose_name="创建时间")),
                ("render_at", models.DateTimeField(blank=True, null=True)),
                ("render_attempts", models.PositiveIntegerField(default=0)),
                ("render_error", models.TextField(blank=True, verbose_name="生成错误")),
                (
                    "pdf",
                    models.FileField(
                        blank=True, upload_to="complaints/documents/%Y/%m/", verbose_name="PDF"
                    ),
                ),
                ("pdf_sha256", models.CharField(blank=True, max_length=64)),
                ("hash_alg", models.CharField(default="sha256", max_length=20)),
                ("template_version", models.CharField(blank=True, max_length=40)),
                ("document_html", models.TextField(blank=True, default="")),
                ("stored_at", models.DateTimeField(blank=True, null=True, verbose_name="出具时间")),
                (
                    "published_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="公告时间"),
                ),
                (
                    "complaint",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="trading.complaint",
                        verbose_name="投诉",
                    ),
                ),
            ],
            options={
                "verbose_name": "投诉文书",
                "verbose_name_plural": "投诉文书",
                "ordering": ["created_at", "id"],
                "indexes": [
                    models.Index(fields=["-published_at"], name="complaint_document_published")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "kind__in",
                                ["complaint_accepted", "complaint_refused", "complaint_decision"],
                            )
                        ),
                        name="complaint_document_kind_known",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("stored_at__isnull", True),
                            models.Q(("pdf_sha256", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="complaint_document_stored_is_complete",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("published_at__isnull", True),
                            models.Q(("kind", "complaint_decision"), ("stored_at__isnull", False)),
                            _connector="OR",
                        ),
                        name="complaint_document_only_decisions_published",
                    ),
                    models.UniqueConstraint(
                        fields=("complaint", "kind"), name="complaint_document_once_per_kind"
                    ),
                ],
            },
        ),
        migrations.RunPython(
            install_complaint_document_triggers, remove_complaint_document_triggers
        ),
    ]
