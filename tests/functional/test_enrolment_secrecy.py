"""Who enrolled, and how many did, is sealed until the opening (招标投标法 第22条).

Every page that a role outside the enrolments can open about the lot — the lot and tender pages,
the consoles, the supervision pages and CSV, the portal, its feeds and open data, the bidder's own
pages — answers byte for byte the same with two and with three bidders enrolled (CSRF tokens and
nonces aside, which differ on every response).
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from notices.models import Notice, NoticeKind
from notices.services import notice_approve
from notices.tasks import notice_render_and_publish
from tests.conftest import ControlledClock
from tests.enrolments import enrol
from tests.factories import make_organisation, make_user
from tests.notices import deliver_events, fake_render
from tests.tenders import World, first_lot, make_tender, make_world, opens
from trading.chronograph import chronograph_tick
from trading.models import Lot, Tender, User

pytestmark = [pytest.mark.django_db]

_VOLATILE = [
    (re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"'), b'name="csrfmiddlewaretoken"'),
    (re.compile(rb'nonce="[^"]*"'), b'nonce=""'),
    (re.compile(rb'"csrf[_-]?token"\s*:\s*"[^"]*"'), b'"csrftoken":""'),
    (re.compile(rb'name="csrf-token" content="[^"]*"'), b'name="csrf-token"'),
    (re.compile(rb'"X-CSRFToken": "[^"]*"'), b'"X-CSRFToken": ""'),
    # An empty feed is "updated" at the wall clock's now, whatever the controlled clock says.
    (re.compile(rb"<feed (.*?)<updated>[^<]*</updated>"), rb"<feed \1<updated></updated>"),
]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _stable(body: bytes) -> bytes:
    for pattern, replacement in _VOLATILE:
        body = pattern.sub(replacement, body)
    return body


def _pages(world: World, lot: Lot, tender: Tender, outsider: User) -> list[tuple[User | None, str]]:
    lot_pages = [
        reverse("lot_detail", args=[lot.pk]),
        reverse("lot_live", args=[lot.pk]),
        reverse("tender_detail", args=[tender.pk]),
        # The enrolment list (报名名单): a 404 to everybody before the opening.
        reverse("lot_roster", args=[lot.pk]),
        reverse("workspace"),
        reverse("inbox"),
        reverse("my_documents"),
    ]
    public = [
        reverse("home"),
        reverse("portal_notices"),
        reverse("portal_open_tenders"),
        reverse("portal_results"),
        reverse("ocds_release_package", args=[tender.code]),
        reverse("notice_changes"),
        reverse(
            "notice_feed",
            kwargs={
                "region_code": world.region.code,
                "business_type_code": world.business_type.code,
            },
        ),
    ]
    announcement = Notice.objects.get(tender=tender, kind=NoticeKind.ANNOUNCEMENT)
    public.append(reverse("portal_notice_detail", args=[announcement.pk]))
    staff = [
        reverse("staff_console"),
        reverse("desk_list"),
        reverse("staff_review_queue"),
        reverse("notice_queue"),
    ]
    supervision = [
        reverse("supervision_console"),
        reverse("supervision_export"),
        reverse("supervision_tender", args=[tender.pk]),
        reverse("supervision_lot", args=[lot.pk]),
    ]
    bidder = [
        reverse("enrolment_lot", args=[lot.pk]),
        reverse("enrolment_list"),
    ]
    readers: list[tuple[User | None, list[str]]] = [
        (None, public),
        (world.staff, lot_pages + staff),
        (world.owner_user, [*lot_pages, reverse("owner_console")]),
        (world.agency_user, lot_pages),
        (world.regulator, lot_pages + supervision),
        (outsider, lot_pages + bidder + public),
    ]
    return [(user, url) for user, urls in readers for url in urls]


def _responses(pages: list[tuple[User | None, str]]) -> dict[tuple[str, str], tuple[int, bytes]]:
    # The portal caches its counts: a cached page would hide a leak rather than show one.
    cache.clear()
    answers = {}
    for user, url in pages:
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        # The CSV export streams.
        body = response.getvalue() if response.streaming else response.content
        answers[(user.username if user else "anonymous", url)] = (
            response.status_code,
            _stable(body),
        )
    return answers


def test_no_page_tells_a_non_enrolled_reader_how_many_enrolled(clock: ControlledClock) -> None:
    world = make_world()
    tender = make_tender(world)
    lot = first_lot(tender)
    # The announcement is published, so the portal, its feed and open data show the tender.
    deliver_events(clock)
    announcement = Notice.objects.get(tender=tender, kind=NoticeKind.ANNOUNCEMENT)
    notice_approve(notice=announcement, actor=world.staff)
    notice_render_and_publish(announcement.pk, render=fake_render, clock=clock)
    clock.set(opens(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot.refresh_from_db()
    assert lot.status == "bidding"
    outsider_org = make_organisation("bidder", region=world.region)
    outsider = make_user(outsider_org)
    third = make_organisation("bidder", region=world.region)
    make_user(third)
    enrol(lot, world.bidders[0])
    enrol(lot, world.bidders[1], members=[world.bidders[2]])
    pages = _pages(world, lot, tender, outsider)

    with_two = _responses(pages)
    enrol(lot, third)
    with_three = _responses(pages)

    assert len(with_two) == len(pages)
    # The readers do read the lot: most pages answer them.
    assert sum(status == 200 for status, _body in with_two.values()) > len(pages) * 2 // 3
    assert with_two[("anonymous", reverse("portal_open_tenders"))][1].count(lot.code.encode()) > 0
    different = [key for key in with_two if with_two[key] != with_three[key]]
    assert different == []
