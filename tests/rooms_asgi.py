"""config.asgi's application with the static files served from the apps (as Channels' live server
does): the rooms' live tests run daphne on it without a collectstatic. `GET /__hub__` tells those
tests what the daphne process's room hub holds (bidding/consumers/hub.py): its rooms, its
sockets, how many of them get frames written straight to daphne's transport (wire.py), how many
such frames."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from config.asgi import application as platform  # first: it sets Django up

served = ASGIStaticFilesHandler(platform)


def hub_state() -> dict[str, Any]:
    from bidding.consumers.hub import hub

    found = hub()
    members = [member for room in found.rooms.values() for member in room.members]
    return {
        "rooms": len(found.rooms),
        "sockets": len(members),
        "direct": sum(getattr(member, "_direct", None) is not None for member in members),
        "frames_direct": sum(getattr(member, "frames_direct", 0) for member in members),
        "healthy": found.healthy,
    }


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http" and scope["path"] == "/__hub__":
        body = json.dumps(hub_state()).encode()
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return
    await served(scope, receive, send)
