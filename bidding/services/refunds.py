"""Deposit refunds scheduled from the lot's lifecycle, paid as chronograph due work, and
forfeitures recorded (实施条例 第35、57、74条; 财政部令第87号 第38条).

`refund_schedule_lot` reconciles: from what the lot has become (withdrawals, the award, its letter,
the contract, a failure) it creates the refunds not yet scheduled, so every receiver calling it
may be delivered twice and still schedule once. `refund_pay` is the due work: it pays (or releases
the guarantee) once per refund under the refund's row lock.
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_noop

from bidding.domain.guarantees import STANDING, GuaranteeEvent
from bidding.domain.refunds import Outcome, Role, late_fee, refund_plan
from bidding.guarantee_issuers import IssuerDeclined, get_issuer
from bidding.models import DepositAccount, Enrolment, Forfeiture, Guarantee, RefundDue
from bidding.refund_payers import get_refund_payer
from bidding.services.deposits import deposit_convert_to_earnest, deposit_forfeit, deposit_held
from bidding.services.guarantees import guarantee_advance
from bidding.services.refund_entries import deposit_entry
from trading.clock import Clock, get_clock
from trading.domain.lifecycle import LotStatus
from trading.domain.points import LISTING_FAMILIES, Point
from trading.domain.timeline import SHANGHAI, format_moment, local_date
from trading.lock_objects import lock_lot
from trading.models import Award, Contract, Lot, Tender, User
from trading.selectors.timeline import tender_rulebook
from trading.services.common import fixed_clock, lot_tender, notify, record_text
from trading.translatable import Message

__all__ = [
    "ARTICLE_DECLINED",
    "ARTICLE_REVOKED",
    "forfeiture_record",
    "refund_pay",
    "refund_schedule_lot",
    "revoked_after_deadline",
]

ARTICLE_DECLINED = "招标投标法实施条例 第74条"
ARTICLE_REVOKED = "招标投标法实施条例 第35条"

_ENDED = (LotStatus.FAILED, LotStatus.TERMINATED)


def _tell_the_bidder(
    enrolment: Enrolment, *, kind: str, title: Message, body: Message, now: datetime
) -> None:
    """The enrolment's own bidder, and nobody else, hears of its deposit (法 第22条)."""
    people = User.objects.filter(organisation_id=enrolment.lead_id, is_active=True)
    notify(people, kind=kind, title=title, body=body, now=now)


def _deposit_required(tender: Tender, lot: Lot) -> bool:
    return tender.deposit_form != "none" and (lot.deposit_amount or 0) > 0


def _contract_instant(contract: Contract) -> datetime:
    if local_date(contract.recorded_at) == contract.signed_on:
        return contract.recorded_at
    return datetime.combine(contract.signed_on, time(12), tzinfo=SHANGHAI)


def _organisations(enrolment: Enrolment) -> set[int]:
    return {enrolment.lead_id, *enrolment.members.values_list("organisation_id", flat=True)}


def revoked_after_deadline(enrolment: Enrolment, lot: Lot) -> bool:
    """A bid withdrawn at or after the bid deadline is revoked (撤销): the owner may keep its
    deposit (实施条例 第35条)."""
    withdrawn = enrolment.withdrawn_at
    return withdrawn is not None and lot.closes_at is not None and withdrawn >= lot.closes_at


def refund_schedule_lot(
    *,
    lot_id: int,
    letter_at: datetime | None = None,
    sold_at: datetime | None = None,
    clock: Clock | None = None,
) -> list[RefundDue]:
    """Schedule every refund of the lot that its rule rows now allow; idempotent.

    `letter_at` is the award letter's publication when the event announcing it runs before
    trading has recorded it; `sold_at` the moment a sale found its buyer (the auction's or the
    listing's result), when the losers of a sale are refunded.
    """
    clock = clock or get_clock()
    created: list[RefundDue] = []
    if not Enrolment.objects.filter(lot_id=lot_id).exists():
        return created  # every lot's changes reach here: most have no enrolment to settle
    with transaction.atomic():
        lot = lock_lot(lot_id)
        now = clock()
        tender = lot_tender(lot)
        if not _deposit_required(tender, lot):
            return created
        awards = list(Award.objects.filter(lot=lot).order_by("confirmed_at", "pk"))
        current = next((a for a in awards if a.declined_at is None), None)
        forfeited_orgs = {a.organisation_id for a in awards if a.deposit_forfeited}
        contract = Contract.objects.filter(lot=lot).first()
        instants: dict[str, datetime] = {}
        winners = {current.organisation_id} if current is not None else set()
        sale = tender.procedure.family in LISTING_FAMILIES
        decided = bool(awards)
        if awards:
            instants[Point.AWARD_DECISION] = awards[0].confirmed_at
        elif sale and sold_at is not None:
            buyer = lot.candidates.filter(superseded_at__isnull=True, rank=1).first()
            if buyer is not None:
                winners, decided = {buyer.organisation_id}, True
                instants[Point.AWARD_DECISION] = sold_at
        letter = (current.letter_issued_at if current else None) or letter_at
        if letter is not None:
            instants[Point.AWARD_LETTER] = letter
        if contract is not None:
            instants[Point.CONTRACT] = _contract_instant(contract)
        if lot.status in _ENDED:
            instants[Point.FAILED] = lot.status_changed_at or now
        book = tender_rulebook(tender, now=now)
        project = tender.project
        enrolments = Enrolment.objects.filter(lot=lot).exclude(
            refunds_due__in=RefundDue.objects.filter(transfer__isnull=True)
        )
        for enrolment in enrolments.exclude(forfeiture__isnull=False).order_by("pk"):
            orgs = _organisations(enrolment)
            if enrolment.withdrawn_at is not None:
                if revoked_after_deadline(enrolment, lot):
                    continue  # its deposit is kept: the withdrawal's receiver records why
                role = Role.WITHDRAWN
                enrolment_instants = {**instants, Point.WITHDRAWAL: enrolment.withdrawn_at}
            else:
                enrolment_instants = instants
                if orgs & forfeited_orgs:
                    role = Role.FORFEITED
                elif orgs & winners:
                    role = Role.WINNER
                elif lot.status in _ENDED:
                    role = Role.ENDED
                elif decided:
                    role = Role.LOSER
                else:
                    continue
            plan = refund_plan(
                business_type=project.business_type.code,
                sale=sale,
                role=role,
                instants=enrolment_instants,
                rules=book.rules,
                calendar=book.calendar,
            )
            if plan.outcome is Outcome.EARNEST:
                # A sale's buyer: its deposit becomes 定金 (39号令 第21条); nothing is left after.
                deposit_convert_to_earnest(
                    enrolment=enrolment,
                    reason=record_text(gettext_noop("竞得人的竞买保证金转为定金")),
                    clock=fixed_clock(now),
                )
                continue
            if not plan.scheduled or plan.payable_at is None:
                continue
            refund = RefundDue.objects.create(
                enrolment=enrolment,
                kind=role.value,
                payable_at=plan.payable_at,
                due_at=plan.due_at,
                reason=plan.rule_key,
                article=plan.article,
                with_interest=plan.with_interest,
                late_fee_applies=plan.late_fee_applies,
                idempotency_key=f"deposit-refund:{enrolment.pk}",
                scheduled_at=now,
            )
            deposit_entry(
                lot.pk,
                "deposit.refund_scheduled",
                enrolment,
                {
                    "kind": role.value,
                    "payable_at": plan.payable_at.isoformat(),
                    "due_at": plan.due_at.isoformat() if plan.due_at else None,
                    "article": plan.article,
                },
                now,
            )
            created.append(refund)
    return created


def _standing_guarantee(enrolment: Enrolment) -> Guarantee | None:
    return (
        Guarantee.objects.select_for_update()
        .filter(enrolment=enrolment, state__in=[s.value for s in STANDING])
        .first()
    )


def _guarantee_close(guarantee: Guarantee, event: GuaranteeEvent, now: datetime) -> str:
    """Claim or release the guarantee with its issuer, then record its new state."""
    issuer = get_issuer()
    if event is GuaranteeEvent.CLAIM:
        reference = issuer.claim(guarantee.number, amount=guarantee.amount, reason="forfeiture")
    else:
        reference = issuer.release(guarantee.number)
    guarantee_advance(guarantee, event, now=now)
    return reference


def _holds_cash(enrolment: Enrolment) -> bool:
    account = DepositAccount.objects.filter(enrolment=enrolment).first()
    return account is not None and deposit_held(account) > 0


def refund_pay(refund: RefundDue, now: datetime) -> None:
    """The due work: pay the refund once (or release its guarantee), recording any late fee
    (财政部令第87号 第38条). Runs with the refund's row locked; a paid refund is left alone."""
    if refund.paid_at is not None:
        return
    enrolment = Enrolment.objects.select_related("lot").get(pk=refund.enrolment_id)
    invalid_payment = refund.transfer_id is not None
    # An invalid payment's refund returns that money only; the guarantee stands.
    guarantee = None if invalid_payment else _standing_guarantee(enrolment)
    references = []
    if guarantee is not None:
        try:
            references.append(_guarantee_close(guarantee, GuaranteeEvent.RELEASE, now))
        except IssuerDeclined:
            references.append(f"GUARANTEE-{guarantee.number}")
        refund.guarantee_released = True
    if guarantee is None or _holds_cash(enrolment):
        # Cash beside a released guarantee (a tender taking either) goes back too.
        references.append(get_refund_payer().pay(refund))
    reference = " ".join(references)[:100]
    fee = None
    if refund.late_fee_applies and refund.due_at is not None and not refund.guarantee_released:
        fee = late_fee(
            principal=enrolment.lot.deposit_amount or Decimal("0.00"),
            due_at=refund.due_at,
            paid_at=now,
            annual_rate=Decimal(str(settings.LOAN_BENCHMARK_RATE)),
        )
    refund.paid_at = now
    refund.payment_reference = reference
    refund.late_fee = fee
    refund.save(update_fields=["paid_at", "payment_reference", "late_fee", "guarantee_released"])
    if invalid_payment:
        title = Message(gettext_noop("无效缴款已原路退还：%(code)s"), code=enrolment.lot.code)
        body = Message(
            gettext_noop(
                "投标人编号 %(number)s 未从基本存款账户转出的款项已于 %(paid)s 原路退还。"
            ),
            number=enrolment.bidder_number,
            paid=format_moment(now),
        )
    else:
        title = Message(gettext_noop("投标保证金已退还：%(code)s"), code=enrolment.lot.code)
        body = Message(
            gettext_noop("投标人编号 %(number)s 的投标保证金已于 %(paid)s 退还。"),
            number=enrolment.bidder_number,
            paid=format_moment(now),
        )
    _tell_the_bidder(enrolment, kind="deposit.refunded", title=title, body=body, now=now)
    deposit_entry(
        enrolment.lot_id,
        "deposit.refund_paid",
        enrolment,
        {"reference": reference, "late_fee": str(fee) if fee else None},
        now,
    )


def forfeiture_record(
    *,
    enrolment_id: int,
    reason: str,
    article: str,
    recorded_by: User | None,
    source_event: str,
    clock: Clock | None = None,
) -> Forfeiture | None:
    """Keep the enrolment's deposit: no refund is scheduled, a guarantee is claimed instead of
    released (实施条例 第35、74条). Idempotent; None when its refund was already paid."""
    clock = clock or get_clock()
    with transaction.atomic():
        enrolment = Enrolment.objects.select_related("lot").get(pk=enrolment_id)
        lock_lot(enrolment.lot_id)
        now = clock()
        existing = Forfeiture.objects.filter(enrolment=enrolment).first()
        if existing is not None:
            return existing
        refund = (
            RefundDue.objects.select_for_update()
            .filter(enrolment=enrolment, transfer__isnull=True)
            .first()
        )
        if refund is not None:
            if refund.paid_at is not None:
                return None
            # Scheduled before the forfeiture was known: it is not paid.
            refund.delete()
        forfeiture = Forfeiture.objects.create(
            enrolment=enrolment,
            reason=reason,
            article=article,
            recorded_at=now,
            recorded_by=recorded_by,
            source_event=source_event,
        )
        guarantee = _standing_guarantee(enrolment)
        if guarantee is not None:
            _guarantee_close(guarantee, GuaranteeEvent.CLAIM, now)
        # The cash the sub-account holds is kept: posted to the forfeited account.
        deposit_forfeit(enrolment=enrolment, reason=reason, clock=fixed_clock(now))
        _tell_the_bidder(
            enrolment,
            kind="deposit.forfeited",
            title=Message(gettext_noop("投标保证金不予退还：%(code)s"), code=enrolment.lot.code),
            body=Message(gettext_noop("%(reason)s（%(article)s）"), reason=reason, article=article),
            now=now,
        )
        deposit_entry(
            enrolment.lot_id,
            "deposit.forfeited",
            enrolment,
            {"article": article, "reason": reason},
            now,
        )
    return forfeiture
