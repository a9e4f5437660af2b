"""The regulators' console: every lot of their jurisdiction with its lights, and each tender's
ledger and chain verification. Read-only: regulators act only through interventions and
complaints (管办分离)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from bidding.selectors.collusion import lot_ids_with_collusion_signals
from supervision.forms import SupervisionFilterForm
from trading.domain.lifecycle import TenderStatus
from trading.models import Jurisdiction, Lot
from trading.models.tenders import LotStatusChoices
from trading.selectors.access import access_supervisor, access_tender_for_supervision
from trading.selectors.jurisdiction import (
    LIGHT_PREFETCH,
    checkpoint_latest,
    lot_batches,
    lot_lights,
    lot_list_for_regulator,
    lot_worst_light,
    tender_chains_verify,
    tender_ledger_for_supervision,
)
from trading.selectors.lights import lot_list_by_light
from trading.selectors.rules import rules_snapshot
from trading.selectors.timeline import TimelineItem
from trading.templatetags.vocabulary import STATUS_WORDS, lot_status_word, translated_terms
from trading.views.common import LIST_PAGE_SIZE, acting_user, now
from trading.views.ledger_words import ledger_fields
from trading.views.lots import ledger_action_label

LIGHT_WORDS = {
    "red": gettext_lazy("已逾期"),
    "yellow": gettext_lazy("即将到期"),
    "green": gettext_lazy("未到期"),
    "done": gettext_lazy("已完成"),
}


class Row:
    """One lot of the console: the lot, its lights, its most urgent colour and its status."""

    def __init__(self, lot: Lot, lights: list[TimelineItem]) -> None:
        self.lot = lot
        self.lights = lights
        self.worst = lot_worst_light(lights)
        pending = lot.tender.status == TenderStatus.PENDING_REVIEW
        self.status = _("待审核") if pending else lot_status_word(lot)
        # 围标串标预警 on the lot page (实施条例 第40条); set for the page's rows only.
        self.collusion = False


def _rows(lots: Iterable[Lot], moment: datetime) -> Iterator[Row]:
    with rules_snapshot():
        for batch in lot_batches(lots):
            for lot in batch:
                yield Row(lot, lot_lights(lot, moment))


def _filtered(
    request: HttpRequest, jurisdictions: list[Jurisdiction]
) -> tuple[SupervisionFilterForm, dict[str, Any], Any]:
    user = acting_user(request)
    form = SupervisionFilterForm(request.GET or None, jurisdictions=jurisdictions)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    lots = lot_list_for_regulator(user, data, jurisdictions=jurisdictions).prefetch_related(
        *LIGHT_PREFETCH
    )
    return form, data, lots


@require_GET
@login_required
def console(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    jurisdictions = list(access_supervisor(user))
    form, data, lots = _filtered(request, jurisdictions)
    moment = now()
    colour = str(data.get("light") or "")
    page: Page[Any]
    # One read of the rules for the stale colours and the page's lights alike.
    with rules_snapshot():
        if colour:
            # The stored colours, the stale ones recomputed first (trading.selectors.lights).
            lots = lot_list_by_light(lots, colour, moment)
        page = Paginator(lots, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
        rows = list(_rows(cast("Iterable[Lot]", page.object_list), moment))
    flagged = lot_ids_with_collusion_signals([row.lot for row in rows])
    for row in rows:
        row.collusion = row.lot.pk in flagged
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "supervision/console.html",
        {
            "organisation": user.organisation,
            "jurisdictions": jurisdictions,
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "now": moment,
        },
    )


def _wall(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _light_text(item: TimelineItem) -> str:
    due = _wall(item.due) or "—"
    return f"{item.label}：{due}（{LIGHT_WORDS.get(str(item.light), '')}）"


@require_GET
@login_required
def console_export(request: HttpRequest) -> HttpResponse:
    """Exactly what the console's filter shows, every page, as CSV (UTF-8 with a BOM so that
    Excel reads the Chinese)."""
    jurisdictions = list(access_supervisor(acting_user(request)))
    _form, data, lots = _filtered(request, jurisdictions)
    moment = now()
    colour = str(data.get("light") or "")
    rows = _rows(lot_list_by_light(lots, colour, moment) if colour else lots, moment)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="supervision.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _("招标项目编号"),
            _("招标项目名称"),
            _("标段编号"),
            _("标段名称"),
            _("市县"),
            _("业务类型"),
            _("交易方式"),
            _("状态"),
            _("投标截止（开标）"),
            _("灯色"),
            _("法定时间节点"),
        ]
    )
    for row in rows:
        lot, tender = row.lot, row.lot.tender
        writer.writerow(
            [
                tender.code,
                tender.name,
                lot.code,
                lot.name,
                tender.project.region.display_name,
                tender.project.business_type.display_name,
                tender.procedure.display_name,
                row.status,
                _wall(lot.closes_at),
                LIGHT_WORDS.get(row.worst, ""),
                "；".join(_light_text(item) for item in row.lights),
            ]
        )
    return response


@require_GET
@login_required
def tender(request: HttpRequest, tender_id: int) -> HttpResponse:
    """A tender of the jurisdiction: its lots with lights, its ledger in words, and whether its
    chains still match the latest signed checkpoint."""
    user = acting_user(request)
    found = access_tender_for_supervision(user, tender_id)
    moment = now()
    lots = list(
        found.lots.select_related("tender__procedure", "tender__project")
        .prefetch_related(*LIGHT_PREFETCH)
        .order_by("code")
    )
    terms = translated_terms(found.project.business_type.code, found.procedure.code)
    ledger = list(tender_ledger_for_supervision(found))
    # A status in its procedure's words (信息披露中, not 投标中, for a property).
    statuses = {
        **{code: str(label) for code, label in LotStatusChoices.choices},
        **{
            str(code): str(word)
            for code, word in STATUS_WORDS.get(found.procedure.family, {}).items()
        },
    }
    known = {
        "procedure": {found.procedure.code: found.procedure.display_name},
        "from": statuses,
        "to": statuses,
    }
    for entry in ledger:
        entry.label = ledger_action_label(entry.action, terms)  # type: ignore[attr-defined]
        entry.fields = ledger_fields(entry.payload, known=known)  # type: ignore[attr-defined]
    return render(
        request,
        "supervision/tender.html",
        {
            "tender": found,
            "rows": list(_rows(lots, moment)),
            "ledger": ledger,
            "verification": tender_chains_verify(found),
            "checkpoint": checkpoint_latest(),
            "now": moment,
        },
    )
