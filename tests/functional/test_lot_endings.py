"""Every bid rejected, re-evaluation and the winner who declines, through the lot page.

招标投标法 第42条 / 政府采购法 第36条: the committee rejects every bid, the desk records it, the
lot fails and a failure notice follows. 实施条例 第54条: an objection to the result that the owner
upholds sends the lot back to evaluation, its candidates kept as history. 实施条例 第55条: the
winner declines; the owner awards the next candidate in order or tenders again, and the winner's
deposit is announced forfeit (第74条).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse

from notices.models import Notice, NoticeKind
from tests.conftest import ControlledClock
from tests.notices import deliver_events
from tests.tenders import (
    World,
    candidates,
    closes,
    first_lot,
    issue_award_letter,
    make_tender,
    make_world,
    pdf_file,
    publicity_end,
    record_outcome,
)
from trading.chronograph import chronograph_tick
from trading.models import Award, Candidate, LedgerEntry, Lot, OutboxEvent, User
from trading.services.awards import award_confirm
from trading.services.objections import objection_raise
from trading.services.outcomes import lot_record_bid_count, lot_record_evaluation
from trading.services.reevaluation import ReevaluationOrder, lot_reevaluate

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(clock: ControlledClock) -> World:
    return make_world(business_type="engineering")


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(user: User, lot: Lot) -> str:
    response = _as(user).get(reverse("lot_detail", args=[lot.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _form(name: str, lot: Lot) -> str:
    return f'action="{reverse(name, args=[lot.pk])}"'


def _in_evaluation(world: World, clock: ControlledClock) -> Lot:
    lot = first_lot(make_tender(world))
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot.refresh_from_db()
    return lot_record_bid_count(lot=lot, count=3, actor=world.staff)


def _in_publicity(world: World, clock: ControlledClock) -> Lot:
    lot = first_lot(make_tender(world))
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    return record_outcome(world, lot)


def _awarded_with_letter(world: World, clock: ControlledClock) -> Lot:
    lot = _in_publicity(world, clock)
    clock.set(publicity_end(lot) + timedelta(minutes=1))
    award_confirm(lot=lot, candidate=lot.candidates.get(rank=1), actor=world.owner_user)
    issue_award_letter(lot)
    lot.refresh_from_db()
    return lot


# --- every bid rejected (招标投标法 第42条) -----------------------------------------------------


def test_staff_record_that_the_committee_rejected_every_bid_and_the_lot_fails_with_a_notice(
    world: World, clock: ControlledClock
) -> None:
    """招标投标法 第42条: 否决所有投标; the failure notice names the reason."""
    lot = _in_evaluation(world, clock)
    assert _form("lot_reject_all", lot) in _page(world.staff, lot)

    response = _as(world.staff).post(
        reverse("lot_reject_all", args=[lot.pk]),
        {"reason": "所有投标均未实质性响应招标文件", "report_file": pdf_file("report.pdf")},
    )

    assert response.status_code == 302
    lot.refresh_from_db()
    assert (lot.status, lot.failure_reason) == ("failed", "所有投标均未实质性响应招标文件")
    entry = LedgerEntry.objects.get(action="lot.all_rejected")
    assert entry.payload["reason"] == "所有投标均未实质性响应招标文件"
    assert entry.payload["to"] == "failed"
    deliver_events(clock)
    notice = Notice.objects.get(lot=lot, kind=NoticeKind.FAILURE)
    assert notice.data["reason"] == "所有投标均未实质性响应招标文件"
    assert "流标原因" in _page(world.owner_user, lot)


@pytest.mark.parametrize("who", ["owner_user", "regulator"])
def test_only_the_desk_records_that_every_bid_was_rejected(
    world: World, clock: ControlledClock, who: str
) -> None:
    lot = _in_evaluation(world, clock)
    user = getattr(world, who)
    assert _form("lot_reject_all", lot) not in _page(user, lot)

    response = _as(user).post(
        reverse("lot_reject_all", args=[lot.pk]),
        {"reason": "x", "report_file": pdf_file("report.pdf")},
    )

    assert response.status_code == 403
    lot.refresh_from_db()
    assert lot.status == "evaluation"


def test_rejecting_every_bid_without_a_reason_is_refused_and_changes_nothing(
    world: World, clock: ControlledClock
) -> None:
    lot = _in_evaluation(world, clock)

    response = _as(world.staff).post(
        reverse("lot_reject_all", args=[lot.pk]),
        {"reason": " ", "report_file": pdf_file("report.pdf")},
    )

    assert response.status_code == 400
    lot.refresh_from_db()
    assert (lot.status, lot.failure_reason) == ("evaluation", "")


def test_every_bid_cannot_be_rejected_once_the_candidates_are_publicised(
    world: World, clock: ControlledClock
) -> None:
    lot = _in_publicity(world, clock)
    response = _as(world.staff).post(
        reverse("lot_reject_all", args=[lot.pk]),
        {"reason": "迟到的否决", "report_file": pdf_file("report.pdf")},
    )
    assert response.status_code == 400
    assert "不能进行此操作" in response.content.decode()
    lot.refresh_from_db()
    assert lot.status == "publicity"


# --- re-evaluation (实施条例 第54条) ------------------------------------------------------------


def _objected(world: World, clock: ControlledClock) -> tuple[Lot, int]:
    lot = _in_publicity(world, clock)
    objection = objection_raise(
        lot=lot, stage="result", text="第一名业绩造假。", actor=world.bidder_users[1]
    )
    return lot, objection.pk


def test_an_upheld_objection_to_the_result_sends_the_lot_back_to_evaluation(
    world: World, clock: ControlledClock
) -> None:
    """实施条例 第54条: the objection upheld, publicity ends, the committee evaluates again."""
    lot, objection = _objected(world, clock)
    first = set(lot.candidates.values_list("pk", flat=True))
    page = _page(world.owner_user, lot)
    assert "异议成立" in page

    response = _as(world.owner_user).post(
        reverse("objection_answer", args=[objection]),
        {"answer": "经核查异议成立，重新评标。", "upheld": "on"},
    )

    assert response.status_code == 302
    lot.refresh_from_db()
    assert (lot.status, lot.suspended_at, lot.publicity_ends_at) == ("evaluation", None, None)
    # The candidates stay as history, superseded.
    assert Candidate.objects.filter(pk__in=first, superseded_at__isnull=False).count() == 3
    entry = LedgerEntry.objects.get(action="lot.reevaluate")
    assert entry.payload["ordered_by"] == "objection"
    assert entry.payload["objection"] == objection
    assert set(entry.payload["superseded_candidates"]) == first

    # The desk records the evaluation again; the new candidates are publicised.
    assert _form("lot_evaluation", lot) in _page(world.staff, lot)
    lot_record_evaluation(
        lot=lot,
        candidates=list(reversed(candidates(world, 2))),
        report_file=pdf_file("report-2.pdf"),
        actor=world.staff,
    )
    lot.refresh_from_db()
    assert lot.status == "publicity"
    standing = lot.candidates.filter(superseded_at__isnull=True).order_by("rank")
    assert [c.organisation_id for c in standing] == [world.bidders[1].pk, world.bidders[0].pk]
    page = _page(world.owner_user, lot)
    assert "重新评审前的中标候选人（已作废）" in page


def test_an_objection_answered_as_not_upheld_leaves_the_result_publicised(
    world: World, clock: ControlledClock
) -> None:
    lot, objection = _objected(world, clock)

    _as(world.owner_user).post(
        reverse("objection_answer", args=[objection]), {"answer": "经核查，异议不成立。"}
    )

    lot.refresh_from_db()
    assert lot.status == "publicity"
    assert not LedgerEntry.objects.filter(action="lot.reevaluate").exists()


def test_a_regulator_orders_a_re_evaluation_through_the_service(
    world: World, clock: ControlledClock
) -> None:
    """实施条例 第62条: the regulator's order; the supervision app passes its regulator."""
    lot = _in_publicity(world, clock)

    lot_reevaluate(
        lot=lot,
        actor=world.regulator,
        reason="责令重新评标",
        ordered_by=ReevaluationOrder.REGULATOR,
    )

    lot.refresh_from_db()
    assert lot.status == "evaluation"
    entry = LedgerEntry.objects.get(action="lot.reevaluate")
    assert (entry.payload["ordered_by"], entry.payload["reason"]) == ("regulator", "责令重新评标")


@pytest.mark.parametrize(
    ("who", "order"),
    [
        ("owner_user", ReevaluationOrder.REGULATOR),
        ("regulator", ReevaluationOrder.OBJECTION),
        ("staff", ReevaluationOrder.REGULATOR),
    ],
)
def test_only_the_regulator_orders_and_only_the_owner_upholds_a_re_evaluation(
    world: World, clock: ControlledClock, who: str, order: ReevaluationOrder
) -> None:
    lot = _in_publicity(world, clock)
    with pytest.raises((PermissionDenied, Http404)):
        lot_reevaluate(lot=lot, actor=getattr(world, who), reason="x", ordered_by=order)
    lot.refresh_from_db()
    assert lot.status == "publicity"


# --- the winner declines (实施条例 第55条) ------------------------------------------------------


def test_the_owner_awards_the_next_candidate_when_the_winner_declines(
    world: World, clock: ControlledClock
) -> None:
    """实施条例 第55条: 依次确定其他中标候选人; the deposit is announced forfeit (第74条)."""
    lot = _awarded_with_letter(world, clock)
    page = _page(world.owner_user, lot)
    assert _form("award_decline", lot) in page
    assert world.bidders[1].name in page  # the next in order is named

    response = _as(world.owner_user).post(
        reverse("award_decline", args=[lot.pk]),
        {"reason": "中标人书面放弃中标", "then": "next", "forfeit_deposit": "on"},
    )

    assert response.status_code == 302
    lot.refresh_from_db()
    assert lot.status == "awarded"
    declined, standing = Award.objects.filter(lot=lot).order_by("pk")
    assert declined.declined_at == clock.now and declined.deposit_forfeited
    assert standing.declined_at is None and standing.candidate is not None
    assert (standing.organisation_id, standing.candidate.rank) == (world.bidders[1].pk, 2)
    assert lot.award == standing and standing.letter_issued_at is None
    forfeiture = OutboxEvent.objects.get(kind="deposit.forfeiture_due")
    assert forfeiture.payload["organisation"] == world.bidders[0].pk
    assert forfeiture.payload["reason"] == "中标人书面放弃中标"
    entry = LedgerEntry.objects.get(action="lot.next_candidate")
    assert (entry.payload["rank"], entry.payload["declined"]) == (2, declined.pk)
    # A new result and a new letter, addressed to the new winner.
    deliver_events(clock)
    letters = Notice.objects.filter(lot=lot, kind=NoticeKind.AWARD_LETTER).order_by("pk")
    assert letters.count() == 2
    assert letters.last().addressee_id == world.bidders[1].pk  # type: ignore[union-attr]
    # The owner is still bound: no termination; the contract waits for the new letter.
    page = _page(world.owner_user, lot)
    assert _form("lot_terminate", lot) not in page
    assert "放弃中标" in page


def test_the_owner_tenders_again_when_the_winner_declines_and_the_lot_fails(
    world: World, clock: ControlledClock
) -> None:
    lot = _awarded_with_letter(world, clock)

    response = _as(world.owner_user).post(
        reverse("award_decline", args=[lot.pk]),
        {"reason": "中标人未按期签订合同", "then": "retender"},
    )

    assert response.status_code == 302
    lot.refresh_from_db()
    assert lot.status == "failed"
    assert "中标人未按期签订合同" in lot.failure_reason
    assert lot.award is None
    # Not ticked: a good reason was accepted, nothing is forfeit.
    assert not OutboxEvent.objects.filter(kind="deposit.forfeiture_due").exists()
    deliver_events(clock)
    assert Notice.objects.filter(lot=lot, kind=NoticeKind.FAILURE).exists()
    assert _form("lot_retender", lot) in _page(world.owner_user, lot)


def test_a_decline_before_the_letter_is_issued_is_refused(
    world: World, clock: ControlledClock
) -> None:
    lot = _in_publicity(world, clock)
    clock.set(publicity_end(lot) + timedelta(minutes=1))
    award_confirm(lot=lot, candidate=lot.candidates.get(rank=1), actor=world.owner_user)

    response = _as(world.owner_user).post(
        reverse("award_decline", args=[lot.pk]), {"reason": "放弃", "then": "next"}
    )

    assert response.status_code == 400
    assert "中标通知书尚未发出" in response.content.decode()
    assert not Award.objects.filter(lot=lot, declined_at__isnull=False).exists()


def test_when_every_candidate_has_declined_only_a_re_tender_is_left(
    world: World, clock: ControlledClock
) -> None:
    lot = _awarded_with_letter(world, clock)
    client = _as(world.owner_user)
    url = reverse("award_decline", args=[lot.pk])
    for _round in range(2):
        assert client.post(url, {"reason": "放弃", "then": "next"}).status_code == 302
        issue_award_letter(lot)

    response = client.post(url, {"reason": "第三名也放弃", "then": "next"})

    assert response.status_code == 400
    assert "只能重新招标" in response.content.decode()
    lot.refresh_from_db()
    assert lot.award is not None and lot.award.organisation_id == world.bidders[2].pk


@pytest.mark.parametrize("who", ["staff", "regulator"])
def test_only_the_owner_records_that_the_winner_declined(
    world: World, clock: ControlledClock, who: str
) -> None:
    lot = _awarded_with_letter(world, clock)
    user = getattr(world, who)
    assert _form("award_decline", lot) not in _page(user, lot)

    response = _as(user).post(
        reverse("award_decline", args=[lot.pk]), {"reason": "x", "then": "retender"}
    )

    assert response.status_code == 403
    lot.refresh_from_db()
    assert lot.status == "awarded"


def test_a_decline_with_an_unknown_choice_is_refused_by_the_service(
    world: World, clock: ControlledClock
) -> None:
    from trading.services.endings import award_decline

    lot = _awarded_with_letter(world, clock)
    with pytest.raises(ValidationError):
        award_decline(lot=lot, reason="x", then="maybe", actor=world.owner_user)
