"""The leak sweep (DESIGN.md invariant 3; 招标投标法 第22条): before the opening nothing tells.

A bid whose price and documents carry a unique marker is sealed and committed. Then every HTTP
route of the permission matrix (GET and POST) and every WebSocket route is asked as every role;
no answer may hold the marker or the bidder's identity, and every answer must be the same with two
bidders as with three. The marker must also be absent from a dump of the database, the media
folder, the logs and Redis: only ciphertext left the bidder.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import re
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connection, transaction
from django.test import Client

from tests.conftest import ControlledClock
from tests.enrolments import enrol
from tests.factories import make_organisation, make_user
from tests.functional.test_permission_matrix import CASES, WEBSOCKET_CASES, _ws_path
from tests.matrix import (
    ROLES,
    MatrixWorld,
    build_world,
    quiet_refusals,
    session_keys,
    websocket_routes,
)
from tests.sealed_bids import bid_submit, bidder_client
from trading.chronograph import chronograph_tick
from trading.domain.lifecycle import LotStatus
from trading.models import Lot, Organisation, User

pytestmark = pytest.mark.timeout(900)

MARKER = "LEAKMARK-5c1e9a77"
PRICE = "86420975.31"
ORIGIN = (b"origin", b"http://localhost")
HOST = (b"host", b"localhost")

# What changes between two identical requests without telling anything: Django masks the CSRF
# token afresh for every response.
_VOLATILE = [
    (re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"'), b'name="csrfmiddlewaretoken"'),
    (re.compile(rb'"X-CSRFToken": "[^"]*"'), b'"X-CSRFToken": ""'),
    (re.compile(rb'<meta name="csrf-token" content="[^"]*"'), b'<meta name="csrf-token"'),
    (re.compile(rb'data-csrf="[^"]*"'), b'data-csrf=""'),
    # A new bid version is named by a random token: it differs every time and counts nothing.
    (
        re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"),
        b"<uuid4>",
    ),
    # The auction room's form carries a fresh request key per page view (one bid per click).
    (re.compile(rb'name="idempotency_key" value="[0-9a-f]{32}"'), b'name="idempotency_key"'),
    # A feed with nothing newer is stamped with the wall clock's now.
    (re.compile(rb"<updated>[^<]*</updated>"), b"<updated/>"),
    # The deposit page opens the bidder's sub-account on first sight: each rolled-back request
    # draws a new number (issue 11's note).
    (re.compile(rb'id="deposit-account">[^<]*<'), b'id="deposit-account"><'),
    (re.compile('收款账号：<span class="code">[^<]*<'.encode()), "收款账号：<".encode()),
]


def _pdf_with(text: str) -> bytes:
    body = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>endobj\n"
        + f"4 0 obj<</Length {len(body)}>>stream\n".encode()
        + body
        + b"\nendstream endobj\n"
        + f"5 0 obj<</Author({text})/Creator({text})>>endobj\n".encode()
        + b"trailer<</Root 1 0 R/Info 5 0 R>>\n%%EOF\n"
    )


def _offer(price: str, quality: str) -> dict[str, Any]:
    return {
        "price": price,
        "duration_days": 180,
        "quality": quality,
        "project_manager": "张三",
        "project_manager_certificate": "琼1462020202012345",
        "certificates": [],
    }


def _bidder(name: str) -> tuple[Organisation, User]:
    organisation = make_organisation("bidder", name=name)
    return organisation, make_user(organisation)


def sealed_bid_submit(
    lot: Lot, user: User, offer: dict[str, Any], documents: list[tuple[str, bytes | Path]]
) -> None:
    """The bidder's client seals and submits through the URLs, as the bid page's script does."""
    _version, _draft, answer = bid_submit(bidder_client(user), lot, offer, list(documents))
    assert answer.status_code == 200, answer.content.decode()


def _normalised(body: bytes) -> bytes:
    for pattern, replacement in _VOLATILE:
        body = pattern.sub(replacement, body)
    return body


def _http_answers(urls: list[str], keys: dict[str, str | None]) -> dict[str, tuple[int, bytes]]:
    answers: dict[str, tuple[int, bytes]] = {}
    with quiet_refusals():
        for url in urls:
            for method in ("GET", "POST"):
                for role in ROLES:
                    client = Client()
                    if keys[role] is not None:
                        client.cookies[settings.SESSION_COOKIE_NAME] = keys[role]  # type: ignore[assignment]
                    with transaction.atomic():
                        response = client.get(url) if method == "GET" else client.post(url, {})
                        if response.streaming:
                            body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
                        else:
                            body = response.content
                        transaction.set_rollback(True)
                    answers[f"{method} {url} as {role}"] = (response.status_code, _normalised(body))
    return answers


async def _first_frames(path: str, session_key: str | None) -> bytes:
    from config.asgi import application

    headers = [ORIGIN, HOST]
    if session_key is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect()
    if not connected:
        return f"closed {code}".encode()
    frames = []
    # receive_nothing waits without cancelling the consumer, as a timed-out receive_from would.
    while not await communicator.receive_nothing(timeout=0.3):
        frames.append(json.loads(await communicator.receive_from()))
    await communicator.disconnect()
    for frame in frames:
        # The clock the room shows is the only thing that may differ between two arrivals.
        frame.pop("server_time", None)
    return json.dumps(frames, ensure_ascii=False, sort_keys=True).encode()


def _socket_answers(
    world: MatrixWorld, keys: dict[str, str | None]
) -> dict[str, tuple[int, bytes]]:
    patterns = {route.key: route.pattern for route in websocket_routes()}
    answers = {}
    for socket in WEBSOCKET_CASES:
        path = _ws_path(patterns[socket.key], socket.kwargs(world) if socket.kwargs else {})
        for role in ROLES:
            frames = async_to_sync(_first_frames)(path, keys[role])
            answers[f"WS {path} as {role}"] = (0, frames)
    return answers


def _sweep(
    world: MatrixWorld, urls: list[str], keys: dict[str, str | None]
) -> dict[str, tuple[int, bytes]]:
    return _http_answers(urls, keys) | _socket_answers(world, keys)


def _pg_dump() -> bytes:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))
    assert found, "pg_dump is not installed (postgresql is in SYSTEM_TEST)"
    db = connection.settings_dict
    command = [found[-1], "--data-only", "-h", str(db["HOST"]), "-U", str(db["USER"])]
    if db.get("PORT"):
        command += ["-p", str(db["PORT"])]
    environment = os.environ | ({"PGPASSWORD": str(db["PASSWORD"])} if db.get("PASSWORD") else {})
    return subprocess.run(
        [*command, str(db["NAME"])], capture_output=True, check=True, env=environment
    ).stdout


def _files_under(root: Path) -> Iterator[tuple[Path, bytes]]:
    for path in root.rglob("*") if root.exists() else ():
        if path.is_file():
            yield path, path.read_bytes()


def _redis_values() -> Iterator[tuple[bytes, bytes]]:
    client: Any = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(count=1000):
        kind = client.type(key)
        if kind == b"string":
            value = client.get(key) or b""
        elif kind == b"hash":
            value = b" ".join(k + b"=" + v for k, v in client.hgetall(key).items())
        elif kind == b"list":
            value = b" ".join(client.lrange(key, 0, -1))
        elif kind == b"set":
            value = b" ".join(client.smembers(key))
        elif kind == b"zset":
            value = b" ".join(client.zrange(key, 0, -1))
        else:
            value = b""
        yield key, value


@pytest.fixture
def _quiet_world(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from notices import tasks

    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(tasks.notice_render, "apply_async", lambda *a, **k: None)


@pytest.mark.django_db(transaction=True)
def test_before_the_opening_no_route_tells_a_bid_or_its_bidder(
    _quiet_world: None, clock: ControlledClock, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    world = build_world(clock, publish_notice=False)
    lot = world.lots["published"]
    assert lot.opens_at is not None
    clock.set(lot.opens_at + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    lot = Lot.objects.select_related("tender__procedure").get(pk=lot.pk)
    assert lot.status == LotStatus.BIDDING and lot.tender.procedure.sealed_bids
    marked, marked_user = _bidder("泄密检查标记建设有限公司")
    second, second_user = _bidder("泄密检查第二建设有限公司")
    third, third_user = _bidder("泄密检查第三建设有限公司")
    enrol(lot, marked)
    enrol(lot, second)
    sealed_bid_submit(
        lot,
        marked_user,
        _offer(PRICE, f"质量合格 {MARKER}"),
        [("技术标.pdf", _pdf_with(MARKER))],
    )
    sealed_bid_submit(lot, second_user, _offer("1000000.00", "合格"), [])
    keys = session_keys(world.users)
    # Some rows' arguments are made when first asked for (an enrolment of the matrix's bidder):
    # made once here, before either sweep.
    urls = [case.url(world) for case in CASES]

    with_two = _sweep(world, urls, keys)
    enrol(lot, third)
    sealed_bid_submit(
        lot, third_user, _offer("990000.00", "合格"), [("商务标.pdf", _pdf_with("x"))]
    )
    with_three = _sweep(world, urls, keys)

    assert with_two.keys() == with_three.keys()
    differing = [where for where in with_two if with_two[where] != with_three[where]]
    if differing and os.environ.get("LEAK_SWEEP_DUMP"):
        out = Path(os.environ["LEAK_SWEEP_DUMP"])
        out.mkdir(parents=True, exist_ok=True)
        for number, where in enumerate(differing):
            for label, answers in (("two", with_two), ("three", with_three)):
                (out / f"{number}-{label}.txt").write_bytes(
                    where.encode()
                    + b"\n"
                    + str(answers[where][0]).encode()
                    + b"\n"
                    + answers[where][1]
                )
    assert not differing, f"answers that tell a third bidder came: {differing[:20]}"
    secrets = [MARKER, PRICE]
    identities = [
        value
        for organisation in (marked, second, third)
        for value in (organisation.name, organisation.uscc)
    ] + [user.username for user in (marked_user, second_user, third_user)]
    for where, (_status, body) in with_three.items():
        for secret in secrets + identities:
            assert secret.encode() not in body, f"{where} tells {secret!r}"

    dump = _pg_dump()
    assert MARKER.encode() not in dump and PRICE.encode() not in dump
    for path, data in _files_under(Path(settings.MEDIA_ROOT)):
        assert MARKER.encode() not in data, f"{path} holds the marker"
    assert MARKER not in caplog.text and PRICE not in caplog.text
    for key, value in _redis_values():
        assert MARKER.encode() not in key + value, f"Redis key {key!r} holds the marker"
