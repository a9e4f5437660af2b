"""Small factories for database rows in tests: organisations, users and their grants.

Fixed dates, valid 统一社会信用代码, no randomness: a failing test reads the same every run.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from trading.domain.employer import OrganisationKind
from trading.domain.uscc import check_character
from trading.models import Desk, Jurisdiction, Organisation, Region, User
from trading.models.parties import VerificationMethod

REGISTERED_AT = datetime.fromisoformat("2026-11-02T09:00:00+08:00")
VERIFIED_AT = datetime.fromisoformat("2026-11-03T10:00:00+08:00")
PASSWORD = "Tianping-test-2026"

_serial = itertools.count(1)

# GB 32100-2015 第4.1条: the registration authority (1st) and kind (2nd) characters per kind.
_AUTHORITY = {
    OrganisationKind.CENTER: "11",  # 机构编制: 机关
    OrganisationKind.REGULATOR: "11",
    OrganisationKind.OWNER: "12",  # 机构编制: 事业单位
    OrganisationKind.AGENCY: "91",  # 工商: 企业
    OrganisationKind.BIDDER: "91",
    OrganisationKind.EXPERT_POOL: "12",
}

_KIND_NAMES = {
    OrganisationKind.CENTER: "公共资源交易中心",
    OrganisationKind.REGULATOR: "住房和城乡建设局",
    OrganisationKind.OWNER: "城市建设投资有限公司",
    OrganisationKind.AGENCY: "工程咨询有限公司",
    OrganisationKind.BIDDER: "建筑工程有限公司",
    OrganisationKind.EXPERT_POOL: "综合评标专家库",
}


def make_uscc(kind: str, *, region_code: str = "460100", serial: int | None = None) -> str:
    """A valid 统一社会信用代码: authority and kind, region, 9-digit serial, check character."""
    number = next(_serial) if serial is None else serial
    first17 = f"{_AUTHORITY[OrganisationKind(kind)]}{region_code}{number:09d}"
    return first17 + check_character(first17)


def make_organisation(
    kind: str,
    *,
    name: str | None = None,
    verified: bool = True,
    region: Region | None = None,
    **extra: Any,
) -> Organisation:
    uscc = make_uscc(kind, region_code=region.code if region else "460100")
    return Organisation.objects.create(
        name=name or f"测试{_KIND_NAMES[OrganisationKind(kind)]}{uscc[-4:]}",
        kind=kind,
        uscc=uscc,
        region=region,
        registered_at=REGISTERED_AT,
        verified_at=VERIFIED_AT if verified else None,
        verification_method=VerificationMethod.STAFF if verified else "",
        **extra,
    )


def make_user(
    organisation: Organisation | None,
    *,
    username: str | None = None,
    password: str = PASSWORD,
    **extra: Any,
) -> User:
    """A user of `organisation`; pass None with is_superuser=True for a platform administrator."""
    user = User(
        organisation=organisation,
        username=username or f"user{next(_serial)}",
        **extra,
    )
    user.set_password(password)
    user.save()
    return user


def make_platform_admin(*, username: str = "platform-admin", password: str = PASSWORD) -> User:
    return make_user(None, username=username, password=password, is_superuser=True, is_staff=True)


def grant_desks(user: User, *desks: Desk) -> None:
    """Give a center user operate_desk on desks, through the granting service (管办分离)."""
    from trading.services.grants import grant_assign

    actor = _platform_admin()
    for desk in desks:
        grant_assign(user=user, target=desk, actor=actor)


def grant_jurisdictions(user: User, *jurisdictions: Jurisdiction) -> None:
    """Give a regulator's user supervise_jurisdiction, through the granting service."""
    from trading.services.grants import grant_assign

    actor = _platform_admin()
    for jurisdiction in jurisdictions:
        grant_assign(user=user, target=jurisdiction, actor=actor)


def _platform_admin() -> User:
    existing = User.objects.filter(is_superuser=True, organisation__isnull=True).first()
    return existing or make_platform_admin(username=f"granting-admin{next(_serial)}")
