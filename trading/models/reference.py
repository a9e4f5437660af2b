"""Reference data the platform administrator manages: regions, business types, procedures, desks."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from trading.domain.employer import Grant

region_code_validator = RegexValidator(
    r"^[1-8][0-9]{5}$", _("行政区划代码应为6位数字 (GB/T 2260)。")
)
slug_validator = RegexValidator(r"^[a-z][a-z0-9_-]*$", _("代码只能包含小写字母、数字、- 和 _。"))
# For the `code__length` check constraints below.
models.CharField.register_lookup(Length)


class BilingualName(models.Model):
    """A row whose name is Chinese, with an English name for the English interface."""

    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class Region(BilingualName):
    """A city or county (市县) by its GB/T 2260 code, optionally inside a parent region."""

    code = models.CharField(
        _("行政区划代码"), max_length=6, unique=True, validators=[region_code_validator]
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("市县")
        verbose_name_plural = _("市县")
        constraints = [
            models.CheckConstraint(condition=Q(code__length=6), name="region_code_six_characters"),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="region_not_own_parent"
            ),
        ]

    def descendant_ids(self) -> set[int]:
        """This region and every region below it (a jurisdiction covers its sub-regions)."""
        found = {self.pk}
        frontier = {self.pk}
        while frontier:
            frontier = (
                set(Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
                - found
            )
            found |= frontier
        return found


class BusinessType(BilingualName):
    """One of the nine business types of the national data specification (DOMAIN.md)."""

    code = models.CharField(_("代码"), max_length=30, unique=True, validators=[slug_validator])
    number = models.PositiveSmallIntegerField(_("序号"), unique=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("业务类型")
        verbose_name_plural = _("业务类型")


class ProcedureFamily(models.TextChoices):
    SEALED_BID = "sealed_bid", _("密封投标")
    LISTING_AUCTION = "listing_auction", _("挂牌与竞价")
    NEGOTIATED = "negotiated", _("谈判与协议")
    LISTING = "listing", _("挂牌（期满确定成交或竞价）")
    PROPERTY_DISCLOSURE = "property_disclosure", _("信息披露（产权转让、增资）")
    PREQUALIFIED = "prequalified", _("资格预审后招标")


class Procedure(BilingualName):
    """A trading procedure (交易方式) of one business type, with the flags that shape its flow."""

    business_type = models.ForeignKey(
        BusinessType,
        verbose_name=_("业务类型"),
        on_delete=models.PROTECT,
        related_name="procedures",
    )
    code = models.CharField(_("代码"), max_length=40, validators=[slug_validator])
    family = models.CharField(_("流程类别"), max_length=20, choices=ProcedureFamily.choices)
    sealed_bids = models.BooleanField(_("密封投标"), default=False)
    live_auction = models.BooleanField(_("网上竞价"), default=False)
    listing = models.BooleanField(_("挂牌"), default=False)
    evaluation = models.BooleanField(_("专家评审"), default=False)
    prequalification = models.BooleanField(_("资格预审"), default=False)
    invitation_only = models.BooleanField(_("邀请参加"), default=False)
    # 招标投标法 第22条: who enrolled and how many stay secret until the opening; property transfers
    # qualify bidders openly, so this is a flag of the procedure.
    bidder_list_secret = models.BooleanField(_("投标人名单保密"), default=True)
    # 实施条例 第54条 publicises the candidates before the award; government procurement does
    # not: the purchaser decides from the report and publishes the result with the letter
    # (政府采购法实施条例 第43条, 87号令 第69条).
    candidate_publicity = models.BooleanField(_("中标候选人公示"), default=True)
    min_bids = models.PositiveSmallIntegerField(_("最少有效投标数"), default=1)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["business_type__number", "sort_order", "code"]
        verbose_name = _("交易方式")
        verbose_name_plural = _("交易方式")
        constraints = [
            models.UniqueConstraint(
                fields=["business_type", "code"], name="procedure_code_unique_per_business_type"
            ),
            models.CheckConstraint(
                condition=Q(family__in=ProcedureFamily.values), name="procedure_family_known"
            ),
            models.CheckConstraint(
                condition=~Q(sealed_bids=True, live_auction=True),
                name="procedure_sealed_or_auction_not_both",
            ),
        ]


class Industry(BilingualName):
    """An industry (行业): a GB/T 4754 section or an engineering sub-class under one."""

    code = models.CharField(_("代码"), max_length=20, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级行业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("行业")
        verbose_name_plural = _("行业")


class Desk(models.Model):
    """A trading desk (交易科室): one region × one business type, the unit of staff scope."""

    region = models.ForeignKey(
        Region, verbose_name=_("市县"), on_delete=models.PROTECT, related_name="desks"
    )
    business_type = models.ForeignKey(
        BusinessType, verbose_name=_("业务类型"), on_delete=models.PROTECT, related_name="desks"
    )

    class Meta:
        ordering = ["region__code", "business_type__number"]
        verbose_name = _("交易科室")
        verbose_name_plural = _("交易科室")
        permissions = [(Grant.OPERATE_DESK.value, _("操作交易科室的交易"))]
        constraints = [
            models.UniqueConstraint(fields=["region", "business_type"], name="desk_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.business_type}"


class Jurisdiction(models.Model):
    """What one regulator supervises: regions (and sub-regions) × business types (× industries)."""

    regulator = models.ForeignKey(
        "trading.Organisation",
        verbose_name=_("监管部门"),
        on_delete=models.PROTECT,
        related_name="jurisdictions",
    )
    name = models.CharField(_("名称"), max_length=200)
    regions = models.ManyToManyField(Region, verbose_name=_("市县"), related_name="+")
    include_subregions = models.BooleanField(_("含下级区划"), default=True)
    business_types = models.ManyToManyField(
        BusinessType, verbose_name=_("业务类型"), related_name="+"
    )
    # Empty means every industry of the business types above.
    industries = models.ManyToManyField(
        Industry, verbose_name=_("行业"), blank=True, related_name="+"
    )

    class Meta:
        ordering = ["regulator__name", "name"]
        verbose_name = _("监管范围")
        verbose_name_plural = _("监管范围")
        permissions = [(Grant.SUPERVISE_JURISDICTION.value, _("监督监管范围内的交易"))]
        constraints = [
            models.UniqueConstraint(fields=["regulator", "name"], name="jurisdiction_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def region_ids(self) -> set[int]:
        ids: set[int] = set()
        for region in self.regions.all():
            ids |= region.descendant_ids() if self.include_subregions else {region.pk}
        return ids

    def covers(
        self, *, region: Region, business_type: BusinessType, industry: Industry | None = None
    ) -> bool:
        if region.pk not in self.region_ids():
            return False
        if not self.business_types.filter(pk=business_type.pk).exists():
            return False
        industries = set(self.industries.values_list("pk", flat=True))
        if not industries or industry is None:
            return True
        return industry.pk in industries or (industry.parent_id in industries)
