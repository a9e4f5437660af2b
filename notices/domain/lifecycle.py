"""A notice's lifecycle: drafted by an event, approved by desk staff, published once rendered.

Pure. A published notice never changes again (a database trigger holds it, DESIGN.md invariant
7): a correction is a new notice. Withdrawn is reserved for a draft that is never to be published.
"""

from __future__ import annotations

import enum

from trading.domain.lifecycle import step


class NoticeState(enum.StrEnum):
    """The values of `notices.models.NoticeStatus`."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class NoticeEvent(enum.StrEnum):
    APPROVE = "approve"
    PUBLISH = "publish"
    WITHDRAW = "withdraw"


NOTICE_TRANSITIONS: dict[tuple[NoticeState, NoticeEvent], NoticeState] = {
    # Desk staff approve a draft for publication now or at a set time.
    (NoticeState.DRAFT, NoticeEvent.APPROVE): NoticeState.SCHEDULED,
    # Its PDF rendered, it is published with the next publication number.
    (NoticeState.SCHEDULED, NoticeEvent.PUBLISH): NoticeState.PUBLISHED,
    (NoticeState.DRAFT, NoticeEvent.WITHDRAW): NoticeState.WITHDRAWN,
    (NoticeState.SCHEDULED, NoticeEvent.WITHDRAW): NoticeState.WITHDRAWN,
}


def notice_transition(state: NoticeState | str, event: NoticeEvent | str) -> NoticeState:
    """The status a notice moves to on `event` (NOTICE_TRANSITIONS), or IllegalStep."""
    return step(NOTICE_TRANSITIONS, NoticeState(state), NoticeEvent(event))
