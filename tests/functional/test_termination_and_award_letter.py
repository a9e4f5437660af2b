"""Termination and the award letter, through the lot page as the roles the page offers them to.

实施条例 第31条: the owner terminates a lot, with its reason, before the award; after it the award
letter binds the owner (招标投标法 第45条). The letter is issued when its PDF is published, the
winner is told then (once), and the contract's 30 日 (第46条) run from that moment.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from notices.models import Notice, NoticeKind
from notices.services import notice_approve
from notices.tasks import notice_render_and_publish
from tests.conftest import ControlledClock
from tests.notices import deliver_events, fake_render
from tests.tenders import (
    World,
    closes,
    first_lot,
    make_tender,
    make_world,
    pdf_file,
    publicity_end,
    record_outcome,
)
from trading.chronograph import chronograph_tick
from trading.domain.timeline import SHANGHAI, local_date
from trading.models import Award, LedgerEntry, Lot, Notification, User
from trading.selectors.rules import calendar_load
from trading.selectors.timeline import lot_timeline

pytestmark = [pytest.mark.django_db]

TERMINATE_FORM = 'action="{}"'


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


def _in_publicity(world: World, clock: ControlledClock) -> Lot:
    lot = first_lot(make_tender(world))
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot = record_outcome(world, lot)
    clock.set(publicity_end(lot) + timedelta(minutes=1))
    return lot


# --- termination ----------------------------------------------------------------------------


def test_the_owner_terminates_a_lot_from_its_page_and_the_notice_reads_the_reason(
    world: World, clock: ControlledClock
) -> None:
    lot = first_lot(make_tender(world))
    url = reverse("lot_terminate", args=[lot.pk])
    assert TERMINATE_FORM.format(url) in _page(world.owner_user, lot)

    response = _as(world.owner_user).post(url, {"reason": "项目资金未落实"})

    assert response.status_code == 302
    lot.refresh_from_db()
    assert (lot.status, lot.termination_reason) == ("terminated", "项目资金未落实")
    entry = LedgerEntry.objects.filter(action="lot.terminated").get()
    assert entry.payload["reason"] == "项目资金未落实"
    deliver_events(clock)
    notice = Notice.objects.get(lot=lot, kind=NoticeKind.TERMINATION)
    assert notice.data["reason"] == "项目资金未落实"


@pytest.mark.parametrize("who", ["staff", "regulator"])
def test_staff_and_regulators_see_no_termination_form_and_are_forbidden(
    world: World, clock: ControlledClock, who: str
) -> None:
    lot = first_lot(make_tender(world))
    url = reverse("lot_terminate", args=[lot.pk])
    user = getattr(world, who)
    assert TERMINATE_FORM.format(url) not in _page(user, lot)

    assert _as(user).post(url, {"reason": "x"}).status_code == 403
    lot.refresh_from_db()
    assert lot.status == "published" and lot.termination_reason == ""


def test_a_termination_without_a_reason_is_refused_and_changes_nothing(
    world: World, clock: ControlledClock
) -> None:
    lot = first_lot(make_tender(world))

    response = _as(world.owner_user).post(reverse("lot_terminate", args=[lot.pk]), {"reason": ""})

    assert response.status_code == 400
    lot.refresh_from_db()
    assert lot.status == "published"


def test_after_the_award_the_owner_cannot_terminate_and_is_told_why(
    world: World, clock: ControlledClock
) -> None:
    lot = _in_publicity(world, clock)
    client = _as(world.owner_user)
    candidate = lot.candidates.get(rank=1)
    client.post(reverse("award_confirm", args=[lot.pk]), {"candidate": candidate.pk})
    lot.refresh_from_db()
    assert lot.status == "awarded"
    url = reverse("lot_terminate", args=[lot.pk])
    assert TERMINATE_FORM.format(url) not in _page(world.owner_user, lot)

    response = client.post(url, {"reason": "改变主意"})

    assert response.status_code == 400
    assert "招标投标法 第45条" in response.content.decode()
    lot.refresh_from_db()
    assert (lot.status, lot.termination_reason) == ("awarded", "")


# --- the award letter -----------------------------------------------------------------------


def _letter_published(world: World, clock: ControlledClock, lot: Lot) -> Notice:
    deliver_events(clock)
    letter = Notice.objects.get(lot=lot, kind=NoticeKind.AWARD_LETTER)
    notice_approve(notice=letter, actor=world.staff)
    notice_render_and_publish(letter.pk, render=fake_render, clock=clock)
    letter.refresh_from_db()
    return letter


def test_the_letter_is_issued_when_its_pdf_is_published_and_the_winner_is_told_once(
    world: World, clock: ControlledClock
) -> None:
    lot = _in_publicity(world, clock)
    winner = world.bidder_users[0]
    candidate = lot.candidates.get(rank=1)
    client = _as(world.owner_user)

    response = client.post(
        reverse("award_confirm", args=[lot.pk]), {"candidate": candidate.pk}, follow=True
    )

    page = response.content.decode()
    assert "中标通知书已发出" not in page and "经交易中心审核发布后即为发出" in page
    award = Award.objects.get(lot=lot)
    assert award.letter_issued_at is None
    lot.refresh_from_db()
    assert not Notification.objects.filter(recipient=winner).exists()
    contract = {item.key: item for item in lot_timeline(lot, clock.now)}["contract"]
    assert contract.due is None

    clock.advance(hours=3)
    letter = _letter_published(world, clock, lot)
    deliver_events(clock)

    award.refresh_from_db()
    assert award.letter_issued_at == letter.published_at == clock.now
    told = Notification.objects.filter(recipient=winner)
    assert [n.kind for n in told] == ["notice.letter"]
    assert letter.verification_code in told.get().body
    contract = {item.key: item for item in lot_timeline(lot, clock.now)}["contract"]
    assert letter.published_at is not None
    assert contract.due == calendar_load().add_days(letter.published_at, 30, "day")
    # A repeated delivery of the publication changes nothing.
    deliver_events(clock)
    award.refresh_from_db()
    assert award.letter_issued_at == letter.published_at
    assert LedgerEntry.objects.filter(action="award.letter_issued").count() == 1


def test_the_owner_records_the_contract_only_once_the_letter_is_issued(
    world: World, clock: ControlledClock
) -> None:
    lot = _in_publicity(world, clock)
    client = _as(world.owner_user)
    client.post(
        reverse("award_confirm", args=[lot.pk]), {"candidate": lot.candidates.get(rank=1).pk}
    )
    contract = {
        "signed_on": local_date(clock.now).isoformat(),
        "amount": "950000.00",
    }
    refused = client.post(
        reverse("contract_record", args=[lot.pk]), {**contract, "file": pdf_file("c.pdf")}
    )
    assert refused.status_code == 400, refused
    assert "中标通知书尚未发出" in refused.content.decode(), refused.context["contract_form"].errors

    _letter_published(world, clock, lot)
    deliver_events(clock)
    accepted = client.post(
        reverse("contract_record", args=[lot.pk]), {**contract, "file": pdf_file("c.pdf")}
    )
    assert accepted.status_code == 302, accepted.context["contract_form"].errors
    lot.refresh_from_db()
    assert lot.status == "contracted"


def test_a_contract_signed_today_is_accepted_before_8_in_the_morning_beijing_time(
    world: World, clock: ControlledClock
) -> None:
    """Days are Asia/Shanghai's: at 07:30 the UTC date is still yesterday (DESIGN.md inv. 1)."""
    lot = _in_publicity(world, clock)
    client = _as(world.owner_user)
    client.post(
        reverse("award_confirm", args=[lot.pk]), {"candidate": lot.candidates.get(rank=1).pk}
    )
    _letter_published(world, clock, lot)
    deliver_events(clock)
    morning = (clock.now + timedelta(days=1)).astimezone(SHANGHAI).replace(hour=7, minute=30)
    clock.set(morning)
    assert local_date(morning) != morning.astimezone(UTC).date()

    response = client.post(
        reverse("contract_record", args=[lot.pk]),
        {
            "signed_on": local_date(morning).isoformat(),
            "amount": "950000.00",
            "file": pdf_file("c.pdf"),
        },
    )

    assert response.status_code == 302
    lot.refresh_from_db()
    assert lot.status == "contracted"
