"""A tender the desk returned shows who returned it, when and why on its own page, until the
owner submits it again."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import ControlledClock
from tests.tenders import make_tender, make_world
from trading.models import User

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_owner_reads_the_return_reason_on_the_tender_until_it_resubmits(
    clock: ControlledClock,
) -> None:
    world = make_world()
    tender = make_tender(world, name="退回理由测试项目", publish=False)
    signed_in(world.staff).post(
        reverse("tender_reject", args=[tender.pk]), {"reason": "投标人资格条件设置了地域限制。"}
    )
    owner = signed_in(world.owner_user)

    html = owner.get(reverse("tender_detail", args=[tender.pk])).content.decode()

    assert 'id="last-return"' in html
    assert "投标人资格条件设置了地域限制。" in html
    assert world.staff.first_name in html or world.staff.username in html
    assert clock.now.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M") in html

    owner.post(reverse("tender_submit", args=[tender.pk]))
    html = owner.get(reverse("tender_detail", args=[tender.pk])).content.decode()
    assert "投标人资格条件设置了地域限制。" not in html


def test_a_draft_never_returned_shows_no_return(clock: ControlledClock) -> None:
    world = make_world()
    tender = make_tender(world, name="从未提交的项目", submit=False)
    html = signed_in(world.owner_user).get(reverse("tender_detail", args=[tender.pk]))
    assert 'id="last-return"' not in html.content.decode()
