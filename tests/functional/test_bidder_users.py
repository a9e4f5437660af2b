"""Several users act for one bidder: its administrator invites them by a one-time link and
removes them; a removed user can no longer sign in or act; the last administrator stays."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import ControlledClock
from tests.factories import make_organisation, make_user
from tests.tenders import seed_reference_data
from trading.models import LedgerEntry, Organisation, OutboundMessage, User

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]

PASSWORD = "Ye-Lin-2026-bid!"


@pytest.fixture
def bidder(clock: ControlledClock) -> Organisation:
    seed_reference_data()
    return make_organisation("bidder", name="海南椰林建设有限公司")


@pytest.fixture
def admin(bidder: Organisation) -> User:
    return make_user(bidder, username="yelin-admin", is_organisation_admin=True)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _invite(client: Client, **overrides: object) -> Any:
    data = {
        "username": "yelin-chen",
        "display_name": "陈小燕",
        "email": "chen@yelin.example",
        "phone": "13907561234",
    } | overrides
    return client.post(reverse("bidding_members"), data, follow=True)


def _link(message: OutboundMessage) -> str:
    found = re.search(r"/bidding/invitation/[^/\s]+/[^/\s]+/", message.body)
    assert found, message.body
    return found.group(0)


def _sign_in(username: str, password: str) -> int:
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code  # 302 on the way in, 200 with the form's error otherwise


def test_an_invited_user_sets_a_password_through_a_link_that_works_once(admin: User) -> None:
    response = _invite(signed_in(admin))

    assert "已邀请 yelin-chen，设置密码的链接已发送给对方。" in response.content.decode()
    invitee = User.objects.get(username="yelin-chen")
    assert invitee.organisation_id == admin.organisation_id and not invitee.is_organisation_admin
    assert not invitee.has_usable_password()
    sent = OutboundMessage.objects.filter(to__in=["chen@yelin.example", "13907561234"])
    assert {m.channel for m in sent} == {"email", "sms"}
    link = _link(sent.get(channel="email"))
    assert LedgerEntry.objects.filter(
        action="organisation.user_invited", object_id=str(invitee.pk)
    ).exists()

    page = Client().get(link)
    assert "海南椰林建设有限公司" in page.content.decode()
    done = Client().post(link, {"password": PASSWORD, "password_again": PASSWORD}, follow=True)
    assert "密码已设置，请登录。" in done.content.decode()
    assert _sign_in("yelin-chen", PASSWORD) == 302
    # The link is spent: it cannot set the password again.
    again = Client().post(
        link, {"password": "Another-2026-pw!", "password_again": "Another-2026-pw!"}
    )
    assert "该邀请链接已失效" in again.content.decode()
    assert _sign_in("yelin-chen", PASSWORD) == 302


def test_an_invitation_needs_an_address_and_a_free_username(admin: User) -> None:
    client = signed_in(admin)
    no_address = _invite(client, email="", phone="")
    assert "请填写电子邮箱或手机号" in no_address.content.decode()
    taken = _invite(client, username="yelin-admin")
    assert "该用户名已被使用。" in taken.content.decode()
    assert User.objects.filter(organisation=admin.organisation).count() == 1
    assert not OutboundMessage.objects.exists()


def test_only_the_administrator_invites_and_removes(admin: User, bidder: Organisation) -> None:
    clerk = make_user(bidder, username="yelin-clerk")
    client = signed_in(clerk)
    listing = client.get(reverse("bidding_members")).content.decode()
    assert "yelin-admin" in listing and "发送邀请" not in listing
    assert _invite(client).status_code == 403
    assert client.post(reverse("bidding_member_remove", args=[admin.pk])).status_code == 403
    admin.refresh_from_db()
    assert admin.is_active
    # Another bidder's administrator may not learn the account exists.
    stranger = make_user(make_organisation("bidder"), is_organisation_admin=True)
    outside = signed_in(stranger).post(reverse("bidding_member_remove", args=[clerk.pk]))
    assert outside.status_code == 404
    clerk.refresh_from_db()
    assert clerk.is_active


def test_a_removed_user_can_no_longer_sign_in_or_act(admin: User, bidder: Organisation) -> None:
    clerk = make_user(bidder, username="yelin-clerk", password=PASSWORD)
    session = signed_in(clerk)
    assert session.get(reverse("bidding_certificates")).status_code == 200

    response = signed_in(admin).post(reverse("bidding_member_remove", args=[clerk.pk]), follow=True)

    assert "已移除用户 yelin-clerk。" in response.content.decode()
    clerk.refresh_from_db()
    assert not clerk.is_active
    # Its open session is gone and it cannot sign in again.
    assert session.get(reverse("bidding_certificates")).status_code == 302
    assert _sign_in("yelin-clerk", PASSWORD) == 200
    assert LedgerEntry.objects.filter(
        action="organisation.user_removed", object_id=str(clerk.pk)
    ).exists()


def test_the_last_administrator_cannot_remove_itself_but_one_of_two_can(
    admin: User, bidder: Organisation
) -> None:
    client = signed_in(admin)
    refused = client.post(reverse("bidding_member_remove", args=[admin.pk]), follow=True)
    assert "不能移除本主体唯一的管理员" in refused.content.decode()
    admin.refresh_from_db()
    assert admin.is_active

    second = make_user(bidder, username="yelin-admin2", is_organisation_admin=True)
    client.post(reverse("bidding_member_remove", args=[admin.pk]))
    admin.refresh_from_db()
    assert not admin.is_active
    # The one left is now the last: it stays.
    signed_in(second).post(reverse("bidding_member_remove", args=[second.pk]))
    second.refresh_from_db()
    assert second.is_active


def test_the_link_of_a_removed_invitee_no_longer_works(admin: User) -> None:
    client = signed_in(admin)
    _invite(client)
    invitee = User.objects.get(username="yelin-chen")
    link = _link(OutboundMessage.objects.get(channel="email"))
    client.post(reverse("bidding_member_remove", args=[invitee.pk]))

    page = Client().post(link, {"password": PASSWORD, "password_again": PASSWORD})

    assert "该邀请链接已失效" in page.content.decode()
    invitee.refresh_from_db()
    assert not invitee.has_usable_password()
