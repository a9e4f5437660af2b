"""Collusion signals over opened bids (招标投标法实施条例 第40条)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bidding.domain.collusion import BidFacts, Signal, SignalKind, collusion_signals

A, B, C, D = "甲建设公司", "乙建设公司", "丙建设公司", "丁建设公司"
UA = "Mozilla/5.0 (Windows NT 10.0) Chrome/130"


def _bid(
    bidder: str,
    *,
    document_hashes: Iterable[str] = (),
    authors: Iterable[str] = (),
    project_manager: str = "",
    ip: str = "",
    user_agent: str = "",
    price: str | None = None,
) -> BidFacts:
    return BidFacts(
        bidder=bidder,
        document_hashes=frozenset(document_hashes),
        authors=frozenset(authors),
        project_manager=project_manager,
        ip=ip,
        user_agent=user_agent,
        price=Decimal(price) if price is not None else None,
    )


def _sig(kind: SignalKind, value: str, *bidders: str) -> Signal:
    return Signal(kind, value, tuple(sorted(bidders)))


CASES = [
    pytest.param(
        [_bid(A, document_hashes={"ab" * 32}), _bid(B, document_hashes={"ab" * 32}), _bid(C)],
        [_sig(SignalKind.IDENTICAL_DOCUMENT, "ab" * 32, B, A)],
        id="byte-identical document",
    ),
    pytest.param(
        [_bid(A, authors={"张工"}), _bid(B, authors={" 张工 "}), _bid(C, authors={"李工"})],
        [_sig(SignalKind.SAME_AUTHOR, "张工", B, A)],
        id="same PDF author",
    ),
    pytest.param(
        [_bid(A, authors={""}), _bid(B, authors={""}), _bid(C, authors={"  "})],
        [],
        id="empty authors link no one",
    ),
    pytest.param(
        [_bid(A, authors={"张工"}), _bid(A, authors={"张工"})],
        [],
        id="one bidder alone is no signal",
    ),
    pytest.param(
        [_bid(A, project_manager="王建国"), _bid(B, project_manager="王建国"), _bid(C)],
        [_sig(SignalKind.SAME_PROJECT_MANAGER, "王建国", B, A)],
        id="same project manager",
    ),
    pytest.param(
        [_bid(A, ip="203.0.113.7", user_agent=UA), _bid(B, ip="203.0.113.7", user_agent="curl")],
        [_sig(SignalKind.SAME_IP, "203.0.113.7", B, A)],
        id="same IP, other devices",
    ),
    pytest.param(
        [_bid(A, ip="203.0.113.7", user_agent=UA), _bid(B, ip="203.0.113.7", user_agent=UA)],
        [_sig(SignalKind.SAME_DEVICE, f"203.0.113.7 · {UA}", B, A)],
        id="same IP and user agent: one device line",
    ),
    pytest.param(
        [
            _bid(A, ip="203.0.113.7", user_agent=UA),
            _bid(B, ip="203.0.113.7", user_agent=UA),
            _bid(C, ip="203.0.113.7", user_agent="curl"),
        ],
        [
            _sig(SignalKind.SAME_IP, "203.0.113.7", C, B, A),
            _sig(SignalKind.SAME_DEVICE, f"203.0.113.7 · {UA}", B, A),
        ],
        id="a device inside a larger address group",
    ),
    pytest.param(
        [_bid(A, user_agent=UA), _bid(B, user_agent=UA)],
        [],
        id="a common browser alone is no signal",
    ),
    pytest.param(
        [_bid(A, price="900000"), _bid(B, price="910000.00"), _bid(C, price="920000")],
        [_sig(SignalKind.PRICE_PATTERN, "900000、910000、920000（10000）", B, C, A)],
        id="three prices with equal differences",
    ),
    pytest.param(
        [_bid(A, price="900000"), _bid(B, price="910000"), _bid(C, price="925000")],
        [],
        id="irregular prices",
    ),
    pytest.param(
        [_bid(A, price="900000"), _bid(B, price="910000")],
        [],
        id="two prices are no pattern",
    ),
    pytest.param(
        [
            _bid(A, price="1"),
            _bid(B, price="2"),
            _bid(C, price="3"),
            _bid(D, price="5"),
        ],
        [_sig(SignalKind.PRICE_PATTERN, "1、2、3（1）", B, C, A)],
        id="only the regular run",
    ),
]


@pytest.mark.parametrize(("bids", "expected"), CASES)
def test_signals(bids: list[BidFacts], expected: list[Signal]) -> None:
    assert collusion_signals(bids) == sorted(expected)


def test_each_signal_points_at_its_item_of_article_40() -> None:
    items = {kind: Signal(kind, "x", (A, B)).item for kind in SignalKind}
    assert items[SignalKind.SAME_AUTHOR] == 1
    assert items[SignalKind.SAME_DEVICE] == items[SignalKind.SAME_IP] == 2
    assert items[SignalKind.SAME_PROJECT_MANAGER] == 3
    assert items[SignalKind.IDENTICAL_DOCUMENT] == items[SignalKind.PRICE_PATTERN] == 4


_names = st.sampled_from([A, B, C, D, "戊公司"])
_small = st.sampled_from(["", "x", "X", " x", "y"])
_facts = st.builds(
    BidFacts,
    bidder=_names,
    document_hashes=st.frozensets(st.sampled_from(["h1", "h2", "h3"]), max_size=2),
    authors=st.frozensets(_small, max_size=2),
    project_manager=_small,
    ip=_small,
    user_agent=_small,
    price=st.none() | st.integers(0, 6).map(Decimal),
)


@given(st.lists(_facts, max_size=7), st.randoms())
def test_no_signal_names_one_bidder_alone_and_order_does_not_matter(
    bids: list[BidFacts], random: object
) -> None:
    signals = collusion_signals(bids)
    assert all(len(set(signal.bidders)) >= 2 for signal in signals)
    shuffled = list(bids)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert collusion_signals(shuffled) == signals
