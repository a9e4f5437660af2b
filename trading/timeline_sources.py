"""Timeline sources: other apps add their dates to a lot's timeline without trading importing them.

An app registers `fn(lot, now) -> list[TimelineItem]` from `AppConfig.ready()` (notices: each
notice's publication limit, lit); `lot_timeline` appends what every source returns. A source that
reads the database may also register `prefetch(lots)`, which loads a whole list's rows at once
(`timeline_prefetch`) so that a list of lots costs the same queries however long it is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.models import Model

    from trading.models import Lot
    from trading.selectors.timeline import TimelineItem

TimelineSource = Callable[["Lot", datetime], list["TimelineItem"]]
TimelinePrefetch = Callable[[list["Lot"]], None]

_sources: dict[str, TimelineSource] = {}
_prefetches: dict[str, TimelinePrefetch] = {}
_models: dict[str, frozenset[type[Model]]] = {}
_model_watchers: list[Callable[[type[Model]], None]] = []


def register_timeline_source(
    name: str,
    fn: TimelineSource,
    *,
    prefetch: TimelinePrefetch | None = None,
    models: tuple[type[Model], ...] = (),
) -> None:
    """Add `fn`'s items to every lot timeline; registering the same name again replaces it.

    `models` are the rows `fn` reads (each with a `lot_id` or a `tender_id`): saving one marks
    its lot's stored light stale (`trading.selectors.lights`)."""
    _sources[name] = fn
    _models[name] = frozenset(models)
    for model in models:
        for watcher in _model_watchers:
            watcher(model)
    if prefetch is not None:
        _prefetches[name] = prefetch
    else:
        _prefetches.pop(name, None)


def timeline_source_models_watch(watcher: Callable[[type[Model]], None]) -> None:
    """Call `watcher` with every model a source reads, registered already or later."""
    _model_watchers.append(watcher)
    for models in _models.values():
        for model in models:
            watcher(model)


def timeline_prefetch(lots: list[Lot]) -> None:
    """Let every source load what it reads for `lots` in one go, before their timelines."""
    if lots:
        for name in sorted(_prefetches):
            _prefetches[name](lots)


def timeline_sources() -> list[TimelineSource]:
    return [_sources[name] for name in sorted(_sources)]
