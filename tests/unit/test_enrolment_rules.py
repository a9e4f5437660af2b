"""Which lots take enrolments and when (pure rules of bidding.domain.enrolment)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bidding.domain.enrolment import (
    DEADLINE_ARTICLE,
    ENROLLING,
    NUMBER_ALPHABET,
    NUMBER_LENGTH,
    ConsortiumProblem,
    Refusal,
    consortium_problems,
    enrolment_deadline,
    enrolment_refusal,
    new_bidder_number,
)
from trading.domain.lifecycle import Family, LotStatus

NOW = datetime.fromisoformat("2026-11-30T12:00:00+08:00")
LATER = NOW + timedelta(days=1)


def _refusal(family: Family, status: LotStatus, **kwargs: object) -> Refusal | None:
    arguments = {"now": NOW, "deadline": LATER, "suspended": False} | kwargs
    return enrolment_refusal(family=family, status=status, **arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize("family", list(Family))
@pytest.mark.parametrize("status", list(LotStatus))
def test_a_lot_takes_enrolments_only_in_its_familys_enrolling_statuses(
    family: Family, status: LotStatus
) -> None:
    expected = None if status in ENROLLING[family] else Refusal.NOT_OPEN
    assert _refusal(family, status) == expected


def test_a_prequalified_tender_enrols_its_applicants_only_until_the_application_deadline() -> None:
    """实施条例 第19条: only qualified applicants are invited to bid afterwards."""
    assert _refusal(Family.PREQUALIFIED, LotStatus.PREQUALIFICATION) is None
    assert _refusal(Family.PREQUALIFIED, LotStatus.BIDDING) == Refusal.NOT_OPEN
    deadline = enrolment_deadline(Family.PREQUALIFIED, closes_at=LATER, applications_close_at=NOW)
    assert deadline == NOW


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (LATER - timedelta(microseconds=1), None),
        (LATER, Refusal.DEADLINE_PASSED),  # the deadline itself is too late (法 第28条)
        (LATER + timedelta(days=1), Refusal.DEADLINE_PASSED),
    ],
)
def test_enrolment_ends_at_the_deadline(now: datetime, expected: Refusal | None) -> None:
    assert _refusal(Family.SEALED_BID, LotStatus.BIDDING, now=now) == expected


def test_a_suspended_lot_or_one_without_a_deadline_takes_no_enrolment() -> None:
    assert _refusal(Family.SEALED_BID, LotStatus.BIDDING, suspended=True) == Refusal.SUSPENDED
    assert _refusal(Family.LISTING, LotStatus.PUBLISHED, deadline=None) == Refusal.NOT_YET


def test_every_family_names_the_article_of_its_deadline() -> None:
    assert set(DEADLINE_ARTICLE) == set(Family)
    assert DEADLINE_ARTICLE[Family.SEALED_BID] == "招标投标法 第28条"


@pytest.mark.parametrize(
    ("members", "problems"),
    [
        ([2, 3], []),
        ([1, 2], [ConsortiumProblem.LEAD_LISTED]),
        ([2, 2], [ConsortiumProblem.DUPLICATE]),
        ([1, 1], [ConsortiumProblem.LEAD_LISTED, ConsortiumProblem.DUPLICATE]),
    ],
)
def test_a_consortium_names_each_member_once_and_its_lead_apart(
    members: list[int], problems: list[ConsortiumProblem]
) -> None:
    assert consortium_problems(1, members) == problems


def test_bidder_numbers_use_unambiguous_symbols_and_do_not_repeat() -> None:
    numbers = {new_bidder_number() for _ in range(2000)}
    assert len(numbers) == 2000
    assert all(len(n) == NUMBER_LENGTH and set(n) <= set(NUMBER_ALPHABET) for n in numbers)
    assert not set("01OIL") & set(NUMBER_ALPHABET)
