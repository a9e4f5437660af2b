"""Production settings pass Django's deployment checks and refuse to start without their secrets."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A production environment as README.md documents it. `check --deploy` opens no connection,
# so the hosts need not exist.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "DATABASE_URL": "postgres://tianping:secret@db.tianping.invalid:5432/tianping",
    "REDIS_URL": "redis://redis.tianping.invalid:6379/0",
    "LEDGER_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    "BID_SEALING_SECRET": base64.b64encode(secrets.token_bytes(32)).decode(),
    "BANK_WEBHOOK_KEY": secrets.token_urlsafe(32),
    "ALLOWED_HOSTS": "ggzy.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://ggzy.example.gov.cn",
    "EMAIL_HOST": "smtp.example.gov.cn",
    "SITE_URL": "https://ggzy.example.gov.cn",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # Nothing from the test run's own environment leaks in: only what production would set.
    inherited = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**inherited, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_check_deploy_finds_no_issue_under_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "LEDGER_SIGNING_KEY",
        "BID_SEALING_SECRET",
        "BANK_WEBHOOK_KEY",
        "SITE_URL",
    ],
)
def test_production_refuses_to_start_without_a_required_setting_in_one_line(missing: str):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}

    result = run_manage("check", env=env)

    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert missing in lines[0]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "true"),
        ("DATABASE_URL", "sqlite:////tmp/tianping.sqlite3"),
        ("TIANPING_DEMO", "true"),
        # A URL-safe token is not base64: the first publication could not wrap its lot key.
        ("BID_SEALING_SECRET", "RgKyv-QbjfwlezT7iq_Pys5l-GHdpzs7Q9p9MG9xyQY"),
        ("BID_SEALING_SECRET", base64.b64encode(b"short").decode()),
        # Fixed values: pytest-xdist's workers must collect the same test ids.
        ("LEDGER_SIGNING_KEY", base64.b64encode(bytes(range(16))).decode()),
    ],
)
def test_production_refuses_the_embedded_defaults_in_one_line(name: str, value: str):
    result = run_manage("check", env={**PRODUCTION_ENV, name: value})

    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert name in lines[0]


def test_production_without_a_secret_key_generates_none(tmp_path: Path):
    """The embedded mode's generated key is for the embedded mode only."""
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "SECRET_KEY"}

    result = run_manage("check", env={**env, "TIANPING_VAR_DIR": str(tmp_path)})

    assert result.returncode == 2
    assert not (tmp_path / "keys").exists()
