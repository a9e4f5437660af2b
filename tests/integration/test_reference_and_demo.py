"""Reference data and the demo accounts that `make run` seeds."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import override_settings

from trading.models import BusinessType, Desk, Jurisdiction, Organisation, Procedure, Region, User
from trading.selectors.grants import desk_list_operated_by, jurisdiction_list_supervised_by
from trading.services.demo import ORGANISATIONS, USERS, demo_seed
from trading.services.reference import reference_data_seed

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]


def test_reference_data_has_the_8_regions_9_business_types_and_72_desks(clock: object) -> None:
    counts = reference_data_seed()
    assert counts["regions"] == 8
    assert counts["business_types"] == 9
    assert counts["desks"] == 8 * 9
    assert set(Region.objects.values_list("code", flat=True)) == {
        "460100",
        "460200",
        "460400",
        "469002",
        "469005",
        "469006",
        "469001",
        "469007",
    }
    assert list(BusinessType.objects.values_list("number", flat=True)) == list(range(1, 10))


def test_every_business_type_has_a_procedure_and_the_bidder_list_flag_fits(clock: object) -> None:
    reference_data_seed()
    for business_type in BusinessType.objects.all():
        assert Procedure.objects.filter(business_type=business_type).exists(), business_type.code
    # 招标投标法 第22条: an engineering tender keeps its bidders secret; property qualifies openly.
    assert Procedure.objects.get(business_type__code="engineering", code="open").bidder_list_secret
    assert not Procedure.objects.filter(
        business_type__code="property", bidder_list_secret=True
    ).exists()
    assert Procedure.objects.get(business_type__code="engineering", code="open").min_bids == 3


def test_seeding_twice_changes_nothing(clock: object) -> None:
    first = reference_data_seed()
    assert reference_data_seed() == first


def test_a_jurisdiction_covers_its_sub_regions_only_when_asked(demo: dict[str, int]) -> None:
    haikou = Region.objects.get(code="460100")
    district = Region.objects.create(code="460106", name="龙华区", parent=haikou)
    engineering = BusinessType.objects.get(code="engineering")
    assert demo["desks"] == 72
    housing = Jurisdiction.objects.get(name="海口市房屋建筑和市政工程")
    assert housing.covers(region=district, business_type=engineering)
    housing.include_subregions = False
    housing.save()
    assert not housing.covers(region=district, business_type=engineering)
    assert housing.covers(region=haikou, business_type=engineering)
    assert not housing.covers(region=haikou, business_type=BusinessType.objects.get(code="land"))


def test_demo_seed_gives_every_role_an_account_and_is_idempotent(demo: dict, settings) -> None:
    counts = (Organisation.objects.count(), User.objects.count())
    settings.DEMO = True
    demo_seed(tenders=False)
    assert (Organisation.objects.count(), User.objects.count()) == counts
    assert counts == (len(ORGANISATIONS), len(USERS) + 1)
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert kinds == {"center", "regulator", "owner", "agency", "bidder", "expert_pool"}
    assert not Organisation.objects.get(name="文昌椰风科技有限公司").is_verified
    assert Organisation.objects.filter(verified_at__isnull=True).count() == 1


def test_demo_staff_hold_several_desks_and_supervisors_several_jurisdictions(demo: dict) -> None:
    assert desk_list_operated_by(User.objects.get(username="staff_haikou")).count() == 2
    assert desk_list_operated_by(User.objects.get(username="staff_land")).count() == 16
    assert jurisdiction_list_supervised_by(User.objects.get(username="reg_land")).count() == 2
    # Superuser status grants nothing over transactions (DESIGN.md §3).
    assert desk_list_operated_by(User.objects.get(username="admin")).count() == 0
    assert Desk.objects.count() == 72


@override_settings(DEMO=False, DEBUG=True)
def test_demo_accounts_are_seeded_in_demo_mode_only_even_with_debug_on(clock: object) -> None:
    with pytest.raises(ImproperlyConfigured):
        demo_seed()
    with pytest.raises(CommandError, match="demo mode is off"):
        call_command("demo_seed")
    assert not User.objects.exists()
