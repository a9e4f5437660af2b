"""Fan a room's committed events out to its connected clients through the channel layer.

An event is serialised here, once, for every reader of the room. Each server process that has
clients in the room subscribes to the room's group once, with one relay channel of its own, and
writes that text (as one frame built once) to its local sockets (bidding/consumers/hub.py): the
channel layer carries an event once per process, not once per client.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def room_group(key: str) -> str:
    """The channel-layer group of a room (group names allow ASCII letters, digits, - _ .)."""
    return "room." + re.sub(r"[^A-Za-z0-9_.-]", "-", key)


def room_broadcast_message(
    key: str, message: dict[str, Any], *, published_at: float | None = None
) -> dict[str, Any]:
    """The channel-layer message of one event frame: the room, its seq for deduplication, the
    moment it was published (server epoch seconds: clients measure publish → receipt), its text."""
    if published_at is not None:
        message = {**message, "published_at": published_at}
    return {
        "type": "room.event",
        "room": key,
        "seq": message.get("seq"),
        "published_at": published_at,
        "text": json.dumps(message, ensure_ascii=False),
    }


def room_publish(key: str, message: dict[str, Any]) -> None:
    """Serialise the event once and hand it to the room's group (after the commit that made it).

    The event is already committed: if the layer is down the clients miss it live and get it
    from the process's catch-up (hub.py) or by resync when they notice the gap, so a failure here
    is logged, never raised.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    broadcast = room_broadcast_message(key, message, published_at=time.time())
    try:
        async_to_sync(layer.group_send)(room_group(key), broadcast)
    except Exception:
        logger.exception("room %s: event %s not broadcast", key, message.get("seq"))
