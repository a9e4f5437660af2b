"""Enrolment (报名) rules: when a lot takes enrolments, consortium composition, bidder numbers.

Pure: no Django, no clock (callers pass `now`).
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Sequence
from datetime import datetime

from trading.domain.lifecycle import Family, LotStatus

# A lot takes enrolments from its announcement until its deadline. A prequalified tender enrols
# its applicants during the prequalification: only those found qualified are invited to bid
# (实施条例 第19条), so nobody enrols once the bidding itself is announced.
ENROLLING: dict[Family, frozenset[LotStatus]] = {
    Family.SEALED_BID: frozenset({LotStatus.PUBLISHED, LotStatus.BIDDING}),
    Family.LISTING_AUCTION: frozenset({LotStatus.PUBLISHED, LotStatus.BIDDING}),
    Family.NEGOTIATED: frozenset({LotStatus.PUBLISHED, LotStatus.BIDDING}),
    Family.LISTING: frozenset({LotStatus.PUBLISHED, LotStatus.BIDDING}),
    Family.PROPERTY_DISCLOSURE: frozenset({LotStatus.PUBLISHED, LotStatus.BIDDING}),
    Family.PREQUALIFIED: frozenset({LotStatus.PREQUALIFICATION}),
}

# The article that sets each family's deadline for taking part.
DEADLINE_ARTICLE: dict[Family, str] = {
    Family.SEALED_BID: "招标投标法 第28条",
    Family.PREQUALIFIED: "招标投标法实施条例 第17条",
    Family.LISTING_AUCTION: "招标拍卖挂牌出让国有建设用地使用权规定（国土资源部令第39号）第18条",
    Family.LISTING: "招标拍卖挂牌出让国有建设用地使用权规定（国土资源部令第39号）第18条",
    Family.PROPERTY_DISCLOSURE: "企业国有资产交易监督管理办法（国资委 财政部令第32号）第13条",
    Family.NEGOTIATED: "政府采购非招标采购方式管理办法（财政部令第74号）",
}

# 32 symbols without 0/O and 1/I/L: read aloud at an opening without confusion.
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
NUMBER_LENGTH = 8


class Refusal(enum.StrEnum):
    NOT_OPEN = "not_open"  # the lot does not take enrolments in its status
    NOT_YET = "not_yet"  # no deadline set yet (a lot without a schedule)
    DEADLINE_PASSED = "deadline_passed"
    SUSPENDED = "suspended"


def enrolment_deadline(
    family: Family | str, *, closes_at: datetime | None, applications_close_at: datetime | None
) -> datetime | None:
    """The moment enrolment ends: the application deadline of a prequalification, else the
    bid (listing, disclosure) deadline."""
    if Family(family) is Family.PREQUALIFIED:
        return applications_close_at
    return closes_at


def enrolment_refusal(
    *,
    family: Family | str,
    status: LotStatus | str,
    now: datetime,
    deadline: datetime | None,
    suspended: bool,
) -> Refusal | None:
    """Why the lot takes no enrolment (or withdrawal) at `now`, or None when it does."""
    if LotStatus(status) not in ENROLLING[Family(family)]:
        return Refusal.NOT_OPEN
    if deadline is None:
        return Refusal.NOT_YET
    if now >= deadline:
        return Refusal.DEADLINE_PASSED
    # 实施条例 第22条: a suspended process waits; nothing is taken meanwhile.
    if suspended:
        return Refusal.SUSPENDED
    return None


class ConsortiumProblem(enum.StrEnum):
    LEAD_LISTED = "lead_listed"  # the lead named again among the members
    DUPLICATE = "duplicate"


def consortium_problems(lead: int, members: Sequence[int]) -> list[ConsortiumProblem]:
    """A consortium names each organisation once, its lead apart (招标投标法 第31条)."""
    problems = []
    if lead in members:
        problems.append(ConsortiumProblem.LEAD_LISTED)
    if len(set(members)) != len(members):
        problems.append(ConsortiumProblem.DUPLICATE)
    return problems


def new_bidder_number() -> str:
    """An anonymous bidder number: random (8 symbols of 31, about 10^12), so it says nothing
    about who enrolled, when, or how many did (招标投标法 第22条)."""
    return "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))
