"""The seeded rule rows of DOMAIN.md, one module per family of instruments (DESIGN.md §7).

`trading.services.rules.timeline_rules_seed` creates the missing ones; administrators' edits win.
"""

from __future__ import annotations

from trading.domain.timeline import Rule
from trading.services.rule_rows.engineering import ENGINEERING
from trading.services.rule_rows.notices import NOTICES
from trading.services.rule_rows.procedures import PROCEDURE_RULES
from trading.services.rule_rows.procurement import PROCUREMENT
from trading.services.rule_rows.sales import LAND, LOCAL, MINING, OBJECTION_ANSWERS, PROPERTY

RULE_SEEDS: list[Rule] = [
    *ENGINEERING,
    *PROCUREMENT,
    *LAND,
    *MINING,
    *PROPERTY,
    *LOCAL,
    *OBJECTION_ANSWERS,
    *NOTICES,
    *PROCEDURE_RULES,
]

__all__ = ["RULE_SEEDS"]
