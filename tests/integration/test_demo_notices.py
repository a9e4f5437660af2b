"""`make run` shows published notices: the demo tenders' notices are drafted and approved."""

from __future__ import annotations

from typing import Any

import pytest

from notices.demo import demo_notices_seed
from notices.models import Notice, NoticeStatus
from trading.services.demo_tenders import demo_tenders_seed

pytestmark = pytest.mark.django_db


def test_demo_notices_are_drafted_from_the_demo_tenders_and_approved(
    demo: dict[str, int], settings: Any
) -> None:
    demo_tenders_seed()
    settings.DEMO = True
    counts = demo_notices_seed()
    kinds = set(Notice.objects.values_list("kind", flat=True))
    assert {"announcement", "candidates", "failure"} <= kinds
    assert (
        counts["notices_approved"] == Notice.objects.filter(status=NoticeStatus.SCHEDULED).count()
    )
    assert counts["notices_approved"] >= 8
    # One stays in the staff's review queue, so the queue has something to show.
    assert Notice.objects.filter(status=NoticeStatus.DRAFT, training=False).count() == 1
    assert all(n.approved_by is not None for n in Notice.objects.filter(status="scheduled"))


def test_demo_notices_are_refused_outside_demo_mode(demo: dict[str, int], settings: Any) -> None:
    settings.DEMO = False
    with pytest.raises(Exception, match="TIANPING_DEMO"):
        demo_notices_seed()
