"""Published notices and letters (公告/公示/通知书): immutable once published, each verifiable."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    ANNOUNCEMENT = "announcement", _("招标（出让、转让）公告")
    AMENDMENT = "amendment", _("变更公告")
    CLARIFICATION = "clarification", _("澄清公告")
    CANDIDATES = "candidates", _("中标候选人公示")
    RESULT = "result", _("中标（成交）结果公告")
    DEAL = "deal", _("成交公告")
    FAILURE = "failure", _("流标（流拍）公告")
    TERMINATION = "termination", _("终止公告")
    # Letters addressed to one organisation, delivered and published by the platform.
    AWARD_LETTER = "award_letter", _("中标通知书")
    DEAL_CONFIRMATION = "deal_confirmation", _("成交确认书")


LETTER_KINDS = frozenset({NoticeKind.AWARD_LETTER, NoticeKind.DEAL_CONFIRMATION})


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("待审核")
    # Approved by staff; published when `publish_at` comes and its PDF is rendered.
    SCHEDULED = "scheduled", _("待发布")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤销")


class Notice(models.Model):
    """One published document. A correction is a new notice pointing at the one it corrects."""

    kind = models.CharField(_("类型"), max_length=30, choices=NoticeKind.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT
    )
    tender = models.ForeignKey(
        "trading.Tender", verbose_name=_("招标项目"), on_delete=models.PROTECT, related_name="+"
    )
    lot = models.ForeignKey(
        "trading.Lot",
        verbose_name=_("标段"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Copied from the tender so lists filter without joins and a notice reads as published.
    region = models.ForeignKey(
        "trading.Region", verbose_name=_("市县"), on_delete=models.PROTECT, related_name="+"
    )
    business_type = models.ForeignKey(
        "trading.BusinessType",
        verbose_name=_("业务类型"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    industry = models.ForeignKey(
        "trading.Industry",
        verbose_name=_("行业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    training = models.BooleanField(_("培训演示"), default=False)
    title = models.CharField(_("标题"), max_length=300)
    # Text the law lets the issuer write; the rest comes from `data`.
    body = models.TextField(_("正文"), blank=True)
    # The fields filled in from the tender, as the renderer's builder reads them (JSON-safe).
    data = models.JSONField(_("数据"), default=dict)
    issuer = models.CharField(_("发布（出具）单位"), max_length=200)
    addressee = models.ForeignKey(
        "trading.Organisation",
        verbose_name=_("收件单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("更正的公告"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    # The outbox event that asked for this notice: one notice per (event, kind), so a repeated
    # delivery drafts nothing twice.
    source_event_id = models.BigIntegerField(null=True, blank=True)
    # The law's latest publication time (e.g. candidates ≤ 3 日 after the report), for lights.
    due_at = models.DateTimeField(_("法定发布期限"), null=True, blank=True)
    publish_at = models.DateTimeField(_("发布时间（定时）"), null=True, blank=True)
    approved_by = models.ForeignKey(
        "trading.User",
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"))
    verification_code = models.CharField(_("验证码"), max_length=20, unique=True)
    # The rendered PDF: its hash and the template version that produced it.
    pdf = models.FileField(_("PDF"), upload_to="notices/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    hash_alg = models.CharField(max_length=20, default="sha256")
    template_version = models.CharField(max_length=40, blank=True)
    # The HTML the PDF was rendered from, frozen with it: the portal shows the text of record,
    # whatever the templates say later (empty for notices published before it was kept).
    document_html = models.TextField(_("网页正文"), blank=True, default="")
    render_attempts = models.PositiveIntegerField(default=0)
    render_error = models.TextField(_("生成错误"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    # Demo and training data only (`notices.demo`): the moment the demo's backdated story has
    # the desk publish the notice, which the publication records instead of the worker's clock,
    # so the demo's lights show its story, not the start-up of `make run`. Never set otherwise.
    story_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Gap-free, assigned by the single publisher in commit order: a polling reader of the change
    # feed never skips or repeats an item.
    publication_seq = models.PositiveBigIntegerField(null=True, blank=True, unique=True)
    # Character unigrams and bigrams of the title and text, one Python function for both engines.
    search_terms = models.TextField(blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("公告")
        verbose_name_plural = _("公告")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=NoticeKind.values), name="notice_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=NoticeStatus.values), name="notice_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="published")
                | (
                    Q(published_at__isnull=False)
                    & Q(publication_seq__isnull=False)
                    & ~Q(pdf_sha256="")
                ),
                name="notice_published_is_complete",
            ),
            models.CheckConstraint(
                condition=Q(addressee__isnull=True)
                | Q(kind__in=sorted(k.value for k in LETTER_KINDS)),
                name="notice_only_letters_have_addressees",
            ),
            models.UniqueConstraint(
                fields=["source_event_id", "kind"],
                condition=Q(source_event_id__isnull=False),
                name="notice_once_per_event",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="notice_published_recent"),
            models.Index(
                fields=["region", "business_type", "-published_at"], name="notice_by_desk"
            ),
            models.Index(fields=["kind", "-published_at"], name="notice_by_kind"),
        ]

    def __str__(self) -> str:
        return self.title


class PublicationCounter(models.Model):
    """The single row the publisher locks to number publications in commit order."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="publication_counter_single")]

    def __str__(self) -> str:
        return f"publication #{self.last_seq}"


class ComplaintDocumentKind(models.TextChoices):
    ACCEPTED = "complaint_accepted", _("投诉受理通知书")
    REFUSED = "complaint_refused", _("投诉不予受理通知书")
    DECISION = "complaint_decision", _("投诉处理决定书")


class ComplaintDocument(models.Model):
    """A regulator's document on a complaint (受理通知书, 不予受理通知书, 处理决定书), rendered once
    and kept unchanged; delivered to the parties, and published where the law says so."""

    complaint = models.ForeignKey(
        "trading.Complaint", verbose_name=_("投诉"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=30, choices=ComplaintDocumentKind.choices)
    # The outbox event that asked for it: a repeated delivery finds its document and stops.
    source_event_id = models.BigIntegerField(unique=True)
    issuer = models.CharField(_("出具单位"), max_length=200)
    # Printed on the document with its QR code; the public verification page confirms it.
    verification_code = models.CharField(_("验证码"), max_length=20, unique=True)
    # What the builder reads, frozen when the step's event arrived (a later step changes the
    # complaint, never an earlier document).
    data = models.JSONField(_("数据"), default=dict)
    created_at = models.DateTimeField(_("创建时间"))
    # The next render attempt; None once stored, or after the last failed attempt.
    render_at = models.DateTimeField(null=True, blank=True)
    render_attempts = models.PositiveIntegerField(default=0)
    render_error = models.TextField(_("生成错误"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to="complaints/documents/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    hash_alg = models.CharField(max_length=20, default="sha256")
    template_version = models.CharField(max_length=40, blank=True)
    document_html = models.TextField(blank=True, default="")
    stored_at = models.DateTimeField(_("出具时间"), null=True, blank=True)
    # Procurement decisions only (政府采购法实施条例 第58条), set with the storage.
    published_at = models.DateTimeField(_("公告时间"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("投诉文书")
        verbose_name_plural = _("投诉文书")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ComplaintDocumentKind.values),
                name="complaint_document_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(stored_at__isnull=True) | ~Q(pdf_sha256=""),
                name="complaint_document_stored_is_complete",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True)
                | (Q(kind="complaint_decision") & Q(stored_at__isnull=False)),
                name="complaint_document_only_decisions_published",
            ),
            # Each step happens once: its document is the complaint's only one of its kind.
            models.UniqueConstraint(
                fields=["complaint", "kind"], name="complaint_document_once_per_kind"
            ),
        ]
        indexes = [
            models.Index(fields=["-published_at"], name="complaint_document_published"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.complaint_id}"


class OpeningRecord(models.Model):
    """A lot's opening record (开标记录表), rendered once when the opening closes, kept unchanged
    and published (电子招标投标办法 第30条)."""

    lot = models.OneToOneField(
        "trading.Lot", verbose_name=_("标段"), on_delete=models.PROTECT, related_name="+"
    )
    # The outbox event that asked for it: a repeated delivery finds its record and stops.
    source_event_id = models.BigIntegerField(unique=True)
    issuer = models.CharField(_("开标单位"), max_length=200)
    verification_code = models.CharField(_("验证码"), max_length=20, unique=True)
    # What the builder reads, frozen when the opening closed.
    data = models.JSONField(_("数据"), default=dict)
    created_at = models.DateTimeField(_("创建时间"))
    render_at = models.DateTimeField(null=True, blank=True)
    render_attempts = models.PositiveIntegerField(default=0)
    render_error = models.TextField(_("生成错误"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to="openings/records/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    hash_alg = models.CharField(max_length=20, default="sha256")
    template_version = models.CharField(max_length=40, blank=True)
    document_html = models.TextField(blank=True, default="")
    stored_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("开标记录表")
        verbose_name_plural = _("开标记录表")
        constraints = [
            models.CheckConstraint(
                condition=Q(stored_at__isnull=True) | ~Q(pdf_sha256=""),
                name="opening_record_stored_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"opening record of lot {self.lot_id}"
