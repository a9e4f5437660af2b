"""At once, on PostgreSQL: two administrators removing each other leave one; two ticks send an
expiry warning once."""

from __future__ import annotations

import threading
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from bidding.services.vault import CERTIFICATE_EXPIRY, CertificateFacts, certificate_add
from tests.concurrency import in_threads
from tests.conftest import ControlledClock
from tests.factories import make_organisation, make_user
from trading.chronograph import chronograph_tick, due_work_override
from trading.domain.timeline import SHANGHAI
from trading.models import Notification, User
from trading.services.organisations import organisation_user_remove

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_two_administrators_removing_each_other_at_once_leave_one(
    clock: ControlledClock,
) -> None:
    bidder = make_organisation("bidder")
    first = make_user(bidder, is_organisation_admin=True)
    second = make_user(bidder, is_organisation_admin=True)
    pairs = [(first, second), (second, first)]
    pick = threading.Lock()

    def remove() -> str:
        with pick:
            actor, target = pairs.pop()
        try:
            organisation_user_remove(user=target, actor=actor)
        except (PermissionDenied, ValidationError):
            return "refused"
        return "removed"

    outcomes = in_threads(2, remove)

    assert sorted(outcomes) == ["refused", "removed"]
    assert User.objects.filter(organisation=bidder, is_active=True).count() == 1


def test_two_ticks_at_once_warn_of_an_expiry_once(
    clock: ControlledClock, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    bidder = make_organisation("bidder")
    user = make_user(bidder)
    certificate_add(
        organisation=bidder,
        facts=CertificateFacts(
            kind="licence",
            name="安全生产许可证",
            number="JZ2024000123",
            issuer="海南省住房和城乡建设厅",
            issued_on=date(2024, 1, 1),
            expires_on=date(2027, 1, 15),
        ),
        file=ContentFile(PDF, name="licence.pdf"),
        actor=user,
    )
    clock.set(datetime(2026, 12, 16, 9, 0, tzinfo=SHANGHAI))

    with due_work_override(CERTIFICATE_EXPIRY):
        in_threads(2, lambda: chronograph_tick(clock=clock))
        chronograph_tick(clock=clock)

    assert Notification.objects.filter(kind="certificate.warning", recipient=user).count() == 1
