"""The opening demonstration of `make run` (不见面开标): a lot to bid for and an opening to join.

A sealed-bid engineering lot whose deadline comes a quarter of an hour after start-up (招标投标法
第34条: the opening is at the deadline). bidder1, bidder2 and bidder3 are enrolled with their
deposits paid, and each has sealed a bid already, as its own client would, its saved key file in
var/demo/keys/ for whoever plays it in the room; bidder1 may replace its bid in the browser (and
then unlocks with the key file it saves), so the opening has its three bids either way. At
the deadline the opening starts; owner_school hosts it, staff_haikou witnesses.
A start-up after the deadline arms a fresh round.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from bidding.client import bid_seal
from bidding.domain import sealing
from bidding.models import Enrolment, OrganisationProfile
from bidding.selectors.sealed_bids import access_bid_lot
from bidding.services.demo_deposits import deposit_demo_states
from bidding.services.lot_keys import lot_key_create, lot_key_public
from bidding.services.sealed_bids import sealed_bid_chunk_store, sealed_bid_commit, sealed_bid_start
from trading.clock import get_clock
from trading.domain.lifecycle import LotStatus
from trading.models import Lot, User
from trading.participants import lot_participants_enrol
from trading.services.demo_tenders import DemoTender, demo_tender_arm

PROJECT = "开标演示：海口市第一中学教学楼维修工程"
BIDDERS = ("bidder1", "bidder2", "bidder3")
SEALED_BY_DEMO = {
    "bidder1": ("3068000.00", "225"),
    "bidder2": ("3085000.00", "240"),
    "bidder3": ("3112000.00", "210"),
}
# Where each demo client committed from: bidder1 and bidder2 share an office address, so the
# regulator's 围标串标预警 has something to show after 唱标 (实施条例 第40条).
DEMO_ADDRESSES = {
    "bidder1": "203.0.113.7",
    "bidder2": "203.0.113.7",
    "bidder3": "198.51.100.20",
}
# The deadline's distance from start-up; TIANPING_DEMO_OPENING_MINUTES changes it.
DEFAULT_MINUTES = 15
# A round closer than this to its deadline at start-up is not worth joining: arm a new one.
LEAD_TIME = timedelta(minutes=3)

DEMO = DemoTender(
    PROJECT,
    "教学楼维修工程施工（开标演示）",
    "施工标段",
    "engineering",
    "open",
    "460100",
    "owner_school",
    "staff_haikou",
    Decimal("3200000.00"),
    "bidding",
)


def demo_keys_dir() -> Path:
    return Path(settings.VAR_DIR) / "demo" / "keys"


def opening_demo_lot(now: datetime) -> Lot | None:
    """The round still taking bids with time to join, if any."""
    return (
        Lot.objects.filter(
            tender__project__name=PROJECT,
            status__in=[LotStatus.PUBLISHED, LotStatus.BIDDING],
            closes_at__gt=now + LEAD_TIME,
        )
        .order_by("-closes_at")
        .first()
    )


def _minutes() -> int:
    try:
        return max(5, int(os.environ.get("TIANPING_DEMO_OPENING_MINUTES", DEFAULT_MINUTES)))
    except ValueError:
        return DEFAULT_MINUTES


def _seal_and_commit(lot: Lot, user: User, price: str, days: str) -> Path:
    """What the demo bidder's own client did: seal, upload, commit, keep the key file."""
    seat = access_bid_lot(user, lot.pk)
    bid = sealed_bid_start(seat, user)
    context = sealing.BidContext(lot.pk, seat.enrolment.pk, bid.version)
    draft = bid_seal(
        context,
        lot_key_public(lot),
        {
            "price": price,
            "duration": days,
            "quality": "合格",
            "project_manager": user.get_full_name(),
        },
        [],
    )
    for index in draft.file_indices():
        for counter, chunk in enumerate(draft.chunks(index)):
            sealed_bid_chunk_store(bid, user, index, counter, chunk)
    sealed_bid_commit(
        seat,
        bid,
        user,
        draft.commit_body(),
        ip=DEMO_ADDRESSES.get(user.username, "127.0.0.1"),
        user_agent=f"Tianping demo client ({user.username})",
    )
    folder = demo_keys_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{lot.code}-{user.username}.tianping-key.json"
    path.write_text(json.dumps(draft.key_file(), ensure_ascii=False, indent=2) + "\n")
    return path


def opening_demo_seed(*, tenders: bool = True) -> dict[str, int]:
    """Arm a round of the opening demonstration unless one is still ahead (`make run`)."""
    if not tenders:
        return {}
    now = get_clock()()
    if opening_demo_lot(now) is not None:
        return {}
    lot = demo_tender_arm(
        DEMO,
        now=now,
        history=timedelta(days=35),
        opens_at=now + timedelta(minutes=1),
        closes_at=now + timedelta(minutes=_minutes()),
    )
    lot_key_create(lot, now)
    users = {u.username: u for u in User.objects.filter(username__in=BIDDERS)}
    organisations = [users[name].organisation for name in BIDDERS if name in users]
    lot_participants_enrol(lot, [o for o in organisations if o is not None], now)
    enrolments = Enrolment.objects.filter(lot=lot, withdrawn_at__isnull=True).order_by("pk")
    # Paid from the basic account the profile names; bidder3 has no profile, so a bank
    # guarantee stands for its deposit (实施条例 第26条).
    deposit_demo_states(
        [
            (
                enrolment,
                "paid"
                if OrganisationProfile.objects.filter(
                    organisation_id=enrolment.lead_id, basic_account_number__gt=""
                ).exists()
                else "guarantee",
            )
            for enrolment in enrolments
        ],
        at=now,
    )
    for username, (price, days) in SEALED_BY_DEMO.items():
        if username in users:
            _seal_and_commit(lot, users[username], price, days)
    return {"opening_demo": 1}


def opening_demo_lines(now: datetime | None = None) -> list[str]:
    """What `make run` prints about the demonstration: where to go, until when, the key files."""
    now = now or get_clock()()
    lot = (
        Lot.objects.filter(tender__project__name=PROJECT)
        .filter(Q(closes_at__gt=now) | Q(status=LotStatus.OPENING))
        .order_by("-closes_at")
        .first()
    )
    if lot is None or lot.closes_at is None:
        return []
    keys = sorted(
        str(path.relative_to(settings.BASE_DIR))
        if path.is_relative_to(settings.BASE_DIR)
        else str(path)
        for path in demo_keys_dir().glob(f"{lot.code}-*.tianping-key.json")
    )
    deadline = timezone.localtime(lot.closes_at)
    return [
        f"Opening demonstration (不见面开标): lot {lot.code}, bids until {deadline:%H:%M}"
        " (Beijing time)",
        f"  bid as bidder1:   /lots/{lot.pk}/bid/",
        f"  opening room:     /bidding/lots/{lot.pk}/opening/",
        "                    (host owner_school, staff staff_haikou, bidders bidder1-3,",
        "                    regulator reg_housing)",
        *(f"  key file:         {key}" for key in keys),
    ]
