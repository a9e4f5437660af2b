"""The lifecycle of a lot: statuses, events and one transition table per procedure family.

Pure: no Django, no clock. `trading.services.lots` applies a transition under the lot's lock and
writes the ledger entry with it; the chronograph fires the timed events.
"""

from __future__ import annotations

import enum


class TenderStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    PUBLISHED = "published"


class LotStatus(enum.StrEnum):
    DRAFT = "draft"  # its tender is a draft or under review
    PUBLISHED = "published"  # announced; bidding not open yet
    BIDDING = "bidding"  # enrolment and bids (or listing bids) accepted
    OPENING = "opening"  # bid deadline reached: the opening session (法 第34条)
    AUCTION = "auction"  # live or timed bidding (限时竞价)
    EVALUATION = "evaluation"  # expert committee at work
    PUBLICITY = "publicity"  # candidates or result publicised
    AWARDED = "awarded"  # award confirmed, letter issued
    CONTRACTED = "contracted"  # contract recorded
    CLOSED = "closed"
    FAILED = "failed"  # 流标 / 流拍
    TERMINATED = "terminated"


TERMINAL = frozenset({LotStatus.CLOSED, LotStatus.FAILED, LotStatus.TERMINATED})
