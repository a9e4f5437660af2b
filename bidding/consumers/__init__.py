"""WebSocket consumers: the server's time, and the live rooms built on `room.RoomConsumer`."""

from bidding.consumers.auction import AuctionRoomConsumer
from bidding.consumers.opening import OpeningRoomConsumer
from bidding.consumers.time import ServerTimeConsumer

__all__ = ["AuctionRoomConsumer", "OpeningRoomConsumer", "ServerTimeConsumer"]
