"""`manage.py ledger_verify [--checkpoints FILE]`: recompute every chain; exit 1 if broken."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from trading.services.ledger import ledger_verify


class Command(BaseCommand):
    help = (
        "Recompute every ledger chain and check it against the signed checkpoints (and an external "
        "copy of them); print the first broken entry and exit 1, or exit 0 when all is intact."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoints",
            metavar="FILE",
            help="a JSON copy made earlier by ledger_export_checkpoints",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoints: list[dict[str, Any]] | None = None
        if options["checkpoints"]:
            checkpoints = _load(Path(options["checkpoints"]))
        try:
            report = ledger_verify(checkpoints=checkpoints)
        except (TypeError, ValueError) as exc:
            raise CommandError(
                _("检查点副本 %(file)s 格式不对：%(error)s")
                % {"file": options["checkpoints"], "error": exc},
                returncode=2,
            ) from exc
        if not report.ok:
            raise CommandError(report.message, returncode=1)
        self.stdout.write(report.message)


def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(
            _("无法读取检查点副本 %(file)s：%(error)s") % {"file": path, "error": exc.strerror},
            returncode=2,
        ) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(
            _("检查点副本 %(file)s 不是 JSON：%(error)s") % {"file": path, "error": exc},
            returncode=2,
        ) from exc
