"""A complaint's documents reach people: the regulator's step → its event → a stored PDF (real
WeasyPrint) → an inbox message with a link → a download by each party, 404 for everyone else; a
procurement decision is published on the portal, an engineering one is not."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notices.complaint_delivery import RENDER, complaint_document_render_and_store
from notices.models import ComplaintDocument, Notice, NoticeKind
from notices.services import notice_approve
from notices.tasks import notice_render_and_publish
from tests.conftest import ControlledClock
from tests.notices import deliver_events, fake_render
from tests.tenders import World, first_lot, make_tender, make_world
from trading.chronograph import chronograph_tick, due_work_override
from trading.events import receiver_get
from trading.models import Complaint, Notification, OutboxEvent, User
from trading.services.objections import objection_answer, objection_raise

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


Produce = Callable[[], list[ComplaintDocument]]


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The renders the chronograph queues on commit, recorded instead of sent to a broker."""
    from notices import tasks

    renders: list[int] = []

    def record(args: tuple[int], **options: Any) -> None:
        assert options.get("queue") == "slow"
        renders.append(args[0])

    monkeypatch.setattr(tasks.complaint_document_render, "apply_async", record)
    yield renders


@pytest.fixture
def tick(clock: ControlledClock, django_capture_on_commit_callbacks: Any) -> Callable[[], None]:
    """A chronograph tick of the complaint documents' due work, its on-commit hooks run."""

    def run() -> None:
        with due_work_override(RENDER), django_capture_on_commit_callbacks(execute=True):
            chronograph_tick(clock=clock)

    return run


@pytest.fixture
def produce(clock: ControlledClock, queued: list[int], tick: Callable[[], None]) -> Produce:
    """The workers: the outbox delivers, a tick queues the render, the slow worker renders."""

    def run() -> list[ComplaintDocument]:
        clock.advance(minutes=1)
        deliver_events(clock)
        tick()
        stored = []
        while queued:
            document = complaint_document_render_and_store(queued.pop(0), clock=clock)
            assert document is not None
            stored.append(document)
        return stored

    return run


def _as(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _filed(clock: ControlledClock, business_type: str) -> tuple[World, Complaint]:
    world = make_world(business_type=business_type)
    lot = first_lot(make_tender(world, name=f"投诉文书{business_type}"))
    clock.advance(days=1)
    objection = objection_raise(
        lot=lot, stage="documents", text="评分办法有倾向性", actor=world.bidder_users[0]
    )
    clock.advance(hours=2)
    objection_answer(objection=objection, answer="评分办法合法", actor=world.owner_user)
    # A procurement complaint waits for the end of the 质疑 answer period (政府采购法 第55条).
    clock.set(max(clock.now, objection.answer_due) + timedelta(hours=1))
    response = _as(world.bidder_users[0]).post(
        reverse("complaint_file", args=[lot.pk]),
        {"objection": objection.pk, "grounds": "评分办法排斥外地企业"},
    )
    assert response.status_code == 302, response.content.decode()
    return world, Complaint.objects.get(lot=lot)


def _act(world: World, complaint: Complaint, action: str, **data: Any) -> None:
    response = _as(world.regulator).post(
        reverse("supervision_complaint_act", args=[complaint.pk, action]), data
    )
    assert response.status_code == 302, response.content.decode()


def _pdf(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_an_acceptance_is_stored_delivered_and_downloaded_by_the_parties_only(
    clock: ControlledClock, produce: Produce
) -> None:
    world, complaint = _filed(clock, "engineering")
    _act(world, complaint, "accept")

    [document] = produce()

    assert (document.kind, document.complaint_id) == ("complaint_accepted", complaint.pk)
    content = document.pdf.read()
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == (
        document.pdf_sha256
    )
    assert "投诉受理通知书" in document.document_html and "决定受理" in document.document_html
    # Filed and due in Shanghai time, as the bidder and the regulator read them.
    for moment in (complaint.filed_at, Complaint.objects.get().decision_due):
        assert moment is not None
        assert f"{timezone.localtime(moment):%Y年%-m月%-d日 %H:%M}" in document.document_html
    assert document.published_at is None  # engineering: delivered, not published
    url = reverse("complaint_document", args=[complaint.pk, "complaint_accepted"])
    told = Notification.objects.filter(kind="complaint.document")
    assert set(told.values_list("url", flat=True)) == {url}
    assert {world.bidder_users[0], world.owner_user, world.agency_user, world.regulator} <= {
        notification.recipient for notification in told
    }
    assert "投诉受理通知书已出具" in told.filter(recipient=world.bidder_users[0]).get().shown_title

    for reader in (
        world.bidder_users[0],
        world.owner_user,
        world.agency_user,
        world.regulator,
        world.staff,
    ):
        response = _as(reader).get(url)
        assert response.status_code == 200, reader.username
        assert response["Content-Type"] == "application/pdf"
        assert _pdf(response) == content
    for outsider in (
        world.bidder_users[1],
        world.other_owner_user,
        world.other_regulator,
        world.other_desk_staff,
    ):
        assert _as(outsider).get(url).status_code == 404, outsider.username
    anonymous = _as(None).get(url)
    assert anonymous.status_code == 302 and reverse("login") in anonymous["Location"]

    # Its code and its file are confirmed by the public verification page.
    assert document.verification_code in document.document_html
    by_code = _as(None).get(reverse("verify"), {"code": document.verification_code}).text
    assert "真实有效" in by_code and "投诉受理通知书" in by_code
    by_file = (
        _as(None)
        .post(
            reverse("verify"),
            {"document": SimpleUploadedFile("受理.pdf", content, "application/pdf")},
        )
        .text
    )
    assert "真实有效" in by_file and document.pdf_sha256 in by_file

    # Both complaint pages link to it by its URL.
    bidder_page = _as(world.bidder_users[0]).get(reverse("complaint_detail", args=[complaint.pk]))
    regulator_page = _as(world.regulator).get(reverse("supervision_complaint", args=[complaint.pk]))
    for page in (bidder_page, regulator_page):
        assert url in page.text and "投诉受理通知书" in page.text
    # The owner and the desk find it from the lot's page.
    for reader in (world.owner_user, world.staff):
        lot_page = _as(reader).get(reverse("lot_detail", args=[complaint.lot_id])).text
        assert url in lot_page, reader.username


def test_a_document_not_yet_rendered_answers_404_even_to_its_parties(
    clock: ControlledClock,
) -> None:
    world, complaint = _filed(clock, "engineering")
    _act(world, complaint, "accept")
    deliver_events(clock)  # drafted, not yet rendered

    url = reverse("complaint_document", args=[complaint.pk, "complaint_accepted"])
    response = _as(world.bidder_users[0]).get(url)
    assert response.status_code == 404 and "尚未出具" in response.content.decode()
    hidden = _as(world.other_regulator).get(url)
    assert hidden.status_code == 404 and "尚未出具" not in hidden.content.decode()


def test_a_redelivered_event_and_a_repeated_render_store_and_tell_nothing_twice(
    clock: ControlledClock, produce: Produce, queued: list[int], tick: Callable[[], None]
) -> None:
    world, complaint = _filed(clock, "engineering")
    _act(world, complaint, "accept")
    [document] = produce()
    told = Notification.objects.filter(kind="complaint.document").count()

    event = OutboxEvent.objects.get(kind="complaint.accepted")
    registered = receiver_get("notices.complaint_accepted")
    assert registered is not None
    registered.fn(event)  # the outbox delivers at least once
    again = complaint_document_render_and_store(document.pk, clock=clock)

    assert ComplaintDocument.objects.count() == 1
    assert again is not None and again.pdf_sha256 == document.pdf_sha256
    assert Notification.objects.filter(kind="complaint.document").count() == told
    tick()
    assert queued == []


def test_a_stored_document_cannot_change_or_disappear(
    clock: ControlledClock, produce: Produce
) -> None:
    world, complaint = _filed(clock, "engineering")
    _act(world, complaint, "refuse", reasons="投诉人不是利害关系人")
    [document] = produce()
    assert document.kind == "complaint_refused" and "投诉人不是利害关系人" in (
        document.document_html
    )

    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        ComplaintDocument.objects.filter(pk=document.pk).update(pdf_sha256="0" * 64)
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        ComplaintDocument.objects.filter(pk=document.pk).delete()


def _announcement_page(world: World, complaint: Complaint, clock: ControlledClock) -> str:
    notice = Notice.objects.get(tender=complaint.lot.tender, kind=NoticeKind.ANNOUNCEMENT)
    notice_approve(notice=notice, actor=world.staff)
    notice_render_and_publish(notice.pk, render=fake_render, clock=clock)
    return _as(None).get(reverse("portal_notice_detail", args=[notice.pk])).content.decode()


def test_a_procurement_decision_is_published_on_the_portal(
    clock: ControlledClock, produce: Produce
) -> None:
    world, complaint = _filed(clock, "procurement")
    _act(world, complaint, "accept")
    produce()
    clock.advance(days=2)
    _act(world, complaint, "decide", outcome="dismiss", reasons="采购需求合法")
    [decision] = produce()

    assert decision.kind == "complaint_decision" and decision.published_at == decision.stored_at
    tender_code = complaint.lot.tender.code
    listing = _as(None).get(reverse("portal_complaint_decisions"), {"code": tender_code}).text
    public_pdf = reverse("portal_complaint_decision_pdf", args=[decision.pk])
    assert complaint.lot.code in listing and public_pdf in listing
    response = _as(None).get(public_pdf)
    assert response.status_code == 200 and _pdf(response) == decision.pdf.read()
    # The citizen gets there from the tender's own notice on the portal.
    page = _announcement_page(world, complaint, clock)
    assert f"{reverse('portal_complaint_decisions')}?code={tender_code}" in page
    # The acceptance is delivered, not published.
    accepted = ComplaintDocument.objects.get(kind="complaint_accepted")
    assert accepted.published_at is None
    assert (
        _as(None).get(reverse("portal_complaint_decision_pdf", args=[accepted.pk])).status_code
        == 404
    )
    told = Notification.objects.get(
        kind="complaint.document", recipient=world.bidder_users[0], url__contains="decision"
    )
    assert "公告" in told.shown_body


def test_an_engineering_decision_is_delivered_not_published(
    clock: ControlledClock, produce: Produce
) -> None:
    world, complaint = _filed(clock, "engineering")
    _act(world, complaint, "accept")
    produce()
    clock.advance(days=2)
    _act(
        world,
        complaint,
        "decide",
        outcome="uphold",
        order="retender",
        reasons="资格条件排斥",
    )
    [decision] = produce()

    assert decision.kind == "complaint_decision" and decision.published_at is None
    assert "责令重新招标" in decision.document_html
    listing = _as(None).get(reverse("portal_complaint_decisions")).text
    assert complaint.lot.code not in listing
    assert (
        _as(None).get(reverse("portal_complaint_decision_pdf", args=[decision.pk])).status_code
        == 404
    )
    url = reverse("complaint_document", args=[complaint.pk, "complaint_decision"])
    assert _as(world.owner_user).get(url).status_code == 200
    page = _announcement_page(world, complaint, clock)
    assert reverse("portal_complaint_decisions") + "?code" not in page


def test_a_failed_render_stores_and_tells_nothing_and_is_tried_again_later(
    clock: ControlledClock, queued: list[int], tick: Callable[[], None]
) -> None:
    world, complaint = _filed(clock, "engineering")
    _act(world, complaint, "accept")
    clock.advance(minutes=1)
    deliver_events(clock)
    tick()
    [document_id] = queued

    def broken(document: ComplaintDocument) -> Any:
        raise RuntimeError("字体缺失")

    failed = complaint_document_render_and_store(document_id, render=broken, clock=clock)

    assert failed is not None and failed.stored_at is None and not failed.pdf
    assert failed.render_attempts == 1 and "字体缺失" in failed.render_error
    assert failed.render_at is not None and failed.render_at > clock.now
    assert not Notification.objects.filter(kind="complaint.document").exists()
    url = reverse("complaint_document", args=[complaint.pk, "complaint_accepted"])
    assert "尚未出具" in _as(world.bidder_users[0]).get(url).content.decode()
    queued.clear()
    tick()
    assert queued == []  # not before its backoff
    clock.set(failed.render_at)
    tick()
    assert queued == [document_id]
    stored = complaint_document_render_and_store(document_id, clock=clock)
    assert stored is not None and stored.stored_at is not None
    assert _as(world.bidder_users[0]).get(url).status_code == 200
