"""The deposit books: every posting balances, no sub-account goes below zero."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bidding.domain import books
from bidding.domain.books import Overdrawn, Posting, PostingError

CENTS = st.integers(min_value=1, max_value=10_000_000).map(lambda c: Decimal(c) / 100)
OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["pay", "refund", "interest", "forfeit", "earnest", "overdraw"]),
        st.integers(min_value=1, max_value=4),  # the enrolment
        CENTS,
    ),
    max_size=60,
)


def _apply(postings: list[Posting], operation: str, enrolment: int, amount: Decimal) -> None:
    holding = books.held(postings, books.sub_account(enrolment))
    if operation == "pay":
        postings.append(books.payment_received(enrolment, amount))
    elif operation == "refund" and holding > 0:
        postings.append(books.refund_decided(enrolment, holding, holding=holding))
        postings.append(books.refund_paid(holding))
    elif operation == "interest":
        # Paid from the platform's interest account, never out of a sub-account (第57条).
        postings.append(books.interest_paid(amount))
    elif operation == "forfeit" and holding > 0:
        postings.append(books.forfeiture(enrolment, holding, holding=holding))
    elif operation == "earnest" and holding > 0:
        postings.append(books.earnest_conversion(enrolment, holding, holding=holding))
    elif operation == "overdraw":
        with pytest.raises(Overdrawn):
            books.refund_decided(enrolment, holding + amount, holding=holding)


@settings(max_examples=200, deadline=None)
@given(OPERATIONS)
def test_any_sequence_of_payments_refunds_and_forfeitures_keeps_the_books_balanced(
    operations: list[tuple[str, int, Decimal]],
) -> None:
    postings: list[Posting] = []
    paid_in = Decimal("0")
    for operation, enrolment, amount in operations:
        _apply(postings, operation, enrolment, amount)
        if operation == "pay":
            paid_in += amount
    totals = books.balances(postings)
    assert sum(totals.values(), Decimal("0")) == 0
    for enrolment in range(1, 5):
        assert books.held(postings, books.sub_account(enrolment)) >= 0
    # Whatever came in is still held, was paid back, or was kept: nothing vanished or doubled.
    refunded = sum((p.amount for p in postings if p.debit == books.REFUNDS_PAYABLE), Decimal(0))
    kept = sum(
        (
            -v
            for k, v in totals.items()
            if k.startswith(books.EARNEST_PREFIX) or k == books.FORFEITED
        ),
        Decimal(0),
    )
    held = sum((books.held(postings, books.sub_account(e)) for e in range(1, 5)), Decimal(0))
    assert paid_in == held + refunded + kept
    assert totals.get(books.REFUNDS_PAYABLE, Decimal(0)) == 0
    # The clearing account is what came in, less what went back and the interest paid.
    interest = totals.get(books.INTEREST_PAID, Decimal(0))
    assert totals.get(books.CLEARING, Decimal(0)) == paid_in - refunded - interest


@pytest.mark.parametrize(
    ("debit", "credit", "amount"),
    [
        ("clearing", "clearing", Decimal("1.00")),
        ("clearing", "sub:1", Decimal("0")),
        ("clearing", "sub:1", Decimal("-5.00")),
        ("clearing", "sub:1", Decimal("1.005")),
        ("clearing", "sub:1", Decimal("NaN")),
    ],
)
def test_a_posting_refuses_equal_accounts_and_amounts_not_positive_to_the_fen(
    debit: str, credit: str, amount: Decimal
) -> None:
    with pytest.raises(PostingError):
        Posting(debit=debit, credit=credit, amount=amount)


def test_a_forfeiture_cannot_take_more_than_the_sub_account_holds() -> None:
    postings = [books.payment_received(7, Decimal("100.00"))]
    with pytest.raises(Overdrawn):
        books.forfeiture(7, Decimal("100.01"), holding=books.held(postings, "sub:7"))
