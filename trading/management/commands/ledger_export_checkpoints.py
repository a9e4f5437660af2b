"""`manage.py ledger_export_checkpoints FILE`: write the published view of the checkpoints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from trading.services.ledger import ledger_checkpoints_published


class Command(BaseCommand):
    help = (
        "Write every checkpoint's published fields (roots and signatures, never the heads) as "
        "JSON, for `ledger_verify --checkpoints FILE` to compare against later."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        published = ledger_checkpoints_published()
        try:
            path.write_text(json.dumps(published, ensure_ascii=False, indent=1) + "\n", "utf-8")
        except OSError as exc:
            raise CommandError(
                _("无法写入 %(file)s：%(error)s") % {"file": path, "error": exc.strerror},
                returncode=2,
            ) from exc
        self.stdout.write(
            _("已导出 %(count)s 个检查点到 %(file)s。") % {"count": len(published), "file": path}
        )
