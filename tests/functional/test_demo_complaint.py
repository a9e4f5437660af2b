"""`make run` shows a complaint in progress: filed by a demo bidder, accepted by the demo
regulator, a statement asked of the owner, the decision pending — and its 受理通知书 stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from notices.complaint_delivery import RENDER, complaint_document_render_and_store
from notices.demo import demo_notices_seed
from notices.models import ComplaintDocument
from tests.conftest import ControlledClock
from trading.chronograph import chronograph_tick, due_work_override
from trading.models import Complaint, User

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _as(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_demo_has_a_complaint_in_progress_with_its_acceptance_stored(
    demo: dict[str, int],
    clock: ControlledClock,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from notices import tasks
    from trading.services.demo_tenders import demo_tenders_seed

    settings.DEMO = True
    demo_tenders_seed()
    # What the workers of `make run` do next: deliver the events, queue and run the render.
    demo_notices_seed()
    queued: list[int] = []
    monkeypatch.setattr(
        tasks.complaint_document_render, "apply_async", lambda args, **_: queued.append(args[0])
    )
    with due_work_override(RENDER), django_capture_on_commit_callbacks(execute=True):
        chronograph_tick(clock=clock)
    for document_id in queued:
        complaint_document_render_and_store(document_id, clock=clock)

    complaint = Complaint.objects.get()
    assert complaint.status == "statements_requested"
    assert complaint.decided_at is None and complaint.decision_due is not None
    assert complaint.decision_due > clock.now
    assert complaint.lot.status == "bidding"
    assert complaint.complainant.name == "海南建工集团有限公司"
    document = ComplaintDocument.objects.get(complaint=complaint)
    assert document.kind == "complaint_accepted" and document.stored_at is not None

    page = _as("reg_housing").get(reverse("supervision_complaint", args=[complaint.pk])).text
    url = reverse("complaint_document", args=[complaint.pk, "complaint_accepted"])
    assert "待书面说明" in page and url in page
    bidder_page = _as("bidder1").get(reverse("complaint_detail", args=[complaint.pk])).text
    assert url in bidder_page
    response = _as("bidder1").get(url)
    assert response.status_code == 200
    assert response.getvalue().startswith(b"%PDF")
