"""The bidder's workspace: every lot it follows, from enrolment through the opening to the result.

A fixed number of queries whatever the number of enrolments: each table is read once for all
of them and joined here. Only the bidder's own enrolments are read (招标投标法 第22条).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from bidding.domain.bank_messages import Deposit, deposit_state
from bidding.domain.workspace import Action, LotFacts, Step, is_past, next_steps
from bidding.models import (
    BankTransfer,
    DepositDeadline,
    Enrolment,
    Forfeiture,
    Guarantee,
    RefundDue,
)
from bidding.models.deposits import DepositRefund, RefundStatus
from bidding.result_notices import ResultNotice, result_notices_for
from bidding.selectors.enrolment import access_bidder
from trading.models import Award, Candidate, DocumentDownload, Organisation, TenderDocument, User
from trading.models.tenders import DepositForm
from trading.selectors.documents import BIDDER_DOCUMENT_KINDS
from trading.templatetags.vocabulary import lot_status_word

ZERO = Decimal("0.00")


def _action_text(action: Action) -> str:
    words = {
        Action.DOWNLOAD: _("下载招标文件"),
        Action.PAY: _("缴纳投标保证金"),
        Action.GUARANTEE: _("办理保函（保证保险）"),
        Action.SUBMIT: _("递交投标文件"),
        Action.OPENING: _("参加开标"),
        Action.AUCTION: _("参加竞价"),
        Action.WAIT: _("等待评审结果"),
        Action.CANDIDATES: _("查看中标候选人公示（如有异议在公示期内提出）"),
        Action.RESULT: _("查看交易结果"),
    }
    return words[action]


@dataclass(frozen=True)
class NextStep:
    text: str
    due: datetime | None
    url: str
    at: bool = False  # `due` is when it happens (the opening), not a deadline


@dataclass(frozen=True)
class DocumentLink:
    title: str
    url: str
    downloaded: bool


@dataclass
class FollowedLot:
    """One enrolment of the bidder, with everything its workspace row shows."""

    enrolment: Enrolment
    status_word: str
    steps: list[NextStep]
    # paid / short / late / invalid / not_required, "guarantee" for a verified guarantee,
    # "no_guarantee" where only a guarantee is taken and none is verified yet.
    deposit_state: str
    deposit_due: Decimal
    deposit_paid: Decimal
    refunded: Decimal
    refund: RefundDue | None
    forfeited: bool
    # The bidder's place in the published result: "winner", a candidate's rank, or "" if none.
    outcome: str
    notices: list[ResultNotice]
    documents: list[DocumentLink] = field(default_factory=list)
    past: bool = False


@dataclass
class BidderWorkspace:
    organisation: Organisation
    current: list[FollowedLot]
    past: list[FollowedLot]


def _documents_by_tender(
    tender_ids: set[int], organisation_id: int
) -> tuple[dict[int, list[TenderDocument]], set[int]]:
    documents = TenderDocument.objects.filter(
        tender_id__in=tender_ids, kind__in=BIDDER_DOCUMENT_KINDS
    ).order_by("version", "pk")
    by_tender: dict[int, list[TenderDocument]] = defaultdict(list)
    for document in documents:
        by_tender[document.tender_id].append(document)
    downloaded = set(
        DocumentDownload.objects.filter(
            organisation_id=organisation_id, document__tender_id__in=tender_ids
        ).values_list("document_id", flat=True)
    )
    return by_tender, downloaded


def deposit_states(
    enrolments: list[Enrolment], now: datetime
) -> dict[int, tuple[str, Decimal, Decimal, datetime | None]]:
    """Each enrolment's deposit state, due, paid and deadline, as `deposit_status` reads it (and a
    verified guarantee), in three queries for all of them."""
    lot_ids = {e.lot_id for e in enrolments}
    own_deadlines = dict(
        DepositDeadline.objects.filter(lot_id__in=lot_ids).values_list("lot_id", "deadline")
    )
    transfers: dict[int, list[BankTransfer]] = defaultdict(list)
    for transfer in (
        BankTransfer.objects.filter(account__enrolment__in=enrolments)
        .only("amount", "valid", "received_at", "account__enrolment_id")
        .select_related("account")
    ):
        transfers[transfer.account.enrolment_id].append(transfer)
    guaranteed = set(
        Guarantee.objects.filter(enrolment__in=enrolments, state="verified").values_list(
            "enrolment_id", flat=True
        )
    )
    states = {}
    for enrolment in enrolments:
        lot = enrolment.lot
        deadline = own_deadlines.get(lot.pk, lot.closes_at)
        own = transfers[enrolment.pk]
        paid = sum(
            (t.amount for t in own if t.valid and (deadline is None or t.received_at <= deadline)),
            ZERO,
        )
        state = deposit_state(
            Deposit(
                required=lot.tender.deposit_form in (DepositForm.CASH, DepositForm.EITHER),
                due=lot.deposit_amount,
                paid_in_time=paid,
                invalid=any(not t.valid for t in own),
                deadline_passed=deadline is not None and now > deadline,
            )
        )
        if enrolment.pk in guaranteed and state != "paid":
            state = "guarantee"
        elif lot.tender.deposit_form == DepositForm.GUARANTEE and lot.deposit_amount > 0:
            state = "no_guarantee"
        states[enrolment.pk] = (state, lot.deposit_amount, paid, deadline)
    return states


def _outcomes(lot_ids: set[int], organisation_id: int, now: datetime) -> dict[int, str]:
    """The bidder's place in each lot's published result: "winner", "rank:N" or nothing."""
    outcomes: dict[int, str] = {}
    candidates = Candidate.objects.filter(
        lot_id__in=lot_ids,
        organisation_id=organisation_id,
        superseded_at__isnull=True,
        lot__publicity_starts_at__lte=now,
    ).values_list("lot_id", "rank")
    for lot_id, rank in candidates:
        outcomes[lot_id] = f"rank:{rank}"
    awards = Award.objects.filter(
        lot_id__in=lot_ids, organisation_id=organisation_id, declined_at__isnull=True
    ).values_list("lot_id", flat=True)
    for lot_id in awards:
        outcomes[lot_id] = "winner"
    return outcomes


def _step_url(action: Action, enrolment: Enrolment) -> str:
    if action in (Action.PAY, Action.GUARANTEE):
        return reverse("enrolment_deposit", args=[enrolment.pk])
    if action == Action.DOWNLOAD:
        return reverse("enrolment_list") + f"#documents-{enrolment.pk}"
    if action == Action.AUCTION and enrolment.lot.tender.procedure.live_auction:
        return reverse("bidding_auction_room", args=[enrolment.lot_id])
    if action == Action.SUBMIT and enrolment.lot.tender.procedure.sealed_bids:
        return reverse("sealed_bid_lot", args=[enrolment.lot_id])
    return reverse("enrolment_lot", args=[enrolment.lot_id])


def bidder_workspace(user: User, now: datetime) -> BidderWorkspace:
    """Every lot the user's organisation enrolled in: the current ones, then the past ones."""
    organisation = access_bidder(user)
    enrolments = list(
        Enrolment.objects.filter(members__organisation=organisation)
        .select_related("lot__tender__procedure", "lot__tender__project", "lead")
        .order_by("-enrolled_at", "-pk")
        .distinct()
    )
    lot_ids = {e.lot_id for e in enrolments}
    documents, downloaded = _documents_by_tender(
        {e.lot.tender_id for e in enrolments}, organisation.pk
    )
    deposits = deposit_states(enrolments, now) if enrolments else {}
    refunded = dict(
        DepositRefund.objects.filter(account__enrolment__in=enrolments, status=RefundStatus.PAID)
        .values_list("account__enrolment_id")
        .annotate(total=Sum("amount"))
        .values_list("account__enrolment_id", "total")
    )
    refunds = {r.enrolment_id: r for r in RefundDue.objects.filter(enrolment__in=enrolments)}
    forfeited = set(
        Forfeiture.objects.filter(enrolment__in=enrolments).values_list("enrolment_id", flat=True)
    )
    outcomes = _outcomes(lot_ids, organisation.pk, now)
    notices = result_notices_for(sorted(lot_ids))
    current: list[FollowedLot] = []
    past: list[FollowedLot] = []
    for enrolment in enrolments:
        lot = enrolment.lot
        tender = lot.tender
        own_documents = [d for d in documents[tender.pk] if d.lot_id in (None, lot.pk)]
        state, due, paid, deadline = deposits[enrolment.pk]
        deposit_form = tender.deposit_form
        facts = LotFacts(
            status=lot.status,
            family=tender.procedure.family,
            closes_at=lot.closes_at,
            deposit_required=deposit_form != DepositForm.NONE and lot.deposit_amount > 0,
            cash_allowed=deposit_form in (DepositForm.CASH, DepositForm.EITHER),
            guarantee_allowed=deposit_form in (DepositForm.GUARANTEE, DepositForm.EITHER),
            deposit_settled=state in ("paid", "guarantee"),
            deposit_deadline=deadline,
            documents=bool(own_documents),
            downloaded=all(d.pk in downloaded for d in own_documents),
            withdrawn=enrolment.withdrawn_at is not None,
            publicity_ends_at=lot.publicity_ends_at,
        )
        steps: list[Step] = next_steps(facts, now)
        row = FollowedLot(
            enrolment=enrolment,
            status_word=_("已撤回报名") if facts.withdrawn else lot_status_word(lot),
            steps=[
                NextStep(
                    _action_text(s.action),
                    s.due,
                    _step_url(s.action, enrolment),
                    at=s.action == Action.OPENING,
                )
                for s in steps
            ],
            deposit_state=state,
            deposit_due=due,
            deposit_paid=paid,
            refunded=refunded.get(enrolment.pk) or ZERO,
            refund=refunds.get(enrolment.pk),
            forfeited=enrolment.pk in forfeited,
            outcome=outcomes.get(lot.pk, ""),
            notices=notices.get(lot.pk, []),
            documents=[
                DocumentLink(
                    d.title,
                    reverse("tender_document_download", args=[d.pk]),
                    d.pk in downloaded,
                )
                for d in own_documents
            ],
            past=is_past(facts),
        )
        (past if row.past else current).append(row)
    return BidderWorkspace(organisation=organisation, current=current, past=past)
