"""The dependency direction of DESIGN.md §3 holds for models and migrations, not only imports.

config → {notices, supervision} → bidding → trading; import-linter checks the imports, this checks
what import-linter cannot see: foreign keys and migration dependencies.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db.migrations.loader import MigrationLoader

LAYER = {"trading": 0, "bidding": 1, "notices": 2, "supervision": 2}
OURS = set(LAYER)


def _relations() -> list[tuple[str, str, str]]:
    found = []
    for model in apps.get_models():
        source = model._meta.app_label
        if source not in OURS:
            continue
        for field in model._meta.get_fields():
            related = getattr(field, "related_model", None)
            if related is None or (not field.concrete and not field.many_to_many):
                continue
            target = related._meta.app_label
            if target in OURS:
                found.append((f"{source}.{model.__name__}.{field.name}", source, target))
    return found


def test_the_layers_have_models_to_check() -> None:
    assert any(source == "trading" for _, source, _ in _relations())


@pytest.mark.parametrize(("where", "source", "target"), _relations())
def test_model_relations_point_down_the_layers(where: str, source: str, target: str) -> None:
    assert LAYER[target] <= LAYER[source], f"{where} points up from {source} to {target}"
    if LAYER[target] == LAYER[source]:
        assert target == source, f"{where}: sibling apps {source} and {target} must not relate"


@pytest.mark.django_db
def test_migration_dependencies_point_down_the_layers() -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    checked = 0
    for (app_label, name), migration in loader.disk_migrations.items():
        if app_label not in OURS:
            continue
        for dep_app, _dep_name in migration.dependencies:
            if dep_app in OURS:
                checked += 1
                assert LAYER[dep_app] < LAYER[app_label] or dep_app == app_label, (
                    f"{app_label}.{name} depends on {dep_app}"
                )
    assert checked >= 1


def test_frontend_has_no_models() -> None:
    assert list(apps.get_app_config("frontend").get_models()) == []
