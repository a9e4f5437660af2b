"""Demo histories of the procedures as they really run: a listing's close, a disclosure extended."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from trading.clock import Clock
from trading.domain.lifecycle import Family
from trading.domain.timeline import SHANGHAI
from trading.models import Lot, User


def demo_two_bidders_at_the_close(lot: Lot, staff: User, clock: Clock) -> Lot:
    """Two bidders at a land listing's close, two qualified transferees at a disclosure's."""
    from trading.services.procedures import lot_record_listing_close, lot_record_transferees

    if lot.tender.procedure.family == Family.LISTING:
        return lot_record_listing_close(lot=lot, bidders=2, actor=staff, clock=clock)
    return lot_record_transferees(lot=lot, count=2, actor=staff, clock=clock)


def demo_disclosure_extended(
    lot: Lot, staff: User, owner: User, clock: Any, after_close: datetime, today: datetime
) -> None:
    """No qualified transferee at the close (32号令 第18条); the transferor extends it once."""
    from trading.services.procedures import lot_extend_disclosure, lot_record_transferees

    lot = lot_record_transferees(lot=lot, count=0, actor=staff, clock=clock.at(after_close))
    # Each extension ≥ 5 工作日 (企业国有产权交易操作规则 第20条): ten days from today.
    # 17:00 in Shanghai, the hour a center closes a disclosure, whatever zone `today` is in.
    local = today.astimezone(SHANGHAI) + timedelta(days=10)
    new_end = local.replace(hour=17, minute=0, second=0, microsecond=0)
    lot_extend_disclosure(
        lot=lot, closes_at=new_end, actor=owner, clock=clock.at(after_close + timedelta(hours=2))
    )
