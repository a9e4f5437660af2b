"""WebSocket consumers of the rooms. The server clock is the only clock (DESIGN.md invariant 1)."""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils import timezone
from django.utils.translation import gettext as _

from trading.clock import get_clock

# Close codes in the private range (RFC 6455 §7.4.2): 4401 = not signed in.
CLOSE_UNAUTHENTICATED = 4401
MAX_FRAME_BYTES = 4096


@database_sync_to_async
def _server_time() -> str:
    return timezone.localtime(get_clock()()).isoformat()


class ServerTimeConsumer(AsyncWebsocketConsumer):
    """Server time for honest countdowns: a snapshot on connect, and an answer to each ping."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.accept()
        await self._send({"type": "snapshot", "server_time": await _server_time()})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        message = self._parse(text_data, bytes_data)
        if message is None:
            return
        if message.get("type") == "ping":
            await self._send({"type": "pong", "server_time": await _server_time()})
        else:
            await self._error(_("未知的消息类型。"))

    def _parse(self, text_data: str | None, bytes_data: bytes | None) -> dict[str, Any] | None:
        if text_data is None or len(text_data.encode()) > MAX_FRAME_BYTES:
            self._pending_error = _("消息格式错误：应为不超过 4 KB 的 JSON 文本。")
        else:
            try:
                message = json.loads(text_data)
            except ValueError:
                message = None
            if isinstance(message, dict):
                return message
            self._pending_error = _("消息格式错误：应为 JSON 对象。")
        return None

    async def websocket_receive(self, message: dict[str, Any]) -> None:
        self._pending_error = ""
        await super().websocket_receive(message)
        if self._pending_error:
            await self._error(self._pending_error)

    async def _error(self, text: str) -> None:
        await self._send({"type": "error", "message": text})

    async def _send(self, payload: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(payload, ensure_ascii=False))
