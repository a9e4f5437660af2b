"""The data migration that moves property transfers to one disclosure procedure (32号令 第18、22条).

Lots of the old `listing-agreement` (negotiated, sealed-bid table) and `listing-auction` procedures
move to `transfer` and to the state of the disclosure table that means the same thing.
"""

from __future__ import annotations

import importlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps

from tests.conftest import ControlledClock
from tests.tenders import closes, first_lot, make_tender, make_world
from trading.chronograph import chronograph_tick
from trading.models import Lot, Procedure, TimelineRule
from trading.services.reference import reference_data_seed

pytestmark = [pytest.mark.django_db]

migration = importlib.import_module("trading.migrations.0014_procedures_property_disclosure")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _old_procedures(world: Any) -> None:
    """The two procedures property had before, chosen up front."""
    for code, family in (
        ("listing-agreement", "negotiated"),
        ("listing-auction", "listing_auction"),
    ):
        Procedure.objects.create(
            business_type=world.business_type,
            code=code,
            name=code,
            family=family,
            listing=True,
            bidder_list_secret=False,
            sort_order=20,
        )


def test_old_property_lots_move_to_the_disclosure_procedure_in_the_state_that_means_the_same(
    clock: ControlledClock,
) -> None:
    world = make_world(business_type="property")
    _old_procedures(world)
    agreement = first_lot(make_tender(world, procedure="listing-agreement"))
    auction = first_lot(make_tender(world, procedure="listing-auction"))
    waiting = first_lot(make_tender(world, procedure="listing-agreement"))
    rule = TimelineRule.objects.filter(business_type__code="property").first()
    assert rule is not None
    rule.procedure_codes = ["listing-auction"]
    rule.save()
    clock.set(closes(agreement) + timedelta(minutes=1))
    chronograph_tick(clock=clock)
    for lot in (agreement, auction, waiting):
        lot.refresh_from_db()
    # Under the tables before: a negotiated lot in negotiation, one left at its "opening" by the
    # sealed-bid table negotiated lots once shared; an auction lot bidding.
    assert (waiting.status, auction.status) == ("negotiation", "auction")
    Lot.objects.filter(pk=agreement.pk).update(status="opening")

    migration.forwards(apps, None)

    for lot in (agreement, auction, waiting):
        lot.refresh_from_db()
    assert {lot.tender.procedure.code for lot in (agreement, auction, waiting)} == {"transfer"}
    assert (agreement.status, auction.status, waiting.status) == (
        "listing_closed",
        "auction",
        "agreement",
    )
    assert not Procedure.objects.filter(code__in=["listing-agreement", "listing-auction"]).exists()
    rule.refresh_from_db()
    assert rule.procedure_codes == ["transfer"]
    # Land listings and engineering prequalification take their new families too.
    assert Procedure.objects.get(business_type__code="land", code="listing").family == "listing"
    assert (
        Procedure.objects.get(business_type__code="engineering", code="open-prequal").family
        == "prequalified"
    )
    # Seeding afterwards keeps the new procedure and brings no old one back.
    reference_data_seed()
    assert set(
        Procedure.objects.filter(business_type__code="property").values_list("code", flat=True)
    ) == {"transfer", "capital-increase"}


def test_without_the_old_procedures_the_migration_changes_nothing(clock: ControlledClock) -> None:
    make_world(business_type="property")
    before = list(Procedure.objects.order_by("pk").values_list("code", "family"))
    migration.forwards(apps, None)
    assert list(Procedure.objects.order_by("pk").values_list("code", "family")) == before
