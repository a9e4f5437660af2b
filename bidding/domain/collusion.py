"""Collusion signals (围标串标预警) over one lot's opened bids (招标投标法实施条例 第40条).

Each signal names the bidders it links and the item of 第40条 it points at; it is a lead for the
regulator, not a finding. Pure: the caller gathers the opened bids' facts.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["BidFacts", "Signal", "SignalKind", "collusion_signals"]


class SignalKind(enum.StrEnum):
    # 第40条第（四）项: 投标文件异常一致.
    IDENTICAL_DOCUMENT = "identical_document"
    # 第40条第（一）项: 投标文件由同一单位或者个人编制.
    SAME_AUTHOR = "same_author"
    # 第40条第（三）项: 载明的项目管理成员为同一人.
    SAME_PROJECT_MANAGER = "same_project_manager"
    # 第40条第（二）项: 委托同一单位或者个人办理投标事宜 — submitted from one place or device.
    SAME_IP = "same_ip"
    SAME_DEVICE = "same_device"
    # 第40条第（四）项: 投标报价呈规律性差异.
    PRICE_PATTERN = "price_pattern"


# The item (项) of 实施条例 第40条 each kind points at.
ARTICLE_ITEM: dict[SignalKind, int] = {
    SignalKind.IDENTICAL_DOCUMENT: 4,
    SignalKind.SAME_AUTHOR: 1,
    SignalKind.SAME_PROJECT_MANAGER: 3,
    SignalKind.SAME_IP: 2,
    SignalKind.SAME_DEVICE: 2,
    SignalKind.PRICE_PATTERN: 4,
}


@dataclass(frozen=True)
class BidFacts:
    """What the opening revealed of one bidder's bid; `bidder` is its name, unique in the lot."""

    bidder: str
    document_hashes: frozenset[str] = frozenset()
    authors: frozenset[str] = frozenset()
    project_manager: str = ""
    ip: str = ""
    user_agent: str = ""
    price: Decimal | None = None


@dataclass(frozen=True, order=True)
class Signal:
    """Two or more bidders linked by one shared fact (实施条例 第40条, item `item`)."""

    kind: SignalKind
    value: str
    bidders: tuple[str, ...] = field(default=())

    @property
    def item(self) -> int:
        return ARTICLE_ITEM[self.kind]


def _norm(text: str) -> str:
    return " ".join(text.split())


def _shared(kind: SignalKind, pairs: Iterable[tuple[Hashable, str, str]]) -> dict[Hashable, Signal]:
    """(key, shown value, bidder) → one signal per key that two or more bidders share."""
    who: dict[Hashable, set[str]] = defaultdict(set)
    shown: dict[Hashable, str] = {}
    for key, value, bidder in pairs:
        who[key].add(bidder)
        # The same key may be written differently ("Zhang" / "zhang"): show one, whatever the order.
        shown[key] = min(shown.get(key, value), value)
    return {
        key: Signal(kind, shown[key], tuple(sorted(bidders)))
        for key, bidders in who.items()
        if len(bidders) > 1
    }


def _price_runs(bids: Sequence[BidFacts]) -> list[Signal]:
    """Three or more distinct prices, adjacent in order, with one common difference."""
    at: dict[Decimal, set[str]] = defaultdict(set)
    for bid in bids:
        if bid.price is not None and bid.price.is_finite():
            at[bid.price.normalize()].add(bid.bidder)
    values = sorted(at)
    signals = []
    start = 0
    while start + 2 < len(values):
        step = values[start + 1] - values[start]
        end = start + 1
        while end + 1 < len(values) and values[end + 1] - values[end] == step:
            end += 1
        if end - start >= 2:
            run = values[start : end + 1]
            bidders = sorted({name for value in run for name in at[value]})
            shown = "、".join(f"{value:f}" for value in run) + f"（{step.normalize():f}）"
            # A pattern among one bidder's own figures says nothing about collusion.
            if len(bidders) >= 2:
                signals.append(Signal(SignalKind.PRICE_PATTERN, shown, tuple(bidders)))
        start = end
    return signals


def collusion_signals(bids: Sequence[BidFacts]) -> list[Signal]:
    """The lot's collusion signals (实施条例 第40条), each naming two or more bidders, sorted."""
    signals: list[Signal] = []
    signals += _shared(
        SignalKind.IDENTICAL_DOCUMENT,
        ((digest, digest, bid.bidder) for bid in bids for digest in bid.document_hashes if digest),
    ).values()
    signals += _shared(
        SignalKind.SAME_AUTHOR,
        (
            (_norm(author).casefold(), _norm(author), bid.bidder)
            for bid in bids
            for author in bid.authors
            if _norm(author)
        ),
    ).values()
    signals += _shared(
        SignalKind.SAME_PROJECT_MANAGER,
        (
            (_norm(bid.project_manager), _norm(bid.project_manager), bid.bidder)
            for bid in bids
            if _norm(bid.project_manager)
        ),
    ).values()
    by_ip = _shared(
        SignalKind.SAME_IP, ((bid.ip, bid.ip, bid.bidder) for bid in bids if bid.ip.strip())
    )
    by_device = _shared(
        SignalKind.SAME_DEVICE,
        (
            ((bid.ip, bid.user_agent), f"{bid.ip} · {bid.user_agent}", bid.bidder)
            for bid in bids
            if bid.ip.strip() and bid.user_agent.strip()
        ),
    )
    # One line per group: the same device says more than the same address it implies.
    device_groups = {(key[0], signal.bidders) for key, signal in by_device.items()}  # type: ignore[index]
    signals += [s for key, s in by_ip.items() if (key, s.bidders) not in device_groups]
    signals += by_device.values()
    signals += _price_runs(bids)
    return sorted(signals)
