"""Drafting, review and publication: bad input changes nothing; violations name articles."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tests.conftest import ControlledClock
from tests.tenders import (
    DEPOSIT,
    ESTIMATE,
    closes,
    first_lot,
    make_tender,
    make_world,
    opens,
    pdf_file,
)
from trading.chronograph import chronograph_tick
from trading.domain.timeline import SHANGHAI
from trading.models import Lot, Procedure, Project, Tender, TenderDocument
from trading.models.tenders import MAX_AMOUNT
from trading.selectors.timeline import amendment_earliest_deadline, tender_violations
from trading.services.documents import tender_document_upload
from trading.services.lots import lot_create
from trading.services.projects import project_create
from trading.services.tenders import (
    tender_amend,
    tender_create,
    tender_publish,
    tender_reject,
    tender_submit,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def draft(world: Any, clock: ControlledClock) -> Tender:
    return make_tender(world, submit=False)


def test_codes_follow_the_national_structure(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    tender = make_tender(world, lots=2)
    project = tender.project
    lots = list(tender.lots.order_by("code"))

    assert project.code == "46010020260000001" and len(project.code) == 17
    assert tender.code == project.code + "001" and len(tender.code) == 20
    assert [lot.code for lot in lots] == [tender.code + "001", tender.code + "002"]
    assert tender.trade_id.startswith("JY" + tender.code)
    assert tender.desk == world.desk


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("estimate", Decimal("100.001"), "两位小数"),
        ("estimate", MAX_AMOUNT + Decimal("0.01"), "不能超过"),
        ("estimate", Decimal("-1.00"), "负数"),
        ("estimate", 1000.5, "浮点数"),
        ("deposit_amount", "abc", "格式"),
    ],
)
def test_bad_money_is_refused_and_nothing_is_saved(
    clock: ControlledClock, field: str, value: Any, message: str
) -> None:
    world = make_world()
    tender = draft(world, clock)
    before = Lot.objects.count()
    amounts = {"estimate": ESTIMATE, "deposit_amount": DEPOSIT, field: value}

    with pytest.raises(ValidationError, match=message) as refused:
        lot_create(
            tender=tender,
            name="新标段",
            opens_at=clock.now + 30 * DAY,
            closes_at=clock.now + 60 * DAY,
            actor=world.owner_user,
            **amounts,
        )

    assert field in refused.value.error_dict
    assert Lot.objects.count() == before


@pytest.mark.parametrize(
    ("opens", "closes", "field", "message"),
    [
        (-DAY, 30 * DAY, "opens_at", "不能早于当前时间"),
        (30 * DAY, 20 * DAY, "closes_at", "须晚于开始时间"),
        (30 * DAY, 30 * DAY, "closes_at", "须晚于开始时间"),
    ],
    ids=["in-the-past", "closes-before-opens", "closes-when-opens"],
)
def test_bad_lot_dates_are_refused(
    clock: ControlledClock, opens: timedelta, closes: timedelta, field: str, message: str
) -> None:
    world = make_world()
    tender = draft(world, clock)
    before = Lot.objects.count()

    with pytest.raises(ValidationError, match=message) as refused:
        lot_create(
            tender=tender,
            name="新标段",
            estimate=ESTIMATE,
            opens_at=clock.now + opens,
            closes_at=clock.now + closes,
            actor=world.owner_user,
        )

    assert field in refused.value.error_dict
    assert Lot.objects.count() == before


def test_a_deadline_before_the_documents_are_issued_is_refused(clock: ControlledClock) -> None:
    world = make_world()
    tender = make_tender(world, submit=False, documents_issued_at=clock.now + 10 * DAY, lots=0)

    with pytest.raises(ValidationError, match="不能早于招标文件发出时间"):
        lot_create(
            tender=tender,
            name="新标段",
            estimate=ESTIMATE,
            opens_at=clock.now + DAY,
            closes_at=clock.now + 5 * DAY,
            actor=world.owner_user,
        )
    assert not tender.lots.exists()


def test_a_procedure_of_another_business_type_is_refused(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    project = make_tender(world, submit=False).project
    land_auction = Procedure.objects.get(business_type__code="land", code="auction")
    before = Tender.objects.count()

    with pytest.raises(ValidationError, match="不属于本项目的业务类型") as refused:
        tender_create(
            project=project,
            name="错配",
            procedure=land_auction,
            documents_issued_at=clock.now,
            actor=world.owner_user,
        )

    assert "procedure" in refused.value.error_dict
    assert Tender.objects.count() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"PK\x03\x04 a zip file", "只接受 PDF"), (b"", "为空"), (None, "不能超过")],
    ids=["not-a-pdf", "empty", "too-large"],
)
def test_a_document_that_is_not_an_acceptable_pdf_is_refused(
    clock: ControlledClock, settings: Any, content: bytes | None, message: str
) -> None:
    from django.core.files.base import ContentFile

    settings.TENDER_DOCUMENT_MAX_BYTES = 1024
    world = make_world()
    tender = draft(world, clock)
    before = TenderDocument.objects.count()
    file = pdf_file(size=2048) if content is None else ContentFile(content, name="x.pdf")

    with pytest.raises(ValidationError, match=message):
        tender_document_upload(
            tender=tender,
            kind="tender_documents",
            title="招标文件",
            file=file,
            actor=world.owner_user,
        )

    assert TenderDocument.objects.count() == before


def test_a_document_is_versioned_with_its_sha256(clock: ControlledClock) -> None:
    import hashlib

    world = make_world()
    tender = draft(world, clock)
    file = pdf_file()
    second = tender_document_upload(
        tender=tender,
        kind="tender_documents",
        title="招标文件（修订）",
        file=file,
        actor=world.owner_user,
    )
    assert second.version == 2
    assert second.sha256 == hashlib.sha256(file.open("rb").read()).hexdigest()


@pytest.mark.parametrize(
    ("business_type", "schedule", "point", "article"),
    [
        (
            "engineering",
            {"closes_in": 10 * DAY, "opens_in": DAY},
            "bid_deadline",
            "招标投标法 第24条",
        ),
        (
            "procurement",
            {"closes_in": 15 * DAY, "opens_in": DAY},
            "bid_deadline",
            "政府采购法 第35条",
        ),
        ("land", {"opens_in": 10 * DAY, "closes_in": 30 * DAY}, "listing_start", "39号"),
        ("land", {"opens_in": 25 * DAY, "closes_in": 30 * DAY}, "listing_end", "第18条"),
        ("property", {"opens_in": 5 * DAY, "closes_in": 20 * DAY}, "listing_end", "32号"),
    ],
    ids=[
        "engineering-20-days",
        "procurement-20-days",
        "land-announcement",
        "land-listing",
        "property",
    ],
)
def test_publication_is_refused_while_a_schedule_breaks_a_rule_naming_its_article(
    clock: ControlledClock, business_type: str, schedule: dict[str, Any], point: str, article: str
) -> None:
    world = make_world(business_type=business_type)
    tender = make_tender(world, publish=False, **schedule)

    with pytest.raises(ValidationError) as refused:
        tender_publish(tender=tender, actor=world.staff)

    messages = refused.value.error_dict[point]
    assert any(article in str(message) for error in messages for message in error.messages)
    tender.refresh_from_db()
    assert (tender.status, tender.published_by, tender.rules_as_of) == (
        "pending_review",
        None,
        None,
    )
    assert set(tender.lots.values_list("status", flat=True)) == {"draft"}
    assert tender_violations(tender)


def test_a_deposit_above_two_percent_is_refused_for_engineering_only(
    clock: ControlledClock,
) -> None:
    engineering = make_world(business_type="engineering")
    tender = make_tender(engineering, publish=False, deposit=Decimal("20000.01"))
    with pytest.raises(ValidationError, match="第26条") as refused:
        tender_publish(tender=tender, actor=engineering.staff)
    assert "deposit" in refused.value.error_dict

    land = make_world(business_type="land")
    land_tender = make_tender(land, deposit=Decimal("300000.00"))  # 30%: set per sale
    assert land_tender.status == "published"


def test_the_drafter_cannot_publish_and_a_second_staff_member_must(clock: ControlledClock) -> None:
    world = make_world()
    tender = make_tender(world, drafter=world.staff, publish=False)

    with pytest.raises(PermissionDenied, match="另一名工作人员"):
        tender_publish(tender=tender, actor=world.staff)
    tender.refresh_from_db()
    assert tender.status == "pending_review"

    tender_publish(tender=tender, actor=world.staff2)
    tender.refresh_from_db()
    assert (tender.status, tender.published_by) == ("published", world.staff2)
    assert tender.rules_as_of == clock.now.date()


@pytest.mark.parametrize(
    ("who", "refusal"),
    [
        # They read the submitted tender, but publishing is the desk's (管办分离): 403.
        ("owner_user", PermissionDenied),
        ("regulator", PermissionDenied),
        # A tender under review is not public: to them it does not exist.
        ("other_desk_staff", Http404),
        ("bidder", Http404),
    ],
)
def test_only_staff_of_the_desk_may_publish(
    clock: ControlledClock, who: str, refusal: type[Exception]
) -> None:
    world = make_world()
    tender = make_tender(world, publish=False)
    actor = world.bidder_users[0] if who == "bidder" else getattr(world, who)

    with pytest.raises(refusal):
        tender_publish(tender=tender, actor=actor)
    tender.refresh_from_db()
    assert tender.status == "pending_review"


def test_another_organisation_cannot_touch_a_draft(clock: ControlledClock) -> None:
    world = make_world()
    tender = draft(world, clock)
    with pytest.raises(Http404):
        tender_submit(tender=tender, actor=world.other_owner_user)
    with pytest.raises(Http404):
        lot_create(
            tender=tender,
            name="x",
            estimate=ESTIMATE,
            opens_at=clock.now + DAY,
            closes_at=clock.now + 2 * DAY,
            actor=world.other_owner_user,
        )
    with pytest.raises(Http404):  # staff do not see an owner's draft before it is submitted
        tender_submit(tender=tender, actor=world.staff)


def test_a_rejected_tender_returns_to_its_drafter(clock: ControlledClock) -> None:
    from trading.models import Notification

    world = make_world()
    tender = make_tender(world, publish=False)
    tender_reject(tender=tender, reason="招标文件缺少评标办法", actor=world.staff)
    tender.refresh_from_db()
    assert tender.status == "draft"
    assert Notification.objects.filter(recipient=world.owner_user, kind="tender.rejected").exists()


def test_only_an_owner_or_agency_registers_a_project(clock: ControlledClock) -> None:
    world = make_world()
    with pytest.raises(PermissionDenied):
        project_create(
            owner=world.owner,
            name="冒名项目",
            region=world.region,
            business_type=world.business_type,
            actor=world.other_owner_user,
        )
    assert not Project.objects.exists()


def test_an_amendment_affecting_bids_late_must_move_the_deadline(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    tender = make_tender(world)
    lot = first_lot(tender)
    clock.set(closes(lot) - 10 * DAY)
    proposal = amendment_earliest_deadline(tender, clock.now)
    assert proposal > closes(lot)
    # Proposed at 09:00 of the first lawful day: its 00:00 is 24:00 of the day before (第201条).
    assert proposal.astimezone(SHANGHAI).time().isoformat() == "09:00:00"
    with pytest.raises(ValidationError, match="第21条"):
        tender_amend(
            tender=tender,
            document_file=pdf_file(),
            title="变更：技术参数",
            affects_bids=True,
            new_closes_at=proposal - timedelta(hours=9),
            actor=world.owner_user,
        )

    with pytest.raises(ValidationError, match="第21条"):
        tender_amend(
            tender=tender,
            document_file=pdf_file(),
            title="变更：技术参数",
            affects_bids=True,
            actor=world.owner_user,
        )
    document = tender_amend(
        tender=tender,
        document_file=pdf_file(),
        title="变更：技术参数",
        affects_bids=True,
        new_closes_at=proposal,
        actor=world.owner_user,
    )
    lot.refresh_from_db()
    assert document.kind == "amendment" and document.version == 2
    assert lot.closes_at == proposal
    # A lot already bidding waits for the new deadline.
    clock.set(opens(lot))
    chronograph_tick(clock=clock)
    lot.refresh_from_db()
    assert lot.next_check == proposal


def test_an_amendment_that_does_not_affect_bids_keeps_the_deadline(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    tender = make_tender(world)
    lot = first_lot(tender)
    clock.set(closes(lot) - 3 * DAY)
    tender_amend(
        tender=tender,
        document_file=pdf_file(),
        title="变更：开标地点",
        affects_bids=False,
        actor=world.owner_user,
    )
    before = closes(lot)
    lot.refresh_from_db()
    assert lot.closes_at == before


def test_a_training_tender_is_checked_on_its_scaled_schedule(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    # One day in one minute: a 25-minute bid period stands for 25 days (≥ 20, 法 第24条).
    fine = make_tender(
        world,
        training=True,
        time_scale=1440,
        opens_in=timedelta(minutes=1),
        closes_in=timedelta(minutes=25),
    )
    assert fine.status == "published" and fine.project.training
    short = make_tender(
        world,
        training=True,
        time_scale=1440,
        opens_in=timedelta(minutes=1),
        closes_in=timedelta(minutes=10),
        publish=False,
    )
    with pytest.raises(ValidationError, match="第24条"):
        tender_publish(tender=short, actor=world.staff)


def test_a_deadline_in_a_mistyped_year_is_refused_at_publication_too(
    clock: ControlledClock,
) -> None:
    """A stored 9999-12-31 (entered before the horizon existed) never reaches publication."""
    world = make_world()
    tender = make_tender(world, publish=False)
    lot = first_lot(tender)
    Lot.objects.filter(pk=lot.pk).update(closes_at=clock.now.replace(year=9999))

    with pytest.raises(ValidationError) as refused:
        tender_publish(tender=tender, actor=world.staff)

    messages = [m for error in refused.value.error_dict["bid_deadline"] for m in error.messages]
    assert any("请检查年份" in message for message in messages)
    tender.refresh_from_db()
    assert tender.status == "pending_review"


def test_an_amendment_cannot_move_the_deadline_into_a_mistyped_year(
    clock: ControlledClock,
) -> None:
    world = make_world()
    tender = make_tender(world)
    lot = first_lot(tender)
    deadline = closes(lot)

    with pytest.raises(ValidationError, match="请检查年份"):
        tender_amend(
            tender=tender,
            document_file=pdf_file(),
            title="变更：顺延",
            affects_bids=True,
            new_closes_at=clock.now.replace(year=9999),
            actor=world.owner_user,
        )
    lot.refresh_from_db()
    assert lot.closes_at == deadline and tender.documents.count() == 1


def test_implementing_regulations_art_21_a_deadline_any_hour_of_the_15th_day_is_in_time(
    clock: ControlledClock,
) -> None:
    """实施条例 第21条: the amended deadline may fall at 08:00 of the first lawful day (the
    platform proposes 09:00), but not at its 00:00, which is 24:00 of the day before."""
    world = make_world(business_type="engineering")
    tender = make_tender(world)
    lot = first_lot(tender)
    clock.set(closes(lot) - 10 * DAY)
    proposal = amendment_earliest_deadline(tender, clock.now)

    document = tender_amend(
        tender=tender,
        document_file=pdf_file(),
        title="变更：技术参数",
        affects_bids=True,
        new_closes_at=proposal - timedelta(hours=1),
        actor=world.owner_user,
    )

    lot.refresh_from_db()
    assert document.version == 2 and lot.closes_at == proposal - timedelta(hours=1)
