"""The evaluation committee as the result notice names it."""

from __future__ import annotations

from collections.abc import Iterable

# 招标投标法 第37条 and 87号令 第47条: 五人以上单数; a procurement by 竞争性谈判 or 询价:
# 三人以上单数 (政府采购法 第38、40条). The platform refuses what no procedure allows.
MINIMUM_MEMBERS = 3


def committee_members(lines: Iterable[str]) -> list[str]:
    """The members' names, one per line or separated by 、，, in the order given, blanks dropped."""
    names: list[str] = []
    for line in lines:
        for part in line.replace("，", "、").replace(",", "、").split("、"):
            name = part.strip()
            if name:
                names.append(name)
    return names


def committee_is_lawful(names: list[str]) -> bool:
    """An odd number of different members, at least three (政府采购法 第38条; 招标投标法 第37条)."""
    return len(names) >= MINIMUM_MEMBERS and len(names) % 2 == 1 and len(set(names)) == len(names)
