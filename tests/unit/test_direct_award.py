"""Procurement's lifecycle: no candidate publicity, the award follows the evaluation report.

政府采购法实施条例 第43条: the purchaser decides from the report's candidates in their order;
87号令 第69条: the result notice goes out with the letter. The table is the family's own with the
publicity taken out, so every other edge of the family (failures, termination) stays as it is.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from trading.domain.lifecycle import (
    DIRECT_AWARD,
    TRANSITIONS,
    Family,
    IllegalTransition,
    LotEvent,
    LotStatus,
    allowed_events,
    award_blockers,
    transition,
)

NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
# Where each family records its result: the evaluation report, or the negotiation record.
RECORDED = [
    (Family.SEALED_BID, LotStatus.EVALUATION, LotEvent.EVALUATION_REPORTED),
    (Family.NEGOTIATED, LotStatus.NEGOTIATION, LotEvent.NEGOTIATED),
]


@pytest.mark.parametrize(("family", "recorded", "reported"), RECORDED)
def test_procurement_regulation_art_43_the_award_follows_the_report_without_publicity(
    family: Family, recorded: LotStatus, reported: LotEvent
) -> None:
    assert (
        transition(family, recorded, LotEvent.AWARD, candidate_publicity=False) is LotStatus.AWARDED
    )
    with pytest.raises(IllegalTransition):
        transition(family, recorded, reported, candidate_publicity=False)
    # With publicity the award waits for it (实施条例 第54条).
    with pytest.raises(IllegalTransition):
        transition(family, recorded, LotEvent.AWARD)


@pytest.mark.parametrize("family", list(Family))
def test_without_candidate_publicity_no_path_leads_to_publicity(family: Family) -> None:
    table = DIRECT_AWARD[family]
    assert all(LotStatus.PUBLICITY not in (status, after) for (status, _e), after in table.items())


@pytest.mark.parametrize(("family", "recorded", "reported"), RECORDED)
def test_the_direct_table_keeps_every_edge_that_does_not_touch_publicity(
    family: Family, recorded: LotStatus, reported: LotEvent
) -> None:
    kept = {
        key: after
        for key, after in TRANSITIONS[family].items()
        if LotStatus.PUBLICITY not in (key[0], after)
    }
    direct = DIRECT_AWARD[family]
    assert {k: v for k, v in direct.items() if k != (recorded, LotEvent.AWARD)} == kept


@pytest.mark.parametrize(("family", "recorded", "reported"), RECORDED)
def test_a_procurement_lot_can_still_be_terminated_while_the_purchaser_decides(
    family: Family, recorded: LotStatus, reported: LotEvent
) -> None:
    events = allowed_events(family, recorded, candidate_publicity=False)
    assert {LotEvent.AWARD, LotEvent.TERMINATE} <= events


def test_the_listing_family_without_publicity_has_no_award_from_evaluation() -> None:
    assert (LotStatus.EVALUATION, LotEvent.AWARD) not in DIRECT_AWARD[Family.LISTING_AUCTION]


@pytest.mark.parametrize(
    ("status", "holds", "blockers"),
    [
        (LotStatus.EVALUATION, 0, []),
        (LotStatus.EVALUATION, 1, ["suspended"]),
        (LotStatus.NEGOTIATION, 0, []),
        (LotStatus.PUBLICITY, 0, ["not_evaluated"]),
        (LotStatus.OPENING, 0, ["not_evaluated"]),
        (LotStatus.AWARDED, 2, ["not_evaluated", "suspended"]),
    ],
)
def test_procurement_regulation_art_43_award_blockers_need_no_publicity(
    status: LotStatus, holds: int, blockers: list[str]
) -> None:
    found = award_blockers(
        status=status,
        now=NOW,
        publicity_ends_at=None,
        active_holds=holds,
        candidate_publicity=False,
    )
    assert found == blockers
