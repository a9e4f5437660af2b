"""Timeline sources: other apps add their dates to a lot's timeline without trading importing them.

An app registers `fn(lot, now) -> list[TimelineItem]` from `AppConfig.ready()` (notices: each
notice's publication limit, lit); `lot_timeline` appends what every source returns.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trading.models import Lot
    from trading.selectors.timeline import TimelineItem

TimelineSource = Callable[["Lot", datetime], list["TimelineItem"]]

_sources: dict[str, TimelineSource] = {}


def register_timeline_source(name: str, fn: TimelineSource) -> None:
    """Add `fn`'s items to every lot timeline; registering the same name again replaces it."""
    _sources[name] = fn


def timeline_sources() -> list[TimelineSource]:
    return [_sources[name] for name in sorted(_sources)]
