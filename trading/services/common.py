"""Small helpers every trading writer shares: one clock reading, money, dates, notify, ledger.

Each service reads the clock once, after its locks, and stamps everything it writes with that
moment (`fixed_clock`); its ledger entries go last, under the scope head (DESIGN.md invariant 6).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from trading.clock import Clock
from trading.domain.amounts import format_amount
from trading.domain.timeline import beyond_horizon, format_moment, legal_day
from trading.models import Lot, Tender, User
from trading.models.tenders import MAX_AMOUNT
from trading.selectors.calendar import calendar_last_year, calendar_not_entered_error
from trading.services.ledger import ledger_append_tender
from trading.services.notifications import notification_send
from trading.translatable import Message, Text


def record_text(msgid: str, /, **params: str) -> str:
    """Text stored on a record (a document's title, a reason on the lot) is written in the
    platform's language, whatever language the person acting reads the platform in."""
    return Message(msgid, **params).render_in(settings.LANGUAGE_CODE)


def fixed_clock(now: datetime) -> Clock:
    """Everything one transaction writes carries the one moment read after its locks."""
    return lambda: now


def money(value: Any, field: str) -> Decimal:
    """Yuan as a Decimal with at most two decimals, 0 to MAX_AMOUNT (DESIGN.md invariant 8)."""
    if isinstance(value, (float, bool)):
        raise ValidationError({field: _("金额须以精确的小数表示（不接受浮点数）。")}, code="money")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("金额格式不正确。")}, code="money") from None
    if not amount.is_finite():
        raise ValidationError({field: _("金额格式不正确。")}, code="money")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("金额最多保留两位小数（元、角、分）。")}, code="money")
    if amount < 0:
        raise ValidationError({field: _("金额不能为负数。")}, code="money")
    if amount > MAX_AMOUNT:
        raise ValidationError(
            {field: _("金额不能超过 %(max)s 元。") % {"max": format_amount(MAX_AMOUNT)}},
            code="money",
        )
    return amount.quantize(Decimal("0.01"))


def aware(value: datetime | None, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValidationError({field: _("请填写带时区的日期时间。")}, code="datetime")
    return value


def not_in_past(value: datetime | None, field: str, now: datetime) -> None:
    if value is not None and value < now:
        raise ValidationError({field: _("时间不能早于当前时间。")}, code="past")


def within_horizon(value: datetime | None, field: str, now: datetime) -> None:
    """Nothing is scheduled further ahead than SCHEDULE_HORIZON_DAYS (a mistyped year), nor into
    a year whose holiday schedule the table does not hold (民法典 第203条 cannot be applied)."""
    days = int(settings.SCHEDULE_HORIZON_DAYS)
    if value is not None and beyond_horizon(value, now=now, days=days):
        raise ValidationError(
            {
                field: _("时间不能晚于 %(limit)s（距今超过 %(days)s 日，请检查年份）。")
                % {"limit": format_moment(now + timedelta(days=days)), "days": days}
            },
            code="horizon",
        )
    if value is not None:
        last_year = calendar_last_year()
        year = legal_day(value).year
        if last_year is not None and year > last_year:
            raise calendar_not_entered_error(year, field)


def notify(
    recipients: Iterable[User | None], *, kind: str, title: Text, body: Text = "", now: datetime
) -> None:
    """Tell `recipients` in their own language: Messages, or text a person wrote."""
    people = [user for user in recipients if user is not None]
    if people:
        notification_send(
            recipients=people, kind=kind, title=title, body=body, clock=fixed_clock(now)
        )


def ledger(
    tender: Tender,
    *,
    action: str,
    actor: User | None,
    obj: Tender | Lot | Any,
    payload: dict[str, Any] | None = None,
    now: datetime,
) -> None:
    """One entry of the tender's chain about the tender itself, one of its lots or another row."""
    obj_type = "tender" if isinstance(obj, Tender) else "lot" if isinstance(obj, Lot) else "other"
    ledger_append_tender(
        tender_id=tender.pk,
        action=action,
        actor=actor,
        obj_type=obj_type,
        obj_id=str(obj.pk),
        payload=payload,
        now=now,
    )


def lot_tender(lot: Lot) -> Tender:
    """The lot's tender as the lot's services read it: without locking it (lock order)."""
    return Tender.objects.select_related(
        "procedure", "project__region", "project__business_type", "desk"
    ).get(pk=lot.tender_id)
