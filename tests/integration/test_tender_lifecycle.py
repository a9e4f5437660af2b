"""Tenders of every business type to a terminal state, the timed steps by the chronograph."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import ControlledClock
from tests.tenders import (
    BUSINESS_TYPES,
    award_and_close,
    candidates,
    closes,
    first_lot,
    issue_award_letter,
    make_tender,
    make_world,
    opens,
    pdf_file,
    publicity_end,
    record_outcome,
)
from trading.chronograph import chronograph_tick, due_work_override
from trading.models import Award, Hold, LedgerEntry, Lot, Notification, OutboxEvent
from trading.selectors.rules import calendar_load
from trading.selectors.tenders import tender_scope_key
from trading.selectors.timeline import lot_timeline
from trading.services.awards import award_confirm, contract_record
from trading.services.holds import hold_lift, hold_place
from trading.services.ledger import ledger_checkpoint, ledger_verify
from trading.services.lots import LOTS, lot_terminate
from trading.services.objections import objection_answer, objection_raise
from trading.services.outcomes import (
    lot_record_auction_result,
    lot_record_bid_count,
    lot_record_evaluation,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

MINUTE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def lot_actions(lot: Lot) -> list[str]:
    return list(
        LedgerEntry.objects.filter(
            scope__key=tender_scope_key(lot.tender_id), object_type="lot", object_id=str(lot.pk)
        )
        .order_by("seq")
        .values_list("action", flat=True)
    )


def tick_at(clock: ControlledClock, moment: datetime) -> int:
    """Tick only the lots' due work: other apps' deliveries (notices) would inflate the count."""
    clock.set(moment)
    with due_work_override(LOTS):
        return chronograph_tick(clock=clock)


def notified(user: Any, kind: str) -> bool:
    return Notification.objects.filter(recipient=user, kind=kind).exists()


@pytest.mark.parametrize("business_type", BUSINESS_TYPES)
def test_each_business_type_runs_from_draft_to_closed_with_timed_steps_by_the_chronograph(
    clock: ControlledClock, business_type: str
) -> None:
    world = make_world(business_type=business_type)
    tender = make_tender(world, publish=False)
    assert tender.status == "pending_review"
    assert notified(world.staff, "tender.submitted") and notified(world.staff2, "tender.submitted")

    from trading.services.tenders import tender_publish

    tender_publish(tender=tender, actor=world.staff)
    lot = first_lot(tender)
    assert (lot.status, lot.next_check) == ("published", opens(lot))
    assert OutboxEvent.objects.filter(
        kind="tender.published", subject=f"tender:{tender.pk}"
    ).exists()

    assert tick_at(clock, opens(lot) - MINUTE) == 0
    assert tick_at(clock, opens(lot)) == 1
    lot.refresh_from_db()
    assert (lot.status, lot.next_check) == ("bidding", lot.closes_at)

    assert tick_at(clock, closes(lot)) == 1
    lot.refresh_from_db()
    # A listing or a disclosure stops at its close for staff to record who bid (39号令 第20条,
    # 32号令 第22条); an auction goes straight to bidding; a negotiation to the parties; a
    # sealed bid to its opening.
    after_close = {
        "listing_auction": "auction",
        "negotiated": "negotiation",
        "listing": "listing_closed",
        "property_disclosure": "listing_closed",
    }.get(tender.procedure.family, "opening")
    assert (lot.status, lot.next_check) == (after_close, None)

    lot = record_outcome(world, lot)
    if tender.procedure.candidate_publicity:
        assert lot.status == "publicity"
        with pytest.raises(ValidationError, match="公示期尚未结束"):
            award_confirm(lot=lot, candidate=lot.candidates.get(rank=1), actor=world.owner_user)
        assert lot.next_check == publicity_end(lot)
        assert tick_at(clock, publicity_end(lot)) == 1
        assert notified(world.owner_user, "lot.publicity_ended")
    else:
        # 政府采购法实施条例 第43条: the purchaser decides from the report, no publicity.
        assert (lot.status, lot.publicity_ends_at) == ("evaluation", None)

    lot.refresh_from_db()
    lot = award_and_close(world, lot)
    assert (lot.status, lot.next_check) == ("closed", None)

    actions = lot_actions(lot)
    timed = ["lot.open_bidding", "lot.close_bidding"]
    assert actions[:4] == ["lot.drafted", "lot.published", *timed]
    assert actions[-1] == "lot.closed"
    statuses = [
        (e.payload["from"], e.payload["to"])
        for e in OutboxEvent.objects.filter(
            kind="lot.status_changed", subject=f"lot:{lot.pk}"
        ).order_by("pk")
    ]
    assert statuses[0] == ("draft", "published") and statuses[-1] == ("contracted", "closed")
    # Beat signs the heads every minute; the clock jumped days ahead without it.
    ledger_checkpoint(clock=clock)
    assert ledger_verify().ok


def test_an_engineering_lot_with_two_bids_of_three_fails(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world))
    tick_at(clock, closes(lot) + timedelta(hours=1))

    lot = lot_record_bid_count(lot=lot, count=2, actor=world.staff)

    assert (lot.status, lot.bid_count, lot.next_check) == ("failed", 2, None)
    assert lot_actions(lot)[-1] == "lot.bids_insufficient"
    assert notified(world.owner_user, "lot.failed")
    with pytest.raises(ValidationError):
        lot_record_bid_count(lot=lot, count=3, actor=world.staff)


def test_an_unsold_auction_fails_the_lot(clock: ControlledClock) -> None:
    world = make_world(business_type="land")
    lot = first_lot(make_tender(world))
    tick_at(clock, closes(lot))

    lot = lot_record_auction_result(lot=lot, sold=False, actor=world.staff)

    assert lot.status == "failed"
    assert lot_actions(lot)[-1] == "lot.unsold"


def earliest_lawful_deadline(start: datetime) -> datetime:
    """The earliest bid deadline 招标投标法 第24条 allows for documents issued at `start`."""
    from trading.domain.timeline import earliest
    from trading.selectors.rules import calendar_load, rules_load

    [rule] = [rule for rule in rules_load() if rule.key == "engineering.bid_period"]
    return earliest(start, rule, calendar_load())


@pytest.mark.parametrize(
    ("slack", "deadline_moves"),
    [(timedelta(hours=9), True), (timedelta(days=40), False)],
    ids=["tight-schedule-moves-the-deadline", "ample-schedule-keeps-it"],
)
def test_an_objection_to_the_documents_suspends_the_lot_until_the_owner_answers(
    clock: ControlledClock, slack: timedelta, deadline_moves: bool
) -> None:
    world = make_world(business_type="engineering")
    opens_at = clock.now + timedelta(days=2)
    closes_in = earliest_lawful_deadline(clock.now) + slack
    lot = first_lot(make_tender(world, opens_at=opens_at, closes_at=closes_in))

    clock.advance(days=1)
    objection = objection_raise(
        lot=lot, stage="documents", text="资格条件排斥潜在投标人", actor=world.bidder_users[0]
    )
    lot.refresh_from_db()
    assert (lot.suspended_at, lot.next_check) == (clock.now, None)
    assert objection.answer_due > clock.now and objection.hold is not None
    assert notified(world.owner_user, "objection.raised")

    assert tick_at(clock, opens_at + timedelta(hours=1)) == 0  # suspended: nothing moves
    lot.refresh_from_db()
    assert lot.status == "published"

    clock.advance(hours=23)  # two days suspended in all
    objection_answer(objection=objection, answer="资格条件符合法律规定", actor=world.owner_user)
    lot.refresh_from_db()

    paused = timedelta(days=2)
    assert lot.suspended_at is None
    assert lot.opens_at == opens_at + paused  # fell inside the suspension
    assert lot.closes_at == (closes_in + paused if deadline_moves else closes_in)
    assert lot.next_check == opens(lot)
    assert lot_actions(lot)[-2:] == ["objection.answered", "lot.resumed"]
    assert OutboxEvent.objects.filter(kind="lot.resumed", subject=f"lot:{lot.pk}").exists()

    assert tick_at(clock, opens(lot)) == 1
    lot.refresh_from_db()
    assert lot.status == "bidding"


def test_an_objection_to_the_documents_fewer_than_10_days_before_the_deadline_is_refused(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world))
    clock.set(closes(lot) - timedelta(days=9))

    with pytest.raises(ValidationError, match="第22条"):
        objection_raise(lot=lot, stage="documents", text="太晚的异议", actor=world.bidder_users[0])

    assert not Hold.objects.filter(lot=lot).exists()


def test_a_result_objection_blocks_the_award_and_the_publicity_runs_its_full_time(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world))
    tick_at(clock, closes(lot))
    lot = record_outcome(world, lot)
    ends = publicity_end(lot)
    assert ends is not None

    clock.advance(days=1)
    objection = objection_raise(
        lot=lot, stage="result", text="第一名业绩造假", actor=world.bidder_users[1]
    )
    assert tick_at(clock, ends) == 0  # suspended: publicity end is not announced
    with pytest.raises(ValidationError, match="暂停"):
        award_confirm(lot=lot, candidate=lot.candidates.get(rank=1), actor=world.owner_user)

    objection_answer(objection=objection, answer="经核查业绩属实", actor=world.owner_user)
    lot.refresh_from_db()
    # Publicity lasts 3 日 (实施条例 第54条) without the suspended time: it moves.
    assert publicity_end(lot) > ends
    assert lot.status == "publicity" and lot.next_check == publicity_end(lot)


def test_a_hold_suspends_until_the_last_one_is_lifted(clock: ControlledClock) -> None:
    world = make_world(business_type="procurement")
    lot = first_lot(make_tender(world))
    outage = hold_place(lot=lot, reason="outage", note="机房断电", actor=world.staff)
    clock.advance(hours=1)
    intervention = hold_place(
        lot=lot, reason="intervention", note="监督检查", actor=world.regulator
    )

    hold_lift(hold=outage, actor=world.staff)
    lot.refresh_from_db()
    assert lot.suspended_at is not None

    hold_lift(hold=intervention, actor=world.regulator)
    lot.refresh_from_db()
    assert lot.suspended_at is None and lot.next_check == opens(lot)
    with pytest.raises(ValidationError, match="已解除"):
        hold_lift(hold=intervention, actor=world.regulator)


def test_a_terminated_lot_stops_for_good_and_its_holds_are_lifted(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world))
    tick_at(clock, opens(lot))
    hold_place(lot=lot, reason="outage", note="系统故障", actor=world.staff)

    lot = lot_terminate(lot=lot, reason="项目取消", actor=world.owner_user)

    assert (lot.status, lot.next_check, lot.suspended_at) == ("terminated", None, None)
    lot.refresh_from_db()
    assert lot.termination_reason == "项目取消"
    assert not Hold.objects.filter(lot=lot, lifted_at__isnull=True).exists()
    assert lot_actions(lot)[-1] == "lot.terminated"
    assert OutboxEvent.objects.filter(kind="lot.terminated").exists()
    assert tick_at(clock, closes(lot)) == 0
    with pytest.raises(ValidationError):
        lot_terminate(lot=lot, reason="再次终止", actor=world.owner_user)


def test_only_the_owner_terminates_staff_regulators_and_bidders_cannot(
    clock: ControlledClock,
) -> None:
    """实施条例 第31条: the owner terminates; a regulator orders it through an intervention."""
    from django.core.exceptions import PermissionDenied

    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world))
    with pytest.raises(PermissionDenied):
        lot_terminate(lot=lot, reason="x", actor=world.staff)
    with pytest.raises(PermissionDenied):
        lot_terminate(lot=lot, reason="x", actor=world.regulator)
    with pytest.raises(PermissionDenied):
        lot_terminate(lot=lot, reason="x", actor=world.bidder_users[0])
    lot.refresh_from_db()
    assert lot.status == "published"


@pytest.mark.parametrize(
    ("business_type", "state_funded", "allowed"),
    [("engineering", True, False), ("engineering", False, True), ("procurement", True, True)],
)
def test_the_first_candidate_must_win_a_state_funded_engineering_lot(
    clock: ControlledClock, business_type: str, state_funded: bool, allowed: bool
) -> None:
    world = make_world(business_type=business_type)
    lot = first_lot(make_tender(world, state_funded=state_funded))
    tick_at(clock, closes(lot))
    lot = record_outcome(world, lot)
    if lot.status == "publicity":
        clock.set(publicity_end(lot))
    second = lot.candidates.get(rank=2)

    if not allowed:
        with pytest.raises(ValidationError, match="第55条"):
            award_confirm(lot=lot, candidate=second, reason="价格更优", actor=world.owner_user)
        return
    with pytest.raises(ValidationError, match="理由"):
        award_confirm(lot=lot, candidate=second, actor=world.owner_user)
    award = award_confirm(lot=lot, candidate=second, reason="第一名放弃", actor=world.owner_user)
    assert (award.organisation, award.price) == (second.organisation, second.price)
    # The letter is not issued by the confirmation but by its publication: nobody is told yet.
    assert award.letter_issued_at is None
    assert not Notification.objects.filter(recipient=world.bidder_users[1]).exists()


@pytest.mark.parametrize("report_first", [False, True], ids=["contract-first", "report-first"])
def test_the_lot_closes_once_both_contract_and_report_are_in(
    clock: ControlledClock, report_first: bool
) -> None:
    from trading.services.awards import contract_record, report_file

    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world))
    tick_at(clock, closes(lot))
    lot = record_outcome(world, lot)
    clock.set(publicity_end(lot))
    award_confirm(lot=lot, candidate=lot.candidates.get(rank=1), actor=world.owner_user)
    clock.advance(days=1)
    issue_award_letter(lot)
    clock.advance(days=1)

    def contract() -> None:
        contract_record(
            lot=lot,
            signed_on=clock.now.date(),
            amount=Decimal("950000.00"),
            file=pdf_file(),
            actor=world.owner_user,
        )

    def report() -> None:
        report_file(lot=lot, file=pdf_file(), actor=world.owner_user)

    first, second = (report, contract) if report_first else (contract, report)
    first()
    lot.refresh_from_db()
    assert lot.status == ("awarded" if report_first else "contracted")
    second()
    lot.refresh_from_db()
    assert lot.status == "closed"
    lights = {item.key: item.light for item in lot_timeline(lot, clock.now)}
    assert lights["contract"] == "done" and lights["report"] == "done"


def test_the_contract_period_runs_from_the_letters_issue_and_turns_red_when_late(
    clock: ControlledClock,
) -> None:
    """法 第46条: the contract within 30 日 of the award letter, issued when it is published."""
    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world))
    tick_at(clock, closes(lot))
    lot = record_outcome(world, lot)
    clock.set(publicity_end(lot))
    award_confirm(lot=lot, candidate=lot.candidates.get(rank=1), actor=world.owner_user)
    lot.refresh_from_db()
    lights = {item.key: item for item in lot_timeline(lot, clock.now)}
    assert lights["contract"].due is None and lights["contract"].light is None
    with pytest.raises(ValidationError, match="尚未发出"):
        contract_record(
            lot=lot,
            signed_on=clock.now.date(),
            amount=Decimal("950000.00"),
            file=pdf_file(),
            actor=world.owner_user,
        )

    clock.advance(days=5)
    issue_award_letter(lot)
    lights = {item.key: item for item in lot_timeline(lot, clock.now)}
    assert lights["contract"].light == "green" and "第46条" in lights["contract"].article
    issued = Award.objects.get(lot=lot).letter_issued_at
    assert issued == clock.now
    assert lights["contract"].due == calendar_load().add_days(issued, 30, "day")
    assert notified(world.owner_user, "award.letter_issued")
    clock.advance(days=40)
    lights = {item.key: item for item in lot_timeline(lot, clock.now)}
    assert lights["contract"].light == "red" and lights["report"].light == "red"


def test_a_lot_cannot_be_terminated_after_the_award(clock: ControlledClock) -> None:
    """终止 comes before the award; after it the letter binds the owner (法 第45条)."""
    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world))
    tick_at(clock, closes(lot))
    lot = record_outcome(world, lot)
    clock.set(publicity_end(lot))
    award_confirm(lot=lot, candidate=lot.candidates.get(rank=1), actor=world.owner_user)

    with pytest.raises(ValidationError, match="第45条"):
        lot_terminate(lot=lot, reason="改变主意", actor=world.owner_user)
    lot.refresh_from_db()
    assert lot.status == "awarded" and lot.termination_reason == ""


def test_evaluation_refuses_more_than_three_candidates_and_non_bidders(
    clock: ControlledClock,
) -> None:
    from tests.factories import make_organisation
    from trading.services.outcomes import CandidateInput

    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world))
    tick_at(clock, closes(lot))
    lot = lot_record_bid_count(lot=lot, count=4, actor=world.staff)
    extra = make_organisation("bidder")
    four = [*candidates(world), CandidateInput(organisation=extra, price=Decimal("1.00"))]
    with pytest.raises(ValidationError, match="1至3名"):
        lot_record_evaluation(lot=lot, candidates=four, report_file=pdf_file(), actor=world.staff)
    owner_as_candidate = [CandidateInput(organisation=world.owner, price=Decimal("1.00"))]
    with pytest.raises(ValidationError, match="投标人"):
        lot_record_evaluation(
            lot=lot, candidates=owner_as_candidate, report_file=pdf_file(), actor=world.staff
        )
    lot.refresh_from_db()
    assert lot.status == "evaluation" and not lot.candidates.exists()


def test_a_lot_terminated_in_publicity_shows_no_overdue_or_pending_lights(
    clock: ControlledClock,
) -> None:
    """Its deadline passed before the end (done); the publicity it cut short will never end."""
    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world))
    tick_at(clock, closes(lot))
    lot = record_outcome(world, lot)
    clock.advance(days=1)
    lot_terminate(lot=lot, reason="项目取消", actor=world.owner_user)
    lot.refresh_from_db()

    items = {item.key: item for item in lot_timeline(lot, clock.now + timedelta(days=30))}

    assert items["closes_at"].light == "done"
    assert items["publicity_end"].light is None
    assert "red" not in {str(item.light) for item in items.values()}


def test_implementing_regulations_art_54_publicity_opened_monday_10_00_runs_until_thursday_24_00(
    clock: ControlledClock,
) -> None:
    """实施条例 第54条: ≥ 3 日 of publicity, the first day not counted, the last one whole."""
    world = make_world(business_type="engineering")
    monday = datetime.fromisoformat("2026-12-28T10:00:00+08:00")
    lot = first_lot(
        make_tender(
            world,
            opens_at=datetime.fromisoformat("2026-12-02T09:00:00+08:00"),
            closes_at=datetime.fromisoformat("2026-12-28T08:00:00+08:00"),
        )
    )
    tick_at(clock, closes(lot))
    clock.set(monday)
    lot = record_outcome(world, lot)

    # Tuesday, Wednesday, Thursday (31 December, a working day): until 24:00 on Thursday.
    thursday_24_00 = datetime.fromisoformat("2027-01-01T00:00:00+08:00")
    assert lot.publicity_ends_at == thursday_24_00
    # Objections are heard until the very end of Thursday; the award waits for it.
    clock.set(thursday_24_00 - MINUTE)
    with pytest.raises(ValidationError, match="公示期尚未结束"):
        award_confirm(lot=lot, candidate=lot.candidates.get(rank=1), actor=world.owner_user)
    objection = objection_raise(
        lot=lot, stage="result", text="对第一名资格有异议", actor=world.bidder_users[2]
    )
    assert objection.pk is not None


def test_implementing_regulations_art_22_objection_10_days_before_a_sunday_deadline(
    clock: ControlledClock,
) -> None:
    """实施条例 第22条 counts back from the deadline: 第203条 does not take a day off the
    objector when the deadline falls on a rest day."""
    world = make_world(business_type="engineering")
    lot = first_lot(
        make_tender(
            world,
            opens_at=datetime.fromisoformat("2026-12-02T09:00:00+08:00"),
            closes_at=datetime.fromisoformat("2026-12-27T10:00:00+08:00"),  # a Sunday
        )
    )
    tick_at(clock, opens(lot))

    clock.set(datetime.fromisoformat("2026-12-17T16:00:00+08:00"))
    objection = objection_raise(
        lot=lot, stage="documents", text="评分办法有倾向性", actor=world.bidder_users[0]
    )
    assert objection.pk is not None

    clock.set(datetime.fromisoformat("2026-12-18T09:00:00+08:00"))
    with pytest.raises(ValidationError, match="10日前"):
        objection_raise(
            lot=lot, stage="documents", text="资格条件过高", actor=world.bidder_users[1]
        )
