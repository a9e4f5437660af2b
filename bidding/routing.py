"""WebSocket routes of the rooms."""

from __future__ import annotations

from django.urls import path

from bidding.consumers import AuctionRoomConsumer, OpeningRoomConsumer, ServerTimeConsumer

websocket_urlpatterns = [
    path("ws/time/", ServerTimeConsumer.as_asgi(), name="ws-time"),
    path("ws/lots/<int:lot_id>/opening/", OpeningRoomConsumer.as_asgi(), name="ws-opening"),
    path("ws/lots/<int:lot_id>/auction/", AuctionRoomConsumer.as_asgi(), name="ws-auction"),
]
