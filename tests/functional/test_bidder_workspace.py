"""The bidder's workspace (我的报名): every lot it follows from enrolment through the opening to
the result, with what to do next and by when, its deposit and refund, and the published result."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bidding.models import OrganisationProfile
from bidding.services.deposits import deposit_account_open
from notices.models import Notice, NoticeKind
from notices.services import notice_approve
from notices.tasks import notice_render_and_publish
from tests.conftest import ControlledClock
from tests.deposits import BASIC_ACCOUNT, bank_pay
from tests.enrolments import enrol
from tests.notices import deliver_events, fake_render
from tests.tenders import (
    World,
    award_and_close,
    closes,
    first_lot,
    make_tender,
    make_world,
    opens,
    publicity_end,
    record_outcome,
)
from trading.chronograph import chronograph_tick
from trading.models import Lot, User

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _bidding_lot(world: World, clock: ControlledClock, **kwargs: Any) -> Lot:
    lot = first_lot(make_tender(world, **kwargs))
    clock.set(opens(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot.refresh_from_db()
    assert lot.status == "bidding"
    return lot


def _row(html: str, enrolment_pk: int) -> str:
    match = re.search(rf'<tr id="enrolment-{enrolment_pk}">(.*?)</tr>', html, re.S)
    assert match is not None, f"no row for enrolment {enrolment_pk}"
    return match.group(1)


def _section(html: str, title_id: str) -> str:
    match = re.search(rf'<h2 id="{title_id}">(.*?)</section>', html, re.S)
    return match.group(1) if match else ""


def test_a_lot_stays_in_the_workspace_from_enrolment_to_the_result(
    clock: ControlledClock,
) -> None:
    world = make_world()
    lot = _bidding_lot(world, clock)
    enrolment = enrol(lot, world.bidders[0])
    bidder = _as(world.bidder_users[0])
    url = reverse("enrolment_list")

    page = bidder.get(url).text
    row = _row(_section(page, "current-title"), enrolment.pk)
    deadline = closes(lot).astimezone(clock.now.tzinfo).strftime("%Y-%m-%d")
    assert lot.code in row and enrolment.bidder_number in row
    for step in ("下载招标文件", "缴纳投标保证金", "递交投标文件", "参加开标"):
        assert step in row
    assert deadline in row
    deposit_url = reverse("enrolment_deposit", args=[enrolment.pk])
    assert f'href="{deposit_url}"' in row and "未足额到账" in row

    # Paid from another account than the basic one: invalid (实施条例 第26条), and said so.
    account = deposit_account_open(enrolment=enrolment, now=clock.now)
    bank_pay(account.number, str(lot.deposit_amount), payer="6222000000000009")
    row = _row(bidder.get(url).text, enrolment.pk)
    assert "无效（非基本存款账户转出）" in row and "缴纳投标保证金" in row

    # Paid from the basic account: the deposit is confirmed and no longer something to do.
    OrganisationProfile.objects.update_or_create(
        organisation=world.bidders[0], defaults={"basic_account_number": BASIC_ACCOUNT}
    )
    bank_pay(account.number, str(lot.deposit_amount))
    row = _row(bidder.get(url).text, enrolment.pk)
    assert "已足额到账" in row and "缴纳投标保证金" not in row

    # Bidding closed: the lot does not disappear; the bidder is told to join the opening.
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    row = _row(_section(bidder.get(url).text, "current-title"), enrolment.pk)
    assert "参加开标" in row and "递交投标文件" not in row

    # The candidates are publicised: the bidder reads its rank.
    lot = record_outcome(world, lot)
    row = _row(_section(bidder.get(url).text, "current-title"), enrolment.pk)
    assert "第 1 名候选人" in row

    # Awarded and closed: the lot moves to the past lots, as won.
    clock.set(publicity_end(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot.refresh_from_db()
    award_and_close(world, lot)
    page = bidder.get(url).text
    assert f'id="enrolment-{enrolment.pk}"' not in _section(page, "current-title")
    row = _row(_section(page, "past-title"), enrolment.pk)
    assert "中标（成交）" in row


def test_another_bidder_sees_only_its_own_lots(clock: ControlledClock) -> None:
    world = make_world()
    lot = _bidding_lot(world, clock)
    mine = enrol(lot, world.bidders[0])
    page = _as(world.bidder_users[1]).get(reverse("enrolment_list")).text
    assert f'id="enrolment-{mine.pk}"' not in page and mine.bidder_number not in page
    assert "尚未报名任何标段" in page


def test_a_withdrawn_enrolment_is_a_past_lot_with_its_deposit_refunded(
    clock: ControlledClock,
) -> None:
    world = make_world()
    lot = _bidding_lot(world, clock)
    OrganisationProfile.objects.update_or_create(
        organisation=world.bidders[0], defaults={"basic_account_number": BASIC_ACCOUNT}
    )
    enrolment = enrol(lot, world.bidders[0])
    bank_pay(deposit_account_open(enrolment=enrolment, now=clock.now).number, "20000.00")
    bidder = _as(world.bidder_users[0])
    bidder.post(reverse("enrolment_withdraw", args=[lot.pk]))
    page = bidder.get(reverse("enrolment_list")).text
    row = _row(_section(page, "past-title"), enrolment.pk)
    assert "已撤回报名" in row and "缴纳投标保证金" not in row

    # The chronograph schedules and pays the refund (实施条例 第35条); the row says so.
    clock.advance(minutes=1)
    chronograph_tick(clock=clock)
    clock.advance(minutes=1)
    chronograph_tick(clock=clock)
    row = _row(bidder.get(reverse("enrolment_list")).text, enrolment.pk)
    # With its amount once the bank has confirmed the payment to the paying account.
    assert re.search(rf"已退还( 20,000\.00 元)?（{clock.now:%Y-%m-%d}）", row)


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("enrolment_list")).status_code == 200
    return len(queries)


def test_the_workspace_reads_a_fixed_number_of_queries(clock: ControlledClock) -> None:
    world = make_world()
    bidder = _as(world.bidder_users[0])
    first = _bidding_lot(world, clock)
    enrol(first, world.bidders[0])
    with_one = _queries(bidder)
    lots = [first_lot(make_tender(world, name=f"项目{n}")) for n in range(9)]
    # Alone and paid, as a consortium's member, and withdrawn: every kind of row.
    for lot in lots[:7]:
        enrolment = enrol(lot, world.bidders[0])
        bank_pay(deposit_account_open(enrolment=enrolment, now=clock.now).number, "100.00")
    enrol(lots[7], world.bidders[1], members=[world.bidders[0]])
    enrol(lots[8], world.bidders[0])
    bidder.post(reverse("enrolment_withdraw", args=[lots[8].pk]))
    page = bidder.get(reverse("enrolment_list")).text
    assert page.count('<tr id="enrolment-') == 10 and "联合体（成员）" in page
    with_ten = _queries(bidder)
    assert with_ten == with_one


def test_the_published_candidates_notice_is_linked_from_the_lot(clock: ControlledClock) -> None:
    world = make_world()
    lot = _bidding_lot(world, clock)
    enrolment = enrol(lot, world.bidders[0])
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot = record_outcome(world, lot, publish=False)
    deliver_events(clock)
    notice = Notice.objects.get(lot=lot, kind=NoticeKind.CANDIDATES)
    bidder = _as(world.bidder_users[0])
    # A draft says nothing yet.
    assert (
        reverse("portal_notice_detail", args=[notice.pk])
        not in bidder.get(reverse("enrolment_list")).text
    )

    notice_approve(notice=notice, actor=world.staff)
    notice_render_and_publish(notice.pk, render=fake_render, clock=clock)
    deliver_events(clock)  # the publicity opens in trading with its notice
    row = _row(bidder.get(reverse("enrolment_list")).text, enrolment.pk)
    assert f'href="{reverse("portal_notice_detail", args=[notice.pk])}"' in row
    assert "中标候选人公示" in row and "第 1 名候选人" in row
