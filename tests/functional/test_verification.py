"""The public verification page and "my documents": genuine, forged, malformed, too large."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from notices import rendering
from notices.models import Notice, NoticeKind, NoticeStatus
from notices.services import notice_draft, notice_publish_rendered
from tests.conftest import ControlledClock
from tests.factories import make_organisation, make_platform_admin, make_user
from tests.tenders import (
    World,
    closes,
    first_lot,
    make_tender,
    make_world,
    opens,
    publicity_end,
    record_outcome,
)
from trading.chronograph import chronograph_tick
from trading.models import Lot
from trading.services.awards import award_confirm

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.NOTICE_VERIFY_MAX_BYTES = 2 * 1024 * 1024


def publish(notice: Notice) -> Notice:
    """Approve and publish as the chronograph and the render task would (no Celery here)."""
    Notice.objects.filter(pk=notice.pk).update(status=NoticeStatus.SCHEDULED)
    notice.refresh_from_db()
    return notice_publish_rendered(notice=notice, rendered=rendering.render_notice(notice))


def awarded_lot(clock: ControlledClock) -> tuple[World, Lot]:
    world = make_world()
    lot = first_lot(make_tender(world, name="文昌市清澜港航道疏浚工程"))
    for moment in (opens(lot), closes(lot)):
        clock.set(moment)
        chronograph_tick(clock=clock)
    lot = record_outcome(world, lot)
    clock.set(publicity_end(lot))
    chronograph_tick(clock=clock)
    lot.refresh_from_db()
    award_confirm(lot=lot, candidate=lot.candidates.get(rank=1), actor=world.owner_user)
    lot.refresh_from_db()
    return world, lot


@pytest.fixture
def letter(clock: ControlledClock) -> tuple[World, Notice]:
    world, lot = awarded_lot(clock)
    notice = notice_draft(kind=NoticeKind.AWARD_LETTER, tender=lot.tender, lot=lot)
    return world, publish(notice)


def verify_code(client: Client, code: str) -> Any:
    return client.get(reverse("verify"), {"code": code})


def upload(client: Client, content: bytes, name: str = "letter.pdf") -> Any:
    return client.post(
        reverse("verify"),
        {"document": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


def original(notice: Notice) -> bytes:
    with notice.pdf.open("rb") as stream:
        return stream.read()


def test_the_verification_page_is_public(client: Client) -> None:
    response = client.get(reverse("verify"))

    assert response.status_code == 200
    assert "文件真伪核验" in response.content.decode()


def test_a_published_code_is_genuine_and_shows_lot_hash_and_download(
    client: Client, letter: tuple[World, Notice]
) -> None:
    _world, notice = letter

    page = verify_code(client, notice.verification_code.lower().replace("-", " ")).content.decode()

    assert "真实有效" in page
    assert notice.pdf_sha256 in page and "SHA256" in page
    assert notice.lot is not None and notice.lot.code in page and notice.tender.name in page
    assert reverse("verify_pdf", args=[notice.verification_code]) in page


def test_the_published_original_downloads_with_its_hash(
    client: Client, letter: tuple[World, Notice]
) -> None:
    _world, notice = letter

    response = client.get(reverse("verify_pdf", args=[notice.verification_code]))

    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-SHA256"] == notice.pdf_sha256
    assert content == original(notice)


def test_uploading_the_original_pdf_says_genuine(
    client: Client, letter: tuple[World, Notice]
) -> None:
    _world, notice = letter

    page = upload(client, original(notice)).content.decode()

    assert "完全一致" in page and notice.verification_code in page


@pytest.mark.parametrize("position", [0.1, 0.5, -10])
def test_a_pdf_with_one_byte_changed_is_not_genuine(
    client: Client, letter: tuple[World, Notice], position: float
) -> None:
    _world, notice = letter
    forged = bytearray(original(notice))
    index = int(len(forged) * position) if position > 0 else int(position)
    forged[index] ^= 0x01

    response = upload(client, bytes(forged))

    page = response.content.decode()
    assert response.status_code == 200
    assert "不是本平台发布的原件" in page and "真实有效" not in page


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.pdf", "上传的文件是空的"),
        (b"\x89PNG\r\n\x1a\n" + b"0" * 100, "photo.png", "不是 PDF 文件"),
        (b"GIF89a", "letter.pdf", "不是 PDF 文件"),
        (b"%PDF-" + b"0" * (3 * 1024 * 1024), "huge.pdf", "文件超过 2 MB"),
    ],
    ids=["empty", "png", "disguised", "huge"],
)
def test_bad_uploads_get_a_clear_answer(
    client: Client, content: bytes, name: str, message: str
) -> None:
    response = upload(client, content, name)

    assert response.status_code == 200
    assert message in response.content.decode()


def test_posting_without_a_file_asks_for_one(client: Client) -> None:
    response = client.post(reverse("verify"), {})

    assert "请选择要核验的 PDF 文件" in response.content.decode()


@pytest.mark.parametrize(
    "code",
    [
        "",
        "ABCD",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "😀" * 20,
        "X" * 5000,
        "UUUU-UUUU-UUUU",
    ],
)
def test_malformed_codes_are_refused_politely(client: Client, code: str) -> None:
    response = verify_code(client, code)

    page = response.content.decode()
    assert response.status_code == 200
    assert "验证码格式不正确" in page
    assert "<script>alert" not in page


def test_an_unknown_well_formed_code_is_not_genuine(client: Client) -> None:
    page = verify_code(client, "7KQ2-9M4X-3TZA").content.decode()

    assert "未找到验证码为 7KQ2-9M4X-3TZA 的已发布文件" in page


def test_a_draft_is_not_verifiable_and_not_downloadable(
    client: Client, clock: ControlledClock
) -> None:
    _world, lot = awarded_lot(clock)
    draft = notice_draft(kind=NoticeKind.RESULT, tender=lot.tender, lot=lot)

    assert "未找到验证码" in verify_code(client, draft.verification_code).content.decode()
    assert client.get(reverse("verify_pdf", args=[draft.verification_code])).status_code == 404
    assert client.get(reverse("verify_pdf", args=["not-a-code"])).status_code == 404


def test_my_documents_lists_the_letter_to_the_winner_and_the_result_to_every_ranked_bidder(
    client: Client, clock: ControlledClock
) -> None:
    """招标投标法 第45条: the letter to the winner; the result to the bidders who did not win."""
    world, lot = awarded_lot(clock)
    letter = publish(notice_draft(kind=NoticeKind.AWARD_LETTER, tender=lot.tender, lot=lot))
    result = publish(notice_draft(kind=NoticeKind.RESULT, tender=lot.tender, lot=lot))
    announcement = publish(notice_draft(kind=NoticeKind.ANNOUNCEMENT, tender=lot.tender))

    client.force_login(world.bidder_users[0])
    page = client.get(reverse("my_documents")).content.decode()

    assert letter.verification_code in page and result.verification_code in page
    assert announcement.verification_code not in page

    client.logout()
    client.force_login(world.bidder_users[1])
    page = client.get(reverse("my_documents")).content.decode()
    assert letter.verification_code not in page and result.verification_code in page

    client.logout()
    outsider = make_organisation("bidder", region=world.region)
    client.force_login(make_user(outsider))
    page = client.get(reverse("my_documents")).content.decode()
    assert letter.verification_code not in page and result.verification_code not in page


def test_my_documents_needs_a_login(client: Client) -> None:
    response = client.get(reverse("my_documents"))

    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_my_documents_of_a_user_without_organisation_is_empty(
    client: Client, clock: ControlledClock
) -> None:
    admin = make_platform_admin()

    client.force_login(admin)
    response = client.get(reverse("my_documents"))

    assert response.status_code == 200 and "暂无发给本单位的文件" in response.content.decode()


def test_a_bidders_workspace_links_to_its_documents(client: Client, clock: ControlledClock) -> None:
    world = make_world()
    client.force_login(world.bidder_users[0])

    page = client.get(reverse("workspace")).content.decode()

    assert reverse("my_documents") in page
