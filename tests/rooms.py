"""Helpers of the rooms' tests: a sealed-bid lot with its seats signed in, sockets to it."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connection
from django.test import Client

from bidding.models import Enrolment
from bidding.selectors.opening import access_opening_room
from bidding.services.opening_unlock import bid_unlock
from tests.deposits import enrol
from tests.factories import make_organisation, make_user
from tests.live_daphne import ROOT, free_port
from tests.tenders import World, first_lot, make_tender, make_world
from trading.models import Lot, User

ORIGIN = (b"origin", b"http://localhost")
HOST = (b"host", b"localhost")


@dataclass
class RoomWorld:
    people: World
    lot: Lot
    enrolments: list[Enrolment]
    cookies: dict[str, bytes]  # seat name → the session cookie header


def session_cookie(user: User) -> bytes:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


def make_room_world() -> RoomWorld:
    """An engineering lot (sealed bids) with its three bidders enrolled, and who else may knock."""
    people = make_world(business_type="engineering")
    lot = first_lot(make_tender(people, name="开标室测试"))
    enrolments = [
        enrol(lot, organisation, user)
        for organisation, user in zip(people.bidders, people.bidder_users, strict=True)
    ]
    stranger = make_user(make_organisation("bidder", region=people.region))
    users = {
        "host": people.owner_user,
        "agency": people.agency_user,
        "staff": people.staff,
        "supervisor": people.regulator,
        "bidder1": people.bidder_users[0],
        "bidder2": people.bidder_users[1],
        "bidder3": people.bidder_users[2],
        "other_owner": people.other_owner_user,
        "other_regulator": people.other_regulator,
        "stranger": stranger,
    }
    cookies = {seat: session_cookie(user) for seat, user in users.items()}
    return RoomWorld(people=people, lot=lot, enrolments=enrolments, cookies=cookies)


def opening_path(lot_id: int) -> str:
    return f"/ws/lots/{lot_id}/opening/"


async def connect(
    path: str, cookie: bytes | None, *, application: Any = None
) -> tuple[WebsocketCommunicator, bool, Any]:
    if application is None:
        from config.asgi import application
    headers = [ORIGIN, HOST]
    if cookie is not None:
        headers.append((b"cookie", cookie))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


async def receive(communicator: WebsocketCommunicator, kind: str, timeout: float = 3) -> Any:
    """The next frame of type `kind`, skipping server-time ticks."""
    while True:
        frame = json.loads(await communicator.receive_from(timeout=timeout))
        if frame["type"] == "tick" and kind != "tick":
            continue
        assert frame["type"] == kind, frame
        return frame


async def nothing_more(communicator: WebsocketCommunicator, wait: float = 0.3) -> None:
    """No frame but ticks arrives within `wait` seconds."""
    deadline = asyncio.get_running_loop().time() + wait
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        if await communicator.receive_nothing(timeout=left):
            return
        frame = json.loads(await communicator.receive_from())
        assert frame["type"] == "tick", frame


@contextmanager
def room_daphne(
    tmp_path: Path, *, media: Path | None = None, port: int | None = None
) -> Iterator[int]:
    """daphne in a process of its own, on this test's PostgreSQL database and Redis (on `port`,
    e.g. to start it again where its clients reconnect; a free one if not given).

    (Not Channels' live server: that forks this process, whose daphne modules, once imported
    by config.asgi, keep the reactor of a loop the child no longer runs.)
    """
    url = urlsplit(os.environ["DATABASE_URL"])
    database = urlunsplit(url._replace(path="/" + settings.DATABASES["default"]["NAME"]))
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=database)
    if media is not None:
        env["MEDIA_ROOT"] = str(media)
    port = port or free_port()
    log = (tmp_path / "daphne.log").open("ab")
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    process = subprocess.Popen(
        [*command, "tests.rooms_asgi:application"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "daphne.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "daphne did not listen within 60 s"
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def off_the_loop[T](work: Callable[[], T]) -> T:
    """`work` in a thread of its own, its connection closed after, its error raised here.

    Playwright's sync API runs its event loop in the test's thread, and the publication after a
    commit (`on_commit` → the channel layer) needs a thread without one, as daphne's workers are.
    """
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # handed back to the test's thread
            failure.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]


def unlock_as(user: User, lot_id: int, key_file: dict[str, Any]) -> None:
    """`user`'s bidder loads its key file in the room from its own office."""
    off_the_loop(lambda: bid_unlock(seat=access_opening_room(user, lot_id), key_file=key_file))
