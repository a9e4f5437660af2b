"""The certificate vault (证照库): a bidder's certificates, kept once and reused in every bid."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class CertificateKind(models.TextChoices):
    QUALIFICATION = "qualification", _("资质证书")
    LICENCE = "licence", _("许可证")
    # 注册建造师证书 and the other registered practitioners' certificates of a project manager.
    PRACTITIONER = "practitioner", _("注册执业证书")


class Certificate(models.Model):
    """One version of one certificate with its PDF; a replacement is a new version.

    An old version is never changed or deleted once a newer one replaces it: a bid that used it
    keeps pointing at what it used.
    """

    organisation = models.ForeignKey(
        "trading.Organisation",
        verbose_name=_("主体"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    kind = models.CharField(_("证书类别"), max_length=20, choices=CertificateKind.choices)
    name = models.CharField(_("证书名称"), max_length=200)
    number = models.CharField(_("证书编号"), max_length=100)
    grade = models.CharField(_("资质类别与等级"), max_length=200, blank=True)
    issuer = models.CharField(_("发证机关"), max_length=200)
    issued_on = models.DateField(_("发证日期"))
    # Blank: valid without a term (长期有效).
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    holder_name = models.CharField(_("持证人"), max_length=100, blank=True)
    speciality = models.CharField(_("注册专业"), max_length=100, blank=True)
    file = models.FileField(_("证书扫描件"), upload_to="certificates/%Y/%m/")
    file_sha256 = models.CharField(_("文件摘要"), max_length=64)
    version = models.PositiveIntegerField(_("版本"), default=1)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("上一版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replacement",
    )
    added_at = models.DateTimeField(_("入库时间"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("入库人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    replaced_at = models.DateTimeField(_("被替换时间"), null=True, blank=True)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("停用人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The chronograph's next look at this certificate (expiry notices); null: nothing left to do.
    next_check = models.DateTimeField(_("下次检查"), null=True, blank=True, db_index=True)
    expiry_warned_at = models.DateTimeField(_("到期提醒时间"), null=True, blank=True)
    expired_told_at = models.DateTimeField(_("过期通知时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        ordering = ["kind", "name", "-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CertificateKind.values), name="certificate_kind_known"
            ),
            models.CheckConstraint(
                condition=~Q(kind=CertificateKind.PRACTITIONER) | ~Q(holder_name=""),
                name="certificate_practitioner_has_holder",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("issued_on")),
                name="certificate_expires_after_issue",
            ),
            models.CheckConstraint(
                condition=Q(previous__isnull=True, version=1)
                | Q(previous__isnull=False, version__gt=1),
                name="certificate_version_follows_previous",
            ),
            models.CheckConstraint(
                condition=Q(retired_at__isnull=True) | Q(retired_by__isnull=False),
                name="certificate_retired_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.number}"

    @property
    def is_current(self) -> bool:
        return self.replaced_at is None and self.retired_at is None
