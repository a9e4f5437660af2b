"""The holiday table past the official data: the center's administrator enters a year from the
State Council's notice, and is reminded from 1 November until the next year is in (DESIGN.md §7).

Seeding (chinese-calendar, then computed provisional years) stays in `trading.services.rules`.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from trading.clock import Clock, get_clock
from trading.domain.employer import OrganisationKind
from trading.domain.holiday_calendar import (
    HolidaySchedule,
    NoticeParseError,
    document_number,
    parse_holiday_notice,
    reminder_due,
    years_awaiting_entry,
)
from trading.domain.timeline import local_date
from trading.lock_objects import lock_organisation, lock_user
from trading.models import CalendarDay, Notification, User
from trading.models.rules import DayKind
from trading.selectors.access import access_center_admin
from trading.selectors.calendar import calendar_official_years, calendar_years_open
from trading.selectors.lights import lot_lights_stale_all
from trading.services.common import fixed_clock
from trading.services.grants import PLATFORM_SCOPE
from trading.services.ledger import ledger_append
from trading.services.notifications import notification_send
from trading.translatable import Message

__all__ = ["calendar_notice_read", "calendar_reminders_send", "calendar_year_enter"]

SOURCE_PREFIX = "国务院办公厅通知"
REMINDER_KIND = "calendar.year_missing"
TEXT_MAX = 20_000


def _parse_messages() -> dict[str, str]:
    return {
        "no_items": _(
            "未识别出通知的条目（如“一、元旦：1月1日（周五）至3日（周日）放假调休，共3天。”）；"
            "请粘贴国务院办公厅通知的正文。"
        ),
        "no_holidays": _("通知中没有识别出%(year)s年的放假日期。"),
        "wrong_year": _("粘贴的是%(named)s年的通知，与所录入的%(year)s年不符。"),
        "weekday": _("“%(text)s”所注的星期与%(year)s年的日历不符，请检查年份或日期。"),
        "count": _("“%(text)s”写明共%(stated)s天，但识别出%(found)s天，请核对。"),
        "bad_date": _("“%(text)s”不是有效的日期。"),
        "no_month": _("“%(text)s”缺少月份。"),
        "bad_range": _("“%(text)s”的起止日期不正确。"),
        "both": _("%(day)s 既是放假日又是上班日，请核对。"),
        "far_year": _("%(day)s 不在%(year)s年前后，请核对。"),
    }


def _check_year_open(year: int, today: date) -> None:
    allowed = calendar_years_open(today)
    if year not in allowed:
        raise ValidationError(
            {
                "text": _("只能录入%(first)s年至%(last)s年的安排（不能跳过尚未录入的年份）。")
                % {"first": allowed[0], "last": allowed[-1]}
            },
            code="year",
        )


def calendar_notice_read(
    *, year: int, text: str, document: str = "", today: date
) -> HolidaySchedule:
    """The schedule a pasted notice gives for `year`, or a clear refusal; nothing is written."""
    _check_year_open(year, today)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请粘贴国务院办公厅通知的正文。")}, code="required")
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": _("通知正文过长。")}, code="too_long")
    try:
        schedule = parse_holiday_notice(text, year)
    except NoticeParseError as refused:
        params = {"year": year, **refused.params}
        raise ValidationError(
            {"text": _parse_messages()[refused.code] % params}, code=refused.code
        ) from None
    number = (document or "").strip() or schedule.document
    if document.strip() and document_number(document):
        number = document_number(document)
    if not number:
        raise ValidationError(
            {"document": _("请填写通知文号（如：国办发明电〔2025〕7号），或粘贴含文号的全文。")},
            code="document",
        )
    return HolidaySchedule(
        year=schedule.year,
        holidays=schedule.holidays,
        workdays=schedule.workdays,
        document=number[:40],
        outside=schedule.outside,
    )


def calendar_year_enter(
    *, year: int, text: str, document: str = "", actor: User, clock: Clock | None = None
) -> HolidaySchedule:
    """Enter a year's official schedule from the State Council's notice, replacing its rows
    (provisional or earlier) — 国务院办公厅关于部分节假日安排的通知."""
    access_center_admin(actor)
    clock = clock or get_clock()
    schedule = calendar_notice_read(
        year=year, text=text, document=document, today=local_date(clock())
    )
    with transaction.atomic():
        # Two administrators entering at once: the second waits and replaces the first's rows.
        lock_organisation(actor.organisation_id)  # type: ignore[arg-type]
        now = clock()
        _check_year_open(year, local_date(now))
        source = f"{SOURCE_PREFIX} {schedule.document}"[:60]
        replaced = CalendarDay.objects.filter(date__year=year)
        before = {
            "provisional": replaced.filter(provisional=True).count(),
            "official": replaced.filter(provisional=False).count(),
        }
        replaced.delete()
        CalendarDay.objects.bulk_create(
            [
                CalendarDay(date=day, kind=kind, name=name, provisional=False, source=source)
                for kind, days in (
                    (DayKind.HOLIDAY, schedule.holidays),
                    (DayKind.WORKDAY, schedule.workdays),
                )
                for day, name in days.items()
                if day.year == year
            ]
        )
        # 元旦 may begin on 31 December: that day is written into its own year, nothing removed.
        for day in schedule.outside:
            kind = DayKind.HOLIDAY if day in schedule.holidays else DayKind.WORKDAY
            name = schedule.holidays.get(day) or schedule.workdays.get(day, "")
            CalendarDay.objects.update_or_create(
                date=day,
                defaults={"kind": kind, "name": name, "provisional": False, "source": source},
            )
        ledger_append(
            scope_key=PLATFORM_SCOPE,
            scope_kind="platform",
            action="calendar.year_entered",
            actor=actor,
            obj_type="calendar_year",
            obj_id=str(year),
            payload={
                "year": year,
                "document": schedule.document,
                "holidays": sorted(d.isoformat() for d in schedule.holidays),
                "workdays": sorted(d.isoformat() for d in schedule.workdays),
                "replaced": before,
            },
            clock=fixed_clock(now),
        )
        # Every period is counted on this calendar: each lot's stored colour is recomputed.
        lot_lights_stale_all()
    return schedule


def _center_admins() -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            is_organisation_admin=True,
            organisation__kind=OrganisationKind.CENTER,
        ).order_by("pk")
    )


def calendar_reminders_send(*, clock: Clock | None = None) -> int:
    """From 1 November, remind the center's administrators to enter the next year's schedule
    until it is in; at most once a week each (the beat runs daily). Returns how many were sent."""
    clock = clock or get_clock()
    sent = 0
    for admin in _center_admins():
        with transaction.atomic():
            # Two beats at once: the second finds the first's reminder and sends nothing.
            lock_user(admin.pk)
            now = clock()
            missing = years_awaiting_entry(local_date(now), calendar_official_years())
            if not missing:
                return sent
            last = (
                Notification.objects.filter(recipient=admin, kind=REMINDER_KIND)
                .order_by("-created_at")
                .values_list("created_at", flat=True)
                .first()
            )
            if not reminder_due(last, now):
                continue
            years = "、".join(str(year) for year in missing)
            notification_send(
                recipients=[admin],
                kind=REMINDER_KIND,
                title=Message(gettext_noop("请录入%(years)s年的节假日安排"), years=years),
                body=Message(
                    gettext_noop(
                        "%(years)s年的节假日安排尚未录入：落在该年的期限按暂定安排计算，超出已录入年份的"
                        "时间将被拒绝。国务院办公厅的通知发布后，请粘贴其正文录入。"
                    ),
                    years=years,
                ),
                url=reverse("calendar_years"),
                clock=fixed_clock(now),
            )
            sent += 1
    return sent
