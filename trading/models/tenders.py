"""Projects (C17), tenders (C20), lots (C23) and what happens to them until the contract."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from trading.domain.lifecycle import LotStatus, TenderStatus

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_AMOUNT = Decimal("999999999999.99")  # 一万亿 less a fen: above any real public tender
money_validators = [MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)]


def money_field(verbose_name: StrOrPromise, **kwargs: Any) -> models.DecimalField[Any, Any]:
    """Yuan with two decimals, 0 to MAX_AMOUNT (DESIGN.md invariant 8)."""
    return models.DecimalField(
        verbose_name, max_digits=14, decimal_places=2, validators=money_validators, **kwargs
    )


class TenderStatusChoices(models.TextChoices):
    DRAFT = TenderStatus.DRAFT.value, _("草稿")
    PENDING_REVIEW = TenderStatus.PENDING_REVIEW.value, _("待审核")
    PUBLISHED = TenderStatus.PUBLISHED.value, _("已发布")


class LotStatusChoices(models.TextChoices):
    DRAFT = LotStatus.DRAFT.value, _("草稿")
    PUBLISHED = LotStatus.PUBLISHED.value, _("已公告")
    BIDDING = LotStatus.BIDDING.value, _("投标中")
    OPENING = LotStatus.OPENING.value, _("开标")
    AUCTION = LotStatus.AUCTION.value, _("竞价")
    EVALUATION = LotStatus.EVALUATION.value, _("评标")
    NEGOTIATION = LotStatus.NEGOTIATION.value, _("谈判/协商")
    PUBLICITY = LotStatus.PUBLICITY.value, _("公示")
    AWARDED = LotStatus.AWARDED.value, _("已定标")
    CONTRACTED = LotStatus.CONTRACTED.value, _("已签约")
    CLOSED = LotStatus.CLOSED.value, _("已结束")
    FAILED = LotStatus.FAILED.value, _("流标/流拍")
    TERMINATED = LotStatus.TERMINATED.value, _("已终止")
    PREQUALIFICATION = LotStatus.PREQUALIFICATION.value, _("资格预审")
    PREQUAL_REVIEW = LotStatus.PREQUAL_REVIEW.value, _("资格审查")
    LISTING_CLOSED = LotStatus.LISTING_CLOSED.value, _("挂牌（披露）期满")
    AGREEMENT = LotStatus.AGREEMENT.value, _("协议转让")


class PriceForm(models.TextChoices):
    AMOUNT = "amount", _("金额")
    DISCOUNT_RATE = "discount_rate", _("下浮率")
    FEE_RATE = "fee_rate", _("费率")


class DepositForm(models.TextChoices):
    NONE = "none", _("不收取")
    CASH = "cash", _("现金（基本账户转账）")
    GUARANTEE = "guarantee", _("保函")
    EITHER = "either", _("现金或保函")


class FundingSource(models.TextChoices):
    STATE = "state", _("国有资金")
    STATE_MAJORITY = "state_majority", _("国有资金占控股或主导地位")
    PRIVATE = "private", _("非国有资金")
    MIXED = "mixed", _("其他")


class Project(models.Model):
    """What an owner brings (项目, code C17 = 6-digit region + year + 7-digit serial)."""

    code = models.CharField(_("项目编号"), max_length=17, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    owner = models.ForeignKey(
        "trading.Organisation", verbose_name=_("招标人"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "trading.Organisation",
        verbose_name=_("代理机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
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
    funding_source = models.CharField(
        _("资金来源"), max_length=20, choices=FundingSource.choices, default=FundingSource.STATE
    )
    # 实施条例 第55条: the first candidate must win a state-funded must-tender project.
    state_funded = models.BooleanField(_("依法必须招标的国有资金项目"), default=True)
    # Training and demonstration: `time_scale` real seconds pass for each second of the schedule
    # divided by it (1440: one day in one minute). Never mixed with real tenders.
    training = models.BooleanField(_("培训演示项目"), default=False)
    time_scale = models.PositiveIntegerField(_("时间倍率"), default=1)
    created_by = models.ForeignKey(
        "trading.User", verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        constraints = [
            models.CheckConstraint(
                condition=Q(time_scale__gte=1), name="project_time_scale_positive"
            ),
            models.CheckConstraint(
                condition=Q(training=True) | Q(time_scale=1), name="project_only_training_scaled"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Tender(models.Model):
    """One procedure, one announcement, one set of documents (招标/采购/出让/转让项目, code C20)."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="tenders"
    )
    code = models.CharField(_("招标项目编号"), max_length=20, unique=True)
    # 统一交易标识码: the national unique transaction identifier.
    trade_id = models.CharField(_("统一交易标识码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    procedure = models.ForeignKey(
        "trading.Procedure", verbose_name=_("交易方式"), on_delete=models.PROTECT, related_name="+"
    )
    desk = models.ForeignKey(
        "trading.Desk", verbose_name=_("交易科室"), on_delete=models.PROTECT, related_name="tenders"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=TenderStatusChoices.choices, default=TenderStatus.DRAFT
    )
    price_form = models.CharField(
        _("报价方式"), max_length=20, choices=PriceForm.choices, default=PriceForm.AMOUNT
    )
    deposit_form = models.CharField(
        _("保证金形式"), max_length=20, choices=DepositForm.choices, default=DepositForm.EITHER
    )
    # Schedule points shared by all lots.
    announced_at = models.DateTimeField(_("公告发布时间"), null=True, blank=True)
    documents_issued_at = models.DateTimeField(_("招标文件发出时间"), null=True, blank=True)
    clarification_deadline = models.DateTimeField(_("澄清截止时间"), null=True, blank=True)
    # The end of the documents' sale (实施条例 第16条, 87号令 第16条); empty: they are offered
    # until the bid deadline, as the platform lets bidders download them.
    documents_sale_ends_at = models.DateTimeField(_("文件发售截止时间"), null=True, blank=True)
    # The day whose rule set applies (a tender keeps the rules in force when it was published).
    rules_as_of = models.DateField(_("适用规则日期"), null=True, blank=True)
    drafted_by = models.ForeignKey(
        "trading.User", verbose_name=_("起草人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        "trading.User",
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_by = models.ForeignKey(
        "trading.User",
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("招标项目")
        verbose_name_plural = _("招标项目")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TenderStatusChoices.values), name="tender_status_known"
            ),
            # 管办分离 and four eyes: whoever publishes did not draft.
            models.CheckConstraint(
                condition=Q(published_by__isnull=True) | ~Q(published_by=models.F("drafted_by")),
                name="tender_publisher_is_not_drafter",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_by__isnull=False),
                name="tender_published_has_publisher",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Lot(models.Model):
    """The unit that is traded (标段/包/宗地/标的, code C23): one deadline, one result."""

    tender = models.ForeignKey(
        Tender, verbose_name=_("招标项目"), on_delete=models.PROTECT, related_name="lots"
    )
    code = models.CharField(_("标段编号"), max_length=23, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=20, choices=LotStatusChoices.choices, default=LotStatus.DRAFT
    )
    estimate = money_field(_("估算价/预算/起始价（元）"))
    deposit_amount = money_field(_("保证金（元）"), default=Decimal("0"))
    # Land/property: the bid increment of timed bidding; 0 for sealed bids.
    increment = money_field(_("加价幅度（元）"), default=Decimal("0"))
    scope = models.TextField(_("招标范围/标的说明"), blank=True)
    duration_days = models.PositiveIntegerField(_("工期/服务期（日）"), null=True, blank=True)
    # 质量要求 of the works or goods: the award letter and the tender documents print it.
    quality = models.CharField(_("质量要求"), max_length=200, blank=True)
    # Deadlines live on the lot and are enforced under its lock with the server clock.
    opens_at = models.DateTimeField(_("投标/挂牌开始时间"), null=True, blank=True)
    closes_at = models.DateTimeField(_("投标截止（开标）/挂牌截止时间"), null=True, blank=True)
    # When the lot was suspended by its first unlifted hold; null when it runs.
    suspended_at = models.DateTimeField(_("暂停时间"), null=True, blank=True)
    # Derived from status and schedule on every write; the chronograph claims rows by it.
    next_check = models.DateTimeField(_("下次检查"), null=True, blank=True, db_index=True)
    bid_count = models.PositiveIntegerField(_("有效投标数"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    publicity_starts_at = models.DateTimeField(_("公示开始"), null=True, blank=True)
    publicity_ends_at = models.DateTimeField(_("公示结束"), null=True, blank=True)
    evaluation_reported_at = models.DateTimeField(_("评标报告提交时间"), null=True, blank=True)
    # The committee's members, one per line: secret until the result (招标投标法 第37条), then
    # named in the result notice (财政部令第87号 第69条).
    evaluation_committee = models.TextField(_("评标委员会成员"), blank=True)
    # The owner's reason (实施条例 第31条), printed on the termination notice.
    termination_reason = models.TextField(_("终止理由"), blank=True)
    # Why it failed when a person decided it (all bids rejected, the winner declined): 流标原因.
    failure_reason = models.TextField(_("流标原因"), blank=True)
    # The failed lot this one tenders again (实施条例 第44条 重新招标; 二次公告, 重新挂牌).
    predecessor = models.ForeignKey(
        "self",
        verbose_name=_("原标段"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successors",
    )
    # A successor under another procedure than its predecessor's: the approval (87号令 第43条).
    method_change_approval = models.TextField(_("变更采购方式的批准情况"), blank=True)
    method_change_number = models.CharField(_("批准文件文号"), max_length=100, blank=True)
    # 资格预审: the deadline for applications (实施条例 第17条); the chronograph closes them.
    applications_close_at = models.DateTimeField(_("资格预审申请截止时间"), null=True, blank=True)
    # Recorded at a close: qualified applicants (实施条例 第19条), bidders of a land listing
    # (39号令 第20条), qualified 意向受让方 of a property disclosure (32号令 第22条).
    qualified_count = models.PositiveIntegerField(
        _("合格申请人（竞买人、意向受让方）数"), null=True, blank=True
    )
    # 32号令 第17、18条: the approved valuation a re-disclosure price is compared with, and the
    # approving body's written consent to a price below 90% of it.
    valuation = money_field(_("评估结果（元）"), null=True, blank=True)
    approval_reference = models.CharField(_("批准文件"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("标段")
        verbose_name_plural = _("标段")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=LotStatusChoices.values), name="lot_status_known"
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="lot_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=Q(estimate__gte=0) & Q(deposit_amount__gte=0) & Q(increment__gte=0),
                name="lot_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def award(self) -> Award | None:
        """The standing award: the last one whose winner has not declined (实施条例 第55条)."""
        return self.awards.filter(declined_at__isnull=True).first()


class DocumentKind(models.TextChoices):
    TENDER_DOCUMENTS = "tender_documents", _("招标/出让文件")
    CLARIFICATION = "clarification", _("澄清")
    AMENDMENT = "amendment", _("变更")
    EVALUATION_REPORT = "evaluation_report", _("评标报告")
    CONTRACT = "contract", _("合同")
    REPORT = "report", _("书面报告")


class TenderDocument(models.Model):
    """A PDF issued for a tender; each clarification or amendment is a new version."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="documents")
    lot = models.ForeignKey(
        Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("类型"), max_length=30, choices=DocumentKind.choices)
    version = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=200)
    file = models.FileField(_("文件"), upload_to="tender-documents/%Y/%m/")
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    hash_alg = models.CharField(max_length=20, default="sha256")
    # An amendment that affects bid preparation (实施条例 第21条) may move the deadline.
    affects_bids = models.BooleanField(_("影响投标文件编制"), default=False)
    note = models.TextField(_("说明"), blank=True)
    uploaded_by = models.ForeignKey("trading.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        ordering = ["tender_id", "version"]
        verbose_name = _("招标文件")
        verbose_name_plural = _("招标文件")
        constraints = [
            models.UniqueConstraint(fields=["tender", "version"], name="document_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class HoldReason(models.TextChoices):
    OBJECTION = "objection", _("异议/质疑")
    COMPLAINT = "complaint", _("投诉")
    INTERVENTION = "intervention", _("监督干预")
    OUTAGE = "outage", _("系统故障")


class Hold(models.Model):
    """One reason a lot is suspended; the lot resumes when its last hold is lifted."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="holds")
    reason = models.CharField(_("原因"), max_length=20, choices=HoldReason.choices)
    note = models.TextField(_("说明"), blank=True)
    placed_by = models.ForeignKey("trading.User", on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(_("暂停时间"))
    lifted_by = models.ForeignKey(
        "trading.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)

    class Meta:
        ordering = ["placed_at", "id"]
        verbose_name = _("暂停")
        verbose_name_plural = _("暂停")
        indexes = [
            models.Index(fields=["lot"], name="hold_active", condition=Q(lifted_at__isnull=True))
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True) | Q(lifted_at__gte=models.F("placed_at")),
                name="hold_lifted_after_placed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} {self.reason}"


class ObjectionStage(models.TextChoices):
    DOCUMENTS = "documents", _("对招标文件")
    OPENING = "opening", _("对开标")
    RESULT = "result", _("对评标结果")


class Objection(models.Model):
    """异议/质疑 to the owner, who answers within the lawful time (实施条例 第22、54条)."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="objections")
    stage = models.CharField(_("阶段"), max_length=20, choices=ObjectionStage.choices)
    raised_by = models.ForeignKey(
        "trading.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    raised_by_user = models.ForeignKey("trading.User", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("异议内容"))
    raised_at = models.DateTimeField(_("提出时间"))
    answer_due = models.DateTimeField(_("答复期限"))
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        "trading.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    hold = models.OneToOneField(
        Hold, null=True, blank=True, on_delete=models.PROTECT, related_name="objection"
    )
    # The owner found it well-founded: the result is evaluated again (实施条例 第54条).
    upheld = models.BooleanField(_("异议成立"), default=False)

    class Meta:
        ordering = ["raised_at", "id"]
        verbose_name = _("异议")
        verbose_name_plural = _("异议")

    def __str__(self) -> str:
        return f"{self.lot_id} {self.stage}"


class Question(models.Model):
    """A bidder's question on the documents; the answer is published as a clarification."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="questions")
    asked_by = models.ForeignKey("trading.User", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("问题"))
    asked_at = models.DateTimeField(_("提问时间"))
    answered_in = models.ForeignKey(
        TenderDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="answers"
    )

    class Meta:
        ordering = ["asked_at", "id"]
        verbose_name = _("答疑")
        verbose_name_plural = _("答疑")

    def __str__(self) -> str:
        return self.text[:40]


class Candidate(models.Model):
    """A ranked candidate (≤ 3, 实施条例 第53条); the values shown are copied."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="candidates")
    rank = models.PositiveSmallIntegerField(_("排名"))
    organisation = models.ForeignKey(
        "trading.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    price = money_field(_("投标报价（元）"))
    score = models.DecimalField(_("得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    duration_days = models.PositiveIntegerField(_("工期（日）"), null=True, blank=True)
    quality = models.CharField(_("质量"), max_length=100, blank=True)
    project_manager = models.CharField(_("项目负责人"), max_length=50, blank=True)
    manager_certificate = models.CharField(_("证书编号"), max_length=60, blank=True)
    # A re-evaluation supersedes the candidates it replaces; they stay as history.
    superseded_at = models.DateTimeField(_("被重新评审取代"), null=True, blank=True)

    class Meta:
        ordering = ["lot_id", "rank"]
        verbose_name = _("中标候选人")
        verbose_name_plural = _("中标候选人")
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "rank"],
                condition=Q(superseded_at__isnull=True),
                name="candidate_rank_unique",
            ),
            models.UniqueConstraint(
                fields=["lot", "organisation"],
                condition=Q(superseded_at__isnull=True),
                name="candidate_once_per_lot",
            ),
            models.CheckConstraint(
                condition=Q(rank__gte=1, rank__lte=3), name="candidate_rank_1_to_3"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.name}"


class Award(models.Model):
    """The owner's decision (定标) and its letter (中标通知书, 法 第45条)."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="awards")
    candidate = models.ForeignKey(
        Candidate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "trading.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("中标人"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    price = money_field(_("中标价（元）"))
    confirmed_by = models.ForeignKey("trading.User", on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("定标时间"))
    # When the letter's PDF was published (it is issued then); the contract's 30 日 run from it.
    letter_issued_at = models.DateTimeField(_("通知书发出时间"), null=True, blank=True)
    reason = models.TextField(_("未选第一名的理由"), blank=True)
    # The winner declined or did not sign (实施条例 第55条); the award stays as history.
    declined_at = models.DateTimeField(_("放弃中标登记时间"), null=True, blank=True)
    decline_reason = models.TextField(_("放弃中标的情形"), blank=True)
    declined_by = models.ForeignKey(
        "trading.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Without a good reason the deposit is not returned (实施条例 第74条).
    deposit_forfeited = models.BooleanField(_("投标保证金不予退还"), default=False)

    class Meta:
        ordering = ["lot_id", "confirmed_at", "id"]
        verbose_name = _("定标")
        verbose_name_plural = _("定标")
        constraints = [
            models.UniqueConstraint(
                fields=["lot"],
                condition=Q(declined_at__isnull=True),
                name="award_one_standing_per_lot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} → {self.name}"


class Contract(models.Model):
    """The contract (≤ 30 日 after the letter, 法 第46条) and the written report (法 第47条)."""

    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, related_name="contract")
    signed_on = models.DateField(_("签订日期"))
    amount = money_field(_("合同金额（元）"))
    document = models.ForeignKey(
        TenderDocument, on_delete=models.PROTECT, related_name="+", verbose_name=_("合同文本")
    )
    recorded_by = models.ForeignKey("trading.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"))
    report = models.ForeignKey(
        TenderDocument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("书面报告"),
    )
    report_filed_at = models.DateTimeField(_("报告提交时间"), null=True, blank=True)
    # 招标投标法 第46条: the contract follows the award; one that departs from it is recorded only
    # with the owner's reason, which the desk and the regulator see.
    deviates = models.BooleanField(_("与中标结果不一致"), default=False)
    deviation_reason = models.TextField(_("不一致的理由"), blank=True)

    class Meta:
        verbose_name = _("合同")
        verbose_name_plural = _("合同")
        constraints = [
            models.CheckConstraint(
                condition=Q(deviates=False) | ~Q(deviation_reason=""),
                name="contract_deviation_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} {self.signed_on}"


class DocumentDownload(models.Model):
    """A bidder's first download of a tender document: as secret as enrolment (法 第22条).

    One row per organisation and document: later downloads are served without a new row.
    """

    document = models.ForeignKey(
        TenderDocument,
        verbose_name=_("文件"),
        on_delete=models.PROTECT,
        related_name="downloads",
    )
    organisation = models.ForeignKey(
        "trading.Organisation",
        verbose_name=_("投标人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(
        "trading.User", verbose_name=_("下载人"), on_delete=models.PROTECT, related_name="+"
    )
    downloaded_at = models.DateTimeField(_("首次下载时间"))

    class Meta:
        ordering = ["downloaded_at", "id"]
        verbose_name = _("文件下载记录")
        verbose_name_plural = _("文件下载记录")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "organisation"], name="document_download_once_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} {self.organisation_id}"
