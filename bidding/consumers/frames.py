"""What a client may send a room: small JSON objects, at a human pace (issue 12: bad input).

Pure helpers — no Django, no event loop — so the limits are tested without a socket.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

KIB = 1024
# A room's actions are a few words; a key file (tianping-bid-key/1) is about 400 bytes, but a
# bidder's tool may pretty-print it: the unlock frame gets room for that and no more.
MAX_FRAME_BYTES = 4 * KIB
MAX_FRAME_BYTES_BY_TYPE = {"unlock": 16 * KIB}
LARGEST_FRAME_BYTES = max(MAX_FRAME_BYTES, *MAX_FRAME_BYTES_BY_TYPE.values())


class FrameError(ValueError):
    """A frame the room refuses; `reason` says which limit (the consumer translates it)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def frame_parse(text: str | None) -> dict[str, Any]:
    """The client's message as a JSON object within its size limit, or FrameError.

    The size is counted in UTF-8 bytes before parsing, so an oversized frame costs no parse.
    """
    if text is None:
        raise FrameError("binary")
    size = len(text.encode())
    if size > LARGEST_FRAME_BYTES:
        raise FrameError("size")
    # Past the common limit only a known large type may pass: anything else is "too large".
    bad_shape = "size" if size > MAX_FRAME_BYTES else "json"
    try:
        message = json.loads(text)
    except ValueError:
        raise FrameError(bad_shape) from None
    if not isinstance(message, dict):
        raise FrameError(bad_shape)
    kind = message.get("type")
    if not isinstance(kind, str):
        raise FrameError("type" if bad_shape == "json" else bad_shape)
    if size > MAX_FRAME_BYTES_BY_TYPE.get(kind, MAX_FRAME_BYTES):
        raise FrameError("size")
    return message


@dataclass
class FrameBudget:
    """A token bucket: `burst` frames at once, then `rate` frames a second (times in seconds).

    A person clicking and a browser resyncing stay far below it; a script flooding does not.
    """

    rate: float
    burst: float
    tokens: float = field(init=False)
    at: float | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.tokens = self.burst

    def take(self, now: float) -> bool:
        """Spend one frame's token at monotonic time `now`; False when the client is over budget."""
        if self.at is not None:
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
