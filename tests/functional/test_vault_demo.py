"""`make run`'s bidders come with profiles and vaults: one certificate flagged as expiring."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bidding.demo import demo_vault_seed
from bidding.models import Certificate
from trading.models import User

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]


def test_the_demo_bidders_have_profiles_and_certificates_once(
    demo: dict[str, int], settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    demo_vault_seed(tenders=True)
    demo_vault_seed(tenders=True)

    bidder = User.objects.get(username="bidder1")
    assert Certificate.objects.filter(organisation=bidder.organisation).count() == 3
    client = Client()
    client.force_login(bidder)
    page = client.get(reverse("workspace")).content.decode()
    assert "主体信息完整" in page and "1 本即将到期" in page
    newcomer = User.objects.get(username="bidder_new")
    client.force_login(newcomer)
    assert "主体信息不完整" in client.get(reverse("bidding_profile")).content.decode()
