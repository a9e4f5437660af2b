"""What the documents print comes from the forms people fill in: 质量要求, project managers, the
committee; and every page prints amounts as 3,100,000.00 元.

Each value is entered through the page that offers it, as the role that page offers it to.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from notices.documents_data import notice_data_for
from notices.domain import documents
from tests.conftest import ControlledClock
from tests.enrolments import enrol_all
from tests.tenders import World, closes, first_lot, make_tender, make_world, pdf_file
from trading.chronograph import chronograph_tick
from trading.domain.timeline import SHANGHAI
from trading.models import Lot, User

pytestmark = [pytest.mark.django_db]

COMMITTEE = "王建国\n李海燕\n陈志强\n符永明\n吴晓琳"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _closed(world: World, clock: ControlledClock) -> Lot:
    lot = first_lot(make_tender(world))
    enrol_all(lot, world.bidders)
    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    assert (
        _as(world.staff).post(reverse("lot_bid_count", args=[lot.pk]), {"count": 3}).status_code
        == 302
    )
    return lot


def _evaluation(world: World, committee: str) -> dict[str, Any]:
    return {
        "organisation_1": world.bidders[0].pk,
        "price_1": "3100000.00",
        "score_1": "90.5",
        "manager_1": "林国栋",
        "certificate_1": "琼146202012345",
        "organisation_2": world.bidders[1].pk,
        "price_2": "3200000.00",
        "committee": committee,
        "report_file": pdf_file("report.pdf"),
    }


def test_staff_record_the_committee_and_project_managers_the_documents_print(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    lot = _closed(world, clock)

    response = _as(world.staff).post(
        reverse("lot_evaluation", args=[lot.pk]), _evaluation(world, COMMITTEE)
    )

    assert response.status_code == 302
    lot.refresh_from_db()
    candidates = notice_data_for(documents.CANDIDATES, lot.tender, lot)["candidates"]
    assert (candidates[0]["project_manager"], candidates[0]["manager_certificate"]) == (
        "林国栋",
        "琼146202012345",
    )
    result = notice_data_for(documents.RESULT, lot.tender, lot)
    assert result["experts"] == ["王建国", "李海燕", "陈志强", "符永明", "吴晓琳"]
    rows = dict(documents.build_result({"data": result})["rows"])
    assert rows["评标委员会成员"] == "王建国、李海燕、陈志强、符永明、吴晓琳"
    # The lot page prints the candidates' prices with separators.
    page = _as(world.staff).get(reverse("lot_detail", args=[lot.pk])).content.decode()
    assert "3,100,000.00" in page


def test_an_even_committee_is_refused_and_nothing_is_recorded(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    lot = _closed(world, clock)

    response = _as(world.staff).post(
        reverse("lot_evaluation", args=[lot.pk]),
        _evaluation(world, "王建国\n李海燕\n陈志强\n符永明"),
    )

    assert "评标委员会成员应为三人以上单数" in response.content.decode()
    lot.refresh_from_db()
    assert (lot.evaluation_reported_at, lot.evaluation_committee) == (None, "")
    assert not lot.candidates.exists()


def test_the_owner_states_the_quality_requirement_and_the_tender_page_reads_amounts(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    tender = make_tender(world, submit=False)
    lot = first_lot(tender)
    assert lot.opens_at is not None and lot.closes_at is not None

    response = _as(world.owner_user).post(
        reverse("lot_edit", args=[lot.pk]),
        {
            "name": lot.name,
            "estimate": "3100000",
            "deposit_amount": "62000",
            "increment": "0",
            "scope": "土建及安装",
            "duration_days": "365",
            "quality": "合格（符合国家现行施工质量验收规范）",
            "opens_at": lot.opens_at.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": lot.closes_at.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M"),
        },
    )

    assert response.status_code == 302
    lot.refresh_from_db()
    assert lot.quality == "合格（符合国家现行施工质量验收规范）"
    data = notice_data_for(documents.ANNOUNCEMENT, tender)
    assert data["lots"][0]["quality"] == lot.quality
    page = _as(world.owner_user).get(reverse("tender_detail", args=[tender.pk])).content.decode()
    assert "3,100,000.00 元" in page
    assert "62,000.00 元" in page
    assert "合格（符合国家现行施工质量验收规范）" in page
