"""The server's time (DESIGN.md invariant 1: the server clock is the only clock)."""

from __future__ import annotations

import json
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils.translation import gettext as _

from bidding.consumers.frames import FrameError, frame_parse
from bidding.consumers.room import CLOSE_UNAUTHENTICATED, frame_error_message
from bidding.consumers.ticker import aserver_time


class ServerTimeConsumer(AsyncWebsocketConsumer):
    """Server time for honest countdowns: a snapshot on connect, and an answer to each ping."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.accept()
        await self._send({"type": "snapshot", "server_time": await aserver_time()})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            message = frame_parse(text_data)
        except FrameError as error:
            await self._send({"type": "error", "message": frame_error_message(error.reason)})
            return
        if message["type"] == "ping":
            await self._send({"type": "pong", "server_time": await aserver_time()})
        else:
            await self._send({"type": "error", "message": _("未知的消息类型。")})

    async def _send(self, payload: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(payload, ensure_ascii=False))
