"""A complaint's documents print through the notices' renderer: 受理通知书, 不予受理通知书 and
处理决定书 as real PDFs (WeasyPrint), each saying what the regulator decided and why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from notices.complaint_documents import complaint_document_render
from notices.rendering import registered_kinds
from tests.conftest import ControlledClock
from tests.tenders import first_lot, make_tender, make_world
from trading.models import Complaint
from trading.services.complaints import (
    complaint_accept,
    complaint_decide,
    complaint_file,
    complaint_refuse,
)
from trading.services.objections import objection_answer, objection_raise

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ISSUER = "海口市住房和城乡建设局"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _filed(clock: ControlledClock) -> tuple[Any, Complaint]:
    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world))
    clock.advance(days=1)
    objection = objection_raise(
        lot=lot, stage="documents", text="倾向性", actor=world.bidder_users[0]
    )
    objection_answer(objection=objection, answer="合法", actor=world.owner_user)
    clock.advance(hours=1)
    complaint = complaint_file(
        lot=lot, objection=objection, grounds="评分办法排斥外地企业", actor=world.bidder_users[0]
    )
    return world, complaint


def test_the_three_complaint_documents_are_registered() -> None:
    assert {"complaint_accepted", "complaint_refused", "complaint_decision"} <= set(
        registered_kinds()
    )


def test_acceptance_and_decision_print_what_the_regulator_decided(clock: ControlledClock) -> None:
    world, complaint = _filed(clock)
    complaint_accept(complaint=complaint, actor=world.regulator)
    complaint.refresh_from_db()
    kind, accepted = complaint_document_render(complaint, issuer=ISSUER)
    assert kind == "complaint_accepted"
    assert accepted.content.startswith(b"%PDF")
    assert "投诉受理通知书" in accepted.html and "决定受理" in accepted.html

    clock.advance(days=3)
    complaint_decide(
        complaint=complaint,
        upheld=True,
        order="retender",
        reasons="评分办法排斥潜在投标人",
        actor=world.regulator,
    )
    complaint.refresh_from_db()
    kind, decision = complaint_document_render(complaint, issuer=ISSUER)
    assert kind == "complaint_decision" and decision.content.startswith(b"%PDF")
    for words in ("投诉处理决定书", "投诉成立", "责令重新招标", "评分办法排斥潜在投标人", ISSUER):
        assert words in decision.html
    assert decision.template_version.startswith("complaint_decision/1+")


def test_a_refusal_prints_its_reasons(clock: ControlledClock) -> None:
    world, complaint = _filed(clock)
    clock.advance(hours=2)
    complaint_refuse(complaint=complaint, reasons="投诉人不是利害关系人", actor=world.regulator)
    complaint.refresh_from_db()
    kind, refused = complaint_document_render(complaint, issuer=ISSUER)
    assert kind == "complaint_refused"
    assert "不予受理理由" in refused.html and "投诉人不是利害关系人" in refused.html
