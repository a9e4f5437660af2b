"""The WebSocket stack: authenticated, origin-checked, and bad frames get a clear answer."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import Client

from config.asgi import application

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://localhost")


def _session_cookie(username: str) -> bytes:
    user = get_user_model().objects.create_superuser(username, "", "pw")
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def _connect(
    headers: list[tuple[bytes, bytes]],
) -> tuple[WebsocketCommunicator, bool, int | str | None]:
    communicator = WebsocketCommunicator(application, "/ws/time/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


async def test_an_anonymous_socket_is_closed_with_4401(clock: object) -> None:
    _, connected, code = await _connect([ORIGIN, (b"host", b"localhost")])
    assert not connected
    assert code == 4401


async def test_a_foreign_origin_is_refused(clock: object) -> None:
    cookie = await sync_to_async(_session_cookie)("ws-origin")
    _, connected, _ = await _connect(
        [(b"origin", b"http://evil.example"), (b"host", b"localhost"), (b"cookie", cookie)]
    )
    assert not connected


async def test_a_signed_in_user_gets_the_server_time_and_pongs(clock: object) -> None:
    cookie = await sync_to_async(_session_cookie)("ws-user")
    communicator, connected, _ = await _connect(
        [ORIGIN, (b"host", b"localhost"), (b"cookie", cookie)]
    )
    assert connected
    snapshot = await communicator.receive_json_from()
    assert snapshot == {"type": "snapshot", "server_time": "2026-11-30T12:00:00+08:00"}
    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from())["type"] == "pong"
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        ("not json", "JSON 对象"),
        (json.dumps([1, 2]), "JSON 对象"),
        (json.dumps({"type": "launch"}), "未知的消息类型"),
        ("x" * 5000, "4 KB"),
    ],
)
async def test_a_malformed_frame_gets_an_error_and_the_socket_stays_open(
    clock: object, frame: str, expected: str
) -> None:
    cookie = await sync_to_async(_session_cookie)(f"ws-bad-{len(frame)}-{frame[:3]}")
    communicator, connected, _ = await _connect(
        [ORIGIN, (b"host", b"localhost"), (b"cookie", cookie)]
    )
    assert connected
    await communicator.receive_json_from()
    await communicator.send_to(text_data=frame)
    error = await communicator.receive_json_from()
    assert error["type"] == "error"
    assert expected in error["message"]
    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from())["type"] == "pong"
    await communicator.disconnect()


async def test_a_binary_frame_is_refused_with_a_message(clock: object) -> None:
    cookie = await sync_to_async(_session_cookie)("ws-binary")
    communicator, connected, _ = await _connect(
        [ORIGIN, (b"host", b"localhost"), (b"cookie", cookie)]
    )
    assert connected
    await communicator.receive_json_from()
    await communicator.send_to(bytes_data=b"\x00\x01")
    assert (await communicator.receive_json_from())["type"] == "error"
    await communicator.disconnect()
