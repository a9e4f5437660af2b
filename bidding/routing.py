"""WebSocket routes of the rooms."""

from __future__ import annotations

from django.urls import path

from bidding.consumers import ServerTimeConsumer

websocket_urlpatterns = [
    path("ws/time/", ServerTimeConsumer.as_asgi(), name="ws-time"),
]
