"""Issue 8's rule rows as users meet them on the pages: a procurement owner's 质疑 answer
counted in working days (政府采购法 第53条), the document-sale end (实施条例 第16条, 87号令
第16条) and the 80万元 deposit ceiling (七部委30号令 第37条), each through its URL."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.conftest import ControlledClock
from tests.tenders import first_lot, make_tender, make_world
from trading.domain.timeline import Light
from trading.models import LedgerEntry, Tender, User
from trading.selectors.timeline import lot_timeline
from trading.services.objections import objection_raise
from trading.services.tenders import tender_submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- 质疑: answered within 7 工作日 (政府采购法 第53条), not engineering's 3 日 -------------------


@pytest.mark.parametrize(
    ("answered", "light", "on_time"),
    [
        # Raised Monday 11-30 at noon: the 5th working day is Monday 12-07.
        ("2026-12-07T10:00+08:00", Light.DONE, True),
        # The 7th working day is Wednesday 12-09; Thursday 12-10 is the 8th: late.
        ("2026-12-10T10:00+08:00", Light.RED, False),
    ],
    ids=["fifth-working-day-on-time", "eighth-working-day-late"],
)
def test_procurement_law_art_53_a_purchaser_answers_a_challenge_within_7_working_days(
    clock: ControlledClock, answered: str, light: Light, on_time: bool
) -> None:
    world = make_world(business_type="procurement")
    lot = first_lot(make_tender(world))
    objection = objection_raise(
        lot=lot, stage="documents", text="评分标准倾向特定供应商", actor=world.bidder_users[0]
    )
    assert objection.answer_due == at("2026-12-10T00:00+08:00")
    # Engineering's 3 日 would have made it due at 24:00 on 12-03: it is green then, not late.
    for moment, expected in (
        ("2026-12-03T09:00+08:00", Light.GREEN),
        ("2026-12-07T09:00+08:00", Light.YELLOW),
    ):
        clock.set(at(moment))
        before = {item.key: item for item in lot_timeline(lot, clock.now)}
        assert before[f"objection:{objection.pk}"].light == expected

    clock.set(at(answered))
    response = signed_in(world.owner_user).post(
        reverse("objection_answer", args=[objection.pk]), {"answer": "评分标准依法设定"}
    )

    assert response.status_code == 302
    lot.refresh_from_db()
    item = {item.key: item for item in lot_timeline(lot, clock.now)}[f"objection:{objection.pk}"]
    assert item.light == light
    assert item.article == "政府采购法 第53条"
    entry = LedgerEntry.objects.filter(action="objection.answered").latest("seq")
    assert entry.payload["on_time"] is on_time


# --- the document-sale end ----------------------------------------------------------------------

ISSUED = datetime.fromisoformat("2026-12-01T09:00+08:00")


def tender_post(tender: Tender, **overrides: str) -> dict[str, str]:
    data = {
        "name": tender.name,
        "procedure": str(tender.procedure_id),
        "price_form": tender.price_form,
        "deposit_form": tender.deposit_form,
        "announced_at": "",
        "documents_issued_at": "2026-12-01T09:00",
        "documents_sale_ends_at": "",
        "clarification_deadline": "",
    }
    data.update(overrides)
    return data


def test_a_sale_end_before_the_documents_are_issued_is_refused_and_nothing_changes(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    tender = make_tender(world, submit=False, documents_issued_at=ISSUED)
    response = signed_in(world.owner_user).post(
        reverse("tender_edit", args=[tender.pk]),
        tender_post(tender, documents_sale_ends_at="2026-12-01T08:00"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["documents_sale_ends_at"]
    tender.refresh_from_db()
    assert tender.documents_sale_ends_at is None


@pytest.mark.parametrize(
    ("business_type", "sale_end", "article"),
    [
        # 实施条例 第16条: 发售期不得少于5日 — from 12-01 day 5 is Sunday 12-06, so 12-07.
        ("engineering", "2026-12-04T17:00", "招标投标法实施条例 第16条"),
        # 87号令 第16条: 自招标公告发布之日起不得少于5个工作日 — the 5th is Monday 12-07.
        ("procurement", "2026-12-04T17:00", "财政部令第87号 第16条"),
    ],
)
def test_a_short_document_sale_is_shown_to_the_owner_and_refused_at_publication(
    clock: ControlledClock, business_type: str, sale_end: str, article: str
) -> None:
    world = make_world(business_type=business_type)
    tender = make_tender(world, submit=False, documents_issued_at=ISSUED)
    owner = signed_in(world.owner_user)
    saved = owner.post(
        reverse("tender_edit", args=[tender.pk]),
        tender_post(tender, documents_sale_ends_at=sale_end),
    )
    assert saved.status_code == 302, saved.context["form"].errors
    edit = text(owner.get(reverse("tender_edit", args=[tender.pk])))
    assert article in edit  # the pre-check next to the field, before anyone submits

    tender_submit(tender=tender, actor=world.owner_user)
    response = signed_in(world.staff).post(reverse("tender_publish", args=[tender.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    row = html[html.index('id="schedule-documents_sale_ends_at"') :]
    row = row[: row.index("</tr>")]
    assert "violation" in row and article in row
    tender.refresh_from_db()
    assert tender.status == "pending_review"


def test_a_lawful_sale_end_publishes_and_shows_on_the_tender_page(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    tender = make_tender(world, submit=False, documents_issued_at=ISSUED)
    signed_in(world.owner_user).post(
        reverse("tender_edit", args=[tender.pk]),
        tender_post(tender, documents_sale_ends_at="2026-12-07T09:00"),
    )
    tender_submit(tender=tender, actor=world.owner_user)
    signed_in(world.staff).post(reverse("tender_publish", args=[tender.pk]))

    tender.refresh_from_db()
    assert tender.status == "published"
    page = text(signed_in(world.owner_user).get(reverse("tender_detail", args=[tender.pk])))
    assert "文件发售截止时间" in page and "2026-12-07 09:00" in page


# --- the deposit: at most 2% and at most 80万元 (七部委30号令 第37条) -----------------------------


def test_an_engineering_deposit_over_80_wan_is_shown_to_the_owner_and_refused_at_publication(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    # 2% of 1亿 would allow 200万; the ceiling is 80万元.
    tender = make_tender(
        world, estimate=Decimal("100000000.00"), deposit=Decimal("1000000.00"), submit=False
    )
    lot = first_lot(tender)
    owner = signed_in(world.owner_user)

    edit = text(owner.get(reverse("lot_edit", args=[lot.pk])))
    assert "七部委30号令 第37条" in edit
    assert "800,000.00 元" in edit

    tender_submit(tender=tender, actor=world.owner_user)
    response = signed_in(world.staff).post(reverse("tender_publish", args=[tender.pk]))

    html = response.content.decode()
    lot_card = html[html.index(f'id="lot-{lot.pk}"') :]
    assert "七部委30号令 第37条" in lot_card
    tender.refresh_from_db()
    assert tender.status == "pending_review"


def test_a_procurement_deposit_of_1_percent_of_a_large_budget_is_lawful(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="procurement")
    # 政府采购法实施条例 第33条 caps the share (2%) only.
    tender = make_tender(world, estimate=Decimal("100000000.00"), deposit=Decimal("1000000.00"))
    assert tender.status == "published"


def test_the_owner_who_raises_the_deposit_above_80_wan_sees_the_refusal_on_the_lot_form(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    tender = make_tender(world, estimate=Decimal("100000000.00"), submit=False)
    lot = first_lot(tender)
    owner = signed_in(world.owner_user)
    data = {
        "name": lot.name,
        "estimate": "100000000.00",
        "deposit_amount": "800000.01",
        "increment": "",
        "scope": "",
        "duration_days": "",
        "opens_at": "2026-12-30T09:00",
        "closes_at": "2027-01-29T09:00",
    }
    owner.post(reverse("lot_edit", args=[lot.pk]), data)
    lot.refresh_from_db()
    assert lot.deposit_amount == Decimal("800000.01")

    page = text(owner.get(reverse("tender_detail", args=[tender.pk])))
    assert "七部委30号令 第37条" in page


@pytest.mark.parametrize(
    ("business_type", "article", "not_article"),
    [
        ("engineering", "招标投标法 第24条", "政府采购法 第35条"),
        ("procurement", "政府采购法 第35条", "招标投标法 第24条"),
        ("land", "国土资源部令第39号 第10条", "招标投标法 第24条"),
    ],
)
def test_the_lot_form_names_the_deadline_rules_of_its_own_business_type(
    clock: ControlledClock, business_type: str, article: str, not_article: str
) -> None:
    world = make_world(business_type=business_type)
    tender = make_tender(world, submit=False)
    page = text(signed_in(world.owner_user).get(reverse("lot_create", args=[tender.pk])))
    assert article in page
    assert not_article not in page


# --- amendments: the business type's and procedure's own period -----------------------------------


def amend(client: Client, tender: Tender) -> Any:
    pdf = SimpleUploadedFile(
        "amendment.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", "application/pdf"
    )
    return client.post(
        reverse("tender_amend", args=[tender.pk]),
        {"title": "变更：技术参数", "document_file": pdf, "affects_bids": "on"},
    )


@pytest.mark.parametrize(
    ("procedure", "days_left", "article"),
    [
        # 87号令 第27条: 至少15日前, 不足15日的顺延.
        ("open", 10, "财政部令第87号 第27条"),
        # 财库〔2014〕214号 第10条: 至少5日前.
        ("consultation", 4, "财库〔2014〕214号 第10条"),
    ],
)
def test_a_late_procurement_amendment_is_refused_naming_the_procurement_article(
    clock: ControlledClock, procedure: str, days_left: int, article: str
) -> None:
    world = make_world(business_type="procurement")
    tender = make_tender(world, procedure=procedure)
    lot = first_lot(tender)
    assert lot.closes_at is not None
    clock.set(lot.closes_at - timedelta(days=days_left))

    response = amend(signed_in(world.owner_user), tender)

    assert response.status_code == 400
    [error] = response.context["amendment_form"].errors["new_closes_at"]
    assert article in error
    assert "第21条" not in error
    assert not tender.documents.filter(kind="amendment").exists()


def test_a_consultation_amendment_six_days_before_the_deadline_is_in_time(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="procurement")
    tender = make_tender(world, procedure="consultation")
    lot = first_lot(tender)
    assert lot.closes_at is not None
    clock.set(lot.closes_at - timedelta(days=6))

    response = amend(signed_in(world.owner_user), tender)

    assert response.status_code == 302
    assert tender.documents.filter(kind="amendment").exists()
