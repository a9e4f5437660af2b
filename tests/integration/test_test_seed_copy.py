"""The tests' fast reference seed leaves the database exactly as the services' seed does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.db import models

from tests.conftest import ControlledClock
from tests.tenders import (
    SEEDED_MODELS,
    _seeded_rows,
    seed_reference_and_rules,
    seed_reference_data,
)


def _row(row: models.Model) -> tuple[Any, ...]:
    """A row's values, the rows it names in place of their keys."""
    values = []
    for field in row._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.many_to_one:
            target = getattr(row, field.name)
            values.append(None if target is None else _row(target))
        else:
            values.append(getattr(row, field.attname))
    return tuple(values)


def _database() -> dict[str, Any]:
    every_table = {m._meta.label: m._default_manager.count() for m in apps.get_models()}
    seeded = {
        m._meta.label: sorted(repr(_row(row)) for row in m._default_manager.all())
        for m in SEEDED_MODELS
    }
    return {"counts": every_table, "seeded": seeded}


# The sqlite stage copies the seed too.
pytestmark = pytest.mark.sqlite


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [seed_reference_and_rules, seed_reference_data])
def test_the_copied_seed_is_the_seed(clock: ControlledClock, seed: Callable[[], None]) -> None:
    _seeded_rows.clear()
    seed()
    by_services = _database()
    assert _seeded_rows, "an empty database's seed is kept for copying"
    for model in reversed(SEEDED_MODELS):
        # Children before their parents: an industry's parent is protected.
        parents = [f.attname for f in model._meta.concrete_fields if f.related_model is model]
        rows = model._default_manager
        while rows.exists():
            named = {pk for name in parents for pk in rows.values_list(name, flat=True)}
            rows.exclude(pk__in=named).delete()

    seed()

    assert _database() == by_services
    assert by_services["counts"]["trading.Desk"] == 72
