"""An organisation registers online, waits for verification, and staff are told."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from trading.domain import uscc
from trading.models import Notification, Organisation, User

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]

BODY = "91469005MA5T00001"
CODE = BODY + uscc.check_character(BODY)
LICENCE = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "文昌海韵建设有限公司",
        "kind": "bidder",
        "uscc": CODE,
        "region": "",
        "contact_phone": "0898-63330000",
        "username": "haiyun",
        "email": "bid@haiyun.example",
        "phone": "13907560000",
        "password": "Qiong-Hai-2026!",
        "password_again": "Qiong-Hai-2026!",
        "licence": SimpleUploadedFile("执照.pdf", LICENCE, content_type="application/pdf"),
    }
    data.update(overrides)
    return data


def test_a_bidder_registers_and_sees_that_it_awaits_verification(
    client: Client, demo: dict
) -> None:
    response = client.post("/accounts/register/", _form(), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "注册成功" in page
    organisation = Organisation.objects.get(uscc=CODE)
    assert not organisation.is_verified
    admin = User.objects.get(username="haiyun")
    assert admin.organisation == organisation and admin.is_organisation_admin
    # Every center user who may verify it hears of it (desk staff, the center's
    # administrator); nobody else does.
    told = set(
        Notification.objects.filter(kind="organisation.registered").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"staff_haikou", "staff_sanya", "staff_land", "center_admin"}
    with organisation.licence.open("rb") as stored:
        assert stored.read() == LICENCE


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"uscc": BODY + "0" if CODE[-1] != "0" else BODY + "1"}, "校验位"),
        ({"uscc": "123"}, "18位"),
        ({"kind": "center"}, "选择一个有效的选项"),
        ({"phone": "12345"}, "11位手机号"),
        ({"password_again": "different"}, "两次输入的密码不一致"),
        ({"password": "123", "password_again": "123"}, "此密码太短"),
        ({"username": "bidder1"}, "该用户名已被使用"),
        ({"licence": ""}, "请上传营业执照（PDF）"),
        (
            {"licence": SimpleUploadedFile("执照.pdf", b"GIF89a not a pdf")},
            "只接受 PDF 文件",
        ),
        # A licence is stored last: a registration refused for its username leaves no file.
    ],
)
def test_bad_registrations_are_refused_with_a_reason_and_save_nothing(
    client: Client, demo: dict, overrides: dict[str, object], field_error: str
) -> None:
    before = (Organisation.objects.count(), User.objects.count())
    response = client.post("/accounts/register/", _form(**overrides))
    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert (Organisation.objects.count(), User.objects.count()) == before


def test_registering_a_code_twice_is_refused(client: Client, demo: dict) -> None:
    client.post("/accounts/register/", _form())
    other = Client()
    response = other.post("/accounts/register/", _form(username="another"))
    assert "已登记" in response.content.decode()
    assert Organisation.objects.filter(uscc=CODE).count() == 1


def test_a_licence_over_the_size_limit_is_refused_by_its_limit(
    client: Client, demo: dict, settings
) -> None:
    settings.BUSINESS_LICENCE_MAX_BYTES = 2 * 1024 * 1024
    big = SimpleUploadedFile("执照.pdf", LICENCE + b"0" * (2 * 1024 * 1024))
    response = client.post("/accounts/register/", _form(licence=big))
    assert "文件不能超过 2 MB。" in response.content.decode()
    assert not Organisation.objects.filter(uscc=CODE).exists()


def test_a_refused_registration_stores_no_licence(client: Client, demo: dict) -> None:
    from django.core.files.storage import default_storage

    before = (
        set(default_storage.listdir("business-licences")[0])
        if default_storage.exists("business-licences")
        else set()
    )
    response = client.post("/accounts/register/", _form(username="bidder1"))
    assert "该用户名已被使用" in response.content.decode()
    after = (
        set(default_storage.listdir("business-licences")[0])
        if default_storage.exists("business-licences")
        else set()
    )
    assert after == before
