"""When each deposit falls due for refund, per business type and role, by the seeded rule rows
(DOMAIN.md "deposit refund"), counted across the 2026 National Day holiday (国庆 10-01…10-07;
Saturday 10-10 is a working day) and ordinary weekends."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from bidding.domain.refunds import Outcome, Role, deposit_interest, late_fee, refund_plan
from trading.domain.timeline import Calendar, rules_in_force
from trading.services.rules import RULE_SEEDS, calendar_days_from_sources


def _calendar() -> Calendar:
    days = calendar_days_from_sources(range(2026, 2027))
    return Calendar(
        holidays=frozenset(d.date for d in days if d.kind == "holiday"),
        workdays=frozenset(d.date for d in days if d.kind == "workday"),
    )


CALENDAR = _calendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}+08:00")


def rules(business_type: str, procedure: str = "open") -> list:
    return rules_in_force(
        RULE_SEEDS,
        business_type=business_type,
        procedure=procedure,
        region="460100",
        on=at("2026-09-01T00:00").date(),
    )


# business type, role, the instants known, payable from, latest refund, article
CASES = [
    # 实施条例 第57条: 5 日 after the contract signed on 28 Sep; 3 Oct is a holiday, the period
    # ends on the next working day, 8 Oct (民法典 第203条).
    (
        "engineering",
        Role.LOSER,
        {"award_letter": "2026-09-20T10:00", "contract": "2026-09-28T10:00"},
        "2026-09-28T10:00",
        "2026-10-09T00:00",
        "招标投标法实施条例 第57条",
    ),
    (
        "engineering",
        Role.WINNER,
        {"contract": "2026-09-28T10:00"},
        "2026-09-28T10:00",
        "2026-10-09T00:00",
        "招标投标法实施条例 第57条",
    ),
    # 第35条: 5 日 after the withdrawal; Saturday 5 Dec moves to Monday 7 Dec.
    (
        "engineering",
        Role.WITHDRAWN,
        {"withdrawal": "2026-11-30T12:00"},
        "2026-11-30T12:00",
        "2026-12-08T00:00",
        "招标投标法实施条例 第35条",
    ),
    # 87号令 第38条: losers 5 工作日 after the letter of 29 Sep: 30 Sep, 8, 9, 10 (调休), 12 Oct.
    (
        "procurement",
        Role.LOSER,
        {"award_letter": "2026-09-29T10:00"},
        "2026-09-29T10:00",
        "2026-10-13T00:00",
        "财政部令第87号 第38条",
    ),
    # The winner 5 工作日 after the contract of 30 Sep: 8, 9, 10, 12, 13 Oct.
    (
        "procurement",
        Role.WINNER,
        {"award_letter": "2026-09-20T10:00", "contract": "2026-09-30T16:00"},
        "2026-09-30T16:00",
        "2026-10-14T00:00",
        "财政部令第87号 第38条",
    ),
    (
        "procurement",
        Role.WITHDRAWN,
        {"withdrawal": "2026-11-30T12:00"},
        "2026-11-30T12:00",
        "2026-12-08T00:00",
        "财政部令第87号 第38条",
    ),
    # A lot that failed: refunded at once (实施条例 第31条 asks for promptness, no number).
    (
        "engineering",
        Role.ENDED,
        {"failed": "2026-11-30T12:00"},
        "2026-11-30T12:00",
        "2026-11-30T12:00",
        "招标投标法实施条例 第31条",
    ),
    # A land sale's losers: no row counts their refund; due when the winner is known.
    (
        "land",
        Role.LOSER,
        {"award_decision": "2026-11-30T12:00"},
        "2026-11-30T12:00",
        "2026-11-30T12:00",
        "",
    ),
]


@pytest.mark.parametrize(("business_type", "role", "instants", "payable", "due", "article"), CASES)
def test_refund_falls_due_by_the_rule_rows(
    business_type: str,
    role: Role,
    instants: dict[str, str],
    payable: str,
    due: str,
    article: str,
) -> None:
    plan = refund_plan(
        business_type=business_type,
        sale=business_type == "land",
        role=role,
        instants={point: at(moment) for point, moment in instants.items()},
        rules=rules(business_type),
        calendar=CALENDAR,
    )
    assert plan.outcome is Outcome.REFUND
    assert plan.payable_at == at(payable)
    assert plan.due_at == at(due)
    assert plan.article == article


@pytest.mark.parametrize(
    ("business_type", "role", "instants"),
    [
        # Engineering losers wait for the contract, not the letter (实施条例 第57条).
        ("engineering", Role.LOSER, {"award_letter": "2026-09-20T10:00"}),
        ("procurement", Role.WINNER, {"award_letter": "2026-09-20T10:00"}),
        ("procurement", Role.LOSER, {"award_decision": "2026-09-20T10:00"}),
    ],
)
def test_refund_waits_for_the_event_its_rule_counts_from(
    business_type: str, role: Role, instants: dict[str, str]
) -> None:
    plan = refund_plan(
        business_type=business_type,
        sale=False,
        role=role,
        instants={point: at(moment) for point, moment in instants.items()},
        rules=rules(business_type),
        calendar=CALENDAR,
    )
    assert plan.outcome is Outcome.REFUND and not plan.scheduled


def test_land_winners_deposit_becomes_earnest_money() -> None:
    plan = refund_plan(
        business_type="land",
        sale=True,
        role=Role.WINNER,
        instants={"contract": at("2026-11-30T12:00")},
        rules=rules("land", "listing"),
        calendar=CALENDAR,
    )
    assert plan.outcome is Outcome.EARNEST and not plan.scheduled


def test_forfeited_deposit_is_never_refunded() -> None:
    plan = refund_plan(
        business_type="engineering",
        sale=False,
        role=Role.FORFEITED,
        instants={"contract": at("2026-11-30T12:00")},
        rules=rules("engineering"),
        calendar=CALENDAR,
    )
    assert plan.outcome is Outcome.KEPT and not plan.scheduled


@pytest.mark.parametrize(
    ("business_type", "role", "interest", "fee"),
    [
        ("engineering", Role.LOSER, True, False),
        ("engineering", Role.WITHDRAWN, False, False),
        ("procurement", Role.LOSER, False, True),
    ],
)
def test_interest_in_engineering_and_late_fee_in_procurement(
    business_type: str, role: Role, interest: bool, fee: bool
) -> None:
    plan = refund_plan(
        business_type=business_type,
        sale=False,
        role=role,
        instants={
            "withdrawal": at("2026-11-30T12:00"),
            "award_letter": at("2026-11-30T12:00"),
            "contract": at("2026-11-30T12:00"),
        },
        rules=rules(business_type),
        calendar=CALENDAR,
    )
    assert (plan.with_interest, plan.late_fee_applies) == (interest, fee)


@pytest.mark.parametrize(
    ("paid", "fee"),
    [
        ("2026-10-12T23:59", "0.00"),  # on the last day: not late
        ("2026-10-13T09:00", "3.13"),  # one day: 20000 × 4.7% × 1.2 / 360
        ("2026-10-22T09:00", "31.33"),  # ten days
    ],
)
def test_late_procurement_refund_accrues_the_late_fee(paid: str, fee: str) -> None:
    """87号令 第38条: the loan benchmark rate plus 20%, for each day past the due day."""
    assert late_fee(
        principal=Decimal("20000.00"),
        due_at=at("2026-10-13T00:00"),
        paid_at=at(paid),
        annual_rate=Decimal("0.047"),
    ) == Decimal(fee)


@pytest.mark.parametrize(
    ("received", "refunded", "interest"),
    [
        ("2026-11-30T10:00", "2026-11-30T18:00", "0.00"),  # the same day: nothing held
        ("2026-11-30T10:00", "2027-01-08T10:00", "7.58"),  # 39 days: 20000 × 0.35% × 39 / 360
    ],
)
def test_engineering_deposits_carry_bank_interest_for_the_days_held(
    received: str, refunded: str, interest: str
) -> None:
    """实施条例 第57条: 投标保证金及银行同期存款利息."""
    assert deposit_interest(
        principal=Decimal("20000.00"),
        received_at=at(received),
        refunded_at=at(refunded),
        annual_rate=Decimal("0.0035"),
    ) == Decimal(interest)
