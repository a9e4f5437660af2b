"""Fan a room's committed events out to its connected clients through the channel layer."""

from __future__ import annotations

import json
import re
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def room_group(key: str) -> str:
    """The channel-layer group of a room (group names allow ASCII letters, digits, - _ .)."""
    return "room." + re.sub(r"[^A-Za-z0-9_.-]", "-", key)


def room_publish(key: str, message: dict[str, Any]) -> None:
    """Serialise the event once and hand it to the room's group."""
    layer = get_channel_layer()
    if layer is None:
        return
    text = json.dumps(message, ensure_ascii=False)
    async_to_sync(layer.group_send)(room_group(key), {"type": "room.event", "text": text})
