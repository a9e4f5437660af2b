"""The auction demonstration of `make run` (网上挂牌 + 限时竞价): a land parcel to bid for live.

A land-use right listed (国土资源部令第39号 第17–20条) since three weeks before start-up,
its listing closing a few minutes after it (TIANPING_DEMO_AUCTION_MINUTES, 10 by default).
bidder1, bidder2 and bidder3 are enrolled with their deposits confirmed; bidder1 and bidder2
have each placed a listing bid. The declaration window (要求报价, 第20条) is open from
start-up, so declaring as bidder1 and bidder2 takes the parcel to timed bidding (限时竞价) at
the listing close, with a two-minute countdown; staff_land runs the sale, reg_land watches.
A start-up after the listing close arms a fresh round.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bidding.models import Enrolment, OrganisationProfile
from bidding.models.auctions import Auction
from bidding.services.auction_bids import bid_place
from bidding.services.auction_life import auction_setup
from bidding.services.demo_deposits import deposit_demo_states
from trading.clock import get_clock
from trading.domain.lifecycle import LotStatus
from trading.lock_objects import lock_lot
from trading.models import Lot, User
from trading.participants import lot_participants_enrol
from trading.services.common import fixed_clock
from trading.services.demo_tenders import DemoTender, demo_tender_arm
from trading.services.lots import lot_advance

PROJECT = "竞价演示：三亚市崖州湾YZ-12地块国有建设用地使用权挂牌出让"
BIDDERS = ("bidder1", "bidder2", "bidder3")
# The listing bids already placed when the demonstration starts, in order: (who, amount).
LISTING_BIDS = (("bidder1", "12000000.00"), ("bidder2", "12100000.00"))
# The listing close's distance from start-up; TIANPING_DEMO_AUCTION_MINUTES changes it.
DEFAULT_MINUTES = 10
# A round closer than this to its listing close at start-up leaves no time to declare: arm anew.
LEAD_TIME = timedelta(minutes=2)
# A demonstration's countdown: two minutes per bid keeps it short (the rule's default is four).
DEMO_COUNTDOWN_SECONDS = 120
# The listing period lawfully runs at least 10 days (39号令 第18条), the notice 20 days before it
# (第10条); a period ending on a rest day rolls to the next working day (a long holiday: nine),
# so the listing started three weeks ago and the notice a month before that.
LISTED_FOR = timedelta(days=21)
HISTORY = timedelta(days=55)

DEMO = DemoTender(
    PROJECT,
    "崖州湾YZ-12地块挂牌出让（竞价演示）",
    "YZ-12地块",
    "land",
    "listing",
    "460200",
    "owner_land",
    "staff_land",
    Decimal("12000000.00"),
    "bidding",
)


def auction_demo_minutes() -> int:
    try:
        return max(3, int(os.environ.get("TIANPING_DEMO_AUCTION_MINUTES", DEFAULT_MINUTES)))
    except ValueError:
        return DEFAULT_MINUTES


def auction_demo_lot(now: datetime) -> Lot | None:
    """The round whose listing is still open with time to declare, if any."""
    return (
        Lot.objects.filter(
            tender__project__name=PROJECT,
            status__in=[LotStatus.PUBLISHED, LotStatus.BIDDING],
            closes_at__gt=now + LEAD_TIME,
        )
        .order_by("-closes_at")
        .first()
    )


def _auction_ready(lot: Lot, now: datetime) -> Auction:
    """The lot's auction as bidding opens it, with the demonstration's window and countdown."""
    # The set-up the outbox runs when bidding opens, done now so that the listing bids find
    # it; the receiver finds it made (idempotent).
    auction = auction_setup(lot, now)
    if auction is None:
        raise ValueError(f"demo lot {lot.code} did not start its listing")
    # Declaring is open from start-up (the whole remaining listing), so that whoever joins the
    # demonstration can take it to timed bidding; the real window is the setting's.
    auction.declaration_window_seconds = int((auction.ends_at - now).total_seconds()) + 1
    auction.countdown_seconds = DEMO_COUNTDOWN_SECONDS
    auction.save(update_fields=["declaration_window_seconds", "countdown_seconds"])
    return auction


def _deposits_confirmed(lot: Lot, now: datetime) -> None:
    # Paid from the basic account the profile names; bidder3 has no profile, so a bank
    # guarantee stands for its deposit (实施条例 第26条), as in the opening demonstration.
    enrolments = Enrolment.objects.filter(lot=lot, withdrawn_at__isnull=True).order_by("pk")
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


def auction_demo_seed(*, tenders: bool = True) -> dict[str, int]:
    """Arm a round of the auction demonstration unless one is still open (`make run`)."""
    if not tenders:
        return {}
    now = get_clock()()
    if auction_demo_lot(now) is not None:
        return {}
    lot = demo_tender_arm(
        DEMO,
        now=now,
        history=HISTORY,
        opens_at=now - LISTED_FOR,
        closes_at=now + timedelta(minutes=auction_demo_minutes()),
    )
    users = {u.username: u for u in User.objects.filter(username__in=BIDDERS)}
    organisations = [users[name].organisation for name in BIDDERS if name in users]
    lot_participants_enrol(lot, [o for o in organisations if o is not None], now)
    _deposits_confirmed(lot, now)
    with transaction.atomic():
        # What the chronograph does on its next tick: the listing opened at its start.
        lot_advance(lock_lot(lot.pk), now)
    lot.refresh_from_db()
    _auction_ready(lot, now)
    enrolments = {
        e.lead_id: e for e in Enrolment.objects.filter(lot=lot, withdrawn_at__isnull=True)
    }
    for number, (username, amount) in enumerate(LISTING_BIDS, start=1):
        user = users.get(username)
        enrolment = enrolments.get(user.organisation_id or 0) if user is not None else None
        if user is None or enrolment is None:
            continue
        bid_place(
            lot_id=lot.pk,
            enrolment=enrolment,
            amount=amount,
            idempotency_key=f"demo-listing-{number}",
            actor=user,
            clock=fixed_clock(now),
        )
    return {"auction_demo": 1}


def auction_demo_lines(now: datetime | None = None) -> list[str]:
    """What `make run` prints about the demonstration: where to go, who to be, until when."""
    now = now or get_clock()()
    lot = (
        Lot.objects.filter(tender__project__name=PROJECT)
        .filter(Q(closes_at__gt=now) | Q(status__in=[LotStatus.LISTING_CLOSED, LotStatus.AUCTION]))
        .order_by("-closes_at")
        .first()
    )
    if lot is None or lot.closes_at is None:
        return []
    closes = timezone.localtime(lot.closes_at)
    return [
        f"Auction demonstration (网上挂牌+限时竞价): lot {lot.code}, listing closes at"
        f" {closes:%H:%M} (Beijing time)",
        f"  auction room:     /bidding/lots/{lot.pk}/auction/",
        "                    declare (要求报价) as bidder1 and bidder2 before the close for timed",
        "                    bidding (2-minute countdown); staff staff_land, regulator reg_land,",
        "                    anyone may watch without logging in",
        f"  reserve (底价):    /bidding/lots/{lot.pk}/auction/reserve/ before the close"
        " (staff_land proposes,",
        "                    staff_sanya confirms; sealed until the end)",
    ]
