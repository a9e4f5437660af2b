"""`manage.py lights_refresh`: store every lot's colour now (after a deployment, a rule change or
a calendar entry), so that no regulator's first colour filter computes them all."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from trading.clock import get_clock
from trading.models import Lot
from trading.selectors.jurisdiction import LIGHT_PREFETCH
from trading.selectors.lights import lot_lights_refresh


class Command(BaseCommand):
    help = "Recompute the stored light colour of every lot whose colour is missing or stale."

    def handle(self, *args: Any, **options: Any) -> None:
        lots = Lot.objects.select_related(
            "tender__project__region", "tender__project__business_type", "tender__procedure"
        ).prefetch_related(*LIGHT_PREFETCH)
        count = lot_lights_refresh(lots, get_clock()())
        self.stdout.write(_("已更新 %(n)s 个标段的灯色。") % {"n": count})
