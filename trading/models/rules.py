"""Legal rules as data (DESIGN.md §7): timeline and amount rules, and the working-day calendar."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RuleUnit(models.TextChoices):
    DAY = "day", _("日")
    WORKDAY = "workday", _("工作日")


class RuleKind(models.TextChoices):
    # A minimum or maximum time between two schedule points (or events).
    PERIOD = "period", _("期限")
    # A maximum of one amount as a share of another (the deposit cap).
    AMOUNT_RATIO = "amount_ratio", _("金额比例")
    # A ceiling in 元 (the deposit's 80万元, 七部委30号令 第37条).
    AMOUNT_CAP = "amount_cap", _("金额上限")


class TimelineRule(models.Model):
    """One legal time limit or amount limit, with the article it comes from and when it took effect.

    A tender keeps the rule set in force on the day it was published (rule versions by effective
    date); a region override replaces the national row of the same key for that region.
    """

    key = models.CharField(_("规则代码"), max_length=60)
    kind = models.CharField(_("类别"), max_length=20, choices=RuleKind.choices)
    business_type = models.ForeignKey(
        "trading.BusinessType",
        verbose_name=_("业务类型"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Empty: every procedure of the business type.
    procedure_codes = models.JSONField(_("交易方式"), default=list, blank=True)
    region = models.ForeignKey(
        "trading.Region",
        verbose_name=_("地区（覆盖全国规则）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_point = models.CharField(_("起算点"), max_length=40)
    to_point = models.CharField(_("截止点"), max_length=40)
    minimum = models.DecimalField(_("最少"), max_digits=12, decimal_places=4, null=True, blank=True)
    maximum = models.DecimalField(_("最多"), max_digits=12, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=10, choices=RuleUnit.choices, blank=True)
    article = models.CharField(_("法律依据"), max_length=200)
    description = models.CharField(_("说明"), max_length=300)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    # Rows for business types the national rules do not cover: the platform's local rules.
    local = models.BooleanField(_("地方规则"), default=False)
    # Counted back from a fixed deadline (an objection ≥ 10 日 before it): 第203条 does not apply.
    counted_back = models.BooleanField(_("自截止时间倒算"), default=False)

    class Meta:
        ordering = ["key", "effective_from"]
        verbose_name = _("法定时限规则")
        verbose_name_plural = _("法定时限规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum__isnull=False) | Q(maximum__isnull=False),
                name="rule_has_a_bound",
            ),
            models.CheckConstraint(
                condition=~Q(kind="period") | ~Q(unit=""), name="period_rule_has_unit"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gt=models.F("effective_from")),
                name="rule_effective_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.article})"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日")
    WORKDAY = "workday", _("调休工作日")


class CalendarDay(models.Model):
    """A day that differs from the Monday–Friday rule: a statutory holiday or a make-up workday.

    Seeded from chinese-calendar for the years it covers and from `holidays` (provisional, no
    make-up workdays) after that, until the State Council's schedule is entered.
    """

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=60, blank=True)
    provisional = models.BooleanField(_("暂定"), default=False)
    source = models.CharField(_("来源"), max_length=60, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"
