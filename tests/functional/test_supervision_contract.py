"""管办分离 in the import contract: every trading service but the intervention and complaint
services is forbidden to the supervision app, a new one included until it is judged."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The only trading writers a regulator may call (issue 10, "What must be impossible").
ALLOWED = {"interventions", "complaints"}


def test_every_trading_service_but_interventions_and_complaints_is_forbidden_to_supervision() -> (
    None
):
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in contracts if c["name"].startswith("supervision writes to trading")]
    assert contract["source_modules"] == ["supervision"]
    services = {
        path.stem if path.is_file() else path.name
        for path in (ROOT / "trading" / "services").iterdir()
        if path.name != "__init__.py"
        and not path.name.startswith(("_", "."))
        and (path.suffix == ".py" or (path / "__init__.py").exists())
    }
    forbidden = {name.removeprefix("trading.services.") for name in contract["forbidden_modules"]}
    assert services - ALLOWED - forbidden == set()
    assert forbidden & ALLOWED == set()
