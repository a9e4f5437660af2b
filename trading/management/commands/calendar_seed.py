"""`manage.py calendar_seed [--from YEAR] [--to YEAR]`: seed the holiday table for those years."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from trading.services.rules import calendar_seed


class Command(BaseCommand):
    help = (
        "Seed statutory holidays and make-up workdays: the official schedule from "
        "chinese_calendar where it is known, computed holidays marked provisional after that. "
        "Existing rows are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", type=int, default=2024)
        parser.add_argument("--to", dest="last", type=int, default=2028)

    def handle(self, *args: Any, **options: Any) -> None:
        first, last = options["first"], options["last"]
        if last < first:
            raise CommandError(_("结束年份不能早于开始年份。"))
        count = calendar_seed(range(first, last + 1))
        self.stdout.write(
            _("%(first)s–%(last)s 年共有 %(count)s 个节假日和调休工作日。")
            % {"first": first, "last": last, "count": count}
        )
