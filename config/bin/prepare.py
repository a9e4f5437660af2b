"""Prepare the embedded database before `config/bin/run` starts the servers.

    .venv/bin/python config/bin/prepare.py LOG_FILE

In one process, since each `manage.py` start costs most of a second: `preflight` (one line naming
the setting and exit 2 if the database or Redis is unusable), `migrate`, `collectstatic` (WhiteNoise
serves STATIC_ROOT inside daphne), then in demo mode (TIANPING_DEMO, which `make run` sets)
`demo_seed` and `demo_notices`, whose output goes to LOG_FILE.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(log_file: Path) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"tianping: configuration error: {exc}\n")
        return 2
    from django.conf import settings
    from django.core.management import call_command, get_commands

    call_command("preflight", verbosity=0)  # raises SystemExit(2) after its one line
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if settings.DEMO and "demo_seed" in get_commands():
        with log_file.open("w", encoding="utf-8") as log:
            call_command("demo_seed", stdout=log, stderr=log)
            if "demo_notices" in get_commands():
                call_command("demo_notices", stdout=log, stderr=log)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
