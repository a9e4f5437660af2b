"""bdrefunds: the outbox receivers and due work that schedule, pay and withhold deposit refunds.

Every receiver is idempotent (the outbox delivers at least once): scheduling reconciles with what
is already scheduled, a forfeiture is recorded once per enrolment, a refund is paid once.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_noop

from bidding.domain.guarantees import STANDING, GuaranteeEvent
from bidding.models import Enrolment, Guarantee, RefundDue
from bidding.services.guarantees import guarantee_advance
from bidding.services.refunds import (
    ARTICLE_DECLINED,
    ARTICLE_REVOKED,
    forfeiture_record,
    refund_pay,
    refund_schedule_lot,
    revoked_after_deadline,
)
from trading.chronograph import DueWork, register_due_work
from trading.events import receiver
from trading.models import Award, Lot, OutboxEvent
from trading.services.common import record_text


@receiver("lot.status_changed", name="bidding.refunds_on_lot_change")
def refunds_on_lot_change(event: OutboxEvent) -> None:
    """A sale, an award, a contract, a failure or a termination may release refunds."""
    sold = event.payload.get("event") == "sold"
    refund_schedule_lot(
        lot_id=int(event.payload["lot"]), sold_at=event.occurred_at if sold else None
    )


@receiver("award.letter_published", name="bidding.refunds_on_award_letter")
def refunds_on_award_letter(event: OutboxEvent) -> None:
    """The award letter is out: procurement losers' refunds run from it (87号令 第38条)."""
    published = event.payload.get("published_at")
    refund_schedule_lot(
        lot_id=int(event.payload["lot"]),
        letter_at=datetime.fromisoformat(str(published)) if published else None,
    )


@receiver("deposit.forfeiture_due", name="bidding.forfeiture_on_decline")
def forfeiture_on_decline(event: OutboxEvent) -> None:
    """The winner declined or did not sign: its deposit is kept (实施条例 第74条)."""
    lot_id = int(event.payload["lot"])
    organisation = int(event.payload["organisation"])
    award = Award.objects.filter(pk=event.payload.get("award")).first()
    enrolment = (
        Enrolment.objects.filter(lot_id=lot_id)
        .filter(Q(lead_id=organisation) | Q(members__organisation_id=organisation))
        .distinct()
        .first()
    )
    if enrolment is None:
        return  # a winner recorded before enrolments existed on the platform
    forfeiture_record(
        enrolment_id=enrolment.pk,
        reason=str(event.payload.get("reason", "")),
        article=ARTICLE_DECLINED,
        recorded_by=award.declined_by if award is not None else None,
        source_event=f"outbox:{event.pk}",
    )


@receiver("enrolment.withdrawn", name="bidding.refunds_on_withdrawal")
def refunds_on_withdrawal(event: OutboxEvent) -> None:
    """A withdrawal before the deadline is refunded (实施条例 第35条, 87号令 第38条); a bid
    revoked after it keeps its deposit (实施条例 第35条: 投标截止后投标人撤销投标文件的，
    招标人可以不退还投标保证金)."""
    enrolment = Enrolment.objects.select_related("lot").get(pk=int(event.payload["enrolment"]))
    lot: Lot = enrolment.lot
    if revoked_after_deadline(enrolment, lot):
        forfeiture_record(
            enrolment_id=enrolment.pk,
            reason=record_text(gettext_noop("投标截止后撤销投标文件")),
            article=ARTICLE_REVOKED,
            recorded_by=enrolment.enrolled_by,
            source_event=f"outbox:{event.pk}",
        )
        return
    refund_schedule_lot(lot_id=lot.pk)


def _refunds_payable(now: datetime) -> QuerySet[RefundDue]:
    return RefundDue.objects.filter(paid_at__isnull=True, payable_at__lte=now)


def _guarantees_lapsed(now: datetime) -> QuerySet[Guarantee]:
    return Guarantee.objects.filter(
        state__in=[s.value for s in STANDING], valid_until__isnull=False, valid_until__lte=now
    )


def _guarantee_expire(guarantee: Guarantee, now: datetime) -> None:
    guarantee_advance(guarantee, GuaranteeEvent.EXPIRE, now=now)


REFUNDS = DueWork(name="bidding.refunds", due=_refunds_payable, advance=refund_pay)
GUARANTEE_EXPIRY = DueWork(
    name="bidding.guarantee_expiry", due=_guarantees_lapsed, advance=_guarantee_expire
)
register_due_work(REFUNDS)
register_due_work(GUARANTEE_EXPIRY)
