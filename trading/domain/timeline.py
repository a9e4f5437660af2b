"""Legal time limits and amount limits as data, and how periods are counted (DESIGN.md §7).

Pure: no Django, no clock. Rules are rows (`Rule`), seeded from DOMAIN.md by
`trading.services.rules` and loaded by `trading.selectors.rules`; a `Calendar` is the platform's
holiday table. Counting follows the civil code:

- the day on which a period starts is not counted (民法典 第201条);
- a period in days whose last day is a holiday or rest day ends on the next working day, and a
  period ends at 24:00 of its last day (民法典 第203条): a maximum is met up to then;
- a minimum between two moments is met when the later falls on the period's last day (a deadline
  at 09:30 of the twentieth day after the documents, as trading centers apply 法 第24条); 00:00
  of a day is 24:00 of the day before, so a deadline at 00:00 of that last day is too early;
- a period the platform opens itself (a publicity, an answer window) lasts until 24:00 of its
  last day (`period_until`): others act in it for the whole of that day;
- days change at midnight in Asia/Shanghai, whatever zone the datetimes come in;
- the bid opening takes place at the bid deadline (招标投标法 第34条): `bid_deadline` is also the
  opening time, so no rule counts from one to the other.

Messages are Chinese (the rules are Chinese law); the structured fields of `Violation` let a view
render them in another language.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from trading.domain.amounts import format_amount
from trading.domain.points import AMOUNT_LABELS, POINT_LABELS

SHANGHAI = ZoneInfo("Asia/Shanghai")


class RuleKind(enum.StrEnum):
    PERIOD = "period"
    AMOUNT_RATIO = "amount_ratio"
    # An absolute ceiling in 元 (the 80万元 deposit cap of 七部委30号令 第37条).
    AMOUNT_CAP = "amount_cap"


class Unit(enum.StrEnum):
    DAY = "day"
    WORKDAY = "workday"
    NONE = ""


UNIT_LABELS = {Unit.DAY: "日", Unit.WORKDAY: "个工作日", Unit.NONE: ""}


@dataclass(frozen=True)
class Rule:
    """A legal limit: a period between two schedule points, or an amount as a share of another."""

    key: str
    kind: str
    from_point: str
    to_point: str
    minimum: Decimal | None
    maximum: Decimal | None
    unit: str
    article: str
    description: str
    business_type: str | None = None
    procedure_codes: tuple[str, ...] = ()
    region: str | None = None
    effective_from: date = date(2000, 1, 1)
    effective_to: date | None = None
    local: bool = False
    # The from-point must come at least `minimum` before the to-point, a fixed deadline (an
    # objection ≥ 10 日 before it): counted back from the deadline, and not lengthened by
    # 第203条, which lengthens a period for the person acting in it, not against them.
    counted_back: bool = False

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)

    def applies_to(self, *, business_type: str, procedure: str) -> bool:
        if self.business_type is not None and self.business_type != business_type:
            return False
        return not self.procedure_codes or procedure in self.procedure_codes


@dataclass(frozen=True)
class Violation:
    """A schedule point or amount that breaks a rule, with the bound it must respect."""

    rule_key: str
    # The schedule field (or amount) the fix belongs to.
    point: str
    article: str
    description: str
    earliest: datetime | None
    latest: datetime | None
    message: str


@dataclass(frozen=True)
class Calendar:
    """The working-day calendar: Monday to Friday, minus holidays, plus make-up workdays (调休)."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    # Years whose holidays are computed, not yet the State Council's schedule (no 调休 known).
    provisional_years: frozenset[int] = frozenset()
    # The last year the holiday table holds: after it no day can be counted in law. None for a
    # calendar without a table (Monday to Friday everywhere).
    last_year: int | None = None

    def entered(self, day: date) -> bool:
        """Whether the table holds `day`'s year, so its working days are known."""
        return self.last_year is None or day.year <= self.last_year

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def is_provisional(self, day: date) -> bool:
        return day.year in self.provisional_years

    def next_working_day(self, day: date) -> date:
        """`day` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day` (`day` itself not counted, 民法典 第201条)."""
        if n < 0:
            raise ValueError(f"a period cannot be negative, got {n}")
        while n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def last_day(self, start: datetime, n: int, unit: str) -> date:
        """The last day of a period of `n` days or working days starting at `start`."""
        first = local_date(start)
        if Unit(unit) is Unit.WORKDAY:
            return self.add_working_days(first, n)
        if Unit(unit) is not Unit.DAY:
            raise ValueError(f"a period needs a unit of days or working days, got {unit!r}")
        if n < 0:
            raise ValueError(f"a period cannot be negative, got {n}")
        # 民法典 第203条: a last day that is a holiday or rest day moves to the next working day.
        return self.next_working_day(first + timedelta(days=n))

    def add_days(self, start: datetime, n: int, unit: str) -> datetime:
        """The end of the period: 24:00 Asia/Shanghai of its last day (民法典 第201、203条)."""
        return end_of_day(self.last_day(start, n, unit))


def local_date(moment: datetime) -> date:
    """The calendar day of `moment` in Asia/Shanghai (naive datetimes are refused)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"an aware datetime is required, got {moment!r}")
    return moment.astimezone(SHANGHAI).date()


def end_of_day(day: date) -> datetime:
    """24:00 of `day` in Asia/Shanghai, i.e. midnight starting the next day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=SHANGHAI)


def start_of_day(day: date) -> datetime:
    """00:00 of `day` in Asia/Shanghai."""
    return datetime.combine(day, time(0), tzinfo=SHANGHAI)


def format_moment(moment: datetime) -> str:
    """Shanghai wall time, a midnight written as 24:00 of the day before (as periods end)."""
    local = moment.astimezone(SHANGHAI)
    if local.time() == time(0):
        return f"{(local.date() - timedelta(days=1)).isoformat()} 24:00"
    return local.strftime("%Y-%m-%d %H:%M")


def _count(value: Decimal, rule: Rule) -> int:
    if value != value.to_integral_value() or value < 0:
        raise ValueError(f"rule {rule.key}: a period must be a whole number ≥ 0, got {value}")
    return int(value)


def earliest(start: datetime, rule: Rule, calendar: Calendar) -> datetime:
    """The start of the day on which the rule's to-point may first fall: 00:00 of the last day.

    A minimum period between two moments is met when the later one falls on the last day of the
    period counted from the earlier (民法典 第201、203条): documents issued on 1 December allow a
    deadline at 09:30 on 21 December (招标投标法 第24条), as trading centers apply it. The moment
    returned itself is 24:00 of the day before: a deadline must come after it, never at it.
    """
    if rule.minimum is None:
        return start
    return start_of_day(calendar.last_day(start, _count(rule.minimum, rule), rule.unit))


def period_until(start: datetime, rule: Rule, calendar: Calendar) -> datetime:
    """The end of a minimum period the platform opens at `start`: 24:00 of its last day.

    A publicity, a result notice or an answer window lasts through its last day, moved to the
    next working day when that is a rest day (民法典 第201、203条): a 3 日 publicity opened on a
    Monday at 10:00 ends at 24:00 on Thursday, not at its first minute.
    """
    if rule.minimum is None:
        raise ValueError(f"rule {rule.key} sets no minimum")
    return calendar.add_days(start, _count(rule.minimum, rule), rule.unit)


def latest(start: datetime, rule: Rule, calendar: Calendar) -> datetime:
    """The latest lawful time for the rule's to-point when its from-point is `start`."""
    if rule.maximum is None:
        raise ValueError(f"rule {rule.key} sets no maximum")
    return calendar.add_days(start, _count(rule.maximum, rule), rule.unit)


def legal_day(moment: datetime) -> date:
    """The day a moment belongs to in law: 00:00 is 24:00 of the day before (民法典 第201条)."""
    local = moment.astimezone(SHANGHAI)
    if local.time() == time(0):
        return local.date() - timedelta(days=1)
    return local.date()


def latest_start_day(end: datetime, rule: Rule, calendar: Calendar) -> date:
    """The last day on which the from-point may fall so that `end` still respects the minimum.

    E.g. the last day for an amendment that leaves 15 days before the deadline (实施条例 第21条)
    or for an objection to the documents (第22条, counted back: no 第203条 shift).
    """
    if rule.minimum is None:
        return local_date(end)
    if rule.counted_back:
        return _counted_back(end, rule, calendar)
    day = local_date(end)
    probe = datetime.combine(day, time(12), tzinfo=SHANGHAI)
    # Periods are monotone in their start, so step back until the period fits.
    while earliest(probe, rule, calendar) > end:
        probe -= timedelta(days=1)
    return probe.date()


def rule_between(rules: Iterable[Rule], from_point: str, to_point: str) -> list[Rule]:
    """The period rules counted from `from_point` to `to_point`."""
    return [
        rule
        for rule in rules
        if rule.kind == RuleKind.PERIOD
        and rule.from_point == from_point
        and rule.to_point == to_point
    ]


def scaled_points(points: Mapping[str, datetime], scale: int) -> dict[str, datetime]:
    """A training schedule (one day in 1/scale of a day) stretched back to legal time.

    The first point is the anchor; the rules are then checked as if the schedule were real.
    """
    if scale == 1 or not points:
        return dict(points)
    anchor = min(points.values())
    return {name: anchor + (moment - anchor) * scale for name, moment in points.items()}


def earliest_after(
    start: datetime, rules: Iterable[Rule], calendar: Calendar, *, scale: int = 1
) -> datetime | None:
    """The earliest end lawful under every minimum in `rules`, shrunk by a training scale."""
    bounds = [earliest(start, rule, calendar) for rule in rules if rule.minimum is not None]
    if not bounds:
        return None
    return start + (max(bounds) - start) / scale


def until_after(
    start: datetime, rules: Iterable[Rule], calendar: Calendar, *, scale: int = 1
) -> datetime | None:
    """When a period opened at `start` ends: 24:00 of the last day every minimum needs."""
    bounds = [period_until(start, rule, calendar) for rule in rules if rule.minimum is not None]
    if not bounds:
        return None
    return start + (max(bounds) - start) / scale


def latest_after(
    start: datetime, rules: Iterable[Rule], calendar: Calendar, *, scale: int = 1
) -> datetime | None:
    """The latest end lawful under every maximum in `rules`, shrunk by a training scale."""
    bounds = [latest(start, rule, calendar) for rule in rules if rule.maximum is not None]
    if not bounds:
        return None
    return start + (min(bounds) - start) / scale


def rules_in_force(
    rules: Iterable[Rule], *, business_type: str, procedure: str, region: str, on: date
) -> list[Rule]:
    """The rules governing a tender: each key's version in force on `on`, a region row first."""
    chosen: dict[str, Rule] = {}
    for rule in rules:
        if not rule.in_force_on(on) or not rule.applies_to(
            business_type=business_type, procedure=procedure
        ):
            continue
        if rule.region is not None and rule.region != region:
            continue
        current = chosen.get(rule.key)
        if current is None or _precedence(rule) > _precedence(current):
            chosen[rule.key] = rule
    return sorted(chosen.values(), key=lambda r: r.key)


def _precedence(rule: Rule) -> tuple[bool, bool, date]:
    # A region override beats the national row, a business type's row the row for every type
    # (a notice's publication limit); among versions, the most recent one in force.
    return (rule.region is not None, rule.business_type is not None, rule.effective_from)


def _bound_text(rule: Rule, value: Decimal | None, word: str) -> str:
    return f"{word}{value}{UNIT_LABELS[Unit(rule.unit)]}"


def _explain(rule: Rule) -> str:
    return f"{rule.article}：{rule.description}" if rule.description else rule.article


def _counted_back(end: datetime, rule: Rule, calendar: Calendar) -> date:
    """The last day `minimum` days (or working days) before the deadline's day."""
    n = _count(rule.minimum or Decimal(0), rule)
    day = legal_day(end)
    if Unit(rule.unit) is Unit.WORKDAY:
        while n:
            day -= timedelta(days=1)
            if calendar.is_working_day(day):
                n -= 1
        return day
    return day - timedelta(days=n)


# A schedule point in a year whose holiday schedule the table does not hold.
CALENDAR_NOT_ENTERED = "calendar_not_entered"


def calendar_not_entered_message(year: int) -> str:
    return f"{year}年的节假日安排尚未录入，无法计算法定期限；请联系交易中心管理员"


def check_schedule(
    points: Mapping[str, datetime], rules: Iterable[Rule], calendar: Calendar
) -> list[Violation]:
    """Every period rule whose two points are both scheduled, checked; the violations found.

    A point in a year after the holiday table is refused first: no period ending or starting
    there can be counted (民法典 第203条 needs the year's rest days), so its rules are skipped.
    """
    found: list[Violation] = []
    unknown = {
        name: legal_day(moment).year
        for name, moment in points.items()
        if not calendar.entered(legal_day(moment))
    }
    for name, year in unknown.items():
        found.append(
            Violation(
                rule_key=CALENDAR_NOT_ENTERED,
                point=name,
                article="",
                description="节假日安排尚未录入",
                earliest=None,
                latest=None,
                message=calendar_not_entered_message(year),
            )
        )
    for rule in rules:
        if rule.kind != RuleKind.PERIOD:
            continue
        if rule.from_point in unknown or rule.to_point in unknown:
            continue
        start, end = points.get(rule.from_point), points.get(rule.to_point)
        if start is None or end is None:
            continue
        label = POINT_LABELS.get(rule.to_point, rule.to_point)
        if rule.minimum is not None and rule.counted_back:
            last = _counted_back(end, rule, calendar)
            if local_date(start) > last:
                found.append(
                    Violation(
                        rule_key=rule.key,
                        point=rule.from_point,
                        article=rule.article,
                        description=rule.description,
                        earliest=None,
                        latest=end_of_day(last),
                        message=(
                            f"{POINT_LABELS.get(rule.from_point, rule.from_point)}不得晚于 "
                            f"{last}（{_explain(rule)}）"
                        ),
                    )
                )
        elif rule.minimum is not None:
            bound = earliest(start, rule, calendar)
            # 00:00 of the last day is 24:00 of the day before it: too early as well.
            if end <= bound:
                found.append(
                    Violation(
                        rule_key=rule.key,
                        point=rule.to_point,
                        article=rule.article,
                        description=rule.description,
                        earliest=bound,
                        latest=None,
                        message=f"{label}不得早于 {local_date(bound)}（{_explain(rule)}）",
                    )
                )
        if rule.maximum is not None:
            bound = latest(start, rule, calendar)
            if end > bound:
                found.append(
                    Violation(
                        rule_key=rule.key,
                        point=rule.to_point,
                        article=rule.article,
                        description=rule.description,
                        earliest=None,
                        latest=bound,
                        message=f"{label}不得晚于 {format_moment(bound)}（{_explain(rule)}）",
                    )
                )
    return found


def check_amounts(amounts: Mapping[str, Decimal], rules: Iterable[Rule]) -> list[Violation]:
    """Every amount rule whose amounts are given: a share of another amount (deposit ≤ 2% of the
    estimate, 实施条例 第26条) or a ceiling in 元 (≤ 80万元, 七部委30号令 第37条)."""
    found: list[Violation] = []
    for rule in rules:
        if rule.kind == RuleKind.AMOUNT_CAP:
            found.extend(_check_cap(amounts, rule))
        if rule.kind != RuleKind.AMOUNT_RATIO:
            continue
        base, value = amounts.get(rule.from_point), amounts.get(rule.to_point)
        if base is None or value is None:
            continue
        label = AMOUNT_LABELS.get(rule.to_point, rule.to_point)
        base_label = AMOUNT_LABELS.get(rule.from_point, rule.from_point)
        for bound, too_far, word in (
            (rule.maximum, lambda v, cap: v > cap, "不得超过"),
            (rule.minimum, lambda v, cap: v < cap, "不得低于"),
        ):
            if bound is None:
                continue
            cap = (base * bound).quantize(Decimal("0.01"))
            if too_far(value, cap):
                found.append(
                    Violation(
                        rule_key=rule.key,
                        point=rule.to_point,
                        article=rule.article,
                        description=rule.description,
                        earliest=None,
                        latest=None,
                        message=(
                            f"{label}{word}{base_label}的{_percent(bound)}"
                            f"（{format_amount(cap)} 元）（{_explain(rule)}）"
                        ),
                    )
                )
    return found


def _check_cap(amounts: Mapping[str, Decimal], rule: Rule) -> list[Violation]:
    value = amounts.get(rule.to_point)
    if value is None:
        return []
    label = AMOUNT_LABELS.get(rule.to_point, rule.to_point)
    found = []
    for bound, too_far, word in (
        (rule.maximum, lambda v, cap: v > cap, "不得超过"),
        (rule.minimum, lambda v, cap: v < cap, "不得低于"),
    ):
        if bound is not None and too_far(value, bound):
            found.append(
                Violation(
                    rule_key=rule.key,
                    point=rule.to_point,
                    article=rule.article,
                    description=rule.description,
                    earliest=None,
                    latest=None,
                    message=f"{label}{word} {_yuan(bound)} 元（{_explain(rule)}）",
                )
            )
    return found


def _yuan(amount: Decimal) -> str:
    return format_amount(amount)


def format_bound(rule: Rule, value: Decimal | None) -> str:
    """A bound as the public reads it: 20日, 5个工作日, 2%, 800,000.00 元; empty without one."""
    if value is None:
        return ""
    if rule.kind == RuleKind.AMOUNT_RATIO:
        return _percent(value)
    if rule.kind == RuleKind.AMOUNT_CAP:
        return f"{_yuan(value)} 元"
    return f"{value.normalize():f}{UNIT_LABELS[Unit(rule.unit)]}"


def _percent(ratio: Decimal) -> str:
    return f"{(ratio * 100).normalize():f}%"


class Light(enum.StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    DONE = "done"


def light(*, due: datetime, now: datetime, done_at: datetime | None, warn: timedelta) -> Light:
    """The light of a statutory date: done on time, pending, due soon, or overdue / done late."""
    if done_at is not None:
        return Light.DONE if done_at <= due else Light.RED
    if now > due:
        return Light.RED
    if due - now <= warn:
        return Light.YELLOW
    return Light.GREEN


def beyond_horizon(moment: datetime, *, now: datetime, days: int) -> bool:
    """Whether `moment` lies more than `days` days after `now`: further ahead than any transaction
    plausibly needs (a mistyped year), whatever the legal periods would allow."""
    if moment.utcoffset() is None or now.utcoffset() is None:
        raise ValueError(f"aware datetimes are required, got {moment!r} and {now!r}")
    # Compared by parts, so no `days` overflows a timedelta and no moment overflows a datetime.
    ahead = moment - now
    return ahead.days > days or (ahead.days == days and bool(ahead.seconds or ahead.microseconds))
