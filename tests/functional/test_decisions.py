"""What follows from a decision, through the pages of the roles that take it.

实施条例 第54条: the candidates' publicity runs from its notice's publication. 政府采购法实施条例
第43条 and 87号令 第69条: procurement has no candidate publicity; the purchaser decides from the
report, and the result notice and the letter go out together. 招标投标法 第45条: the bidders who did
not win are told with the letter. 第46条: a contract departing from the award needs a reason.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from notices.models import Notice, NoticeKind, NoticeStatus
from notices.services import notice_approve
from notices.tasks import notice_render_and_publish
from tests.conftest import ControlledClock
from tests.enrolments import enrol_all
from tests.notices import deliver_events, fake_render
from tests.tenders import (
    World,
    closes,
    first_lot,
    make_tender,
    make_world,
    pdf_file,
    publicity_end,
)
from trading.chronograph import chronograph_tick
from trading.domain.timeline import SHANGHAI, local_date
from trading.models import Award, Contract, LedgerEntry, Lot, Notification, User
from trading.models.tenders import HoldReason
from trading.selectors.rules import calendar_load
from trading.selectors.timeline import award_deadlines, lot_timeline, tender_rulebook
from trading.services.holds import hold_lift, hold_place

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(user: User, lot: Lot) -> str:
    response = _as(user).get(reverse("lot_detail", args=[lot.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _evaluation_form(world: World) -> dict[str, Any]:
    return {
        "organisation_1": world.bidders[0].pk,
        "price_1": "950000.00",
        "score_1": "90.5",
        "organisation_2": world.bidders[1].pk,
        "price_2": "960000.00",
        "score_2": "89.5",
        "report_file": pdf_file("report.pdf"),
    }


def _evaluated(world: World, clock: ControlledClock, **tender: Any) -> Lot:
    """Staff record the evaluation from the lot page, as the page offers it to them."""
    lot = first_lot(make_tender(world, **tender))
    enrol_all(lot, world.bidders)
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    client = _as(world.staff)
    assert client.post(reverse("lot_bid_count", args=[lot.pk]), {"count": 3}).status_code == 302
    response = client.post(reverse("lot_evaluation", args=[lot.pk]), _evaluation_form(world))
    assert response.status_code == 302, response.context and response.context.get("evaluation_form")
    lot.refresh_from_db()
    return lot


def _publish(world: World, clock: ControlledClock, lot: Lot, kind: str) -> Notice:
    """The desk approves the drafted notice; it is rendered and published; trading hears of it."""
    deliver_events(clock)
    notice = Notice.objects.get(lot=lot, kind=kind)
    if notice.status == NoticeStatus.DRAFT:
        notice_approve(notice=notice, actor=world.staff)
    notice_render_and_publish(notice.pk, render=fake_render, clock=clock)
    deliver_events(clock)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PUBLISHED
    return notice


# --- the publicity runs from its notice (实施条例 第54条) -------------------------------------


@pytest.mark.parametrize("training", [False, True], ids=["real", "training"])
def test_implementing_regulations_art_54_publicity_runs_from_the_notice_not_the_evaluation(
    clock: ControlledClock, training: bool
) -> None:
    world = make_world(business_type="engineering")
    lot = _evaluated(world, clock, training=training, time_scale=24 if training else 1)

    assert (lot.status, lot.publicity_starts_at, lot.publicity_ends_at) == ("publicity", None, None)
    staff_page = _page(world.staff, lot)
    assert "中标候选人公示期满（待公示发布）" in staff_page
    assert "审核发布公示" in staff_page
    assert "公示尚未发布" in _page(world.owner_user, lot)
    # Days pass while the notice waits to be published: the publicity has not run, even in
    # training (where two training days stay short of the 3 after which the scenario gives up).
    clock.advance(**({"hours": 2} if training else {"days": 5}))
    chronograph_tick(clock=clock)
    lot.refresh_from_db()
    assert lot.publicity_ends_at is None
    assert not LedgerEntry.objects.filter(action="lot.publicity_ended").exists()
    refused = _as(world.owner_user).post(
        reverse("award_confirm", args=[lot.pk]), {"candidate": lot.candidates.get(rank=1).pk}
    )
    assert refused.status_code == 400
    assert "公示尚未发布" in refused.content.decode()
    assert not Award.objects.filter(lot=lot).exists()

    notice = _publish(world, clock, lot, NoticeKind.CANDIDATES)

    lot.refresh_from_db()
    assert notice.published_at is not None
    assert lot.publicity_starts_at == notice.published_at
    ends = calendar_load().add_days(notice.published_at, 3, "day")
    scale = 24 if training else 1
    assert lot.publicity_ends_at == notice.published_at + (ends - notice.published_at) / scale
    assert lot.next_check == lot.publicity_ends_at
    item = {i.key: i for i in lot_timeline(lot, clock.now)}["publicity_end"]
    assert (item.due, item.light) == (lot.publicity_ends_at, "green" if not training else "yellow")
    # A repeated delivery of the publication changes nothing.
    deliver_events(clock)
    assert LedgerEntry.objects.filter(action="lot.publicity_started").count() == 1


def test_a_sale_publicity_opens_with_its_deal_notice_for_five_working_days(
    clock: ControlledClock,
) -> None:
    """32号令: the property result is publicised ≥ 5 工作日, from the notice's publication."""
    world = make_world(business_type="property")
    lot = first_lot(make_tender(world))
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    from trading.services.outcomes import lot_record_auction_result
    from trading.services.procedures import lot_record_transferees

    lot.refresh_from_db()
    enrol_all(lot, world.bidders[:2])
    # Two qualified transferees when the disclosure closed: online bidding (32号令 第22条).
    lot = lot_record_transferees(lot=lot, count=2, actor=world.staff)
    lot = lot_record_auction_result(
        lot=lot,
        sold=True,
        winner=world.bidders[0],
        price=lot.estimate + 1000,
        actor=world.staff,
    )
    assert lot.publicity_ends_at is None

    notice = _publish(world, clock, lot, NoticeKind.DEAL)

    lot.refresh_from_db()
    assert notice.published_at is not None
    assert lot.publicity_ends_at == calendar_load().add_days(notice.published_at, 5, "workday")


# --- every business type speaks its own words -------------------------------------------------


def test_a_property_lot_page_speaks_of_the_transferee_and_the_deal_price(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="property")
    lot = first_lot(make_tender(world))
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    from tests.tenders import award_and_close, open_publicity, record_outcome

    lot = open_publicity(record_outcome(world, lot, publish=False))
    clock.set(publicity_end(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot.refresh_from_db()
    award_and_close(world, lot)

    for user in (world.owner_user, world.staff, world.regulator):
        page = _page(user, lot)
        assert "受让方" in page and "成交价" in page
        assert "中标候选人" not in page and "中标价" not in page and "中标人" not in page


def test_a_land_result_names_the_winning_bidder_as_jingderen(clock: ControlledClock) -> None:
    """39号令: land is sold to a 竞得人, on the lot page and in the published result."""
    from notices.domain import documents

    world = make_world(business_type="land")
    lot = first_lot(make_tender(world))
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    from tests.tenders import record_outcome

    lot = record_outcome(world, lot, publish=False)
    notice = _publish(world, clock, lot, NoticeKind.DEAL)

    page = _page(world.owner_user, lot)
    assert "竞得人" in page and "中标候选人" not in page
    context = documents.BUILDERS[notice.kind]({"data": notice.data, "title": notice.title})
    labels = [str(label) for label, _value in context["rows"]]
    assert "竞得人" in labels and "中标人" not in labels


# --- procurement: no candidate publicity (政府采购法实施条例 第43条) ---------------------------


def test_procurement_regulation_art_43_the_purchaser_decides_from_the_report_in_its_order(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="procurement")
    lot = _evaluated(world, clock)

    assert (lot.status, lot.publicity_ends_at) == ("evaluation", None)
    assert not Notice.objects.filter(lot=lot, kind=NoticeKind.CANDIDATES).exists()
    decide = {i.key: i for i in lot_timeline(lot, clock.now)}["award_decision"]
    assert lot.evaluation_reported_at is not None
    reported = lot.evaluation_reported_at
    assert decide.due == calendar_load().add_days(reported, 5, "workday")
    assert "政府采购法实施条例 第43条" in decide.article
    page = _page(world.owner_user, lot)
    assert 'action="{}"'.format(reverse("award_confirm", args=[lot.pk])) in page
    assert "确定中标（成交）供应商" in page
    # Staff do not record the report twice.
    assert 'action="{}"'.format(reverse("lot_evaluation", args=[lot.pk])) not in _page(
        world.staff, lot
    )
    url = reverse("award_confirm", args=[lot.pk])
    second = lot.candidates.get(rank=2)
    for user in (world.staff, world.regulator):
        assert _as(user).post(url, {"candidate": second.pk}).status_code == 403

    skipped = _as(world.owner_user).post(url, {"candidate": second.pk})

    assert skipped.status_code == 400
    assert not Award.objects.filter(lot=lot).exists()

    confirmed = _as(world.owner_user).post(url, {"candidate": lot.candidates.get(rank=1).pk})

    assert confirmed.status_code == 302
    lot.refresh_from_db()
    assert lot.status == "awarded"


def test_order_87_art_69_the_result_notice_and_the_letter_go_out_together_for_one_working_day(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="procurement")
    lot = _evaluated(world, clock)
    _as(world.owner_user).post(
        reverse("award_confirm", args=[lot.pk]), {"candidate": lot.candidates.get(rank=1).pk}
    )
    deliver_events(clock)
    letter = Notice.objects.get(lot=lot, kind=NoticeKind.AWARD_LETTER)
    result = Notice.objects.get(lot=lot, kind=NoticeKind.RESULT)

    response = _as(world.staff).post(reverse("notice_approve", args=[letter.pk]), {})

    assert response.status_code == 302
    letter.refresh_from_db()
    result.refresh_from_db()
    assert letter.status == result.status == NoticeStatus.SCHEDULED
    assert letter.publish_at == result.publish_at
    for notice in (result, letter):
        notice_render_and_publish(notice.pk, render=fake_render, clock=clock)
    deliver_events(clock)
    lot.refresh_from_db()
    result.refresh_from_db()
    assert result.published_at is not None
    assert lot.publicity_starts_at == result.published_at
    assert lot.publicity_ends_at == calendar_load().add_days(result.published_at, 1, "workday")
    assert Award.objects.get(lot=lot).letter_issued_at is not None
    item = {i.key: i for i in lot_timeline(lot, clock.now)}["publicity_end"]
    assert item.label == "中标（成交）结果公告期满"


# --- the others are told with the letter (招标投标法 第45条) -------------------------------------


def test_tendering_law_art_45_every_other_candidate_is_told_the_result_with_the_letter(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    lot = _evaluated(world, clock)
    notice = _publish(world, clock, lot, NoticeKind.CANDIDATES)
    lot.refresh_from_db()
    clock.set(publicity_end(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    assert notice.published_at is not None
    _as(world.owner_user).post(
        reverse("award_confirm", args=[lot.pk]), {"candidate": lot.candidates.get(rank=1).pk}
    )
    result = _publish(world, clock, lot, NoticeKind.RESULT)
    assert not Notification.objects.filter(kind="notice.result").exists()

    letter = _publish(world, clock, lot, NoticeKind.AWARD_LETTER)

    loser, outsider = world.bidder_users[1], world.bidder_users[2]
    told = Notification.objects.get(recipient=loser, kind="notice.result")
    assert told.url == reverse("portal_notice_detail", args=[result.pk])
    assert result.verification_code in told.body and world.bidders[0].name in told.body
    assert told.created_at == letter.published_at
    assert not Notification.objects.filter(recipient=world.bidder_users[0], kind="notice.result")
    # Only the ranked bidders are known to the lot until enrolment exists.
    assert not Notification.objects.filter(recipient=outsider, kind="notice.result").exists()
    documents = _as(loser).get(reverse("my_documents")).content.decode()
    assert result.verification_code in documents and letter.verification_code not in documents


# --- the contract follows the award (招标投标法 第46条) -----------------------------------------


def _awarded_with_letter(world: World, clock: ControlledClock) -> Lot:
    lot = _evaluated(world, clock)
    _publish(world, clock, lot, NoticeKind.CANDIDATES)
    lot.refresh_from_db()
    clock.set(publicity_end(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    _as(world.owner_user).post(
        reverse("award_confirm", args=[lot.pk]), {"candidate": lot.candidates.get(rank=1).pk}
    )
    _publish(world, clock, lot, NoticeKind.AWARD_LETTER)
    lot.refresh_from_db()
    return lot


def _contract(clock: ControlledClock, amount: str, reason: str = "") -> dict[str, Any]:
    return {
        "signed_on": local_date(clock.now).isoformat(),
        "amount": amount,
        "file": pdf_file("contract.pdf"),
        "deviation_reason": reason,
    }


def test_tendering_law_art_46_a_contract_at_the_award_price_needs_no_reason(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    lot = _awarded_with_letter(world, clock)

    response = _as(world.owner_user).post(
        reverse("contract_record", args=[lot.pk]), _contract(clock, "950000.00")
    )

    assert response.status_code == 302
    contract = Contract.objects.get(lot=lot)
    assert (contract.deviates, contract.deviation_reason) == (False, "")
    assert (
        "合同与中标结果不一致"
        not in _as(world.staff).get(reverse("staff_console")).content.decode()
    )


def test_tendering_law_art_46_a_contract_departing_from_the_award_is_refused_without_a_reason(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    lot = _awarded_with_letter(world, clock)

    response = _as(world.owner_user).post(
        reverse("contract_record", args=[lot.pk]), _contract(clock, "990000.00", reason="   ")
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "与中标价 950,000.00 元不一致" in page and "招标投标法 第46条" in page
    assert not Contract.objects.filter(lot=lot).exists()
    lot.refresh_from_db()
    assert lot.status == "awarded"


def test_tendering_law_art_46_a_departing_contract_with_a_reason_is_shown_to_desk_and_regulator(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    lot = _awarded_with_letter(world, clock)
    reason = "设计变更增加工程量，经监督部门同意"

    response = _as(world.owner_user).post(
        reverse("contract_record", args=[lot.pk]), _contract(clock, "990000.00", reason)
    )

    assert response.status_code == 302
    contract = Contract.objects.get(lot=lot)
    assert (contract.deviates, contract.deviation_reason) == (True, reason)
    desk = _as(world.staff).get(reverse("staff_console")).content.decode()
    assert "合同与中标结果不一致" in desk
    for user in (world.staff, world.regulator):
        page = _page(user, lot)
        assert 'id="contract-deviates"' in page and reason in page
    assert Notification.objects.filter(recipient=world.staff, kind="contract.deviates").exists()
    entry = LedgerEntry.objects.get(action="contract.recorded")
    assert entry.payload["deviates"] is True and entry.payload["deviation_reason"] == reason


def test_a_publicity_published_during_a_suspension_is_extended_by_the_time_since_publication(
    clock: ControlledClock,
) -> None:
    """实施条例 第54条 with a hold: the suspended time inside the publicity does not count, the
    suspended time before its notice went public was never part of it."""
    world = make_world(business_type="engineering")
    lot = _evaluated(world, clock)
    hold = hold_place(lot=lot, reason=HoldReason.OUTAGE, note="系统故障", actor=world.staff)
    clock.advance(days=1)
    _publish(world, clock, lot, NoticeKind.CANDIDATES)
    lot.refresh_from_db()
    published, ends = lot.publicity_starts_at, lot.publicity_ends_at
    assert published is not None and ends is not None and lot.suspended_at is not None
    clock.advance(hours=5)

    hold_lift(hold=hold, actor=world.staff)

    lot.refresh_from_db()
    assert lot.suspended_at is None
    assert lot.publicity_ends_at == ends + (clock.now - published)


def test_procurement_law_art_47_the_contract_copy_is_due_7_working_days_after_signing(
    clock: ControlledClock,
) -> None:
    """政府采购法 第47条 counts from the contract, not the award (招标投标法 第47条: 15 日)."""
    procurement = tender_rulebook(make_tender(make_world(business_type="procurement")))
    engineering = tender_rulebook(make_tender(make_world(business_type="engineering")))
    # Friday 4 December 2026, 10:00: the award and its letter.
    awarded = datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)
    award = Award(confirmed_at=awarded, letter_issued_at=awarded)

    before = award_deadlines(award, procurement)
    signed = award_deadlines(award, procurement, contract_signed_on=date(2026, 12, 4))

    assert before.report is None
    # Seven working days after Friday 4 December: Monday 7 … Tuesday 15 December, until 24:00.
    assert signed.report == datetime(2026, 12, 16, 0, 0, tzinfo=SHANGHAI)
    assert procurement.article("report") == "政府采购法 第47条"
    # 招标投标法 第47条: 15 日 after the award, 19 December 2026 (a Saturday) → Monday 21.
    assert award_deadlines(award, engineering).report == datetime(
        2026, 12, 22, 0, 0, tzinfo=SHANGHAI
    )
