"""Projects (项目): what an owner brings to the center, numbered per region and year."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from trading.clock import Clock, get_clock
from trading.domain.employer import OrganisationKind
from trading.domain.timeline import local_date
from trading.lock_objects import lock_region
from trading.models import BusinessType, Desk, Industry, Organisation, Project, Region, User
from trading.models.tenders import FundingSource

__all__ = ["project_create"]


def project_create(
    *,
    owner: Organisation,
    agency: Organisation | None = None,
    name: str,
    region: Region,
    business_type: BusinessType,
    industry: Industry | None = None,
    funding_source: str = FundingSource.STATE,
    state_funded: bool = True,
    training: bool = False,
    time_scale: int = 1,
    actor: User,
    clock: Clock | None = None,
) -> Project:
    """Register a project (项目, code C17 = region + year + 7-digit serial) for its owner."""
    if owner.kind != OrganisationKind.OWNER:
        raise ValidationError({"owner": _("招标人须为招标人/采购人/出让人类主体。")}, code="owner")
    if agency is not None and agency.kind != OrganisationKind.AGENCY:
        raise ValidationError({"agency": _("代理机构须为代理机构类主体。")}, code="agency")
    if actor.organisation_id not in (owner.pk, agency.pk if agency else None):
        raise PermissionDenied(_("只有招标人或其委托的代理机构可以登记项目。"))
    if not (actor.organisation and actor.organisation.is_verified and owner.is_verified):
        raise PermissionDenied(_("主体通过核验后才能登记项目。"))
    if agency is not None and not agency.is_verified:
        raise ValidationError({"agency": _("代理机构尚未通过核验。")}, code="agency")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写项目名称。")}, code="name")
    if funding_source not in FundingSource.values:
        raise ValidationError({"funding_source": _("未知的资金来源。")}, code="funding")
    if time_scale < 1 or (time_scale != 1 and not training):
        raise ValidationError(
            {"time_scale": _("只有培训演示项目可以设置时间倍率（不小于1）。")}, code="time_scale"
        )
    if not Desk.objects.filter(region=region, business_type=business_type).exists():
        raise ValidationError({"region": _("该市县没有办理此业务类型的交易科室。")}, code="desk")
    clock = clock or get_clock()
    with transaction.atomic():
        lock_region(region.pk)
        now = clock()
        prefix = f"{region.code}{local_date(now).year}"
        last = (
            Project.objects.filter(code__startswith=prefix)
            .order_by("-code")
            .values_list("code", flat=True)
            .first()
        )
        serial = int(last[len(prefix) :]) + 1 if last else 1
        project = Project.objects.create(
            code=f"{prefix}{serial:07d}",
            name=name,
            owner=owner,
            agency=agency,
            region=region,
            business_type=business_type,
            industry=industry,
            funding_source=funding_source,
            state_funded=state_funded,
            training=training,
            time_scale=time_scale,
            created_by=actor,
            created_at=now,
        )
    return project
