"""The center checks a registration against its business licence: verify, return or refuse, and
the applicant is told why, corrects and resubmits — every step through its URL."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.factories import grant_desks, make_organisation, make_user
from tests.tenders import seed_reference_data
from trading.models import Desk, LedgerEntry, Notification, Organisation, User

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]

LICENCE = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
NEW_LICENCE = b"%PDF-1.7\n% corrected scan\n%%EOF\n"


@pytest.fixture
def applicant() -> User:
    seed_reference_data()
    organisation = make_organisation("bidder", verified=False, name="椰林建设有限公司")
    organisation.licence.save("licence.pdf", ContentFile(LICENCE))
    return make_user(organisation, username="yelin", is_organisation_admin=True)


@pytest.fixture
def center() -> Organisation:
    return make_organisation("center")


@pytest.fixture
def staff(center: Organisation) -> User:
    user = make_user(center, username="desk-staff", first_name="王海")
    grant_desks(user, Desk.objects.first())  # type: ignore[arg-type]
    return user


@pytest.fixture
def center_admin(center: Organisation) -> User:
    return make_user(center, username="center-admin", is_organisation_admin=True)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_return_a_registration_and_the_applicant_reads_why_and_resubmits(
    applicant: User, staff: User, center_admin: User
) -> None:
    organisation = applicant.organisation
    assert organisation is not None
    desk = signed_in(staff)
    queue = desk.get(reverse("organisation_queue")).content.decode()
    assert reverse("organisation_licence", args=[organisation.pk]) in queue

    response = desk.post(
        reverse("organisation_return", args=[organisation.pk]),
        {"reason": "营业执照扫描件不清晰，请重新上传。"},
        follow=True,
    )

    assert "已退回“椰林建设有限公司”补正。" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.is_returned and organisation.decided_by == staff
    told = Notification.objects.get(recipient=applicant, kind="organisation.returned")
    assert "营业执照扫描件不清晰" in told.body
    assert LedgerEntry.objects.filter(
        action="organisation.returned", object_id=str(organisation.pk)
    ).exists()
    # The applicant reads the reason on its workspace and on its registration page.
    own = signed_in(applicant)
    assert "营业执照扫描件不清晰，请重新上传。" in own.get(reverse("workspace")).content.decode()
    page = own.get(reverse("organisation_mine")).content.decode()
    assert "营业执照扫描件不清晰，请重新上传。" in page and "重新提交核验" in page

    response = own.post(
        reverse("organisation_mine"),
        {
            "name": "椰林建设有限公司",
            "contact_phone": "0898-66660000",
            "licence": SimpleUploadedFile("new.pdf", NEW_LICENCE),
        },
        follow=True,
    )

    html = response.content.decode()
    assert "已重新提交，请等待交易中心核验。" in html
    assert "营业执照扫描件不清晰" not in html
    organisation.refresh_from_db()
    assert organisation.decision == "" and organisation.contact_phone == "0898-66660000"
    with organisation.licence.open("rb") as stored:
        assert stored.read() == NEW_LICENCE
    resubmitted = Notification.objects.filter(kind="organisation.resubmitted")
    assert set(resubmitted.values_list("recipient__username", flat=True)) == {
        "desk-staff",
        "center-admin",
    }
    # Back in the queue, and verified this time.
    desk.post(reverse("organisation_verify", args=[organisation.pk]))
    organisation.refresh_from_db()
    assert organisation.is_verified


def test_a_blank_reason_is_refused_and_changes_nothing(applicant: User, staff: User) -> None:
    organisation = applicant.organisation
    assert organisation is not None
    for route in ("organisation_return", "organisation_refuse"):
        response = signed_in(staff).post(
            reverse(route, args=[organisation.pk]), {"reason": "   "}, follow=True
        )
        assert "请填写理由，申请人将看到它。" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.decision == "" and not organisation.is_verified
    assert not Notification.objects.filter(recipient=applicant).exists()


def test_a_refused_registration_is_final_and_the_applicant_is_told_why(
    applicant: User, center_admin: User
) -> None:
    organisation = applicant.organisation
    assert organisation is not None
    admin = signed_in(center_admin)
    admin.post(
        reverse("organisation_refuse", args=[organisation.pk]),
        {"reason": "营业执照与国家企业信用信息公示系统记载不符。"},
    )

    organisation.refresh_from_db()
    assert organisation.is_refused
    own = signed_in(applicant)
    assert "与国家企业信用信息公示系统记载不符" in own.get(reverse("workspace")).content.decode()
    assert "重新提交核验" not in own.get(reverse("organisation_mine")).content.decode()
    assert own.post(reverse("organisation_mine"), {"name": "改名"}).status_code == 403
    # Neither verified nor returned afterwards.
    response = admin.post(reverse("organisation_verify", args=[organisation.pk]), follow=True)
    assert "不能直接核验" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.is_refused and organisation.name == "椰林建设有限公司"


def test_a_resubmission_with_a_file_that_is_not_a_pdf_changes_nothing(
    applicant: User, staff: User
) -> None:
    organisation = applicant.organisation
    assert organisation is not None
    signed_in(staff).post(
        reverse("organisation_return", args=[organisation.pk]), {"reason": "联系电话有误。"}
    )

    response = signed_in(applicant).post(
        reverse("organisation_mine"),
        {
            "name": "改过的名称有限公司",
            "contact_phone": "1",
            "licence": SimpleUploadedFile("x.pdf", b"<html>not a pdf</html>"),
        },
    )

    assert "只接受 PDF 文件。" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.is_returned and organisation.name == "椰林建设有限公司"
    with organisation.licence.open("rb") as stored:
        assert stored.read() == LICENCE


@pytest.mark.parametrize(
    ("who", "status"),
    [("applicant", 200), ("staff", 200), ("center_admin", 200), ("other", 404)],
)
def test_the_licence_opens_for_the_center_and_the_organisation_only(
    applicant: User, staff: User, center_admin: User, who: str, status: int
) -> None:
    users = {
        "applicant": applicant,
        "staff": staff,
        "center_admin": center_admin,
        "other": make_user(make_organisation("bidder"), username="nosy"),
    }
    assert applicant.organisation is not None
    response = signed_in(users[who]).get(
        reverse("organisation_licence", args=[applicant.organisation.pk])
    )
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline")
        assert b"".join(response.streaming_content) == LICENCE  # type: ignore[attr-defined]
