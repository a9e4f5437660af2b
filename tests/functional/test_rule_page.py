"""The public rule page (DESIGN.md §7): every rule row in force, its article, bounds and unit,
the business types and procedures it governs, filtered by business type. No login."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import ControlledClock
from tests.tenders import seed_reference_and_rules
from trading.models import BusinessType, TimelineRule

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]


@pytest.fixture
def rules(clock: ControlledClock) -> None:
    seed_reference_and_rules()


def keys(response: object) -> set[str]:
    return {row.key for row in response.context["rows"]}  # type: ignore[attr-defined]


def test_the_page_lists_every_rule_row_in_force_without_login(client: Client, rules: None) -> None:
    response = client.get(reverse("portal_rules"))
    assert response.status_code == 200
    in_force = set(TimelineRule.objects.values_list("key", flat=True))
    assert keys(response) == in_force
    page = response.content.decode()
    # 87号令 第16条: documents offered ≥ 5 工作日, with its procedures.
    assert "财政部令第87号 第16条" in page
    assert "5个工作日" in page
    assert "公开招标" in page
    # 七部委30号令 第37条: the 80万元 ceiling, in 元.
    assert "800,000.00 元" in page
    assert "2%" in page
    # Notice limits set by the platform where the law sets none are marked as such.
    assert "本平台规则（法律未规定期限）" in page
    assert "平台规则" in page
    assert "全部业务类型" in page


def test_the_footer_of_every_page_links_the_rules(client: Client, rules: None) -> None:
    home = client.get(reverse("home")).content.decode()
    assert reverse("portal_rules") in home


def test_filtering_by_business_type_keeps_its_rows_and_the_rows_for_every_type(
    client: Client, rules: None
) -> None:
    response = client.get(reverse("portal_rules"), {"type": "procurement"})
    found = keys(response)
    assert "procurement.objection_answer" not in found  # no such key: answers are per stage
    assert {"procurement.objection_documents_answer", "procurement.complaint"} <= found
    assert "notice.announcement" in found
    assert not any(key.startswith("engineering.") for key in found)
    # The procurement row replaces the platform's number for the result notice (第43条).
    rows = {(r.key, r.business_type) for r in response.context["rows"]}
    assert ("notice.result", "procurement") in rows


def test_a_version_not_yet_in_force_and_a_repealed_row_are_not_listed(
    client: Client, rules: None, clock: ControlledClock
) -> None:
    engineering = BusinessType.objects.get(code="engineering")
    common = {
        "kind": "period",
        "business_type": engineering,
        "from_point": "documents_issued",
        "to_point": "bid_deadline",
        "unit": "day",
        "description": "测试",
    }
    TimelineRule.objects.create(
        key="engineering.future",
        minimum=Decimal(30),
        article="将来的规定 第1条",
        effective_from=date(2030, 1, 1),
        **common,
    )
    TimelineRule.objects.create(
        key="engineering.repealed",
        minimum=Decimal(30),
        article="已废止的规定 第1条",
        effective_from=date(2010, 1, 1),
        effective_to=date(2012, 1, 1),
        **common,
    )
    found = keys(client.get(reverse("portal_rules"), {"type": "engineering"}))
    assert "engineering.bid_period" in found
    assert "engineering.future" not in found
    assert "engineering.repealed" not in found


def test_an_unknown_business_type_is_refused_with_a_message(client: Client, rules: None) -> None:
    response = client.get(reverse("portal_rules"), {"type": "nonsense"})
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert response.context["form"].errors["type"]
