"""Fan a room's committed events out to its connected clients through the channel layer.

An event is serialised here, once, for every reader of the room; the consumers send that text as
is (bidding/consumers/room.py). With the Redis pub/sub layer each process subscribes to a room's
group once and hands the message to its local sockets, so Redis carries an event once per
process, not once per client.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def room_group(key: str) -> str:
    """The channel-layer group of a room (group names allow ASCII letters, digits, - _ .)."""
    return "room." + re.sub(r"[^A-Za-z0-9_.-]", "-", key)


def room_broadcast_message(message: dict[str, Any]) -> dict[str, Any]:
    """The channel-layer message of one event frame: its text, and its seq for deduplication."""
    return {
        "type": "room.event",
        "seq": message.get("seq"),
        "text": json.dumps(message, ensure_ascii=False),
    }


def room_publish(key: str, message: dict[str, Any]) -> None:
    """Serialise the event once and hand it to the room's group (after the commit that made it).

    The event is already committed: if the layer is down the clients miss it live and get it
    by resync when they notice the gap, so a failure here is logged, never raised.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(room_group(key), room_broadcast_message(message))
    except Exception:
        logger.exception("room %s: event %s not broadcast", key, message.get("seq"))
