"""The supervision console: a regulator sees every lot of its jurisdiction with its lights, and
nothing else; each tender's ledger and the verification of its chains (管办分离, DESIGN.md §3)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.http import Http404
from django.test import Client
from django.urls import reverse

from tests.conftest import ControlledClock
from tests.tenders import World, closes, first_lot, make_tender, make_world, opens
from trading.chronograph import chronograph_tick
from trading.db_triggers import ledger_trigger_removal_statements
from trading.models import Jurisdiction, LedgerEntry, Lot, Region, User
from trading.selectors.access import access_lot_for_supervision
from trading.selectors.tenders import tender_scope_key
from trading.services.documents import tender_document_download
from trading.services.ledger import ledger_checkpoint
from trading.templatetags.vocabulary import lot_status_word
from trading.views.lots import ledger_action_label

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    # A fresh embedded signing key, never the one under var/keys.
    settings.LEDGER_SIGNING_KEY = ""
    settings.KEYS_DIR = tmp_path / "keys"


@pytest.fixture
def world(clock: ControlledClock) -> World:
    return make_world(business_type="engineering")


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv(response: Any) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff"), "Excel needs the BOM to read the Chinese"
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def test_the_regulator_sees_its_lots_with_status_and_lights_and_no_other_regulator_does(
    world: World,
) -> None:
    tender = make_tender(world, name="海口学校教学楼")
    lot = first_lot(tender)
    page = _as(world.regulator).get(reverse("supervision_console"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "海口学校教学楼" in html and lot.code in html
    assert f'lot-status-{lot.status}">{lot_status_word(lot)}<' in html
    assert 'class="light light-' in html, "every lot carries its statutory lights"
    assert reverse("supervision_tender", args=[tender.pk]) in html

    elsewhere = _as(world.other_regulator).get(reverse("supervision_console")).content.decode()
    assert "海口学校教学楼" not in elsewhere
    assert (
        _as(world.other_regulator).get(reverse("supervision_tender", args=[tender.pk])).status_code
        == 404
    )


def test_a_draft_is_not_the_regulators_business_yet(world: World) -> None:
    draft = make_tender(world, name="尚未提交的草稿", submit=False)
    assert (
        "尚未提交的草稿"
        not in _as(world.regulator).get(reverse("supervision_console")).content.decode()
    )
    assert (
        _as(world.regulator).get(reverse("supervision_tender", args=[draft.pk])).status_code == 404
    )


def test_other_roles_have_no_business_on_the_supervision_pages(world: World) -> None:
    tender = make_tender(world)
    for user in (world.staff, world.owner_user, world.agency_user, world.bidder_users[0]):
        for url in (
            reverse("supervision_console"),
            reverse("supervision_export"),
            reverse("supervision_tender", args=[tender.pk]),
        ):
            assert _as(user).get(url).status_code == 403, (user, url)


def test_the_chokepoint_refuses_a_lot_outside_the_jurisdiction(world: World) -> None:
    lot = first_lot(make_tender(world))
    assert access_lot_for_supervision(world.regulator, lot.pk) == lot
    with pytest.raises(Http404):
        access_lot_for_supervision(world.other_regulator, lot.pk)


def test_a_jurisdiction_over_a_city_covers_its_districts(world: World) -> None:
    district = Region.objects.filter(parent=world.region).first()
    if district is None:
        district = Region.objects.create(code="460105", name="秀英区", parent=world.region)
    tender = make_tender(world, name="区里的项目")
    tender.project.region = district
    tender.project.save(update_fields=["region"])
    assert access_lot_for_supervision(world.regulator, first_lot(tender).pk)
    only_city = Jurisdiction.objects.get(regulator_id=world.regulator.organisation_id)
    only_city.include_subregions = False
    only_city.save()
    with pytest.raises(Http404):
        access_lot_for_supervision(world.regulator, first_lot(tender).pk)


def test_search_filters_and_the_csv_holds_exactly_what_the_filter_shows(world: World) -> None:
    wanted = make_tender(world, name="道路改造甲", lots=2)
    make_tender(world, name="学校维修乙")
    client = _as(world.regulator)
    page = client.get(reverse("supervision_console"), {"q": "道路改造"}).content.decode()
    assert "道路改造甲" in page and "学校维修乙" not in page

    rows = _csv(client.get(reverse("supervision_export"), {"q": "道路改造"}))
    header, body = rows[0], rows[1:]
    assert header[0] == "招标项目编号"
    assert sorted(row[2] for row in body) == sorted(lot.code for lot in wanted.lots.all())
    assert {row[1] for row in body} == {"道路改造甲"}
    assert all(row[10] for row in body), "each row lists the lot's statutory dates"

    everything = _csv(client.get(reverse("supervision_export")))
    assert len(everything) - 1 == 3


def test_the_light_filter_shows_the_overdue_lots(world: World, clock: ControlledClock) -> None:
    late = first_lot(make_tender(world, name="开标后无人登记"))
    client = _as(world.regulator)
    assert (
        "开标后无人登记"
        in client.get(reverse("supervision_console"), {"light": "green"}).content.decode()
    )
    assert (
        "开标后无人登记"
        not in client.get(reverse("supervision_console"), {"light": "red"}).content.decode()
    )
    # Opened, then nobody records the evaluation for months: a limit passes.
    clock.set(closes(late) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    clock.advance(days=120)
    red = client.get(reverse("supervision_console"), {"light": "red"}).content.decode()
    assert "开标后无人登记" in red
    rows = _csv(client.get(reverse("supervision_export"), {"light": "red"}))
    assert [row[2] for row in rows[1:]] == [late.code]
    assert rows[1][9] == "已逾期"


def test_the_tender_page_hides_downloads_until_the_opening(
    world: World, clock: ControlledClock
) -> None:
    tender = make_tender(world, name="保密的下载")
    lot = first_lot(tender)
    clock.set(opens(lot) + timedelta(minutes=1))
    document = tender.documents.get(kind="tender_documents")
    tender_document_download(document=document, actor=world.bidder_users[0], clock=clock)
    client = _as(world.regulator)
    url = reverse("supervision_tender", args=[tender.pk])
    assert LedgerEntry.objects.filter(action="document.downloaded").exists()
    before = client.get(url).content.decode()
    assert world.bidders[0].name not in before
    assert world.bidders[0].uscc not in before

    clock.set(closes(lot) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    after = client.get(url).content.decode()
    assert world.bidders[0].uscc in after


def test_the_tender_page_reports_its_chains_against_the_latest_checkpoint(
    world: World, clock: ControlledClock
) -> None:
    tender = make_tender(world, name="校验日志")
    clock.advance(minutes=1)
    ledger_checkpoint(clock=clock)
    client = _as(world.regulator)
    url = reverse("supervision_tender", args=[tender.pk])
    page = client.get(url).content.decode()
    assert "本项目的日志链与已签名检查点一致" in page
    # The ledger in words, as on the lot page: the desk's publication, by its staff member.
    assert ledger_action_label("tender.published") in page
    assert "tender.published" not in page
    assert "最新签名检查点" in page

    # What an attacker who owns the database does: drop the append-only triggers, rewrite.
    with connection.cursor() as cursor:
        for statement in ledger_trigger_removal_statements(connection.vendor):
            cursor.execute(statement)
    LedgerEntry.objects.filter(scope__key=tender_scope_key(tender.pk), seq=1).update(
        payload={"name": "改过的"}
    )
    broken = client.get(url).content.decode()
    assert "本项目的日志链校验失败" in broken
    assert f"scope {tender_scope_key(tender.pk)} entry 1" in broken


# --- the demo's regulators ----------------------------------------------------------------------

DEMO_REGULATORS = ["reg_housing", "reg_finance", "reg_land"]


@pytest.mark.parametrize("username", DEMO_REGULATORS)
def test_each_demo_regulator_sees_exactly_its_jurisdiction(
    demo: dict[str, int], clock: ControlledClock, settings: Any, username: str
) -> None:
    from trading.services.demo_tenders import demo_tenders_seed

    settings.DEMO = True
    demo_tenders_seed()
    user = User.objects.get(username=username)
    jurisdictions = list(Jurisdiction.objects.filter(regulator_id=user.organisation_id))
    client = _as(user)
    listed = {row[2] for row in _csv(client.get(reverse("supervision_export")))[1:]}
    submitted = Lot.objects.exclude(tender__status="draft").select_related(
        "tender__project__region", "tender__project__business_type", "tender__project__industry"
    )
    inside = {
        lot.code
        for lot in submitted
        if any(
            j.covers(
                region=lot.tender.project.region,
                business_type=lot.tender.project.business_type,
                industry=lot.tender.project.industry,
            )
            for j in jurisdictions
        )
    }
    assert listed == inside and inside, username
    outside = submitted.exclude(code__in=inside).first()
    assert outside is not None
    assert client.get(reverse("supervision_tender", args=[outside.tender_id])).status_code == 404
    own = submitted.filter(code__in=inside).first()
    assert own is not None
    assert client.get(reverse("supervision_tender", args=[own.tender_id])).status_code == 200


def test_the_list_pages_and_filters_by_status_and_region(world: World) -> None:
    from trading.views.common import LIST_PAGE_SIZE

    many = make_tender(world, name="分页的项目", lots=LIST_PAGE_SIZE + 1)
    client = _as(world.regulator)
    first = client.get(reverse("supervision_console")).content.decode()
    second = client.get(reverse("supervision_console"), {"page": 2}).content.decode()
    codes = sorted(lot.code for lot in many.lots.all())
    on_first = [code for code in codes if code in first]
    on_second = [code for code in codes if code in second]
    assert len(on_first) == LIST_PAGE_SIZE and len(on_second) == 1
    assert 'rel="next"' in first

    newest = on_first[0]
    status = first_lot(many).status
    assert (
        newest
        in client.get(reverse("supervision_console"), {"status": f"lot:{status}"}).content.decode()
    )
    assert (
        newest
        not in client.get(
            reverse("supervision_console"), {"status": "lot:awarded"}
        ).content.decode()
    )
    assert (
        newest
        in client.get(
            reverse("supervision_console"), {"region": world.region.code}
        ).content.decode()
    )
    assert len(_csv(client.get(reverse("supervision_export"), {"status": "lot:awarded"}))) == 1


def test_the_date_filter_counts_shanghai_days_of_the_bid_deadline(world: World) -> None:
    from django.utils import timezone

    lot = first_lot(make_tender(world, name="按日期筛选"))
    day = timezone.localtime(closes(lot)).date()
    client = _as(world.regulator)

    def shown(**dates: Any) -> bool:
        response = client.get(reverse("supervision_console"), {k: str(v) for k, v in dates.items()})
        return lot.code in response.content.decode()

    assert shown(date_from=day, date_to=day)
    assert not shown(date_from=day + timedelta(days=1))
    assert not shown(date_to=day - timedelta(days=1))
