"""OCDS 1.1.5 open data: every release package the platform emits validates, offline.

The package schema refers to the release schema by URL; a local `referencing` registry maps that
URL to the file in ../shared/reference/ocds-1.1.5, so nothing is ever fetched. Codes are checked
against the codelist CSVs, and every field OCDS lacks must carry the ``tianping:`` prefix.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from jsonschema import Draft4Validator  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from notices import ocds
from tests.conftest import ControlledClock
from tests.tenders import (
    World,
    award_and_close,
    closes,
    first_lot,
    issue_award_letter,
    make_tender,
    make_world,
    opens,
    pdf_file,
    publicity_end,
    record_outcome,
)
from trading.chronograph import chronograph_tick
from trading.domain.procedures import is_sale
from trading.domain.timeline import local_date as shanghai_day
from trading.models import Award, Industry, Lot, Project, Tender
from trading.services.awards import award_confirm, contract_record
from trading.services.lots import lot_terminate
from trading.services.outcomes import lot_record_auction_result, lot_record_bid_count
from trading.services.procedures import (
    lot_end_disclosure,
    lot_record_listing_close,
    lot_record_transferees,
)
from trading.services.reference import PROCEDURES

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

OCDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "reference" / "ocds-1.1.5"
if not OCDS_DIR.exists():  # the repository checked out elsewhere than beside ../shared
    OCDS_DIR = Path("/work/shared/reference/ocds-1.1.5")
PREFIX = ocds.EXTENSION_PREFIX


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


# --- the validator --------------------------------------------------------------------------------


@cache
def _schema(name: str) -> dict[str, Any]:
    return json.loads((OCDS_DIR / name).read_text(encoding="utf-8"))


@cache
def package_validator() -> Draft4Validator:
    release = _schema("release-schema.json")
    # No `retrieve` callable: a reference the registry does not hold fails instead of fetching.
    registry: Registry[Any] = Registry().with_resource(
        release["id"], Resource.from_contents(release, default_specification=DRAFT4)
    )
    return Draft4Validator(_schema("release-package-schema.json"), registry=registry)


@cache
def codelist(name: str) -> frozenset[str]:
    with (OCDS_DIR / "codelists" / f"{name}.csv").open(encoding="utf-8") as handle:
        return frozenset(row["Code"] for row in csv.DictReader(handle))


def _standing_award(lot: Lot) -> Award:
    award = lot.award
    assert award is not None, "the lot has no standing award"
    return award


def _walk(value: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    """(path, key, value) of every property, depth first."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield path, key, item
            yield from _walk(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}/{index}")


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref and ref.startswith("#/definitions/"):
        return _schema("release-schema.json")["definitions"][ref.rsplit("/", 1)[1]]
    return schema


def unnamed_extensions(value: Any, schema: dict[str, Any], path: str = "") -> list[str]:
    """Properties the release schema does not define and that lack the ``tianping:`` prefix."""
    schema = _resolve(schema)
    found: list[str] = []
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key.startswith(PREFIX):
                continue  # our extension: its inside is ours too
            if key not in properties:
                found.append(f"{path}/{key}")
                continue
            found += unnamed_extensions(item, properties[key], f"{path}/{key}")
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += unnamed_extensions(item, schema["items"], f"{path}/{index}")
    return found


CLOSED_CODES: dict[str, tuple[str, Callable[[dict[str, Any]], list[Any]]]] = {
    "tag": ("releaseTag", lambda r: r["tag"]),
    "initiationType": ("initiationType", lambda r: [r["initiationType"]]),
    "tender.status": ("tenderStatus", lambda r: [r["tender"]["status"]]),
    "tender.finalStatus": ("tenderFinalStatus", lambda r: [r["tender"].get("finalStatus")]),
    "procurementMethod": ("method", lambda r: [r["tender"]["procurementMethod"]]),
    "mainProcurementCategory": (
        "procurementCategory",
        lambda r: [r["tender"].get("mainProcurementCategory")],
    ),
    "submissionMethod": ("submissionMethod", lambda r: r["tender"].get("submissionMethod", [])),
    "lots.status": (
        "tenderStatus",
        lambda r: [lot["status"] for lot in r["tender"][f"{PREFIX}lots"]],
    ),
    "awards.status": ("awardStatus", lambda r: [a["status"] for a in r.get("awards", [])]),
    "contracts.status": ("contractStatus", lambda r: [c["status"] for c in r.get("contracts", [])]),
    "country": ("country", lambda r: [p["address"]["country"] for p in r["parties"]]),
}


def assert_valid_package(package: dict[str, Any]) -> dict[str, Any]:
    """Schema, codelists, dates with offsets, numeric CNY amounts, named extensions."""
    errors = sorted(package_validator().iter_errors(package), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    (release,) = package["releases"]
    assert release["ocid"].startswith("ocds-tianping-") and release["language"] == "zh"
    for field, (name, values) in CLOSED_CODES.items():
        for code in values(release):
            assert code is None or code in codelist(name), (field, code)
    for party in release["parties"]:
        for role in party["roles"]:
            assert role in codelist("partyRole") or role.startswith(PREFIX), role
    for path, key, value in _walk(package):
        if key == "currency":
            assert value == "CNY", path
        if key == "amount":
            assert isinstance(value, int | float) and not isinstance(value, bool), path
        if key in {"date", "publishedDate", "datePublished", "dateSigned"} or key.endswith("Date"):
            moment = datetime.fromisoformat(value)
            assert moment.utcoffset() == timedelta(hours=8), (path, key, value)
    release_schema = _schema("release-schema.json")
    assert unnamed_extensions(release, release_schema) == []
    package_extras = set(package) - set(_schema("release-package-schema.json")["properties"])
    assert package_extras == set()
    return release


# --- pure mappings -------------------------------------------------------------------------------


EXPECTED_METHODS = {
    ("engineering", "open"): "open",
    ("engineering", "open-prequal"): "selective",
    ("engineering", "invited"): "limited",
    ("procurement", "open"): "open",
    ("procurement", "invited"): "limited",
    ("procurement", "negotiation"): "open",
    ("procurement", "consultation"): "open",
    ("procurement", "quotation"): "open",
    ("procurement", "single-source"): "direct",
    ("procurement", "framework"): "open",
    ("procurement", "reverse-auction"): "open",  # 网上竞价: any supplier may bid
    ("land", "tender"): "open",
    ("land", "auction"): "open",
    ("land", "listing"): "open",
    ("mining", "tender"): "open",
    ("mining", "auction"): "open",
    ("mining", "listing"): "open",
    ("mining", "agreement"): "direct",
    ("procurement", "invited-prequal"): "selective",
    ("property", "transfer"): "open",
    ("property", "capital-increase"): "open",
    ("carbon", "sale"): "limited",
    ("carbon", "auction"): "open",
    ("pollution", "auction"): "open",
    ("pollution", "agreement"): "direct",
    ("medicine", "tender"): "open",
    ("medicine", "listing"): "open",
    ("medicine", "negotiation"): "limited",
    ("other", "listing"): "open",
    ("other", "open"): "open",
}


@pytest.mark.parametrize("seed", PROCEDURES, ids=lambda s: f"{s.business_type}-{s.code}")
def test_every_seeded_procedure_maps_to_the_closed_method_codelist(seed: Any) -> None:
    method = ocds.procurement_method(
        business_type=seed.business_type,
        code=seed.code,
        invitation_only=seed.invitation_only,
        prequalification=seed.prequalification,
        sealed_bids=seed.sealed_bids,
        min_bids=seed.min_bids,
    )
    assert method in codelist("method")
    assert method == EXPECTED_METHODS[seed.business_type, seed.code]


@pytest.mark.parametrize(
    ("business_type", "procedure", "industry", "category"),
    [
        ("engineering", "open", None, "works"),
        ("engineering", "invited", "E-water", "works"),
        ("procurement", "open", "C", "goods"),
        ("procurement", "open", "F", "goods"),
        ("procurement", "open", "I", "services"),
        ("procurement", "open", "M", "services"),
        ("procurement", "open", "E-housing", "works"),
        ("procurement", "open", None, None),
        ("medicine", "tender", None, "goods"),
        ("other", "open", "Q", "services"),
        ("other", "listing", "K", None),
        ("land", "listing", "K", None),
        ("mining", "auction", "B", None),
        ("property", "transfer", None, None),
        ("carbon", "auction", None, None),
    ],
)
def test_only_procurements_have_a_main_procurement_category(
    business_type: str, procedure: str, industry: str | None, category: str | None
) -> None:
    assert (
        ocds.main_procurement_category(
            business_type=business_type, procedure=procedure, industry=industry
        )
        == category
    )


@pytest.mark.parametrize(
    ("lot_statuses", "status", "final"),
    [
        (["published"], "active", None),
        (["bidding", "failed"], "active", None),
        (["opening"], "complete", None),
        (["evaluation", "terminated"], "complete", None),
        (["publicity"], "complete", None),
        (["awarded", "contracted"], "complete", None),
        (["closed"], "complete", "complete"),
        (["closed", "failed"], "complete", "complete"),
        (["failed"], "unsuccessful", "unsuccessful"),
        (["failed", "terminated"], "unsuccessful", "unsuccessful"),
        (["terminated"], "cancelled", "cancelled"),
        (["terminated", "terminated"], "cancelled", "cancelled"),
    ],
)
def test_lot_statuses_map_to_the_tender_status_codelists(
    lot_statuses: list[str], status: str, final: str | None
) -> None:
    assert ocds.tender_status(lot_statuses) == status
    assert ocds.tender_final_status(lot_statuses) == final
    assert status in codelist("tenderStatus")
    assert final is None or final in codelist("tenderFinalStatus")


def test_every_lot_status_has_a_tender_status() -> None:
    from trading.domain.lifecycle import LotStatus

    assert {ocds.lot_tender_status(s.value) for s in LotStatus} <= codelist("tenderStatus")


def test_dates_carry_the_beijing_offset() -> None:
    from datetime import UTC, date

    assert ocds.ocds_datetime(datetime(2026, 11, 30, 4, 0, tzinfo=UTC)) == (
        "2026-11-30T12:00:00+08:00"
    )
    assert ocds.ocds_date(date(2026, 12, 1)) == "2026-12-01T00:00:00+08:00"
    assert ocds.ocds_value(Decimal("999999999999.99")) == {
        "amount": 999999999999.99,
        "currency": "CNY",
    }


# --- tenders in every state ----------------------------------------------------------------------


def _tick_to(clock: ControlledClock, moment: datetime) -> None:
    clock.set(moment)
    chronograph_tick(clock=clock)


def _after_deadline(clock: ControlledClock, lot: Lot) -> Lot:
    _tick_to(clock, closes(lot) + timedelta(minutes=1))
    lot.refresh_from_db()
    return lot


def _publicity(world: World, clock: ControlledClock, lot: Lot) -> Lot:
    return record_outcome(world, _after_deadline(clock, lot))


def _awarded(world: World, clock: ControlledClock, lot: Lot) -> Lot:
    lot = _publicity(world, clock, lot)
    if lot.status == "publicity":  # procurement awards from the report (实施条例 第43条)
        _tick_to(clock, publicity_end(lot))
    award_confirm(lot=lot, candidate=lot.candidates.get(rank=1), actor=world.owner_user)
    lot.refresh_from_db()
    return lot


def _contracted(world: World, clock: ControlledClock, lot: Lot) -> Lot:
    lot = _awarded(world, clock, lot)
    clock.advance(days=1)
    issue_award_letter(lot)
    clock.advance(days=2)
    contract_record(
        lot=lot,
        signed_on=shanghai_day(clock.now),
        amount=_standing_award(lot).price,
        file=pdf_file("contract.pdf"),
        actor=world.owner_user,
    )
    lot.refresh_from_db()
    return lot


def _closed(world: World, clock: ControlledClock, lot: Lot) -> Lot:
    lot = _publicity(world, clock, lot)
    if lot.status == "publicity":  # procurement awards from the report (实施条例 第43条)
        _tick_to(clock, publicity_end(lot))
    lot.refresh_from_db()
    return award_and_close(world, lot)


def _failed(world: World, clock: ControlledClock, lot: Lot) -> Lot:
    lot = _after_deadline(clock, lot)
    if lot.status == "listing_closed" and lot.tender.procedure.family == "listing":
        return lot_record_listing_close(lot=lot, bidders=0, actor=world.staff)
    if lot.status == "listing_closed":
        lot = lot_record_transferees(lot=lot, count=0, actor=world.staff)
        return lot_end_disclosure(lot=lot, reason="未征集到意向受让方", actor=world.owner_user)
    if lot.status == "auction":
        return lot_record_auction_result(lot=lot, sold=False, actor=world.staff)
    return lot_record_bid_count(lot=lot, count=1, actor=world.staff)


def _terminated(world: World, clock: ControlledClock, lot: Lot) -> Lot:
    clock.advance(days=1)
    return lot_terminate(lot=lot, reason="项目资金未落实", actor=world.owner_user)


STATES: dict[str, Callable[[World, ControlledClock, Lot], Lot]] = {
    "published": lambda world, clock, lot: lot,
    "publicity": _publicity,
    "awarded": _awarded,
    "contracted": _contracted,
    "closed": _closed,
    "failed": _failed,
    "terminated": _terminated,
}

# (lot status, tender.status, tender.finalStatus, award statuses, contract statuses, tags)
EXPECTED = {
    "published": ("published", "active", None, [], [], ["tender"]),
    "awarded": ("awarded", "complete", None, ["active"], [], ["tender", "award"]),
    "contracted": (
        "contracted",
        "complete",
        None,
        ["active"],
        ["active"],
        ["tender", "award", "contract"],
    ),
    "closed": (
        "closed",
        "complete",
        "complete",
        ["active"],
        ["active"],
        ["tender", "award", "contract"],
    ),
    "failed": ("failed", "unsuccessful", "unsuccessful", [], [], ["tender"]),
    "terminated": ("terminated", "cancelled", "cancelled", [], [], ["tenderCancellation"]),
}

BUSINESS_TYPES = ["engineering", "procurement", "land", "property"]


def _package_over_http(tender: Tender, **query: str) -> dict[str, Any]:
    response = Client().get(f"/ocds/tenders/{tender.code}/release-package.json", query)
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("business_type", BUSINESS_TYPES)
def test_the_release_package_of_a_tender_in_each_state_validates(
    clock: ControlledClock, business_type: str, state: str
) -> None:
    world = make_world(business_type=business_type)
    tender = make_tender(world, name="海口市道路工程")
    lot = STATES[state](world, clock, first_lot(tender))

    package = _package_over_http(tender)
    release = assert_valid_package(package)

    section = release["tender"]
    assert release["ocid"] == f"ocds-tianping-{tender.code}"
    assert section["id"] == tender.code and section["title"] == "海口市道路工程"
    assert section["value"] == {"amount": 1000000.0, "currency": "CNY"}
    assert release[f"{PREFIX}businessType"]["code"] == business_type
    (lot_entry,) = section[f"{PREFIX}lots"]
    assert (lot_entry["id"], lot_entry[f"{PREFIX}status"]) == (lot.code, lot.status)
    purchase = business_type in {"engineering", "procurement"}
    owner_party = next(p for p in release["parties"] if p["identifier"]["id"] == world.owner.uscc)
    assert ("buyer" in owner_party["roles"]) is purchase
    assert (f"{PREFIX}seller" in owner_party["roles"]) is not purchase
    assert ("buyer" in release) is purchase
    assert section[f"{PREFIX}transactionDirection"] == ("purchase" if purchase else "disposal")
    assert section["procuringEntity"]["name"] == world.agency.name
    if business_type == "engineering":
        assert section["mainProcurementCategory"] == "works"
    if not purchase:
        assert "mainProcurementCategory" not in section

    if state == "publicity":
        listing = is_sale(tender.procedure.family)
        assert [a["status"] for a in release.get("awards", [])] == (["pending"] if listing else [])
        assert section["status"] == "complete" and "finalStatus" not in section
        return
    lot_status, status, final, awards, contracts, tags = EXPECTED[state]
    assert lot.status == lot_status
    assert (section["status"], section.get("finalStatus")) == (status, final)
    assert [a["status"] for a in release.get("awards", [])] == awards
    assert [c["status"] for c in release.get("contracts", [])] == contracts
    assert release["tag"] == tags
    if awards:
        (award,) = release["awards"]
        winner = _standing_award(lot)
        assert award["value"] == {"amount": float(winner.price), "currency": "CNY"}
        (supplier,) = award["suppliers"]
        supplier_party = next(p for p in release["parties"] if p["id"] == supplier["id"])
        assert supplier_party["identifier"]["id"] == winner.uscc
        assert "supplier" in supplier_party["roles"]
    if contracts:
        (contract,) = release["contracts"]
        assert contract["awardID"] == release["awards"][0]["id"]
        assert contract["dateSigned"].endswith("T00:00:00+08:00")


def test_a_tender_of_several_lots_reports_each_lot_and_merges_parties(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="engineering")
    tender = make_tender(world, lots=3)
    first, second, third = tender.lots.order_by("code")
    _closed(world, clock, first)
    lot_record_bid_count(lot=Lot.objects.get(pk=second.pk), count=2, actor=world.staff)
    lot_terminate(lot=third, reason="需求变更", actor=world.owner_user)

    release = assert_valid_package(_package_over_http(tender))

    statuses = [(e["id"], e["status"]) for e in release["tender"][f"{PREFIX}lots"]]
    assert statuses == [
        (first.code, "complete"),
        (second.code, "unsuccessful"),
        (third.code, "cancelled"),
    ]
    assert release["tender"]["finalStatus"] == "complete"
    ids = [party["id"] for party in release["parties"]]
    assert len(ids) == len(set(ids)) == 2 + 3  # owner, agency, three candidates once each
    assert release["tender"]["numberOfTenderers"] == 3 + 2


def test_before_the_opening_the_release_names_no_bidder(clock: ControlledClock) -> None:
    """Who enrolled and how many stay secret until the opening (招标投标法 第22条)."""
    world = make_world(business_type="engineering")
    tender = make_tender(world)
    _tick_to(clock, opens(first_lot(tender)) + timedelta(minutes=1))

    release = assert_valid_package(_package_over_http(tender))

    assert {role for p in release["parties"] for role in p["roles"]} == {"buyer", "procuringEntity"}
    assert "tenderers" not in release["tender"] and "numberOfTenderers" not in release["tender"]
    assert release["tender"]["status"] == "active"
    assert release["tender"]["tenderPeriod"]["endDate"] == ocds.ocds_datetime(
        first_lot(tender).closes_at
    )


@pytest.mark.parametrize(("industry", "category"), [("C", "goods"), ("I", "services")])
def test_a_procurement_takes_its_category_from_the_industry(
    clock: ControlledClock, industry: str, category: str
) -> None:
    world = make_world(business_type="procurement")
    tender = make_tender(world)
    Project.objects.filter(pk=tender.project_id).update(
        industry=Industry.objects.get(code=industry)
    )
    release = assert_valid_package(_package_over_http(tender))
    assert release["tender"]["mainProcurementCategory"] == category
    assert release[f"{PREFIX}industry"]["code"] == industry


def test_an_amendment_is_listed_and_changes_the_release_id(clock: ControlledClock) -> None:
    from trading.services.tenders import tender_amend

    world = make_world(business_type="engineering")
    tender = make_tender(world)
    before = assert_valid_package(_package_over_http(tender))
    clock.advance(days=1)
    tender_amend(
        tender=tender,
        title="变更公告一",
        document_file=pdf_file("amendment.pdf"),
        affects_bids=False,
        actor=world.owner_user,
    )
    after = assert_valid_package(_package_over_http(tender))
    assert [a["description"] for a in after["tender"]["amendments"]] == ["变更公告一"]
    assert after["id"] != before["id"] and after["date"] > before["date"]
    assert _package_over_http(tender)["releases"][0]["id"] == after["id"]  # stable when unchanged


# --- the URL --------------------------------------------------------------------------------------


def test_draft_and_unknown_tenders_are_not_found(clock: ControlledClock) -> None:
    world = make_world(business_type="engineering")
    draft = make_tender(world, submit=False)
    under_review = make_tender(world, publish=False)
    client = Client()
    for code in (draft.code, under_review.code, "C20-NO-SUCH"):
        assert client.get(f"/ocds/tenders/{code}/release-package.json").status_code == 404
        assert (
            client.get(f"/ocds/tenders/{code}/release-package.json?training=1").status_code == 404
        )


def test_a_training_tender_is_published_only_when_asked_for_and_flagged(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="land")
    tender = make_tender(world, training=True)
    url = f"/ocds/tenders/{tender.code}/release-package.json"
    assert Client().get(url).status_code == 404
    package = _package_over_http(tender, training="1")
    release = assert_valid_package(package)
    assert release[f"{PREFIX}training"] is True
    assert package["uri"].endswith(f"{url}?training=1")


def test_the_package_is_public_and_names_itself_at_the_sites_public_address(
    clock: ControlledClock, settings: Any
) -> None:
    settings.SITE_URL = "https://ggzy.example.cn"
    world = make_world(business_type="property")
    tender = make_tender(world)
    response = Client().post(f"/ocds/tenders/{tender.code}/release-package.json")
    assert response.status_code == 405
    package = _package_over_http(tender)
    # Whatever Host the request came through (the test client's "testserver").
    url = f"https://ggzy.example.cn/ocds/tenders/{tender.code}/release-package.json"
    assert package["uri"] == url
    assert package["publisher"]["uri"] == "https://ggzy.example.cn"
    assert package["version"] == "1.1"
    assert package["publishedDate"] == package["releases"][0]["date"]


# --- the bulk export ----------------------------------------------------------------------------


def test_export_writes_one_valid_package_per_published_tender(
    clock: ControlledClock, tmp_path: Path
) -> None:
    engineering = make_world(business_type="engineering")
    land = make_world(business_type="land")
    published = [make_tender(engineering), make_tender(land)]
    _closed(engineering, clock, first_lot(published[0]))
    make_tender(engineering, submit=False)
    make_tender(land, publish=False)
    training = make_tender(land, training=True)

    call_command("export_ocds", str(tmp_path / "out"))
    files = sorted((tmp_path / "out").glob("*.json"))
    assert [f.name for f in files] == sorted(f"ocds-tianping-{t.code}.json" for t in published)
    for file in files:
        release = assert_valid_package(json.loads(file.read_text(encoding="utf-8")))
        assert f"{PREFIX}training" not in release

    call_command("export_ocds", str(tmp_path / "all"), "--include-training")
    names = {f.name for f in (tmp_path / "all").glob("*.json")}
    assert names == {f"ocds-tianping-{t.code}.json" for t in [*published, training]}
    trained = json.loads((tmp_path / "all" / f"ocds-tianping-{training.code}.json").read_text())
    assert assert_valid_package(trained)[f"{PREFIX}training"] is True
    assert not list((tmp_path / "all").glob("*.partial"))


def test_the_ocid_prefix_is_a_setting(clock: ControlledClock, settings: Any) -> None:
    settings.OCDS_PREFIX = "ocds-abc123-"
    world = make_world(business_type="engineering")
    tender = make_tender(world)
    assert _package_over_http(tender)["releases"][0]["ocid"] == f"ocds-abc123-{tender.code}"
