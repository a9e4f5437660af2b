"""Deposit money: sub-accounts opened, credits from the bank, refunds paid, forfeitures posted.

Every change of money is a pair of `BookEntry` postings built by bidding.domain.books under the
sub-account's row lock (lock order: enrolment → deposit account → ledger head), so two writers on
one sub-account take turns and the books never go below zero.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bidding.adapters.bank import Bank, bank_get
from bidding.domain import books
from bidding.domain.bank_messages import (
    SERIALS,
    CreditNotice,
    NotificationRefused,
    basic_account_required,
    paid_from_basic_account,
    sub_account_number,
    sub_account_number_valid,
)
from bidding.models import (
    BankNonce,
    BankTransfer,
    BookEntry,
    DepositAccount,
    DepositDeadline,
    DepositRefund,
    Enrolment,
    OrganisationProfile,
    RefundDue,
)
from bidding.models.deposits import EntryKind, RefundStatus
from bidding.models.refunds import RefundKind
from trading.clock import Clock, get_clock
from trading.domain.timeline import local_date, start_of_day
from trading.models import Lot, User
from trading.models.ledger import ScopeKind
from trading.selectors.tenders import sealed_scope_key
from trading.services.common import fixed_clock
from trading.services.ledger import ledger_append
from trading.services.notifications import notification_send
from trading.translatable import Message


def deposit_account_open(*, enrolment: Enrolment, now: datetime) -> DepositAccount:
    """The enrolment's sub-account (一标一户), opened on first need; the number never changes.

    The number is drawn at random, not counted: consecutive numbers would tell a bidder how many
    others enrolled in between (招标投标法 第22条).
    """
    for _attempt in range(8):
        existing = DepositAccount.objects.filter(enrolment=enrolment).first()
        if existing is not None:
            return existing
        number = sub_account_number(settings.BANK_SUB_ACCOUNT_PREFIX, secrets.randbelow(SERIALS))
        try:
            with transaction.atomic():
                return DepositAccount.objects.create(
                    enrolment=enrolment,
                    number=number,
                    opened_at=now,
                    reconcile_at=next_reconciliation(now),
                )
        except IntegrityError:
            # Another request opened it, or the number was drawn before: look again, redraw.
            continue
    raise RuntimeError("no free sub-account number after 8 draws")


def next_reconciliation(now: datetime) -> datetime:
    """01:00 (Beijing time) of the day after `now`: after the bank's statement of the day."""
    return start_of_day(local_date(now)) + timedelta(days=1, hours=1)


def _account_by_number(number: str) -> DepositAccount:
    """The sub-account the bank names, locked."""
    if not number.startswith(settings.BANK_SUB_ACCOUNT_PREFIX) or not sub_account_number_valid(
        number
    ):
        raise NotificationRefused("unknown_account")
    account = DepositAccount.objects.select_for_update().filter(number=number).first()
    if account is None:
        raise NotificationRefused("unknown_account")
    return account


def _post(
    account: DepositAccount, posting: books.Posting, *, kind: str, now: datetime, **links: Any
) -> BookEntry:
    return BookEntry.objects.create(
        debit=posting.debit,
        credit=posting.credit,
        amount=posting.amount,
        kind=kind,
        account=account,
        posted_at=now,
        **links,
    )


def deposit_held(account: DepositAccount) -> Decimal:
    """What the sub-account holds: its credits minus its debits in the books."""
    name = books.sub_account(account.enrolment_id)
    credits = BookEntry.objects.filter(credit=name).aggregate(s=Sum("amount"))["s"] or 0
    debits = BookEntry.objects.filter(debit=name).aggregate(s=Sum("amount"))["s"] or 0
    return Decimal(credits - debits).quantize(books.CENT)


def deposit_expected_at_bank(account: DepositAccount) -> Decimal:
    """What the bank's statement of the sub-account should show: what arrived, less the refunds
    the bank confirmed paid (forfeited and 定金 money stays there until it is paid on)."""
    totals = dict(
        account.entries.filter(kind__in=[EntryKind.PAYMENT, EntryKind.REFUND_PAID])
        .values_list("kind")
        .annotate(s=Sum("amount"))
    )
    paid_in = totals.get(EntryKind.PAYMENT, Decimal(0))
    paid_out = totals.get(EntryKind.REFUND_PAID, Decimal(0))
    return Decimal(paid_in - paid_out).quantize(books.CENT)


def _sealed_entry(
    account: DepositAccount, *, action: str, payload: dict[str, Any], now: datetime
) -> None:
    enrolment = account.enrolment
    ledger_append(
        scope_key=sealed_scope_key(enrolment.lot_id),
        scope_kind=ScopeKind.SEALED_LOT,
        sealed=True,
        action=action,
        actor=None,
        obj_type="deposit_account",
        obj_id=str(account.pk),
        payload={"lot": enrolment.lot_id, "bidder_number": enrolment.bidder_number, **payload},
        clock=fixed_clock(now),
    )


def _bidder_users(enrolment: Enrolment) -> list[User]:
    return list(User.objects.filter(organisation_id=enrolment.lead_id, is_active=True))


@dataclass(frozen=True)
class CreditResult:
    transfer: BankTransfer
    credited: bool  # False: this transfer had been credited before (a retry)


def _validity(account: DepositAccount, notice: CreditNotice) -> str:
    """'' when the credit counts as the deposit, else why not (实施条例 第26条)."""
    enrolment = account.enrolment
    project = enrolment.lot.tender.project
    if not basic_account_required(
        business_type=project.business_type.code, must_tender=project.state_funded
    ):
        return ""
    profile = OrganisationProfile.objects.filter(organisation_id=enrolment.lead_id).first()
    basic = profile.basic_account_number if profile else ""
    if paid_from_basic_account(notice.payer_account, basic):
        return ""
    return "not_basic_account"


def deposit_notification_receive(
    *, notice: CreditNotice, nonce: str, clock: Clock | None = None
) -> CreditResult:
    """Credit a signed notification's transfer to its sub-account, once per transfer and nonce."""
    clock = clock or get_clock()
    with transaction.atomic():
        now = clock()
        try:
            # A replayed notification carries a nonce already stored: refused whole. Two copies
            # arriving at once: the second waits on the unique index, then is refused.
            with transaction.atomic():
                BankNonce.objects.create(nonce=nonce, received_at=now)
        except IntegrityError:
            raise NotificationRefused("replay") from None
        account = _account_by_number(notice.account_number)
        existing = BankTransfer.objects.filter(transfer_id=notice.transfer_id).first()
        if existing is not None:
            if existing.account_id != account.pk or existing.amount != notice.amount:
                raise NotificationRefused("transfer_conflict")
            return CreditResult(existing, credited=False)
        reason = _validity(account, notice)
        transfer = BankTransfer.objects.create(
            transfer_id=notice.transfer_id,
            account=account,
            amount=notice.amount,
            payer_account=notice.payer_account,
            payer_name=notice.payer_name,
            payer_bank=notice.payer_bank,
            received_at=now,
            valid=not reason,
            invalid_reason=reason,
        )
        _post(
            account,
            books.payment_received(account.enrolment_id, notice.amount),
            kind=EntryKind.PAYMENT,
            now=now,
            transfer=transfer,
        )
        enrolment = account.enrolment
        if reason:
            notification_send(
                recipients=_bidder_users(enrolment),
                kind="deposit.invalid",
                title=Message(
                    gettext_noop("标段 %(lot)s 的保证金无效：未从基本存款账户转出"),
                    lot=enrolment.lot.code,
                ),
                body=Message(
                    gettext_noop(
                        "依法必须招标的工程建设项目，投标保证金须从投标人的基本存款账户转出"
                        "（招标投标法实施条例第二十六条）。本笔 %(amount)s 元从账户 %(payer)s"
                        " 转入，不作为投标保证金，将原路退还。请从基本存款账户重新缴纳。"
                    ),
                    amount=f"{notice.amount:,.2f}",
                    payer=notice.payer_account,
                ),
                url=reverse("enrolment_deposit", args=[enrolment.pk]),
                clock=fixed_clock(now),
            )
        if reason:
            # The bidder was told the money "will be returned": it is, at the next tick.
            RefundDue.objects.create(
                enrolment=enrolment,
                transfer=transfer,
                kind=RefundKind.INVALID,
                payable_at=now,
                due_at=now,
                reason=reason,
                article="招标投标法实施条例 第26条",
                idempotency_key=f"deposit-refund:{enrolment.pk}:transfer:{transfer.pk}",
                scheduled_at=now,
            )
        shared = (
            BankTransfer.objects.filter(
                account__enrolment__lot_id=enrolment.lot_id, payer_account=notice.payer_account
            )
            .exclude(account=account)
            .exists()
        )
        _sealed_entry(
            account,
            action="deposit.credited",
            payload={
                "transfer_id": notice.transfer_id,
                "amount": f"{notice.amount:.2f}",
                "payer_account": notice.payer_account,
                "valid": not reason,
                # 实施条例 第40条: one account behind several bidders' deposits.
                "shared_payer": shared,
            },
            now=now,
        )
        return CreditResult(transfer, credited=True)


def _owed_by_payer(account: DepositAccount) -> list[tuple[str, Decimal]]:
    """What each paying account is owed back: its credits less what was refunded to it."""
    paid: dict[str, Decimal] = {}
    for payer, amount in account.transfers.values_list("payer_account", "amount"):
        paid[payer] = paid.get(payer, Decimal("0")) + amount
    for payee, amount in account.refunds.values_list("payee_account", "amount"):
        paid[payee] = paid.get(payee, Decimal("0")) - amount
    return [(payer, amount) for payer, amount in paid.items() if amount > 0]


def _refunds_decide(
    account: DepositAccount, reason: str, now: datetime, transfer: BankTransfer | None
) -> list[DepositRefund]:
    """Move what the sub-account holds to refunds payable, one refund per paying account (only
    `transfer`'s money, back to its payer, when one transfer is refunded)."""
    pending = list(account.refunds.filter(status=RefundStatus.PENDING).order_by("pk"))
    if pending:
        # A retry after a crash: finish what was decided, decide nothing new.
        return pending
    holding = deposit_held(account)
    decided = []
    owed_by_payer = _owed_by_payer(account)
    if transfer is not None:
        owed_by_payer = [
            (payer, min(owed, transfer.amount))
            for payer, owed in owed_by_payer
            if payer == transfer.payer_account
        ]
    for payer, owed in owed_by_payer:
        amount = min(owed, holding)
        if amount <= 0:
            break
        refund = DepositRefund.objects.create(
            account=account,
            idempotency_key=f"deposit-refund:{account.pk}:{account.refunds.count() + 1}",
            amount=amount,
            payee_account=payer,
            reason=reason[:200],
            decided_at=now,
        )
        _post(
            account,
            books.refund_decided(account.enrolment_id, amount, holding=holding),
            kind=EntryKind.REFUND_DECIDED,
            now=now,
            refund=refund,
        )
        holding -= amount
        decided.append(refund)
    return decided


def deposit_refund_pay(
    *,
    enrolment: Enrolment,
    reason: str,
    bank: Bank | None = None,
    clock: Clock | None = None,
    transfer: BankTransfer | None = None,
    tell: bool = True,
) -> list[DepositRefund]:
    """Pay the sub-account's money (or only `transfer`'s) back to the accounts it came from
    (实施条例 第57条, 87号令 第38条); idempotent: a retry after a crash pays nothing twice (the
    bank's key). `tell=False` when the caller tells the bidder itself."""
    clock = clock or get_clock()
    bank = bank or bank_get()
    with transaction.atomic():
        now = clock()
        account = DepositAccount.objects.select_for_update().filter(enrolment=enrolment).first()
        if account is None:
            return []
        refunds = _refunds_decide(account, reason, now, transfer)
    # The bank is called outside any transaction: its answer must not be lost with a rollback,
    # and the key makes asking again harmless.
    for refund in refunds:
        receipt = bank.refund(
            key=refund.idempotency_key,
            from_account=account.number,
            to_account=refund.payee_account,
            amount=refund.amount,
            now=now,
        )
        _refund_confirm(refund.pk, receipt.reference, clock, tell=tell)
    return [DepositRefund.objects.get(pk=refund.pk) for refund in refunds]


def _refund_confirm(refund_id: int, reference: str, clock: Clock, *, tell: bool) -> None:
    with transaction.atomic():
        now = clock()
        refund = (
            DepositRefund.objects.select_for_update().select_related("account").get(pk=refund_id)
        )
        if refund.status == RefundStatus.PAID:
            return
        refund.status = RefundStatus.PAID
        refund.paid_at = now
        refund.bank_reference = reference
        refund.save(update_fields=["status", "paid_at", "bank_reference"])
        _post(
            refund.account,
            books.refund_paid(refund.amount),
            kind=EntryKind.REFUND_PAID,
            now=now,
            refund=refund,
        )
        enrolment = refund.account.enrolment
        notification_send(
            recipients=_bidder_users(enrolment) if tell else [],
            kind="deposit.refunded",
            title=Message(
                gettext_noop("标段 %(lot)s 的保证金 %(amount)s 元已退还"),
                lot=enrolment.lot.code,
                amount=f"{refund.amount:,.2f}",
            ),
            url=reverse("enrolment_deposit", args=[enrolment.pk]),
            clock=fixed_clock(now),
        )
        _sealed_entry(
            refund.account,
            action="deposit.refunded",
            payload={
                "amount": f"{refund.amount:.2f}",
                "payee_account": refund.payee_account,
                "reason": refund.reason,
                "bank_reference": reference,
            },
            now=now,
        )


def _move_out(
    enrolment: Enrolment, *, kind: str, reason: str, clock: Clock | None, action: str
) -> BookEntry | None:
    clock = clock or get_clock()
    with transaction.atomic():
        now = clock()
        account = DepositAccount.objects.select_for_update().filter(enrolment=enrolment).first()
        if account is None:
            return None
        holding = deposit_held(account)
        # Money paid from an account the law does not accept is not the deposit: it stays for
        # its own refund (实施条例 第26条), never kept.
        awaiting = RefundDue.objects.filter(
            enrolment=enrolment, transfer__isnull=False, paid_at__isnull=True
        ).aggregate(s=Sum("transfer__amount"))["s"] or Decimal("0")
        amount = holding - awaiting
        if amount <= 0:
            return None
        make = books.forfeiture if kind == EntryKind.FORFEITURE else books.earnest_conversion
        entry = _post(
            account,
            make(enrolment.pk, amount, holding=holding),
            kind=kind,
            now=now,
            memo=reason[:200],
        )
        _sealed_entry(
            account,
            action=action,
            payload={"amount": f"{amount:.2f}", "reason": reason},
            now=now,
        )
        return entry


def deposit_forfeit(
    *, enrolment: Enrolment, reason: str, clock: Clock | None = None
) -> BookEntry | None:
    """Keep the deposit: the winner declined or did not sign (实施条例 第74条), or withdrew a
    sealed bid (电子招标投标办法 第31条). Nothing held: nothing posted."""
    return _move_out(
        enrolment, kind=EntryKind.FORFEITURE, reason=reason, clock=clock, action="deposit.forfeited"
    )


def deposit_convert_to_earnest(
    *, enrolment: Enrolment, reason: str, clock: Clock | None = None
) -> BookEntry | None:
    """A land winner's deposit becomes 定金 (招标拍卖挂牌出让国有建设用地使用权规定 第21条)."""
    return _move_out(
        enrolment, kind=EntryKind.EARNEST, reason=reason, clock=clock, action="deposit.earnest"
    )


def deposit_deadline_set(*, lot: Lot, deadline: datetime, clock: Clock | None = None) -> None:
    """A deposit deadline of the tender's own, no later than the bid deadline (实施条例 第26条:
    the deposit is part of the bid, due by the time bids are)."""
    now = (clock or get_clock())()
    if deadline.tzinfo is None:
        raise ValidationError({"deadline": _("请填写带时区的日期时间。")}, code="datetime")
    if deadline < now:
        raise ValidationError({"deadline": _("时间不能早于当前时间。")}, code="past")
    if lot.closes_at is not None and deadline > lot.closes_at:
        raise ValidationError(
            {"deadline": _("保证金缴纳截止时间不能晚于投标截止时间。")}, code="deposit_deadline"
        )
    DepositDeadline.objects.update_or_create(lot=lot, defaults={"deadline": deadline})
