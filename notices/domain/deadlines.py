"""How soon each notice must be published after the fact that calls for it (DOMAIN.md).

A limit counts from the fact (the tender's publication, the evaluation report, the award …) in days
or working days, like the rule table of `trading.domain.timeline`; 0 days means the same day (until
24:00 Asia/Shanghai). Where the law sets no period, the platform's own rule says so in the article.
Candidates for rows of the rule table once it can name notices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

DAY: Final = "day"
WORKDAY: Final = "workday"
LOCAL: Final = "本平台规则（法律未规定期限）"


@dataclass(frozen=True)
class PublicationLimit:
    days: int
    unit: str
    article: str

    def describe(self) -> str:
        """The rule in words, its article first: 招标投标法 第16条，当日发布."""
        if self.days == 0 and self.unit == DAY:
            period = "当日发布"
        else:
            period = f"{self.days}{'日' if self.unit == DAY else '个工作日'}内发布"
        return f"{self.article}，{period}"


_DEFAULT: Final[dict[str, PublicationLimit]] = {
    "announcement": PublicationLimit(0, DAY, "招标投标法 第16条"),
    "amendment": PublicationLimit(0, DAY, "招标投标法实施条例 第21条"),
    "clarification": PublicationLimit(0, DAY, "招标投标法实施条例 第21条"),
    "candidates": PublicationLimit(3, DAY, "招标投标法实施条例 第54条"),
    "result": PublicationLimit(2, WORKDAY, LOCAL),
    "deal": PublicationLimit(2, WORKDAY, LOCAL),
    "failure": PublicationLimit(1, WORKDAY, LOCAL),
    "termination": PublicationLimit(1, WORKDAY, "招标投标法实施条例 第31条"),
    "award_letter": PublicationLimit(0, DAY, "招标投标法 第45条"),
    "deal_confirmation": PublicationLimit(0, DAY, "国土资源部令第39号"),
}

_BY_BUSINESS_TYPE: Final[dict[tuple[str, str], PublicationLimit]] = {
    ("announcement", "land"): PublicationLimit(0, DAY, "国土资源部令第39号"),
    ("result", "procurement"): PublicationLimit(2, WORKDAY, "政府采购法实施条例 第43条"),
    ("result", "land"): PublicationLimit(10, WORKDAY, "国土资源部令第39号"),
    ("deal", "land"): PublicationLimit(10, WORKDAY, "国土资源部令第39号"),
}


def publication_limit(kind: str, business_type: str) -> PublicationLimit | None:
    """The limit for publishing a notice of `kind` in `business_type`, None for an unknown kind."""
    return _BY_BUSINESS_TYPE.get((kind, business_type)) or _DEFAULT.get(kind)
