"""WebSocket consumers: the server's time, and the live rooms built on `room.RoomConsumer`."""

from bidding.consumers.opening import OpeningRoomConsumer
from bidding.consumers.time import ServerTimeConsumer

__all__ = ["OpeningRoomConsumer", "ServerTimeConsumer"]
