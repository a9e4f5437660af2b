"""A notice's lifecycle: drafted by an event, approved by desk staff, published once rendered.

Pure. A published notice never changes again (a database trigger holds it, DESIGN.md invariant
7): a correction is a new notice. Withdrawn is reserved for a draft that is never to be published.
"""

from __future__ import annotations

import enum


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


class IllegalNoticeTransition(Exception):
    def __init__(self, state: NoticeState, event: NoticeEvent) -> None:
        self.state = state
        self.event = event
        super().__init__(f"event {event!s} is not allowed from notice status {state!s}")


def notice_transition(state: NoticeState | str, event: NoticeEvent | str) -> NoticeState:
    """The status a notice moves to on `event`; anything the table does not list is refused."""
    state, event = NoticeState(state), NoticeEvent(event)
    try:
        return NOTICE_TRANSITIONS[state, event]
    except KeyError:
        raise IllegalNoticeTransition(state, event) from None
