"""The rooms bench's data: a PostgreSQL database of its own, land lots in timed bidding, and
their bidders enrolled with deposits confirmed, each signed in (a session cookie).

    url = bench_database(os.environ["DATABASE_URL"])  # dropped and made again, then migrated
    lots = seed_lots(50, bidders=5, ends_in=timedelta(hours=1))

The database is made afresh each run: a heartbeat left by an earlier run would read as an outage
and suspend the new auctions (bidding/services/auction_outages.py). Watchers need no data: the
auction room seats anonymous sockets as the public.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tests.bench.http_server import PG_BIN, pg_args

DATABASE = "tianping_rooms_bench"


def bench_database(service_url: str) -> str:
    """A fresh, empty database on the service's PostgreSQL server; its URL."""
    parts = urlsplit(service_url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    for sql in (
        f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)",
        f"CREATE DATABASE {DATABASE}",
    ):
        subprocess.run(
            [str(PG_BIN / "psql"), *pg_args(admin), "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
            check=True,
            capture_output=True,
        )
    return urlunsplit(parts._replace(path=f"/{DATABASE}"))


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


_world: Any = None


@dataclass
class BenchLot:
    lot_id: int
    cookies: list[str]  # one per bidder: "sessionid=…"


def _session_cookies(users: list[Any]) -> list[str]:
    """A signed-in session per user, as `Client.force_login` makes it, written in one go."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.base import VALID_KEY_CHARS
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    backend = "django.contrib.auth.backends.ModelBackend"
    assert backend in settings.AUTHENTICATION_BACKENDS
    expires = timezone.now() + timedelta(hours=8)
    rows, cookies = [], []
    for user in users:
        store = SessionStore()
        key = get_random_string(32, VALID_KEY_CHARS)
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={key}")
    Session.objects.bulk_create(rows)
    return cookies


def seed_lots(count: int, *, bidders: int, ends_in: timedelta) -> list[BenchLot]:
    """`count` land lots of one listing tender, each in timed bidding until `ends_in` from now,
    with `bidders` enrolled bidders (deposits confirmed) signed in."""
    from tests.auction_bidders import auction_row, bulk_bidders
    from tests.tenders import make_tender, make_world
    from trading.clock import get_clock
    from trading.domain.lifecycle import LotStatus
    from trading.models import User

    global _world
    if _world is None:
        _world = make_world(business_type="land")
    world = _world
    # The real clock runs on while the tender is made: its documents are issued a moment ahead.
    issued = get_clock()() + timedelta(minutes=1)
    tender = make_tender(
        world, procedure="listing", name="房间压测", lots=count, documents_issued_at=issued
    )
    now = get_clock()()
    # Where a listing's timed bidding runs (39号令 第20条): the listing period closed. Written as
    # the set-up writes rows (tests/auction_bidders.py): a lot left "published" would have its
    # auction stopped by the stack's Celery when the publication's outbox event is delivered.
    tender.lots.update(status=LotStatus.LISTING_CLOSED)
    lots = []
    for lot in tender.lots.order_by("pk"):
        auction_row(lot, phase="timed", opens_at=now, ends_at=now + ends_in)
        enrolments = bulk_bidders(lot, bidders, world.bidder_users[0])
        users = User.objects.bulk_create(
            [
                User(
                    organisation=e.lead,
                    username=f"bench-{lot.pk}-{n}",
                    password="!bench",  # unusable: they only ever hold a session
                )
                for n, e in enumerate(enrolments)
            ]
        )
        lots.append(BenchLot(lot_id=lot.pk, cookies=_session_cookies(list(users))))
    return lots


def lots_reschedule(lot_ids: list[int], ends_at_epoch: float) -> None:
    """The lots' countdowns run out at `ends_at_epoch` (the last-second rush's deadline)."""
    from datetime import UTC, datetime

    from django.db import connection

    from bidding.models.auctions import Auction

    ends_at = datetime.fromtimestamp(ends_at_epoch, tz=UTC)
    Auction.objects.filter(lot_id__in=lot_ids).update(ends_at=ends_at)
    connection.close()
