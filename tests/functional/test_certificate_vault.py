"""A bidder keeps its certificates once (资质证书, 许可证, 注册执业证书) with their PDFs, replaces
and retires them; an expiring one is flagged ahead of time and an expired one cannot be used."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from bidding.models import Certificate
from bidding.selectors.vault import certificate_check_usable, certificate_list_usable
from bidding.services.vault import CERTIFICATE_EXPIRY
from tests.conftest import ControlledClock
from tests.factories import grant_desks, make_organisation, make_user
from tests.tenders import seed_reference_data
from trading.chronograph import chronograph_tick, due_work_override
from trading.domain.timeline import SHANGHAI
from trading.models import Desk, LedgerEntry, Notification, Organisation, User

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
RENEWED = b"%PDF-1.7\n% renewed certificate\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def bidder(clock: ControlledClock) -> Organisation:
    seed_reference_data()
    return make_organisation("bidder", name="海南椰林建设有限公司")


@pytest.fixture
def user(bidder: Organisation) -> User:
    return make_user(bidder, username="yelin-clerk")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _qualification(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": "qualification",
        "name": "建筑业企业资质证书",
        "number": "D246012345",
        "grade": "建筑工程施工总承包贰级",
        "issuer": "海南省住房和城乡建设厅",
        "issued_on": "2024-01-15",
        "expires_on": "2027-01-15",
        "holder_name": "",
        "speciality": "",
        "file": SimpleUploadedFile("资质.pdf", PDF, content_type="application/pdf"),
    } | overrides


def _add(client: Client, **overrides: Any) -> Any:
    return client.post(reverse("bidding_certificate_add"), _qualification(**overrides), follow=True)


def test_a_certificate_is_kept_once_with_its_pdf_and_shown_to_its_organisation(
    user: User, bidder: Organisation
) -> None:
    client = signed_in(user)
    page = _add(client).content.decode()

    assert "证书已入库。" in page and "D246012345" in page
    certificate = Certificate.objects.get()
    with certificate.file.open("rb") as stored:
        assert stored.read() == PDF
    assert LedgerEntry.objects.filter(
        action="certificate.added", object_id=str(certificate.pk)
    ).exists()
    pdf = client.get(reverse("bidding_certificate_file", args=[certificate.pk]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content) == PDF  # type: ignore[attr-defined]
    today = date(2026, 11, 30)
    assert list(certificate_list_usable(bidder.pk, today)) == [certificate]


def test_a_project_managers_certificate_names_its_holder_and_speciality(user: User) -> None:
    client = signed_in(user)
    refused = _add(client, kind="practitioner", name="一级注册建造师注册证书", grade="")
    assert refused.status_code == 400
    assert "注册执业证书请填写持证人。" in refused.content.decode()

    _add(
        client,
        kind="practitioner",
        name="一级注册建造师注册证书",
        number="琼1462020202100123",
        grade="",
        holder_name="符海军",
        speciality="建筑工程",
    )

    certificate = Certificate.objects.get()
    assert (certificate.holder_name, certificate.speciality) == ("符海军", "建筑工程")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("资质.pdf", PNG, content_type="application/pdf"), "只接受 PDF 文件。"),
        (SimpleUploadedFile("资质.pdf", b"", content_type="application/pdf"), "文件为空"),
    ],
)
def test_a_file_that_is_not_a_pdf_is_refused_whatever_its_name(
    user: User, upload: SimpleUploadedFile, message: str
) -> None:
    response = _add(signed_in(user), file=upload)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Certificate.objects.exists()


def test_an_oversized_file_is_refused(user: User, settings: Any) -> None:
    settings.CERTIFICATE_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("资质.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")

    response = _add(signed_in(user), file=big)

    assert response.status_code == 400
    assert "文件不能超过 1 MB。" in response.content.decode()
    assert not Certificate.objects.exists()


def test_an_already_expired_certificate_is_not_taken_into_the_vault(user: User) -> None:
    response = _add(signed_in(user), expires_on="2026-11-29")
    assert response.status_code == 400
    assert "该证书已于 2026-11-29 过期" in response.content.decode()
    assert not Certificate.objects.exists()


def test_a_replacement_is_a_new_version_and_the_old_one_stays_for_the_bids_that_used_it(
    user: User, bidder: Organisation
) -> None:
    client = signed_in(user)
    _add(client)
    old = Certificate.objects.get()

    response = client.post(
        reverse("bidding_certificate_replace", args=[old.pk]),
        _qualification(
            number="D246012345",
            grade="建筑工程施工总承包壹级",
            issued_on="2026-11-20",
            expires_on="2031-11-19",
            file=SimpleUploadedFile("新证.pdf", RENEWED, content_type="application/pdf"),
        ),
        follow=True,
    )

    assert "已上传新版本" in response.content.decode()
    new = Certificate.objects.get(previous=old)
    assert (new.version, new.grade, new.kind) == (2, "建筑工程施工总承包壹级", "qualification")
    old.refresh_from_db()
    assert old.replaced_at is not None and old.grade == "建筑工程施工总承包贰级"
    with old.file.open("rb") as stored:
        assert stored.read() == PDF
    today = date(2026, 11, 30)
    assert list(certificate_list_usable(bidder.pk, today)) == [new]
    with pytest.raises(ValidationError, match="已被替换或停用"):
        certificate_check_usable(old, today)
    # The old version cannot be replaced again: only the current one moves on.
    again = client.post(
        reverse("bidding_certificate_replace", args=[old.pk]), _qualification(), follow=True
    )
    assert "该证书已被替换或停用" in again.content.decode()
    assert Certificate.objects.count() == 2


def test_a_retired_certificate_is_no_longer_offered(user: User, bidder: Organisation) -> None:
    client = signed_in(user)
    _add(client)
    certificate = Certificate.objects.get()

    page = client.post(
        reverse("bidding_certificate_retire", args=[certificate.pk]), follow=True
    ).content.decode()

    assert "证书已停用。" in page and "已停用的证书" in page
    assert not certificate_list_usable(bidder.pk, date(2026, 11, 30)).exists()


def test_only_the_organisations_users_and_the_verifying_staff_see_its_certificates(
    user: User, bidder: Organisation
) -> None:
    _add(signed_in(user))
    certificate = Certificate.objects.get()
    file_url = reverse("bidding_certificate_file", args=[certificate.pk])
    staff = make_user(make_organisation("center"))
    grant_desks(staff, Desk.objects.first())  # type: ignore[arg-type]
    staff_client = signed_in(staff)
    assert staff_client.get(file_url).status_code == 200
    particulars = staff_client.get(reverse("bidding_organisation_particulars", args=[bidder.pk]))
    assert "D246012345" in particulars.content.decode()
    # Staff read; they do not retire or replace.
    retire = reverse("bidding_certificate_retire", args=[certificate.pk])
    assert staff_client.post(retire).status_code == 403
    stranger = signed_in(make_user(make_organisation("bidder")))
    assert stranger.get(file_url).status_code == 404
    assert stranger.post(retire).status_code == 404
    assert (
        stranger.get(reverse("bidding_certificate_replace", args=[certificate.pk])).status_code
        == 404
    )
    owner = signed_in(make_user(make_organisation("owner")))
    assert owner.get(file_url).status_code == 404
    certificate.refresh_from_db()
    assert certificate.is_current


def _at(day: date, hour: int = 0, minute: int = 1) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def _told(kind: str) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind))


def test_an_expiring_certificate_is_flagged_30_days_ahead_and_on_expiry_each_once(
    user: User, bidder: Organisation, clock: ControlledClock
) -> None:
    admin = make_user(bidder, username="yelin-admin", is_organisation_admin=True)
    removed = make_user(bidder, username="yelin-gone", is_active=False)
    client = signed_in(user)
    _add(client)  # valid through 2027-01-15
    certificate = Certificate.objects.get()

    with due_work_override(CERTIFICATE_EXPIRY):
        clock.set(_at(date(2026, 12, 15), 23, 59))
        chronograph_tick(clock=clock)
        assert not _told("certificate.warning")

        clock.set(_at(date(2026, 12, 16)))
        chronograph_tick(clock=clock)
        chronograph_tick(clock=clock)
        warned = _told("certificate.warning")
        assert {n.recipient for n in warned} == {user, admin}  # once each; not the removed user
        assert removed not in {n.recipient for n in warned}
        assert "将于 2027-01-15 到期" in warned[0].body
        page = client.get(reverse("bidding_certificates")).content.decode()
        assert "即将到期" in page

        # Still usable on its last day.
        clock.set(_at(date(2027, 1, 15), 23, 59))
        chronograph_tick(clock=clock)
        assert not _told("certificate.expired")
        assert certificate_check_usable(certificate, date(2027, 1, 15)) == certificate

        clock.set(_at(date(2027, 1, 16)))
        chronograph_tick(clock=clock)
        clock.advance(days=3)
        chronograph_tick(clock=clock)

    expired = _told("certificate.expired")
    assert {n.recipient for n in expired} == {user, admin}
    assert len(_told("certificate.warning")) == 2
    assert "已于 2027-01-15 到期，不能再用于投标" in expired[0].body
    assert not certificate_list_usable(bidder.pk, date(2027, 1, 16)).exists()
    with pytest.raises(ValidationError, match="已于 2027-01-15 过期，不能使用"):
        certificate_check_usable(certificate, date(2027, 1, 16))
    page = client.get(reverse("bidding_certificates")).content.decode()
    assert "已过期，不能使用" in page
    workspace = client.get(reverse("workspace")).content.decode()
    assert "1 本已过期" in workspace


def test_a_replaced_certificate_is_not_flagged_but_its_successor_is(
    user: User, clock: ControlledClock
) -> None:
    client = signed_in(user)
    _add(client)
    old = Certificate.objects.get()
    client.post(
        reverse("bidding_certificate_replace", args=[old.pk]),
        _qualification(
            issued_on="2026-11-30",
            expires_on="2026-12-20",
            file=SimpleUploadedFile("新证.pdf", RENEWED, content_type="application/pdf"),
        ),
    )

    with due_work_override(CERTIFICATE_EXPIRY):
        clock.advance(minutes=1)
        chronograph_tick(clock=clock)

    # Within 30 days of its expiry when it came in: the successor is flagged at the next tick.
    warned = _told("certificate.warning")
    assert len(warned) == 1 and "2026-12-20" in warned[0].body
