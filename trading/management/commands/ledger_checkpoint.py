"""`manage.py ledger_checkpoint`: sign the heads that changed now (beat does it every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from trading.services.ledger import ledger_checkpoint


class Command(BaseCommand):
    help = "Create a signed ledger checkpoint over the chain heads that changed since the last one."

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = ledger_checkpoint()
        if checkpoint is None:
            self.stdout.write(_("自上一检查点以来没有新的日志条目，未创建检查点。"))
            return
        self.stdout.write(
            _("检查点 %(seq)s：%(heads)s 个链头，根 %(root)s")
            % {"seq": checkpoint.seq, "heads": len(checkpoint.heads), "root": checkpoint.root}
        )
