"""Complaints (投诉) walked through filing, acceptance, hold, statements, decision and resumption,
the limits counted across 2027 元旦 (实施条例 第60、61条; 政府采购法 第55、56条)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import Http404

from tests.conftest import ControlledClock
from tests.tenders import first_lot, make_tender, make_world, pdf_file
from trading.models import (
    CalendarDay,
    Complaint,
    LedgerEntry,
    Lot,
    Notification,
    OutboxEvent,
)
from trading.selectors.tenders import tender_scope_key
from trading.services.complaints import (
    complaint_accept,
    complaint_decide,
    complaint_extend,
    complaint_file,
    complaint_hold,
    complaint_refuse,
    complaint_statement_submit,
    complaint_statements_request,
    complaint_withdraw,
)
from trading.services.objections import objection_answer, objection_raise

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

CST = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=CST)


def last_day(moment: datetime | None) -> date:
    """The last day of a period ending at `moment` (24:00 of that day)."""
    assert moment is not None
    return (moment - timedelta(microseconds=1)).astimezone(CST).date()


def entries(lot: Lot, action: str) -> list[dict[str, Any]]:
    return list(
        LedgerEntry.objects.filter(
            scope__key=tender_scope_key(lot.tender_id), action=action, object_id=str(lot.pk)
        )
        .order_by("seq")
        .values_list("payload", flat=True)
    )


def notified(user: Any, kind: str) -> bool:
    return Notification.objects.filter(recipient=user, kind=kind).exists()


def answered_objection(clock: ControlledClock, world: Any, *, answered: date) -> Any:
    """A documents objection by the first bidder, answered by the owner on `answered`."""
    lot = first_lot(make_tender(world))
    clock.set(at(answered) - timedelta(days=1))
    objection = objection_raise(
        lot=lot, stage="documents", text="资格条件排斥潜在投标人", actor=world.bidder_users[0]
    )
    clock.set(at(answered))
    return objection_answer(objection=objection, answer="资格条件合法", actor=world.owner_user)


def test_an_engineering_complaint_runs_to_an_upheld_decision_counting_working_days_over_new_year(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    # 2027 元旦 is a holiday in the seeded table: the limits below count around it.
    assert CalendarDay.objects.get(date=date(2027, 1, 1)).kind == "holiday"
    objection = answered_objection(clock, world, answered=date(2026, 12, 22))
    lot = objection.lot
    bidder = world.bidder_users[0]

    # Nine days after the answer: within 10 日 (实施条例 第60条).
    clock.set(at(date(2026, 12, 31)))
    complaint = complaint_file(
        lot=lot,
        objection=objection,
        grounds="招标人对资格条件的答复不成立",
        actor=bidder,
        attachments=[pdf_file("证据.pdf")],
    )
    assert complaint.status == "filed"
    # 10 日 end on 元旦; a period ending on a holiday ends on the next working day (民法典 第203条).
    assert last_day(complaint.filing_due) == date(2027, 1, 4)
    # 3 工作日 from Thursday 31 December: 元旦 and the weekend do not count (第61条).
    assert last_day(complaint.acceptance_due) == date(2027, 1, 6)
    assert complaint.attachments.count() == 1
    assert notified(world.regulator, "complaint.filed")
    assert not notified(world.other_regulator, "complaint.filed")

    clock.set(at(date(2027, 1, 5)))
    complaint_accept(complaint=complaint, actor=world.regulator)
    complaint.refresh_from_db()
    assert complaint.status == "accepted"
    # 30 工作日 from Tuesday 5 January 2027 (engineering counts from the acceptance).
    decision_due = complaint.decision_due
    assert decision_due is not None and last_day(decision_due) > date(2027, 2, 15)
    assert entries(lot, "complaint.accepted")[0]["late"] is False
    assert notified(bidder, "complaint.accepted") and notified(
        world.owner_user, "complaint.accepted"
    )

    complaint_hold(complaint=complaint, note="投诉处理期间暂停招标活动", actor=world.regulator)
    lot.refresh_from_db()
    assert lot.suspended_at == clock.now

    clock.advance(hours=1)
    [statement] = complaint_statements_request(
        complaint=complaint,
        parties=[world.owner],
        due=at(date(2027, 1, 12)),
        actor=world.regulator,
    )
    assert notified(world.owner_user, "complaint.statement_requested")
    clock.set(at(date(2027, 1, 8)))
    complaint_statement_submit(
        statement=statement, text="资格条件系依据行业标准设定", actor=world.owner_user
    )
    statement.refresh_from_db()
    assert statement.submitted_at == clock.now
    assert entries(lot, "complaint.statement_submitted")[0]["late"] is False

    clock.advance(days=1)
    new_due = decision_due + timedelta(days=20)
    complaint_extend(
        complaint=complaint, new_due=new_due, reason="需组织专家评审", actor=world.regulator
    )
    complaint.refresh_from_db()
    assert complaint.decision_due == new_due
    assert complaint.extensions.get().previous_due == decision_due

    # After the original limit but within the extended one: on time.
    clock.set(decision_due + timedelta(days=1))
    complaint_decide(
        complaint=complaint,
        upheld=True,
        order="correct_documents",
        reasons="资格条件排斥潜在投标人，责令修改招标文件",
        actor=world.regulator,
    )
    complaint.refresh_from_db()
    lot.refresh_from_db()
    assert (complaint.status, complaint.order, complaint.decided_late) == (
        "upheld",
        "correct_documents",
        False,
    )
    assert lot.suspended_at is None
    assert entries(lot, "complaint.decided")[0]["late"] is False
    assert entries(lot, "lot.resumed")
    assert notified(bidder, "complaint.decided")
    # Each step with a document (受理通知书, 处理决定书) leaves its event for the renderer.
    assert list(
        OutboxEvent.objects.filter(subject=f"complaint:{complaint.pk}")
        .order_by("pk")
        .values_list("kind", flat=True)
    ) == ["complaint.accepted", "complaint.decided"]


def test_a_complaint_after_the_ten_days_is_refused_with_the_article(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    objection = answered_objection(clock, world, answered=date(2026, 12, 2))
    clock.set(at(date(2026, 12, 16)))
    with pytest.raises(ValidationError, match="第60条"):
        complaint_file(
            lot=objection.lot,
            objection=objection,
            grounds="迟到的投诉",
            actor=world.bidder_users[0],
        )
    assert not Complaint.objects.exists()


def test_a_complaint_before_the_objection_is_answered_is_refused(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world))
    clock.advance(days=1)
    objection = objection_raise(
        lot=lot, stage="documents", text="资格条件排斥", actor=world.bidder_users[0]
    )
    with pytest.raises(ValidationError, match="异议"):
        complaint_file(lot=lot, objection=objection, grounds="未答复", actor=world.bidder_users[0])
    # Another bidder's objection is not the complainant's own.
    with pytest.raises(Http404):
        complaint_file(lot=lot, objection=objection, grounds="他人", actor=world.bidder_users[1])
    assert not Complaint.objects.exists()


def test_an_attachment_that_is_not_a_pdf_or_too_large_changes_nothing(
    clock: ControlledClock, settings: Any
) -> None:
    settings.COMPLAINT_ATTACHMENT_MAX_BYTES = 1024
    world = make_world(business_type="engineering")
    objection = answered_objection(clock, world, answered=date(2026, 12, 2))
    clock.set(at(date(2026, 12, 3)))
    for bad in (ContentFile(b"MZ\x90\x00 not a pdf", name="证据.pdf"), pdf_file(size=4096)):
        with pytest.raises(ValidationError):
            complaint_file(
                lot=objection.lot,
                objection=objection,
                grounds="附件有误",
                actor=world.bidder_users[0],
                attachments=[bad],
            )
    assert not Complaint.objects.exists()


def filed(clock: ControlledClock, world: Any) -> Complaint:
    objection = answered_objection(clock, world, answered=date(2026, 12, 2))
    clock.set(at(date(2026, 12, 3)))
    return complaint_file(
        lot=objection.lot, objection=objection, grounds="投诉理由", actor=world.bidder_users[0]
    )


def test_a_late_decision_is_still_made_and_flagged_late(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    complaint = filed(clock, world)
    complaint_accept(complaint=complaint, actor=world.regulator)
    complaint.refresh_from_db()
    assert complaint.decision_due is not None
    clock.set(complaint.decision_due + timedelta(hours=1))
    complaint_decide(
        complaint=complaint, upheld=False, reasons="投诉缺乏事实依据", actor=world.regulator
    )
    complaint.refresh_from_db()
    assert (complaint.status, complaint.decided_late) == ("dismissed", True)
    assert entries(complaint.lot, "complaint.decided")[0]["late"] is True


def test_decisions_need_reasons_and_an_order_and_a_final_complaint_stays_final(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    complaint = filed(clock, world)
    with pytest.raises(ValidationError, match="状态"):
        complaint_decide(complaint=complaint, upheld=False, reasons="未受理", actor=world.regulator)
    complaint_accept(complaint=complaint, actor=world.regulator)
    with pytest.raises(ValidationError):
        complaint_decide(complaint=complaint, upheld=True, reasons="成立", actor=world.regulator)
    with pytest.raises(ValidationError):
        complaint_decide(complaint=complaint, upheld=False, reasons=" ", actor=world.regulator)
    complaint.refresh_from_db()
    assert complaint.status == "accepted" and complaint.decided_at is None
    complaint_decide(complaint=complaint, upheld=False, reasons="驳回", actor=world.regulator)
    with pytest.raises(ValidationError):
        complaint_accept(complaint=complaint, actor=world.regulator)
    with pytest.raises(ValidationError):
        complaint_withdraw(complaint=complaint, actor=world.bidder_users[0])


def test_a_regulator_outside_the_jurisdiction_cannot_find_the_complaint(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    complaint = filed(clock, world)
    with pytest.raises(Http404):
        complaint_accept(complaint=complaint, actor=world.other_regulator)
    with pytest.raises(Http404):
        complaint_refuse(complaint=complaint, reasons="不属于本部门", actor=world.other_regulator)
    complaint.refresh_from_db()
    assert complaint.status == "filed"


def test_refusal_and_withdrawal_end_the_complaint_and_lift_its_hold(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    complaint = filed(clock, world)
    with pytest.raises(ValidationError):
        complaint_refuse(complaint=complaint, reasons="", actor=world.regulator)
    complaint_refuse(complaint=complaint, reasons="投诉人不是利害关系人", actor=world.regulator)
    complaint.refresh_from_db()
    assert complaint.status == "refused"
    assert notified(world.bidder_users[0], "complaint.refused")

    objection = complaint.objection
    again = complaint_file(
        lot=complaint.lot,
        objection=objection,
        grounds="补充材料后再次投诉",
        actor=world.bidder_users[0],
    )
    complaint_accept(complaint=again, actor=world.regulator)
    complaint_hold(complaint=again, note="暂停", actor=world.regulator)
    with pytest.raises(Http404):
        complaint_withdraw(complaint=again, actor=world.bidder_users[1])
    complaint_withdraw(complaint=again, actor=world.bidder_users[0], reason="已与招标人协商解决")
    again.refresh_from_db()
    lot = again.lot
    lot.refresh_from_db()
    assert again.status == "withdrawn" and lot.suspended_at is None


def test_a_procurement_complaint_counts_15_working_days_from_the_end_of_the_answer_period(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="procurement")
    lot = first_lot(make_tender(world))
    clock.set(at(date(2026, 12, 1)))
    objection = objection_raise(
        lot=lot, stage="documents", text="采购需求具有倾向性", actor=world.bidder_users[0]
    )
    # Not answered: the complaint waits for the end of the answer period (政府采购法 第55条).
    with pytest.raises(ValidationError, match="第55条"):
        complaint_file(lot=lot, objection=objection, grounds="未答复", actor=world.bidder_users[0])
    clock.set(objection.answer_due + timedelta(hours=1))
    complaint = complaint_file(
        lot=lot, objection=objection, grounds="答复期满未答复", actor=world.bidder_users[0]
    )
    assert complaint.filing_due > objection.answer_due + timedelta(days=15)
    # Procurement counts the decision from the receipt (政府采购法 第56条).
    assert complaint.decision_due is not None and complaint.decision_due > clock.now
    assert complaint.acceptance_due < complaint.decision_due
