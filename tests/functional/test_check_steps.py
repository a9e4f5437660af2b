"""`make test` (config/bin/check) fails when a pytest step collects no tests.

config/bin/check runs in a copy of itself beside stub tools: ruff, mypy and lint-imports pass,
and a stub `python -m pytest` exits with the status given for its marker, so the steps' logic is
tested without running the suite.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NO_TESTS_COLLECTED = 5

PYTHON_STUB = """#!/usr/bin/env bash
# A stand-in for `python -m pytest -m MARKER …`: the status named for MARKER, else 0.
marker=
while [ $# -gt 0 ]; do
  if [ "$1" = -m ] && [ "${2:-}" != pytest ]; then marker=$2; fi
  shift
done
echo "stub pytest -m $marker" >>"$(dirname "$0")/../../calls.log"
case "$marker" in
  browser) exit "${STUB_BROWSER:-0}" ;;
  sqlite) exit "${STUB_SQLITE:-0}" ;;
  *) exit "${STUB_ALL:-0}" ;;
esac
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "config" / "bin").mkdir(parents=True)
    shutil.copy(ROOT / "config" / "bin" / "check", tmp_path / "config" / "bin" / "check")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for tool in ("ruff", "mypy", "lint-imports"):
        (bin_dir / tool).write_text("#!/usr/bin/env bash\nexit 0\n")
    (bin_dir / "python").write_text(PYTHON_STUB)
    for stub in bin_dir.iterdir():
        stub.chmod(0o755)
    return tmp_path


def check(tree: Path, *args: str, **statuses: int) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/tianping",
        **{f"STUB_{name.upper()}": str(status) for name, status in statuses.items()},
    }
    return subprocess.run(
        [str(tree / "config" / "bin" / "check"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_every_step_passing_passes(tree: Path) -> None:
    result = check(tree)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "make test: all steps passed" in result.stdout
    calls = (tree / "calls.log").read_text().splitlines()
    assert calls == [
        "stub pytest -m not browser",
        "stub pytest -m sqlite",
        "stub pytest -m browser",
    ]


@pytest.mark.parametrize("step", ["browser", "sqlite", "all"])
def test_a_pytest_step_that_collects_no_tests_fails(tree: Path, step: str) -> None:
    result = check(tree, **{step: NO_TESTS_COLLECTED})

    assert result.returncode == NO_TESTS_COLLECTED, result.stdout + result.stderr
    assert "no tests collected, and this step must run some" in result.stderr
    assert "all steps passed" not in result.stdout


def test_extra_arguments_may_leave_a_step_without_tests(tree: Path) -> None:
    result = check(tree, "-k", "search", browser=NO_TESTS_COLLECTED)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "the extra arguments chose none here" in result.stdout
