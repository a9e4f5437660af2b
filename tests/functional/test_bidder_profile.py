"""A bidder's administrator keeps its profile (法定代表人, 基本存款账户, contacts) through its page;
its other users read it; staff checking the registration read it; nobody else learns of it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bidding.models import OrganisationProfile
from tests.conftest import ControlledClock
from tests.factories import grant_desks, make_organisation, make_user
from tests.tenders import seed_reference_data
from trading.models import Desk, LedgerEntry, Organisation, User

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]

NAME = "海南椰林建设（集团）有限公司"


@pytest.fixture
def bidder(clock: ControlledClock) -> Organisation:
    seed_reference_data()
    return make_organisation("bidder", name=NAME)


@pytest.fixture
def admin(bidder: Organisation) -> User:
    return make_user(bidder, username="yelin-admin", is_organisation_admin=True)


@pytest.fixture
def colleague(bidder: Organisation) -> User:
    return make_user(bidder, username="yelin-clerk")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _profile(**overrides: str) -> dict[str, Any]:
    return {
        "legal_representative": "林海",
        "basic_account_bank": "中国工商银行海口龙昆支行",
        "basic_account_name": "海南椰林建设(集团)有限公司",
        "basic_account_number": "2201 0210 0900 0123 456",
        "contact_name": "陈小燕",
        "contact_phone": "0898-66778899",
        "contact_email": "bid@yelin.example",
    } | overrides


def test_the_administrator_completes_the_profile_and_the_workspace_says_so(
    admin: User, colleague: User
) -> None:
    client = signed_in(admin)
    before = client.get(reverse("workspace")).content.decode()
    assert "主体信息不完整" in before and reverse("bidding_profile") in before

    response = client.post(reverse("bidding_profile"), _profile(), follow=True)

    page = response.content.decode()
    assert "主体信息已保存。" in page and "主体信息完整" in page
    profile = OrganisationProfile.objects.get(organisation=admin.organisation)
    # Kept in digits only: the deposit's paying account is compared with it.
    assert profile.basic_account_number == "2201021009000123456"
    assert profile.legal_representative == "林海"
    entry = LedgerEntry.objects.get(action="organisation.profile_updated")
    assert entry.object_id == str(admin.organisation_id)
    assert "主体信息完整" in client.get(reverse("workspace")).content.decode()
    # Every user of the organisation reads it; only the administrator has the form.
    read = signed_in(colleague).get(reverse("bidding_profile")).content.decode()
    assert "2201021009000123456" in read and "主体信息由本主体管理员维护" in read


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("2201-0210-09OO-0123", "账号只能由数字组成"),
        ("12345678", "账号应为9至30位数字"),
        ("", "请填写基本存款账户账号"),
    ],
)
def test_an_account_number_of_the_wrong_shape_is_refused_and_nothing_is_saved(
    admin: User, number: str, message: str
) -> None:
    response = signed_in(admin).post(
        reverse("bidding_profile"), _profile(basic_account_number=number)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not OrganisationProfile.objects.exists()
    assert not LedgerEntry.objects.filter(action="organisation.profile_updated").exists()


def test_a_basic_account_in_another_name_is_refused(admin: User) -> None:
    client = signed_in(admin)
    client.post(reverse("bidding_profile"), _profile())

    response = client.post(
        reverse("bidding_profile"),
        _profile(basic_account_name="林海", legal_representative="王五"),
    )

    assert response.status_code == 400
    assert f"基本存款账户户名必须与主体名称“{NAME}”一致。" in response.content.decode()
    profile = OrganisationProfile.objects.get()
    assert profile.legal_representative == "林海"  # the earlier profile stands, unchanged
    assert LedgerEntry.objects.filter(action="organisation.profile_updated").count() == 1


def test_a_user_who_is_not_the_administrator_cannot_change_the_profile(colleague: User) -> None:
    response = signed_in(colleague).post(reverse("bidding_profile"), _profile())
    assert response.status_code == 403
    assert not OrganisationProfile.objects.exists()


def test_staff_checking_registrations_read_the_profile_and_others_cannot_learn_of_it(
    admin: User, bidder: Organisation
) -> None:
    signed_in(admin).post(reverse("bidding_profile"), _profile())
    center = make_organisation("center")
    staff = make_user(center, username="desk-staff")
    grant_desks(staff, Desk.objects.first())  # type: ignore[arg-type]
    url = reverse("bidding_organisation_particulars", args=[bidder.pk])

    page = signed_in(staff).get(url)

    assert page.status_code == 200
    assert "2201021009000123456" in page.content.decode()
    # Read-only: no form, and the profile page itself is the bidder's own.
    assert "<form" not in page.content.decode().split("<main", 1)[-1].split("</main>")[0]
    assert signed_in(staff).get(reverse("bidding_profile")).status_code == 403
    other_bidder = make_user(make_organisation("bidder"))
    owner = make_user(make_organisation("owner"))
    center_user_without_desk = make_user(center)
    for outsider in (other_bidder, owner, center_user_without_desk):
        assert signed_in(outsider).get(url).status_code == 404
