"""A 统一社会信用代码 is stored in its normal form on every path, so nobody registers twice.

Through the platform administrator's pages, online registration and the ORM; the database refuses
a code that is not normalised whatever writes it (a CHECK constraint, on both engines).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test import Client

from tests.factories import REGISTERED_AT, make_platform_admin
from trading.models import Organisation

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]

# GB 32100-2015 附录A's worked example: it has letters, so its lower case differs.
CODE = "91350100M000100Y43"
LICENCE = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
FULL_WIDTH = "".join(chr(ord(char) + 0xFEE0) for char in CODE)  # as a Chinese IME types it


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(make_platform_admin())
    return client


def _admin_add(client: Client, code: str, name: str = "福州示例有限公司") -> Any:
    return client.post(
        "/admin/trading/organisation/add/",
        {"name": name, "kind": "bidder", "uscc": code, "region": "", "contact_phone": ""},
    )


def _create(code: str, name: str = "福州示例有限公司") -> Organisation:
    return Organisation.objects.create(
        name=name, kind="bidder", uscc=code, registered_at=REGISTERED_AT
    )


# --- the administrator's pages --------------------------------------------------------------------


@pytest.mark.parametrize("typed", [CODE.lower(), f"  {CODE.lower()} ", FULL_WIDTH])
def test_a_code_typed_in_the_admin_is_stored_normalised(admin_client: Client, typed: str) -> None:
    response = _admin_add(admin_client, typed)

    assert response.status_code == 302
    assert Organisation.objects.get().uscc == CODE


def test_the_admin_refuses_the_lower_case_twin_of_a_registered_code(admin_client: Client) -> None:
    _create(CODE)

    response = _admin_add(admin_client, CODE.lower(), name="另一个名字")

    assert response.status_code == 200
    assert "统一社会信用代码" in response.context["adminform"].form.errors.as_text()
    assert Organisation.objects.count() == 1


def test_a_code_changed_in_the_admin_is_stored_normalised(admin_client: Client) -> None:
    organisation = _create("91350100M000100Y43")
    other = "91110108551385082Q"

    response = admin_client.post(
        f"/admin/trading/organisation/{organisation.pk}/change/",
        {"name": organisation.name, "kind": "bidder", "uscc": other.lower(), "region": ""},
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.uscc == other


# --- online registration --------------------------------------------------------------------------


def _registration(code: str, username: str) -> dict[str, object]:
    return {
        "licence": SimpleUploadedFile("执照.pdf", LICENCE, content_type="application/pdf"),
        "name": "福州示例有限公司",
        "kind": "bidder",
        "uscc": code,
        "region": "",
        "contact_phone": "0591-00000000",
        "username": username,
        "email": f"{username}@example.com",
        "phone": "13900000000",
        "password": "Min-Jiang-2026!",
        "password_again": "Min-Jiang-2026!",
    }


@pytest.mark.parametrize("typed", [CODE.lower(), FULL_WIDTH])
def test_a_code_typed_at_registration_is_stored_normalised(clock: Any, typed: str) -> None:
    response = Client().post("/accounts/register/", _registration(typed, "fuzhou"))

    assert response.status_code == 302
    assert Organisation.objects.get().uscc == CODE


def test_registration_refuses_the_lower_case_twin_of_a_registered_code(clock: Any) -> None:
    Client().post("/accounts/register/", _registration(CODE, "first"))

    response = Client().post("/accounts/register/", _registration(CODE.lower(), "second"))

    assert "已登记" in response.content.decode()
    assert Organisation.objects.count() == 1


# --- the ORM and the database ---------------------------------------------------------------------


@pytest.mark.parametrize("typed", [CODE.lower(), f" {CODE.lower()} ", FULL_WIDTH])
def test_the_orm_stores_and_finds_the_normal_form(clock: Any, typed: str) -> None:
    organisation = _create(typed)
    assert Organisation.objects.values_list("uscc", flat=True).get() == CODE
    assert Organisation.objects.get(uscc=typed) == organisation

    other = "91110108551385082Q"
    Organisation.objects.filter(pk=organisation.pk).update(uscc=f" {other.lower()}")
    assert Organisation.objects.values_list("uscc", flat=True).get() == other


def test_the_orm_refuses_the_lower_case_twin_of_a_registered_code(clock: Any) -> None:
    _create(CODE)
    with pytest.raises(IntegrityError), transaction.atomic():
        _create(CODE.lower(), name="另一个")


def test_full_clean_normalises_the_code(clock: Any) -> None:
    organisation = Organisation(
        name="福州示例有限公司", kind="bidder", uscc=f" {CODE.lower()}", registered_at=REGISTERED_AT
    )
    organisation.full_clean()
    assert organisation.uscc == CODE


def test_full_clean_refuses_the_lower_case_twin_of_a_registered_code(clock: Any) -> None:
    _create(CODE)
    twin = Organisation(
        name="另一个", kind="bidder", uscc=CODE.lower(), registered_at=REGISTERED_AT
    )
    with pytest.raises(ValidationError) as refused:
        twin.full_clean()
    assert "uscc" in refused.value.message_dict


@pytest.mark.parametrize(
    "stored",
    [
        CODE.lower(),
        CODE[:8] + CODE[8:].lower(),
        FULL_WIDTH,
        "91350100M000100Y4 ",
        "91350100MOOO100Y43",  # O is not a code character (GB 32100-2015 第4.2条)
    ],
    ids=["lower case", "partly lower case", "full width", "a space", "letter O"],
)
def test_the_database_refuses_a_code_that_is_not_normalised(clock: Any, stored: str) -> None:
    """Whatever bypasses the model field (raw SQL, another program) meets the CHECK constraint."""
    organisation = _create(CODE)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO trading_organisation (name, kind, uscc, contact_phone, registered_at,"
            " verification_method) VALUES (%s, %s, %s, %s, %s, %s)",
            ["另一个", "bidder", stored, "", REGISTERED_AT, ""],
        )
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE trading_organisation SET uscc = %s WHERE id = %s", [stored, organisation.pk]
        )
    assert Organisation.objects.values_list("uscc", flat=True).get() == CODE
