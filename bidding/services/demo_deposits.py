"""The demo's deposits: enrolments put in each state through the local bank, as bidders would.

For `make run` (the integrator calls it once the demo's enrolments exist): paid from the basic
account, short, paid from another account (invalid on a must-tender engineering lot), refunded.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bidding.adapters.bank import Delivery, LocalBank
from bidding.domain.bank_messages import CreditNotice
from bidding.models import DepositAccount, Enrolment, OrganisationProfile
from bidding.services.deposits import deposit_account_open, deposit_refund_pay
from trading.clock import get_clock
from trading.services.common import money, record_text

STATES = ("paid", "short", "other_account", "refunded")
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


def deposit_demo_states(enrolments: Sequence[Enrolment]) -> dict[int, str]:
    """Put each enrolment in the next state of STATES (cycling); which state each got."""
    bank = LocalBank()
    done: dict[int, str] = {}
    for index, enrolment in enumerate(enrolments):
        state = STATES[index % len(STATES)]
        now = get_clock()()
        account = deposit_account_open(enrolment=enrolment, now=now)
        if account.transfers.exists():
            continue
        profile = OrganisationProfile.objects.filter(organisation_id=enrolment.lead_id).first()
        basic = (profile.basic_account_number if profile else "") or OTHER_ACCOUNT
        due = enrolment.lot.deposit_amount
        amount = (due / 2).quantize(Decimal("0.01")) if state == "short" else due
        if amount <= 0:
            continue
        bank.transfer_in(
            CreditNotice(
                transfer_id=f"DEMO{secrets.token_hex(8).upper()}",
                account_number=account.number,
                amount=amount,
                payer_account=OTHER_ACCOUNT if state == "other_account" else basic,
                payer_name=enrolment.lead.name[:200],
                payer_bank=record_text(gettext_noop("演示银行")),
            ),
            now=now,
        )
        if state == "refunded":
            deposit_refund_pay(
                enrolment=enrolment,
                reason=record_text(gettext_noop("演示：撤回投标文件后退还")),
                bank=bank,
            )
        done[enrolment.pk] = state
    return done
