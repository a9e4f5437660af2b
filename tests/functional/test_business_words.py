"""Each business type's words in the inbox, the to-do list and the timelines (issue 8).

A property transfer has a 受让方, a 成交确认书 and 32号令's articles, a capital increase an
投资方 (32号令 第三章); engineering's 中标人, 中标通知书 and 招标投标法 第46、47条 bind neither.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from notices.models import Notice, NoticeKind
from notices.receivers import notice_timeline
from tests.conftest import ControlledClock
from tests.notices import deliver_events
from tests.tenders import (
    World,
    closes,
    first_lot,
    issue_award_letter,
    make_tender,
    make_world,
    publicity_end,
    record_outcome,
)
from trading.chronograph import chronograph_tick
from trading.domain.timeline import SHANGHAI
from trading.models import Award, Lot, Notification, User
from trading.selectors.next_steps import todo_list_for_owner
from trading.selectors.timeline import lot_timeline
from trading.services.awards import award_confirm
from trading.services.objections import objection_raise
from trading.services.rule_rows.common import LOCAL_LIMIT_ARTICLE

pytestmark = [pytest.mark.django_db]

ENGINEERING_WORDS = ("中标", "招标人", "评标", "招标投标法")


@pytest.fixture(autouse=True)
def _quiet(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from notices import tasks

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(tasks.notice_render, "apply_async", lambda *a, **k: None)


def _page(user: User, lot: Lot) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("lot_detail", args=[lot.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _in_publicity(
    world: World, clock: ControlledClock, procedure: str | None = None, **kwargs: Any
) -> Lot:
    lot = first_lot(make_tender(world, procedure=procedure, **kwargs))
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    return record_outcome(world, lot)


def _publicity_over(world: World, clock: ControlledClock, lot: Lot) -> Lot:
    clock.set(publicity_end(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot.refresh_from_db()
    return lot


def _awarded(world: World, clock: ControlledClock, lot: Lot) -> Lot:
    lot = _publicity_over(world, clock, lot)
    candidate = lot.candidates.order_by("rank").first()
    assert candidate is not None
    award_confirm(lot=lot, candidate=candidate, actor=world.owner_user)
    issue_award_letter(lot)
    lot.refresh_from_db()
    return lot


def _inbox(user: User) -> str:
    return "\n".join(f"{n.title} {n.body}" for n in Notification.objects.filter(recipient=user))


def test_a_property_award_is_told_in_32号令s_words_not_the_tendering_laws(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="property")
    _awarded(world, clock, _in_publicity(world, clock))
    inbox = _inbox(world.owner_user)
    assert "确认受让方" in inbox and "成交确认书" in inbox
    for word in ENGINEERING_WORDS:
        assert word not in inbox
    # No rule row binds the property written report: no article rather than 第47条.
    assert "第46条" not in inbox and "第47条" not in inbox


def test_an_engineering_award_still_cites_招标投标法_第46条_and_第47条(
    clock: ControlledClock,
) -> None:
    world = make_world()
    _awarded(world, clock, _in_publicity(world, clock))
    inbox = _inbox(world.owner_user)
    assert "中标通知书已发出" in inbox
    assert "招标投标法 第46条" in inbox and "招标投标法 第47条" in inbox


def test_the_property_to_do_cites_its_own_rule_not_招标投标法_第46条(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="property")
    lot = _awarded(world, clock, _in_publicity(world, clock))
    texts = [todo.text for todo in todo_list_for_owner(lot.tender.project.tenders.all(), clock())]
    contract = [text for text in texts if "合同" in text]
    assert contract and "招标投标法" not in contract[0]


def test_the_engineering_to_do_cites_招标投标法_第46条(clock: ControlledClock) -> None:
    world = make_world()
    lot = _awarded(world, clock, _in_publicity(world, clock))
    texts = [todo.text for todo in todo_list_for_owner(lot.tender.project.tenders.all(), clock())]
    assert any("招标投标法 第46条" in text for text in texts)


@pytest.mark.parametrize("business_type", ["property", "land"])
def test_an_objection_answer_names_the_platforms_own_rule_where_no_statute_sets_it(
    clock: ControlledClock, business_type: str
) -> None:
    world = make_world(business_type=business_type)
    procedure = "transfer" if business_type == "property" else "listing"
    lot = _in_publicity(world, clock, procedure)
    objection = objection_raise(
        lot=lot, stage="result", text="对成交结果有异议", actor=world.bidder_users[1]
    )
    items = {item.key: item for item in lot_timeline(lot, clock())}
    item = items[f"objection:{objection.pk}"]
    assert item.article == LOCAL_LIMIT_ARTICLE
    assert item.due == objection.answer_due


def test_a_property_announcement_is_limited_by_the_platforms_rule_not_招标投标法_第16条(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="property")
    lot = first_lot(make_tender(world))
    deliver_events(clock)
    assert Notice.objects.filter(kind=NoticeKind.ANNOUNCEMENT, tender=lot.tender).exists()
    items = [item for item in notice_timeline(lot, clock()) if "公告" in item.label]
    assert items
    announcement = items[0]
    assert announcement.label == "发布国有产权转让公告"
    assert announcement.article == LOCAL_LIMIT_ARTICLE
    assert "招标投标法" not in announcement.article


def test_a_capital_increase_page_names_investors_not_transferees_32号令_第三章(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="property")
    lot = _in_publicity(world, clock, "capital-increase", closes_in=timedelta(days=70))
    lot = _publicity_over(world, clock, lot)
    page = _page(world.owner_user, lot)
    assert "投资方" in page and "确定投资方" in page
    assert "受让方" not in page


def test_a_property_contract_departing_from_the_price_cites_32号令_not_招标投标法(
    clock: ControlledClock,
) -> None:
    from django.core.exceptions import ValidationError

    from tests.tenders import pdf_file, shanghai_day
    from trading.services.awards import contract_record

    world = make_world(business_type="property")
    lot = _awarded(world, clock, _in_publicity(world, clock))
    award = Award.objects.get(lot=lot, declined_at__isnull=True)
    with pytest.raises(ValidationError) as refused:
        contract_record(
            lot=lot,
            signed_on=shanghai_day(clock()),
            amount=award.price + 1,
            file=pdf_file("contract.pdf"),
            actor=world.owner_user,
        )
    message = " ".join(refused.value.messages)
    assert "成交价" in message and "受让方" in message and "国资委 财政部令第32号" in message
    for word in ENGINEERING_WORDS:
        assert word not in message


def test_a_property_in_disclosure_is_disclosed_not_tendered_32号令_第13条(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="property")
    lot = first_lot(make_tender(world))
    clock.set(lot.opens_at + timedelta(minutes=1) if lot.opens_at else clock.now)
    chronograph_tick(clock=clock)
    lot.refresh_from_db()
    assert lot.status == "bidding"

    page = _page(world.staff, lot)

    assert "信息披露中" in page and "投标中" not in page
    assert "转让文件发出" in page and "招标文件发出" not in page
    assert "没有意向受让方下载文件。" in page


def test_an_engineering_lot_keeps_the_tendering_words(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world))
    clock.set(lot.opens_at + timedelta(minutes=1) if lot.opens_at else clock.now)
    chronograph_tick(clock=clock)

    page = _page(world.staff, lot)

    assert "投标中" in page and "招标文件发出" in page


def test_a_period_that_ends_at_midnight_reads_24_00_of_its_last_day_民法典_第203条(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    lot = _in_publicity(world, clock, "open")
    assert lot.publicity_ends_at is not None
    end = lot.publicity_ends_at.astimezone(SHANGHAI)
    assert end.hour == end.minute == 0

    page = _page(world.owner_user, lot)

    last_day = (end - timedelta(days=1)).date().isoformat()
    assert f"{last_day} 24:00" in page
    assert f"{end.date().isoformat()} 00:00" not in page
