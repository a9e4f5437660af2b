"""Enrolment (报名) through its pages: alone or as a consortium, the consortium rules, the
deadline, withdrawal, the anonymous bidder number, the portal's link and the bidder's list."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from bidding.domain.enrolment import NUMBER_ALPHABET, NUMBER_LENGTH
from bidding.models import Enrolment
from tests.conftest import ControlledClock
from tests.enrolments import enrol
from tests.factories import PASSWORD, make_organisation, make_user
from tests.tenders import World, closes, first_lot, make_tender, make_world
from trading.chronograph import chronograph_tick
from trading.models import LedgerEntry, Lot, Notification, Organisation, User
from trading.selectors.tenders import sealed_scope_key

pytestmark = [pytest.mark.django_db]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
NUMBER = re.compile(f"^[{NUMBER_ALPHABET}]{{{NUMBER_LENGTH}}}$")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _open_lot(world: World) -> Lot:
    return first_lot(make_tender(world))


def _agreement(body: bytes = PDF, name: str = "agreement.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def _enrol(client: Client, lot: Lot, **data: Any) -> Any:
    return client.post(reverse("enrolment_lot", args=[lot.pk]), data)


def test_a_bidder_enrols_alone_and_gets_an_anonymous_number(clock: ControlledClock) -> None:
    world = make_world()
    lot = _open_lot(world)
    bidder = _as(world.bidder_users[0])

    page = bidder.get(reverse("enrolment_lot", args=[lot.pk]))
    assert page.status_code == 200 and "确认报名" in page.text

    response = _enrol(bidder, lot)
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(lot=lot)
    assert enrolment.lead == world.bidders[0] and not enrolment.is_consortium
    assert NUMBER.match(enrolment.bidder_number)
    page = bidder.get(reverse("enrolment_lot", args=[lot.pk]))
    assert enrolment.bidder_number in page.text and "确认报名" not in page.text
    # The entry is in the lot's sealed scope, not in the tender's chain.
    entries = LedgerEntry.objects.filter(action="enrolment.created")
    assert [entry.scope.key for entry in entries] == [sealed_scope_key(lot.pk)]


def test_bidder_numbers_are_random_not_sequential(clock: ControlledClock) -> None:
    world = make_world()
    lots = [_open_lot(world) for _ in range(3)]
    numbers = [enrol(lot, org).bidder_number for lot in lots for org in world.bidders]
    assert all(NUMBER.match(number) for number in numbers)
    assert len(set(numbers)) == len(numbers)
    assert numbers != sorted(numbers)  # 9 random draws in order: about 1 in 362,880


def test_a_consortium_enrols_with_its_members_and_agreement(clock: ControlledClock) -> None:
    world = make_world()
    lot = _open_lot(world)
    lead, member = world.bidders[0], world.bidders[1]

    response = _enrol(
        _as(world.bidder_users[0]),
        lot,
        members=f" {member.uscc.lower()} \n",
        agreement=_agreement(),
    )
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(lot=lot)
    assert enrolment.is_consortium and enrolment.agreement
    assert {(m.organisation, m.is_lead) for m in enrolment.members.all()} == {
        (lead, True),
        (member, False),
    }
    # The member is told and finds the enrolment among its own, as a member.
    assert Notification.objects.filter(recipient=world.bidder_users[1]).exists()
    listing = _as(world.bidder_users[1]).get(reverse("enrolment_list"))
    assert enrolment.bidder_number in listing.text and "联合体（成员）" in listing.text
    # Its members, and only they, read the agreement.
    url = reverse("enrolment_agreement", args=[lot.pk])
    agreement = _as(world.bidder_users[1]).get(url)
    assert agreement.status_code == 200 and agreement.getvalue().startswith(b"%PDF-")
    assert _as(world.bidder_users[2]).get(url).status_code == 404
    # Only the lead withdraws.
    refused = _as(world.bidder_users[1]).post(reverse("enrolment_withdraw", args=[lot.pk]))
    assert refused.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.withdrawn_at is None


def _unverified(world: World) -> Organisation:
    org = make_organisation("bidder", verified=False, region=world.region)
    make_user(org)
    return org


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("member_twice", "同一成员不能重复列出"),
        ("member_in_another_bid", "招标投标法实施条例 第37条"),
        ("lead_enrolled", "您的主体已报名本标段"),
        ("unverified_member", "不属于本平台已核验的投标人"),
        ("unknown_member", "不属于本平台已核验的投标人"),
        ("missing_agreement", "须上传各方签署的联合体协议书"),
        ("not_a_pdf", "PDF"),
        ("oversized", "文件不能超过 1 MB"),
        ("agreement_alone", "单独投标无须上传联合体协议书"),
    ],
)
def test_consortium_rules_refuse_clearly_and_change_nothing(
    clock: ControlledClock, settings: Any, case: str, message: str
) -> None:
    world = make_world()
    lot = _open_lot(world)
    member = world.bidders[1]
    data: dict[str, Any] = {"members": member.uscc, "agreement": _agreement()}
    if case == "member_twice":
        data["members"] = f"{member.uscc}\n{member.uscc}"
    elif case == "member_in_another_bid":
        enrol(lot, world.bidders[2], members=[member])
    elif case == "lead_enrolled":
        enrol(lot, world.bidders[0])
    elif case == "unverified_member":
        data["members"] = _unverified(world).uscc
    elif case == "unknown_member":
        data["members"] = "91460100MA5TXXXX0X"
    elif case == "missing_agreement":
        del data["agreement"]
    elif case == "not_a_pdf":
        data["agreement"] = _agreement(b"PK\x03\x04 a zip, not a PDF", "agreement.pdf")
    elif case == "oversized":
        settings.CONSORTIUM_AGREEMENT_MAX_BYTES = 1024 * 1024
        data["agreement"] = _agreement(PDF + b"0" * (1024 * 1024))
    elif case == "agreement_alone":
        data["members"] = ""
    before = set(Enrolment.objects.values_list("pk", flat=True))

    response = _enrol(_as(world.bidder_users[0]), lot, **data)

    assert response.status_code == 400
    assert message in response.text
    assert set(Enrolment.objects.values_list("pk", flat=True)) == before


def test_enrolment_after_the_deadline_is_refused_with_the_article(clock: ControlledClock) -> None:
    world = make_world()
    lot = _open_lot(world)
    bidder = _as(world.bidder_users[0])
    page = bidder.get(reverse("enrolment_lot", args=[lot.pk]))  # the form, while open
    assert "确认报名" in page.text
    # The deadline passes before the chronograph moves the lot: the lock and the clock decide.
    clock.set(closes(lot) + timedelta(seconds=1))

    response = _enrol(bidder, lot)

    assert response.status_code == 400
    assert "不再接受报名（招标投标法 第28条）" in response.text
    assert not Enrolment.objects.filter(lot=lot).exists()
    chronograph_tick(clock=clock)
    page = bidder.get(reverse("enrolment_lot", args=[lot.pk]))
    assert page.status_code == 200 and "本标段目前不接受报名" in page.text


def test_withdrawal_before_the_deadline_only(clock: ControlledClock) -> None:
    world = make_world()
    lot, late = _open_lot(world), _open_lot(world)
    bidder = _as(world.bidder_users[0])
    enrol(lot, world.bidders[0])
    enrol(late, world.bidders[0])

    assert bidder.post(reverse("enrolment_withdraw", args=[lot.pk])).status_code == 302
    enrolment = Enrolment.objects.get(lot=lot)
    assert enrolment.withdrawn_at == clock.now
    assert LedgerEntry.objects.filter(
        action="enrolment.withdrawn", scope__key=sealed_scope_key(lot.pk)
    ).exists()
    again = _enrol(bidder, lot)
    assert again.status_code == 400 and "已撤回本标段的报名" in again.text
    listing = bidder.get(reverse("enrolment_list"))
    # The withdrawn one among the past lots, the other still current (test_bidder_workspace).
    assert "已撤回报名" in listing.text and late.code in listing.text

    clock.set(closes(late) + timedelta(minutes=1))
    response = bidder.post(reverse("enrolment_withdraw", args=[late.pk]), follow=True)
    assert "截止后不能撤回（招标投标法 第28条）" in response.text
    assert Enrolment.objects.get(lot=late).withdrawn_at is None


def test_an_unverified_bidder_may_not_enrol(clock: ControlledClock) -> None:
    world = make_world()
    lot = _open_lot(world)
    org = _unverified(world)
    client = _as(User.objects.get(organisation=org))
    page = client.get(reverse("enrolment_lot", args=[lot.pk]))
    assert "尚未通过交易中心核验" in page.text
    response = _enrol(client, lot)
    assert response.status_code == 400 and "暂不能报名" in response.text
    assert not Enrolment.objects.exists()


def test_the_portal_link_leads_a_bidder_to_the_enrolment_page(clock: ControlledClock) -> None:
    world = make_world()
    lot = _open_lot(world)
    url = reverse("enrolment_lot", args=[lot.pk])
    portal = Client().get(reverse("portal_open_tenders"))
    assert f'href="{url}"' in portal.text

    # Anonymous: to the login page, then back to the lot's enrolment page.
    anonymous = Client()
    response = anonymous.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    login = anonymous.post(
        response["Location"],
        {"username": world.bidder_users[0].username, "password": PASSWORD},
    )
    assert login.status_code == 302 and login["Location"] == url
    assert anonymous.get(url).status_code == 200
    # The bidder's workspace links it too.
    workspace = _as(world.bidder_users[1]).get(reverse("workspace"))
    assert f'href="{url}"' in workspace.text
    # Other roles: the page is a bidder's.
    assert _as(world.staff).get(url).status_code == 403


def test_the_bidder_menu_links_its_enrolments(clock: ControlledClock) -> None:
    world = make_world()
    page = _as(world.bidder_users[0]).get(reverse("enrolment_list"))
    assert page.status_code == 200
    assert f'href="{reverse("enrolment_list")}"' in page.text and "我的报名" in page.text
    assert "尚未报名任何标段" in page.text
