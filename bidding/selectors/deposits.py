"""What the deposit pages, the sealed-bid stage and the regulators read about deposits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from bidding.domain.bank_messages import Deposit, deposit_state
from bidding.models import BankTransfer, DepositDeadline, Discrepancy, Enrolment, Guarantee
from bidding.models.deposits import RefundStatus
from bidding.models.guarantees import GuaranteeStateChoice
from trading.models import Lot
from trading.models.tenders import DepositForm
from trading.selectors.jurisdiction import sealed_scope_open

ZERO = Decimal("0.00")


def deposit_deadline(lot: Lot) -> datetime | None:
    """When the deposit must have arrived: the lot's bid deadline unless the tender sets another."""
    own = DepositDeadline.objects.filter(lot=lot).first()
    return own.deadline if own is not None else lot.closes_at


@dataclass(frozen=True)
class DepositStatus:
    """One enrolment's deposit as its bidder and the bid stage read it."""

    state: str  # paid / short / late / invalid / not_required
    due: Decimal
    paid: Decimal  # valid credits received by the deadline
    deadline: datetime | None
    # The verified guarantee that stands for the deposit, when one does.
    guarantee: Guarantee | None = None


def _covering_guarantee(
    enrolment: Enrolment, due: Decimal, deadline: datetime | None
) -> Guarantee | None:
    """A guarantee verified by the deadline, still standing, whose amount covers the deposit."""
    guarantees = Guarantee.objects.filter(
        enrolment=enrolment, state=GuaranteeStateChoice.VERIFIED, amount__gte=due
    )
    if deadline is not None:
        guarantees = guarantees.filter(verified_at__lte=deadline)
    return guarantees.order_by("verified_at", "pk").first()


def deposit_status(enrolment: Enrolment, now: datetime) -> DepositStatus:
    """paid / short / late / invalid / not required (实施条例 第26条: paid before the deadline,
    in cash or, where the tender accepts one, by a verified guarantee covering the amount)."""
    lot = enrolment.lot
    form = lot.tender.deposit_form
    cash = form in (DepositForm.CASH, DepositForm.EITHER)
    guarantees = form in (DepositForm.GUARANTEE, DepositForm.EITHER)
    deadline = deposit_deadline(lot)
    transfers = BankTransfer.objects.filter(account__enrolment=enrolment)
    in_time = transfers.filter(valid=True)
    if deadline is not None:
        in_time = in_time.filter(received_at__lte=deadline)
    paid = (in_time.aggregate(s=Sum("amount"))["s"] or ZERO) if cash else ZERO
    guarantee = _covering_guarantee(enrolment, lot.deposit_amount, deadline) if guarantees else None
    state = deposit_state(
        Deposit(
            required=cash or guarantees,
            due=lot.deposit_amount,
            paid_in_time=paid,
            invalid=transfers.filter(valid=False).exists(),
            deadline_passed=deadline is not None and now > deadline,
            guaranteed=guarantee is not None,
        )
    )
    return DepositStatus(
        state=state, due=lot.deposit_amount, paid=paid, deadline=deadline, guarantee=guarantee
    )


def deposit_bid_blocker(enrolment: Enrolment, now: datetime) -> str:
    """Why the enrolment may not bid for want of its deposit; '' when it may."""
    status = deposit_status(enrolment, now)
    if status.state == "late":
        return _("保证金未在截止时间前足额到账，不能投标（招标投标法实施条例第二十六条）。")
    if status.state == "invalid":
        return _("保证金未从基本存款账户转出，无效，不能投标（招标投标法实施条例第二十六条）。")
    return ""


@dataclass(frozen=True)
class SharedPayer:
    """One paying account behind deposits of several bidders of a lot (实施条例 第40条)."""

    payer_account: str
    bidder_numbers: list[str]


def deposit_shared_payers(lot: Lot) -> list[SharedPayer]:
    """Collusion signals of the lot, revealed only after its opening (招标投标法 第22条)."""
    if not sealed_scope_open(lot, list(lot.tender.lots.select_related("tender__procedure"))):
        return []
    shared = (
        BankTransfer.objects.filter(account__enrolment__lot=lot)
        .values("payer_account")
        .annotate(n=Count("account__enrolment", distinct=True))
        .filter(n__gt=1)
        .order_by("payer_account")
    )
    signals = []
    for row in shared:
        numbers = (
            Enrolment.objects.filter(
                lot=lot, deposit_account__transfers__payer_account=row["payer_account"]
            )
            .distinct()
            .order_by("bidder_number")
            .values_list("bidder_number", flat=True)
        )
        signals.append(SharedPayer(row["payer_account"], list(numbers)))
    return signals


def discrepancy_list(*, lot_ids: QuerySet[Lot]) -> QuerySet[Discrepancy]:
    """Discrepancies of the given lots, newest first."""
    return Discrepancy.objects.filter(account__enrolment__lot__in=lot_ids).select_related(
        "account__enrolment__lot__tender__procedure", "account__enrolment__lead"
    )


@dataclass(frozen=True)
class DepositRow:
    """One of an organisation's deposits, for its workspace."""

    enrolment: Enrolment
    status: DepositStatus
    refunded: Decimal


def deposit_list_for_organisation(organisation_id: int, now: datetime) -> list[DepositRow]:
    """The deposits of every enrolment the organisation takes part in, newest first."""
    enrolments = (
        Enrolment.objects.filter(
            members__organisation_id=organisation_id, withdrawn_at__isnull=True
        )
        .select_related("lot__tender")
        .annotate(
            refunded=Sum(
                "deposit_account__refunds__amount",
                filter=Q(deposit_account__refunds__status=RefundStatus.PAID),
            )
        )
        .order_by("-enrolled_at", "-pk")
        .distinct()
    )
    return [
        DepositRow(
            enrolment=enrolment,
            status=deposit_status(enrolment, now),
            refunded=enrolment.refunded or ZERO,
        )
        for enrolment in enrolments
    ]
