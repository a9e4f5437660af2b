"""The demo's deposits: enrolments put in each state through the local bank, as bidders would.

`make run` seeds them after the demo's enrolments (`deposit_demo_seed`, registered in
BiddingConfig.ready): paid from the basic account, short, paid from another account (invalid on a
must-tender engineering lot, returned at the next tick), refunded by the chronograph after the
award letter, and a verified guarantee instead of cash.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bidding.adapters.bank import Delivery, LocalBank
from bidding.domain.bank_messages import CreditNotice
from bidding.models import (
    BankTransfer,
    DepositAccount,
    Enrolment,
    Guarantee,
    LocalBankMovement,
    OrganisationProfile,
)
from bidding.services.deposits import (
    deposit_account_open,
    deposit_notification_receive,
    deposit_refund_pay,
)
from bidding.services.guarantees import guarantee_apply
from trading.clock import get_clock
from trading.domain.lifecycle import LotStatus
from trading.models import Lot, User
from trading.services.common import fixed_clock, money, record_text

# What `deposit_demo_states` can put a deposit in.
STATES = ("paid", "short", "other_account", "refunded", "guarantee")
_ACCOUNT = re.compile(r"^[0-9]{6,40}$")


def deposit_demo_pay(
    *,
    enrolment: Enrolment,
    account: DepositAccount,
    payer_account: str,
    amount: str,
    bank: LocalBank,
) -> Delivery:
    """The demo bank's counter: move `amount` from `payer_account` into the sub-account, then
    notify the platform as a bank does. Bad input is refused whole, nothing moved."""
    errors: dict[str, list[str]] = {}
    try:
        value = money(amount, "amount")
        if value <= 0:
            raise ValidationError({"amount": _("金额须大于零。")})
    except ValidationError as error:
        errors.update(error.message_dict)
    if not _ACCOUNT.match(payer_account):
        errors["payer_account"] = [_("付款账号须为 6 至 40 位数字。")]
    if errors:
        raise ValidationError(errors)
    return bank.transfer_in(
        CreditNotice(
            transfer_id=f"DEMO{secrets.token_hex(8).upper()}",
            account_number=account.number,
            amount=value,
            payer_account=payer_account,
            payer_name=enrolment.lead.name[:200],
            payer_bank=record_text(gettext_noop("演示银行")),
        ),
        now=get_clock()(),
    )


OTHER_ACCOUNT = "6222020000000000001"


def _basic_account(enrolment: Enrolment) -> str:
    profile = OrganisationProfile.objects.filter(organisation_id=enrolment.lead_id).first()
    return (profile.basic_account_number if profile else "") or OTHER_ACCOUNT


def _credit(enrolment: Enrolment, amount: Decimal, payer: str, at: datetime) -> None:
    """A transfer into the sub-account as the local bank records and notifies it, at `at` (the
    demo's histories happened in the past; the bank's notification then carried that moment)."""
    account = deposit_account_open(enrolment=enrolment, now=at)
    notice = CreditNotice(
        transfer_id=f"DEMO{secrets.token_hex(8).upper()}",
        account_number=account.number,
        amount=amount,
        payer_account=payer,
        payer_name=enrolment.lead.name[:200],
        payer_bank=record_text(gettext_noop("演示银行")),
    )
    LocalBankMovement.objects.create(
        key=notice.transfer_id,
        account_number=account.number,
        counterparty=payer,
        amount=amount,
        moved_at=at,
    )
    deposit_notification_receive(notice=notice, nonce=secrets.token_hex(16), clock=fixed_clock(at))


def _deposit_put(enrolment: Enrolment, state: str, at: datetime) -> bool:
    """Put one enrolment's deposit in `state` as of `at`; False when the lot cannot show it."""
    due = enrolment.lot.deposit_amount
    if due <= 0:
        return False
    basic = _basic_account(enrolment)
    if state == "guarantee":
        guarantee_apply(
            enrolment=enrolment,
            kind="bank",
            actor=enrolment.enrolled_by or User.objects.get(organisation_id=enrolment.lead_id),
            clock=fixed_clock(at),
        )
        return Guarantee.objects.filter(enrolment=enrolment, state="verified").exists()
    if state == "short":
        _credit(enrolment, (due / 2).quantize(Decimal("0.01")), basic, at)
    elif state == "other_account":
        # Returned at the next tick (实施条例 第26条), then paid again from the basic account.
        _credit(enrolment, due, OTHER_ACCOUNT, at)
        _credit(enrolment, due, basic, at + timedelta(minutes=20))
    else:
        _credit(enrolment, due, basic, at)
        if state == "refunded":
            deposit_refund_pay(
                enrolment=enrolment,
                reason=record_text(gettext_noop("演示：撤回投标文件后退还")),
                bank=LocalBank(),
                clock=fixed_clock(at + timedelta(hours=1)),
            )
    return True


def deposit_demo_states(
    plan: Sequence[tuple[Enrolment, str]], *, at: datetime | None = None
) -> dict[int, str]:
    """Put each enrolment of `plan` in its state (one of STATES) as of `at`; an enrolment that
    already has money or a guarantee is left alone. Which state each got."""
    done: dict[int, str] = {}
    for enrolment, state in plan:
        if state not in STATES:
            raise ValueError(f"unknown demo deposit state {state!r}")
        if (
            BankTransfer.objects.filter(account__enrolment=enrolment).exists()
            or Guarantee.objects.filter(enrolment=enrolment).exists()
        ):
            continue
        moment = at or get_clock()()
        if _deposit_put(enrolment, state, moment):
            done[enrolment.pk] = state
    return done


def _lot_enrolments(lot: Lot) -> list[Enrolment]:
    return list(
        Enrolment.objects.filter(lot=lot, withdrawn_at__isnull=True)
        .select_related("lot__tender", "lead")
        .order_by("lead_id", "pk")
    )


def deposit_demo_seed(*, tenders: bool = True) -> dict[str, int]:
    """The demo lots' deposits, once: the bidders' own lots in several states (`make run`)."""
    if not tenders:
        return {}
    now = get_clock()()
    lots = Lot.objects.filter(enrolments__isnull=False, deposit_amount__gt=0).distinct()
    done: dict[int, str] = {}
    for lot in lots.select_related("tender__project__business_type").order_by("pk"):
        enrolments = _lot_enrolments(lot)
        business = lot.tender.project.business_type.code
        if lot.status in (LotStatus.BIDDING, LotStatus.PUBLISHED) and (
            lot.closes_at is None or lot.closes_at > now
        ):
            # Open lots: one bidder paid in full, the other paid half or holds a guarantee.
            states = ["paid", "guarantee" if business == "procurement" else "short"]
            done |= deposit_demo_states(list(zip(enrolments, states, strict=False)))
        elif lot.closes_at is not None:
            # Lots past their close: the deposits arrived before it; on a must-tender
            # engineering lot one bidder paid first from another account (refunded, 第26条),
            # one gave a guarantee. The chronograph then refunds what the lots' histories
            # release (losers after a procurement letter, 87号令 第38条; a failed lot's
            # bidders) and turns a sale's buyer's deposit into 定金.
            before = lot.closes_at - timedelta(hours=3)
            if business == "engineering":
                states = ["paid", "other_account", "guarantee"]
            else:
                states = ["paid", "paid", "paid"]
            done |= deposit_demo_states(list(zip(enrolments, states, strict=False)), at=before)
    return {"deposits": len(done)}
