"""Complaints through their pages: the bidder files from the lot and answers; the regulator of the
lot's jurisdiction accepts, holds, asks for statements, extends and decides; nobody else can."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.conftest import ControlledClock
from tests.tenders import World, first_lot, make_tender, make_world
from trading.models import Complaint, Lot, Objection, User
from trading.services.objections import objection_answer, objection_raise

pytestmark = [pytest.mark.django_db]

CST = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _objected(clock: ControlledClock, world: World) -> tuple[Lot, Objection]:
    lot = first_lot(make_tender(world))
    clock.advance(days=1)
    objection = objection_raise(
        lot=lot, stage="documents", text="评分办法有倾向性", actor=world.bidder_users[0]
    )
    clock.advance(hours=2)
    objection_answer(objection=objection, answer="评分办法合法", actor=world.owner_user)
    return lot, objection


def _file(client: Client, lot: Lot, objection: Objection, **extra: Any) -> Any:
    data = {"objection": objection.pk, "grounds": "评分办法排斥外地企业", **extra}
    return client.post(reverse("complaint_file", args=[lot.pk]), data)


def test_a_complaint_walks_through_the_pages(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    lot, objection = _objected(clock, world)
    bidder = _as(world.bidder_users[0])

    page = bidder.get(reverse("complaint_file", args=[lot.pk]))
    assert page.status_code == 200 and "向行政监督部门投诉" in page.text
    response = _file(
        bidder, lot, objection, attachments=[SimpleUploadedFile("证据.pdf", PDF, "application/pdf")]
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("complaint_detail", args=[complaint.pk])
    assert "待受理" in bidder.get(response["Location"]).text

    regulator = _as(world.regulator)
    listing = regulator.get(reverse("supervision_complaints"))
    assert lot.code in listing.text and "剩余" in listing.text

    def act(action: str, **data: Any) -> Any:
        return regulator.post(
            reverse("supervision_complaint_act", args=[complaint.pk, action]), data
        )

    assert act("accept").status_code == 302
    assert act("hold", note="投诉处理期间暂停").status_code == 302
    lot.refresh_from_db()
    assert lot.suspended_at is not None
    due = (clock.now + timedelta(days=5)).astimezone(CST).strftime("%Y-%m-%dT%H:%M")
    assert act("statements", parties=[world.owner.pk], due=due).status_code == 302

    owner = _as(world.owner_user)
    statement = complaint.statements.get()
    answered = owner.post(reverse("complaint_statement", args=[statement.pk]), {"text": "合法"})
    assert answered.status_code == 302
    statement.refresh_from_db()
    assert statement.submitted_at is not None

    # An upheld complaint without its order changes nothing.
    refused = act("decide", outcome="uphold", order="", reasons="成立")
    assert refused.status_code == 400 and "请选择处理决定" in refused.text
    assert act("decide", outcome="uphold", order="retender", reasons="成立").status_code == 302
    complaint.refresh_from_db()
    lot.refresh_from_db()
    assert (complaint.status, complaint.order) == ("upheld", "retender")
    assert lot.suspended_at is None
    assert "重新招标" in bidder.get(reverse("complaint_detail", args=[complaint.pk])).text


def test_a_late_complaint_is_refused_on_the_form_with_the_article(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    lot, objection = _objected(clock, world)
    clock.advance(days=15)
    response = _file(_as(world.bidder_users[0]), lot, objection)
    assert response.status_code == 400
    assert "第60条" in response.text
    assert not Complaint.objects.exists()


def test_only_a_bidder_who_objected_may_complain(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    lot, objection = _objected(clock, world)
    assert _file(_as(world.bidder_users[1]), lot, objection).status_code == 403
    assert _file(_as(world.owner_user), lot, objection).status_code == 403
    assert not Complaint.objects.exists()


def test_a_regulator_elsewhere_cannot_find_the_complaint(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    lot, objection = _objected(clock, world)
    _file(_as(world.bidder_users[0]), lot, objection)
    complaint = Complaint.objects.get()
    other = _as(world.other_regulator)
    assert other.get(reverse("supervision_complaint", args=[complaint.pk])).status_code == 404
    accept = reverse("supervision_complaint_act", args=[complaint.pk, "accept"])
    assert other.post(accept).status_code == 404
    assert lot.code not in other.get(reverse("supervision_complaints")).text
    # The owner cannot reach a supervision action at all.
    assert _as(world.owner_user).post(accept).status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == "filed"


def test_a_late_decision_shows_red(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    lot, objection = _objected(clock, world)
    _file(_as(world.bidder_users[0]), lot, objection)
    complaint = Complaint.objects.get()
    regulator = _as(world.regulator)
    regulator.post(reverse("supervision_complaint_act", args=[complaint.pk, "accept"]))
    complaint.refresh_from_db()
    assert complaint.decision_due is not None
    clock.set(complaint.decision_due + timedelta(days=1))
    page = regulator.get(reverse("supervision_complaint", args=[complaint.pk]))
    assert "light-red" in page.text and "已逾期" in page.text
    regulator.post(
        reverse("supervision_complaint_act", args=[complaint.pk, "decide"]),
        {"outcome": "dismiss", "reasons": "缺乏事实依据"},
    )
    page = regulator.get(reverse("supervision_complaint", args=[complaint.pk]))
    assert "逾期处理" in page.text


def test_the_bidders_workspace_leads_from_its_objection_to_a_complaint(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    lot, _objection = _objected(clock, world)
    bidder = _as(world.bidder_users[0])
    page = bidder.get(reverse("workspace"))
    assert reverse("complaint_file", args=[lot.pk]) in page.text
    assert (
        reverse("complaint_file", args=[lot.pk])
        not in _as(world.bidder_users[1]).get(reverse("workspace")).text
    )
