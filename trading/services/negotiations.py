"""The negotiation record of a negotiated procedure: who took part, what was agreed, at what price.

Single source (政府采购法 第39条), 协议出让, 挂网 and 谈判 have no opening and no bid count: when
the response period ends the parties negotiate, and the desk records the negotiation — the parties,
the party agreed with and the price, and a summary of the minutes. Agreement publicises the result
(the agreed party is the one candidate the owner then confirms); no agreement fails the lot.
竞争性谈判 and 磋商 need as many parties as the procedure's minimum (政府采购法 第38条: 不少于三家).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from trading.clock import Clock, get_clock
from trading.domain.lifecycle import LotEvent, LotStatus
from trading.events import event_emit
from trading.lock_objects import lock_lot
from trading.models import Candidate, Lot, NegotiationRecord, Organisation, User
from trading.participants import lot_participant_require
from trading.selectors.access import Purpose, access_lot, owner_side_users
from trading.services.common import fixed_clock, ledger, lot_tender, money, notify, record_text
from trading.services.lot_state import lot_require, lot_transition
from trading.translatable import Message

__all__ = ["lot_record_negotiation"]


def lot_record_negotiation(
    *,
    lot: Lot,
    parties: list[Organisation],
    agreed: bool,
    minutes: str,
    winner: Organisation | None = None,
    price: Decimal | None = None,
    actor: User,
    clock: Clock | None = None,
) -> NegotiationRecord:
    """Record the negotiation (谈判/协商记录); agreement starts the result's publicity."""
    access_lot(actor, lot.pk, purpose=Purpose.OPERATE)
    minutes = (minutes or "").strip()
    if not minutes:
        raise ValidationError({"minutes": _("请填写谈判（协商）纪要摘要。")}, code="minutes")
    if not parties:
        raise ValidationError({"parties": _("请选择参与谈判（协商）的各方。")}, code="parties")
    if len({party.pk for party in parties}) != len(parties):
        raise ValidationError({"parties": _("同一方不能重复列出。")}, code="duplicate")
    for party in parties:
        lot_participant_require(lot, party, "parties")
    if agreed:
        if winner is None or winner.pk not in {party.pk for party in parties}:
            raise ValidationError(
                {"winner": _("成交方须为参与谈判（协商）的一方。")}, code="winner"
            )
        price = money(price, "price")
    clock = clock or get_clock()
    with transaction.atomic():
        lot = lock_lot(lot.pk)
        if lot.suspended_at is not None:
            raise ValidationError(_("标段暂停中，不能登记谈判记录。"), code="suspended")
        now = clock()
        tender = lot_tender(lot)
        event = LotEvent.NEGOTIATED if agreed else LotEvent.NO_AGREEMENT
        # Government procurement publicises no candidates (政府采购法实施条例 第43条): the lot
        # stays in negotiation with its record until the purchaser awards from it.
        publicity = tender.procedure.candidate_publicity
        if agreed and not publicity:
            if (
                lot.status != LotStatus.NEGOTIATION
                or lot.negotiations.filter(agreed=True, superseded_at__isnull=True).exists()
            ):
                raise ValidationError(
                    _("标段当前状态为“%(status)s”，不能进行此操作。")
                    % {"status": lot.get_status_display()},
                    code="illegal_transition",
                )
        else:
            lot_require(lot, tender, event)
        minimum = tender.procedure.min_bids
        if agreed and len(parties) < minimum:
            raise ValidationError(
                {
                    "parties": _(
                        "参与谈判（协商）的不足 %(n)s 家，不能成交；请登记为未成交（流标）。"
                    )
                    % {"n": minimum}
                },
                code="too_few",
            )
        record = NegotiationRecord.objects.create(
            lot=lot,
            parties=[{"organisation": p.pk, "name": p.name, "uscc": p.uscc} for p in parties],
            agreed=agreed,
            winner=winner if agreed else None,
            price=price if agreed else None,
            minutes=minutes,
            recorded_by=actor,
            recorded_at=now,
        )
        payload = {
            "negotiation": record.pk,
            "parties": [p.pk for p in parties],
            "agreed": agreed,
            "price": str(price) if agreed else None,
        }
        fields: tuple[str, ...] = ("failure_reason",)
        if agreed and winner is not None and price is not None:
            Candidate.objects.create(
                lot=lot,
                rank=1,
                organisation=winner,
                name=winner.name,
                uscc=winner.uscc,
                price=price,
            )
            if not publicity:
                notify(
                    owner_side_users(tender.project),
                    kind="lot.negotiated",
                    title=Message(
                        gettext_noop("谈判（协商）已达成一致，请确定成交供应商：%(code)s"),
                        code=lot.code,
                    ),
                    now=now,
                )
                ledger(
                    tender,
                    action="lot.negotiation_recorded",
                    actor=actor,
                    obj=lot,
                    payload=payload,
                    now=now,
                )
                return record
            # The result's publicity runs from its notice's publication (实施条例 第54条).
            event_emit(
                kind="lot.candidates_published",
                subject=f"lot:{lot.pk}",
                payload={"lot": lot.pk, "tender": tender.pk},
                clock=fixed_clock(now),
            )
            notify(
                owner_side_users(tender.project),
                kind="lot.negotiated",
                title=Message(
                    gettext_noop("谈判（协商）成交，结果公示待交易中心发布：%(code)s"),
                    code=lot.code,
                ),
                now=now,
            )
        else:
            lot.failure_reason = record_text(
                gettext_noop("谈判（协商）未达成一致：%(minutes)s"), minutes=minutes
            )
            event_emit(
                kind="lot.failed",
                subject=f"lot:{lot.pk}",
                payload={"lot": lot.pk, "tender": tender.pk, "no_agreement": True},
                clock=fixed_clock(now),
            )
            notify(
                owner_side_users(tender.project),
                kind="lot.failed",
                title=Message(gettext_noop("谈判（协商）未成交：%(code)s"), code=lot.code),
                body=minutes[:200],
                now=now,
            )
        lot_transition(lot, tender, event, actor=actor, now=now, payload=payload, fields=fields)
    return record
