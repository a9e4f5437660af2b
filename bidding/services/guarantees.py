"""Deposit guarantees: apply through the issuer adapter, or register one already issued; the
platform verifies each against the lot (招标投标法实施条例 第26条; 政府采购法实施条例 第33条)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bidding.domain.guarantees import (
    GuaranteeEvent,
    GuaranteeKind,
    GuaranteeState,
    guarantee_next,
    verification_problems,
)
from bidding.guarantee_issuers import GuaranteeApplication, IssuerDeclined, get_issuer
from bidding.models import Enrolment, Guarantee
from bidding.selectors.refunds import enrolment_deposit_get
from bidding.services.refund_entries import deposit_entry
from trading.clock import Clock, get_clock
from trading.domain.amounts import format_amount
from trading.domain.timeline import end_of_day, format_moment, local_date
from trading.lock_objects import lock_lot
from trading.models import Lot, User
from trading.services.common import record_text

__all__ = [
    "bid_valid_until",
    "guarantee_advance",
    "guarantee_apply",
    "guarantee_register",
]

NUMBER_MAX = 128


def bid_valid_until(lot: Lot) -> datetime:
    """The end of the bid validity a guarantee must cover: the days the tender documents set,
    counted from the bid deadline (实施条例 第25、26条)."""
    closes = lot.closes_at
    if closes is None:
        raise ValidationError(_("本标段尚未确定投标截止时间，暂不能办理保函。"), code="no_deadline")
    return end_of_day(local_date(closes) + timedelta(days=settings.BID_VALIDITY_DAYS))


def guarantee_advance(guarantee: Guarantee, event: GuaranteeEvent, *, now: datetime) -> None:
    """Move a locked guarantee by `event` under the table (bidding.domain.guarantees)."""
    after = guarantee_next(GuaranteeState(guarantee.state), event)
    guarantee.state = after.value
    fields = ["state"]
    if event is GuaranteeEvent.VERIFY:
        guarantee.verified_at = now
        fields.append("verified_at")
    if after in (GuaranteeState.CLAIMED, GuaranteeState.RELEASED, GuaranteeState.EXPIRED):
        guarantee.closed_at = now
        fields.append("closed_at")
    guarantee.save(update_fields=fields)
    deposit_entry(
        guarantee.enrolment.lot_id,
        f"guarantee.{after.value}",
        guarantee.enrolment,
        {"guarantee": guarantee.pk, "kind": guarantee.kind, "number": guarantee.number},
        now,
    )


def _kind(kind: str) -> GuaranteeKind:
    try:
        return GuaranteeKind(kind)
    except ValueError:
        raise ValidationError({"kind": _("请选择电子保函或保证保险。")}, code="kind") from None


def _may_apply(enrolment: Enrolment) -> None:
    view = enrolment_deposit_get(enrolment)
    if not view.guarantee_allowed:
        raise ValidationError(
            _("本项目的招标文件不接受以保函代替现金保证金。"), code="guarantee_not_allowed"
        )
    if not view.can_apply:
        raise ValidationError(
            _("本报名已有办理中或有效的保函，或保证金已退还、不予退还。"), code="guarantee_open"
        )


def _verify(guarantee: Guarantee, lot: Lot, *, now: datetime) -> None:
    """The platform's check of an issued guarantee: refused, with every reason, or verified."""
    owner = lot.tender.project.owner
    bid_until = bid_valid_until(lot)
    problems = verification_problems(
        amount=guarantee.amount,
        required_amount=lot.deposit_amount or Decimal("0.00"),
        valid_until=guarantee.valid_until or now,
        bid_valid_until=bid_until,
        beneficiary_uscc=guarantee.beneficiary_uscc,
        owner_uscc=owner.uscc,
    )
    if not problems:
        guarantee_advance(guarantee, GuaranteeEvent.VERIFY, now=now)
        return
    texts = {
        "amount": record_text(
            gettext_noop("担保金额 %(amount)s 元低于本标段保证金 %(required)s 元。"),
            amount=format_amount(guarantee.amount),
            required=format_amount(lot.deposit_amount or 0),
        ),
        "validity": record_text(
            gettext_noop(
                "保函有效期至 %(until)s，未覆盖投标有效期（至 %(required)s）"
                "（招标投标法实施条例 第26条）。"
            ),
            until=format_moment(guarantee.valid_until or now),
            required=format_moment(bid_until),
        ),
        "beneficiary": record_text(
            gettext_noop("保函受益人不是本项目招标人（%(owner)s，%(uscc)s）。"),
            owner=owner.name,
            uscc=owner.uscc,
        ),
    }
    guarantee.refused_reason = " ".join(texts[p.code] for p in problems)
    guarantee.save(update_fields=["refused_reason"])
    guarantee_advance(guarantee, GuaranteeEvent.REFUSE, now=now)


def guarantee_apply(
    *, enrolment: Enrolment, kind: str, actor: User, clock: Clock | None = None
) -> Guarantee:
    """Apply to the issuer for a guarantee of the lot's deposit, to the owner, for the bid's
    validity; the issued guarantee is verified at once."""
    guarantee_kind = _kind(kind)
    clock = clock or get_clock()
    issuer = get_issuer()
    with transaction.atomic():
        lot = lock_lot(enrolment.lot_id)
        enrolment = Enrolment.objects.select_related("lot__tender__project__owner").get(
            pk=enrolment.pk
        )
        now = clock()
        _may_apply(enrolment)
        owner = enrolment.lot.tender.project.owner
        guarantee = Guarantee.objects.create(
            enrolment=enrolment,
            kind=guarantee_kind.value,
            issuer_code=issuer.code,
            amount=lot.deposit_amount,
            beneficiary_name=owner.name,
            beneficiary_uscc=owner.uscc,
            valid_until=bid_valid_until(lot),
            applied_at=now,
            applied_by=actor,
        )
        try:
            issued = issuer.apply(
                GuaranteeApplication(
                    kind=guarantee_kind.value,
                    applicant_uscc=enrolment.lead.uscc,
                    beneficiary_uscc=owner.uscc,
                    beneficiary_name=owner.name,
                    amount=guarantee.amount,
                    valid_until=bid_valid_until(lot),
                    reference=f"guarantee:{guarantee.pk}",
                )
            )
        except IssuerDeclined as declined:
            guarantee.refused_reason = str(declined)
            guarantee.save(update_fields=["refused_reason"])
            guarantee_advance(guarantee, GuaranteeEvent.DECLINE, now=now)
            return guarantee
        guarantee.number = issued.number
        guarantee.issuer_name = issued.issuer_name
        guarantee.amount = issued.amount
        guarantee.beneficiary_uscc = issued.beneficiary_uscc
        guarantee.valid_until = issued.valid_until
        guarantee.issued_at = now
        guarantee.save()
        guarantee_advance(guarantee, GuaranteeEvent.ISSUE, now=now)
        _verify(guarantee, enrolment.lot, now=now)
    return guarantee


def guarantee_register(
    *, enrolment: Enrolment, kind: str, number: str, actor: User, clock: Clock | None = None
) -> Guarantee:
    """Register a guarantee the bidder obtained from the issuer, by its number: the platform
    reads its terms from the issuer and verifies them (refused, with the reasons, otherwise)."""
    guarantee_kind = _kind(kind)
    number = (number or "").strip()
    if not number or len(number) > NUMBER_MAX:
        raise ValidationError({"number": _("请填写保函编号。")}, code="number")
    clock = clock or get_clock()
    issuer = get_issuer()
    issued = issuer.status(number)
    if issued is None:
        raise ValidationError(
            {"number": _("出具机构查无此编号的保函，请核对编号。")}, code="unknown_number"
        )
    with transaction.atomic():
        lot = lock_lot(enrolment.lot_id)
        enrolment = Enrolment.objects.select_related("lot__tender__project__owner").get(
            pk=enrolment.pk
        )
        now = clock()
        _may_apply(enrolment)
        if Guarantee.objects.filter(issuer_code=issuer.code, number=number).exists():
            raise ValidationError(
                {"number": _("这一保函已在平台登记过，不能重复使用。")}, code="duplicate_number"
            )
        owner = lot.tender.project.owner
        guarantee = Guarantee.objects.create(
            enrolment=enrolment,
            kind=guarantee_kind.value,
            state=GuaranteeState.ISSUED.value,
            issuer_code=issuer.code,
            issuer_name=issued.issuer_name,
            number=issued.number,
            amount=issued.amount,
            beneficiary_name=owner.name if issued.beneficiary_uscc == owner.uscc else "",
            beneficiary_uscc=issued.beneficiary_uscc,
            valid_until=issued.valid_until,
            applied_at=now,
            applied_by=actor,
            issued_at=now,
        )
        _verify(guarantee, enrolment.lot, now=now)
    return guarantee
