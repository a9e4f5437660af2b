"""`make run` shows a procurement award issued with its result notice (issue 8, "Done when").

政府采购法实施条例 第43条: awarded from the report without candidate publicity; 87号令 第69条: the
result notice and the award letter go out together, the notice for 1 工作日.
"""

from __future__ import annotations

from typing import Any

import pytest

from notices.demo import demo_notices_seed
from notices.models import Notice, NoticeKind, NoticeStatus
from tests.conftest import ControlledClock
from trading.models import Award, Lot
from trading.selectors.rules import calendar_load
from trading.services.demo_tenders import demo_tenders_seed

pytestmark = pytest.mark.django_db


def test_the_demo_procurement_lot_is_awarded_without_publicity_and_its_result_published(
    demo: dict[str, int], clock: ControlledClock, settings: Any
) -> None:
    demo_tenders_seed()
    lot = Lot.objects.get(tender__project__name="海口市教育局办公家具采购")
    award = Award.objects.get(lot=lot)

    assert lot.status == "awarded"
    assert award.letter_issued_at is not None
    assert lot.evaluation_reported_at is not None
    assert lot.evaluation_reported_at < award.confirmed_at < award.letter_issued_at
    assert lot.publicity_starts_at == award.letter_issued_at
    assert lot.publicity_ends_at == calendar_load().add_days(award.letter_issued_at, 1, "workday")

    settings.DEMO = True
    counts = demo_notices_seed()

    kinds = set(Notice.objects.filter(lot=lot).values_list("kind", flat=True))
    assert kinds == {NoticeKind.RESULT, NoticeKind.AWARD_LETTER}
    statuses = set(Notice.objects.filter(lot=lot).values_list("status", flat=True))
    assert statuses == {NoticeStatus.SCHEDULED}
    assert counts["notices_approved"] == Notice.objects.filter(status="scheduled").count()
    assert counts["notices_left_for_review"] == 1
