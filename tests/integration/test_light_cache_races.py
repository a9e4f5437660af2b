"""A colour computed while a change is being committed does not land (PostgreSQL): the console's
refresh waits on the change's mark and leaves the lot to be recomputed, never stored stale."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from tests.conftest import ControlledClock
from tests.tenders import first_lot, make_tender, make_world
from trading.models import Lot, LotLight, User
from trading.services.interventions import intervention_terminate_order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _shown(user: User, colour: str) -> str:
    client = Client()
    client.force_login(user)
    return client.get(reverse("supervision_console"), {"light": colour}).content.decode()


def _in_thread(target: Callable[[], Any], results: list[Any]) -> threading.Thread:
    def run() -> None:
        try:
            results.append(target())
        except BaseException as exc:  # surfaced in the test thread
            results.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _terminate_slowly(lot: Lot, regulator: User, marked: threading.Event) -> Callable[[], None]:
    """The termination, its transaction held open a moment after the lot's row is marked."""

    def run() -> None:
        with transaction.atomic():
            intervention_terminate_order(lot=lot, reason="责令终止", actor=regulator)
            marked.set()
            time.sleep(1.0)

    return run


@pytest.mark.parametrize("row", ["missing", "expired"])
def test_a_colour_computed_during_a_change_does_not_land(clock: ControlledClock, row: str) -> None:
    world = make_world(business_type="engineering")
    lot = first_lot(make_tender(world, name="竞态中的标段"))
    assert "竞态中的标段" in _shown(world.regulator, "green")
    if row == "missing":
        LotLight.objects.filter(lot=lot).delete()
    else:
        LotLight.objects.filter(lot=lot).update(valid_until=clock())

    marked = threading.Event()
    changes: list[Any] = []
    reads: list[Any] = []
    change = _in_thread(_terminate_slowly(lot, world.regulator, marked), changes)
    assert marked.wait(30)
    # Reads the lot as it was (green), and its write waits on the uncommitted mark.
    read = _in_thread(lambda: _shown(world.regulator, "green"), reads)
    change.join(30)
    read.join(30)
    assert changes == [None] and len(reads) == 1 and isinstance(reads[0], str), (changes, reads)

    assert LotLight.objects.get(lot=lot).valid_until is None, "the older colour did not land"
    assert "竞态中的标段" not in _shown(world.regulator, "green")
    assert "竞态中的标段" in _shown(world.regulator, "done")
