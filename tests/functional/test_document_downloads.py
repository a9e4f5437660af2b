"""Who downloaded the tender documents is as secret as who enrolled (招标投标法 第22条).

Bidders obtain published documents from their workspace; the platform records the first download
per organisation in the lot's sealed ledger scope and shows it to no one before the opening
(DESIGN.md invariant 3) — except desk staff when the procedure qualifies bidders openly.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404
from django.test import Client
from django.urls import reverse

from tests.conftest import ControlledClock
from tests.factories import make_organisation, make_user
from tests.tenders import World, closes, first_lot, make_tender, make_world, opens
from trading.chronograph import chronograph_tick
from trading.domain.timeline import SHANGHAI
from trading.models import (
    DocumentDownload,
    LedgerEntry,
    LedgerScope,
    Lot,
    Tender,
    TenderDocument,
    User,
)
from trading.models.tenders import HoldReason
from trading.selectors.tenders import lot_ledger_entries, sealed_scope_key
from trading.services.documents import tender_document_download
from trading.services.holds import hold_place
from trading.services.ledger import ledger_checkpoint
from trading.services.lots import lot_terminate
from trading.views.workspace import _download_name

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

SECTION = "下载招标文件的投标人"
WAIT_FOR_VERIFICATION = "您的主体尚未通过交易中心核验"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(clock: ControlledClock) -> World:
    return make_world()


def _document(tender: Tender) -> TenderDocument:
    document = tender.documents.order_by("version").first()
    assert document is not None
    return document


def _url(document: TenderDocument) -> str:
    return reverse("tender_document_download", args=[document.pk])


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _download(user: User, document: TenderDocument) -> Any:
    return _as(user).get(_url(document))


def _sealed_entries(lot: Lot) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(scope__key=sealed_scope_key(lot.pk)).order_by("seq"))


def _lot_page(user: User, lot: Lot) -> str:
    response = _as(user).get(reverse("lot_detail", args=[lot.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _to(clock: ControlledClock, moment: Any) -> None:
    clock.set(moment + timedelta(minutes=1))
    chronograph_tick(clock=clock)


# --- obtaining the documents ---------------------------------------------------------------------


def test_a_verified_bidder_gets_the_pdf_and_is_recorded_once_per_organisation(
    world: World,
) -> None:
    tender = make_tender(world, lots=2)
    document = _document(tender)
    bidder = world.bidder_users[0]

    response = _download(bidder, document)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert tender.code in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == document.sha256
    row = DocumentDownload.objects.get()
    assert (row.document, row.organisation, row.user) == (document, world.bidders[0], bidder)
    for lot in tender.lots.all():
        entries = _sealed_entries(lot)
        assert [entry.action for entry in entries] == ["document.downloaded"]
        assert entries[0].payload["organisation"] == world.bidders[0].pk
        scope = LedgerScope.objects.get(key=sealed_scope_key(lot.pk))
        assert (scope.kind, scope.sealed) == ("sealed_lot", True)

    colleague = make_user(world.bidders[0])
    for user in (bidder, colleague):
        again = _download(user, document)
        assert again.status_code == 200
        assert b"".join(again.streaming_content) == body
    assert DocumentDownload.objects.count() == 1
    assert all(len(_sealed_entries(lot)) == 1 for lot in tender.lots.all())


def test_each_bidder_organisation_gets_its_own_row_and_entry(world: World) -> None:
    tender = make_tender(world)
    document = _document(tender)
    for user in world.bidder_users[:2]:
        tender_document_download(document=document, actor=user)
    assert DocumentDownload.objects.filter(document=document).count() == 2
    assert len(_sealed_entries(first_lot(tender))) == 2


def test_an_unverified_bidder_is_told_to_wait_for_verification(world: World) -> None:
    tender = make_tender(world)
    document = _document(tender)
    newcomer = make_user(make_organisation("bidder", verified=False, region=world.region))

    response = _download(newcomer, document)

    assert response.status_code == 403
    assert WAIT_FOR_VERIFICATION in response.content.decode()
    with pytest.raises(PermissionDenied, match=WAIT_FOR_VERIFICATION):
        tender_document_download(document=document, actor=newcomer)
    assert not DocumentDownload.objects.exists()
    assert not _sealed_entries(first_lot(tender))


@pytest.mark.parametrize(
    "who", ["owner_user", "agency_user", "staff", "other_desk_staff", "regulator", "admin"]
)
def test_anybody_but_a_bidder_is_refused_the_bidders_download(world: World, who: str) -> None:
    tender = make_tender(world)
    user = getattr(world, who) or make_user(None, is_superuser=True, is_staff=True)
    # The tender is public, so its documents' existence is no secret: 403, saying why.
    response = _download(user, _document(tender))
    assert response.status_code == 403
    assert "招标文件只向投标人提供下载" in response.content.decode()
    assert not DocumentDownload.objects.exists()


@pytest.mark.parametrize(
    ("submit", "publish"), [(False, False), (True, False)], ids=["draft", "pending_review"]
)
def test_documents_of_an_unpublished_tender_are_not_found(
    world: World, submit: bool, publish: bool
) -> None:
    tender = make_tender(world, submit=submit, publish=publish)
    assert _download(world.bidder_users[0], _document(tender)).status_code == 404
    assert not DocumentDownload.objects.exists()


def test_documents_of_a_terminated_lot_are_not_found(world: World) -> None:
    tender = make_tender(world)
    lot_terminate(lot=first_lot(tender), reason="项目取消", actor=world.owner_user)
    assert _download(world.bidder_users[0], _document(tender)).status_code == 404
    assert not DocumentDownload.objects.exists()


def test_downloads_for_bidding_end_at_the_bid_deadline(
    world: World, clock: ControlledClock
) -> None:
    """After the deadline nobody obtains documents to bid, and nobody joins the sealed list."""
    tender = make_tender(world)
    lot = first_lot(tender)
    bidder = world.bidder_users[0]
    _to(clock, opens(lot))
    # The deadline has passed; the chronograph has not yet moved the lot to its opening.
    clock.set(closes(lot))
    lot.refresh_from_db()
    assert lot.status == "bidding"

    response = _download(bidder, _document(tender))

    assert response.status_code == 403
    assert "投标已截止，招标文件的下载已于投标截止时间结束" in response.content.decode()
    assert not DocumentDownload.objects.exists()
    assert _sealed_entries(lot) == []
    clock.set(closes(lot) - timedelta(seconds=1))
    assert _download(bidder, _document(tender)).status_code == 200


def test_a_document_of_another_kind_is_not_found(world: World) -> None:
    document = _document(make_tender(world))
    document.kind = "evaluation_report"
    with pytest.raises(Http404):
        tender_document_download(document=document, actor=world.bidder_users[0])


def test_an_unknown_document_is_not_found(world: World) -> None:
    response = _as(world.bidder_users[0]).get(reverse("tender_document_download", args=[999999]))
    assert response.status_code == 404


def test_the_attachment_name_cannot_climb_out_of_a_folder() -> None:
    document = TenderDocument(
        tender=Tender(code="46010020260000001001"), title='../../etc/"passwd"\r\n', version=3
    )
    name = _download_name(document)
    assert name.startswith("46010020260000001001-")
    assert name.endswith("-v3.pdf")
    assert not any(bad in name for bad in ("/", "\\", '"', "\r", "\n", ".."))


# --- the bidder's workspace ----------------------------------------------------------------------


def test_the_bidders_workspace_lists_open_tenders_with_deadlines_and_download_links(
    world: World,
) -> None:
    open_tender = make_tender(world, name="开放的招标项目")
    draft = make_tender(world, name="草稿中的招标项目", submit=False, publish=False)
    ended = make_tender(world, name="已终止的招标项目")
    lot_terminate(lot=first_lot(ended), reason="项目取消", actor=world.owner_user)

    response = _as(world.bidder_users[0]).get(reverse("workspace"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "开放的招标项目" in page
    assert first_lot(open_tender).code in page
    assert _url(_document(open_tender)) in page
    assert closes(first_lot(open_tender)).astimezone(SHANGHAI).strftime("%Y-%m-%d") in page
    assert "草稿中的招标项目" not in page and _url(_document(draft)) not in page
    assert "已终止的招标项目" not in page


def test_training_tenders_are_listed_apart_for_bidders(world: World) -> None:
    make_tender(world, name="真实招标项目")
    make_tender(world, name="培训招标项目", training=True, time_scale=1)
    client = _as(world.bidder_users[0])
    real = client.get(reverse("workspace")).content.decode()
    training = client.get(reverse("workspace") + "?training=1").content.decode()
    assert "真实招标项目" in real and "培训招标项目" not in real
    assert "培训招标项目" in training and "真实招标项目" not in training


# --- secrecy before the opening, disclosure after ------------------------------------------------


def _readers(world: World) -> list[User]:
    return [world.staff, world.staff2, world.owner_user, world.agency_user, world.regulator]


@pytest.mark.parametrize("phase", ["published", "bidding"])
def test_before_the_opening_no_page_or_selector_shows_who_downloaded(
    world: World, clock: ControlledClock, phase: str
) -> None:
    tender = make_tender(world)
    lot = first_lot(tender)
    tender_document_download(document=_document(tender), actor=world.bidder_users[0])
    if phase == "bidding":
        _to(clock, opens(lot))
    lot.refresh_from_db()
    assert lot.status == phase

    name = world.bidders[0].name
    for reader in _readers(world):
        page = _lot_page(reader, lot)
        assert name not in page and world.bidders[0].uscc not in page
        assert SECTION not in page
        live = _as(reader).get(reverse("lot_live", args=[lot.pk])).content.decode()
        assert name not in live
    for reader, console in [(world.staff, "staff_console"), (world.owner_user, "owner_console")]:
        assert name not in _as(reader).get(reverse(console)).content.decode()
    actions = [entry.action for entry in lot_ledger_entries(lot)]
    assert "document.downloaded" not in actions


def test_after_the_opening_staff_and_the_owner_see_who_downloaded(
    world: World, clock: ControlledClock
) -> None:
    tender = make_tender(world)
    lot = first_lot(tender)
    tender_document_download(document=_document(tender), actor=world.bidder_users[0])

    _to(clock, closes(lot))

    lot.refresh_from_db()
    assert lot.status == "opening"
    name = world.bidders[0].name
    for reader in (world.staff, world.owner_user, world.agency_user):
        page = _lot_page(reader, lot)
        assert SECTION in page and name in page
        assert world.bidders[1].name not in page
    assert name not in _lot_page(world.regulator, lot)
    assert "document.downloaded" not in [entry.action for entry in lot_ledger_entries(lot)]


def test_a_document_of_the_whole_tender_stays_sealed_while_another_lot_takes_bids(
    world: World, clock: ControlledClock
) -> None:
    tender = make_tender(world, lots=2)
    opened, held = tender.lots.order_by("pk")
    tender_document_download(document=_document(tender), actor=world.bidder_users[0])
    _to(clock, opens(held))
    # Suspended, the second lot keeps taking bids past its deadline while the first opens.
    hold_place(lot=held, reason=HoldReason.OUTAGE, note="系统故障", actor=world.staff)
    _to(clock, closes(opened))

    opened.refresh_from_db()
    held.refresh_from_db()
    assert (opened.status, held.status) == ("opening", "bidding")
    assert world.bidders[0].name not in _lot_page(world.staff, opened)


def test_staff_see_downloads_of_an_open_procedure_during_bidding(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="property")
    tender = make_tender(world)
    assert tender.procedure.bidder_list_secret is False
    lot = first_lot(tender)
    tender_document_download(document=_document(tender), actor=world.bidder_users[0])

    assert lot.status == "published"
    page = _lot_page(world.staff, lot)
    # A property transfer's own words (32号令): 意向受让方 download the transfer documents.
    assert "下载转让文件的意向受让方" in page and SECTION not in page
    assert world.bidders[0].name in page
    assert world.bidders[0].name not in _lot_page(world.owner_user, lot)
    assert world.bidders[0].name not in _lot_page(world.regulator, lot)


def test_the_ledger_still_verifies_after_downloads(world: World, clock: ControlledClock) -> None:
    tender = make_tender(world, lots=2)
    document = _document(tender)
    for user in world.bidder_users:
        tender_document_download(document=document, actor=user)
        tender_document_download(document=document, actor=user)
    ledger_checkpoint(clock=clock)
    clock.advance(minutes=1)
    tender_document_download(document=document, actor=make_user(world.bidders[0]))

    call_command("ledger_verify")

    assert all(len(_sealed_entries(lot)) == 3 for lot in tender.lots.all())
