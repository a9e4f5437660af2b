"""The public portal (no login): notices and results by region, business type, industry, kind and
date, Chinese search, notice pages, and the open lots a bidder can enrol in.

Pages go forward by keyset ("after" = the last notice shown), never by OFFSET or COUNT, so the
hundred-thousandth notice costs what the first does.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db import connections, router
from django.db.models import BooleanField, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from notices.models import Notice, NoticeKind, NoticeStatus
from notices.portal_cache import cached_public_page, notice_page_version, publication_last_seq
from notices.preview import document_body
from notices.search import notice_search
from notices.widgets import PlainSelect
from trading.models import BusinessType, Industry, Lot, Region
from trading.models.tenders import LotStatusChoices, TenderStatusChoices

PAGE_SIZE = 25
SHANGHAI = ZoneInfo("Asia/Shanghai")
# What the public calls results (交易结果): who is proposed, who won, what failed.
RESULT_KINDS = (
    NoticeKind.CANDIDATES,
    NoticeKind.RESULT,
    NoticeKind.DEAL,
    NoticeKind.FAILURE,
    NoticeKind.TERMINATION,
)
OPEN_LOT_STATUSES = (LotStatusChoices.PUBLISHED, LotStatusChoices.BIDDING)
# Filter dates outside these are refused: far wider than any notice, and far from the ends of
# Python's dates, which a day boundary in Shanghai, or the day after, would overflow.
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2100, 12, 31)
# Cursors are ids, bigint in the database: a larger one names no notice or lot.
CURSOR_MAX = 2**63 - 1


class CodeChoiceField(forms.ModelChoiceField):
    """A reference row chosen by its code, so filter URLs read ?region=460100&type=engineering."""

    widget = PlainSelect

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class BoundedDateField(forms.DateField):
    """A filter date between DATE_MIN and DATE_MAX (DESIGN.md invariant 8)."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and not DATE_MIN <= value <= DATE_MAX:
            raise forms.ValidationError(
                _("请输入 %(min)s 至 %(max)s 之间的日期。"),
                code="out_of_range",
                params={"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()},
            )


def cursor_field() -> forms.IntegerField:
    """The hidden keyset cursor ("after"): an id, which a person never types."""
    message = _("翻页位置无效，请从第一页重新查询。")
    return forms.IntegerField(
        required=False,
        min_value=1,
        max_value=CURSOR_MAX,
        widget=forms.HiddenInput,
        error_messages={"invalid": message, "min_value": message, "max_value": message},
    )


class NoticeFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=200, strip=True)
    region = CodeChoiceField(
        label=_("市县"),
        queryset=Region.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("全部市县"),
    )
    type = CodeChoiceField(
        label=_("业务类型"),
        queryset=BusinessType.objects.order_by("number"),
        to_field_name="code",
        required=False,
        empty_label=_("全部业务类型"),
    )
    industry = CodeChoiceField(
        label=_("行业"),
        queryset=Industry.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("全部行业"),
    )
    kind = forms.ChoiceField(
        label=_("公告类型"),
        choices=[("", _("全部类型")), *NoticeKind.choices],
        required=False,
        widget=PlainSelect,
    )
    date_from = BoundedDateField(
        label=_("发布日期自"),
        required=False,
        widget=forms.DateInput(
            attrs={"type": "date", "min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()}
        ),
    )
    date_to = BoundedDateField(
        label=_("至"),
        required=False,
        widget=forms.DateInput(
            attrs={"type": "date", "min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()}
        ),
    )
    training = forms.BooleanField(label=_("包括培训演示"), required=False)
    after = cursor_field()

    def __init__(self, *args: Any, kinds: tuple[str, ...] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kinds is not None:
            kind_field = self.fields["kind"]
            if isinstance(kind_field, forms.ChoiceField):
                kind_field.choices = [
                    ("", _("全部类型")),
                    *[(k.value, k.label) for k in NoticeKind if k in kinds],
                ]


def _day_start(day: date) -> datetime:
    # Days are Asia/Shanghai's (DESIGN.md invariant 1), whatever the server's zone.
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def _public_condition() -> RawSQL:
    # Literally the WHERE of migration 0002's partial indexes: SQLite proves a partial index
    # usable, and reads no table row for these columns, only when the query spells the same
    # constants (bound parameters measured 171 ms against 6 ms for the overview at 100k rows).
    false = "false" if connections[router.db_for_read(Notice)].vendor == "postgresql" else "0"
    return RawSQL(  # noqa: S611 - constants only
        f"notices_notice.status = 'published' AND notices_notice.training = {false}",
        [],
        output_field=BooleanField(),
    )


def portal_notices(*, training: bool = False) -> QuerySet[Notice]:
    """Every notice the public may read, newest first (training ones only when asked for).

    Top-level queries only: the condition names the table, which a subquery would alias."""
    if training:
        qs = Notice.objects.filter(status=NoticeStatus.PUBLISHED)
    else:
        qs = Notice.objects.filter(_public_condition())
    return qs.order_by("-published_at", "-id")


def notice_list_filtered(
    data: dict[str, Any], *, kinds: tuple[str, ...] | None = None
) -> QuerySet[Notice]:
    """The public notices matching a cleaned NoticeFilterForm, in list order."""
    qs = portal_notices(training=bool(data.get("training")))
    if kinds is not None:
        qs = qs.filter(kind__in=kinds)
    if data.get("region") is not None:
        qs = qs.filter(region=data["region"])
    if data.get("type") is not None:
        qs = qs.filter(business_type=data["type"])
    if data.get("industry") is not None:
        qs = qs.filter(industry=data["industry"])
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("date_from"):
        qs = qs.filter(published_at__gte=_day_start(data["date_from"]))
    if data.get("date_to"):
        qs = qs.filter(published_at__lt=_day_start(data["date_to"] + timedelta(days=1)))
    if data.get("q"):
        qs = notice_search(qs, data["q"])
    return qs


def _after(qs: QuerySet[Notice], after_id: int | None) -> QuerySet[Notice]:
    """The notices listed after notice `after_id` in (-published_at, -id) order."""
    if after_id is None:
        return qs
    published_at = (
        Notice.objects.filter(pk=after_id, status=NoticeStatus.PUBLISHED)
        .values_list("published_at", flat=True)
        .first()
    )
    if published_at is None:
        return qs.none()
    # The redundant `lte` bounds the index range; the OR alone would walk from the top.
    return qs.filter(published_at__lte=published_at).filter(
        Q(published_at__lt=published_at) | Q(id__lt=after_id)
    )


def _query_with(params: QueryDict, **changes: Any) -> str:
    query = params.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = str(value)
    return query.urlencode()


def _notice_list_page(
    request: HttpRequest, *, title: Any, kinds: tuple[str, ...] | None, url_name: str
) -> HttpResponse:
    form = NoticeFilterForm(request.GET or None, kinds=kinds)
    notices: list[Notice] = []
    has_next = False
    if not request.GET or form.is_valid():
        data = form.cleaned_data if request.GET else {}
        qs = _after(notice_list_filtered(data, kinds=kinds), data.get("after"))
        columns = (
            "id",
            "kind",
            "title",
            "training",
            "published_at",
            "issuer",
            "region__name",
            "region__name_en",
            "business_type__name",
            "business_type__name_en",
            "tender__code",
        )
        page = list(
            qs.select_related("region", "business_type", "tender").only(*columns)[: PAGE_SIZE + 1]
        )
        has_next = len(page) > PAGE_SIZE
        notices = page[:PAGE_SIZE]
    params = request.GET
    return render(
        request,
        "notices/portal_notice_list.html",
        {
            "title": title,
            "form": form,
            "notices": notices,
            "list_url": reverse(url_name),
            "next_query": _query_with(params, after=notices[-1].pk) if has_next else None,
            "first_query": _query_with(params, after=None) if params.get("after") else None,
            "searching": bool(params.get("q", "").strip()),
            "section": url_name,
        },
    )


@require_safe
@cached_public_page("notices", publication_last_seq)
def notice_list(request: HttpRequest) -> HttpResponse:
    return _notice_list_page(request, title=_("公告公示"), kinds=None, url_name="portal_notices")


@require_safe
@cached_public_page("results", publication_last_seq)
def result_list(request: HttpRequest) -> HttpResponse:
    return _notice_list_page(
        request, title=_("交易结果"), kinds=RESULT_KINDS, url_name="portal_results"
    )


def _reverse_or_none(name: str, *args: Any) -> str | None:
    # Documents and feeds are other modules' routes; the page works while one is missing.
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@require_safe
@cached_public_page("notice", notice_page_version)
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = (
        Notice.objects.select_related(
            "region", "business_type", "industry", "tender", "lot", "corrects", "addressee"
        )
        .filter(pk=pk, status=NoticeStatus.PUBLISHED)
        .first()
    )
    if notice is None:
        raise Http404(_("没有找到该公告。"))
    # A tender has tens of notices, its corrections among them: one query by tender, sorted
    # here. (By corrects_id SQLite scans the table: its statistics count the NULLs as one key.)
    same_tender = sorted(
        Notice.objects.filter(tender_id=notice.tender_id, status=NoticeStatus.PUBLISHED)
        .exclude(pk=notice.pk)
        .order_by()
        .only("id", "kind", "title", "published_at", "training", "corrects_id")[:500],
        key=lambda other: (other.published_at, other.pk),
    )
    corrections = [other for other in same_tender if other.corrects_id == notice.pk]
    related = [other for other in reversed(same_tender) if other.training == notice.training][:20]
    return render(
        request,
        "notices/portal_notice_detail.html",
        {
            "notice": notice,
            # The text frozen with the PDF at publication, not today's templates' rendering.
            "document": document_body(notice.document_html),
            "corrections": corrections,
            "related": related,
            "pdf_url": _reverse_or_none("verify_pdf", notice.verification_code),
            "verify_url": _reverse_or_none("verify"),
        },
    )


class OpenLotFilterForm(forms.Form):
    region = NoticeFilterForm.base_fields["region"]
    type = NoticeFilterForm.base_fields["type"]
    after = cursor_field()


def open_lots() -> QuerySet[Lot]:
    """Lots a bidder can enrol in now: announced or bidding, of published real tenders."""
    return Lot.objects.filter(
        status__in=OPEN_LOT_STATUSES,
        tender__status=TenderStatusChoices.PUBLISHED,
        tender__project__training=False,
        suspended_at__isnull=True,
    )


@require_safe
def open_tenders(request: HttpRequest) -> HttpResponse:
    form = OpenLotFilterForm(request.GET or None)
    lots: list[Any] = []
    has_next = False
    if not request.GET or form.is_valid():
        data = form.cleaned_data if request.GET else {}
        qs = open_lots()
        if data.get("region") is not None:
            qs = qs.filter(tender__project__region=data["region"])
        if data.get("type") is not None:
            qs = qs.filter(tender__project__business_type=data["type"])
        if data.get("after"):
            qs = qs.filter(id__lt=data["after"])
        announcement = (
            Notice.objects.filter(
                tender_id=OuterRef("tender_id"),
                kind=NoticeKind.ANNOUNCEMENT,
                status=NoticeStatus.PUBLISHED,
                training=False,
            )
            .order_by("published_at", "id")
            .values("id")[:1]
        )
        page = list(
            qs.select_related(
                "tender__project__region", "tender__project__business_type", "tender__procedure"
            )
            .annotate(announcement_id=Subquery(announcement))
            .order_by("-id")[: PAGE_SIZE + 1]
        )
        has_next = len(page) > PAGE_SIZE
        lots = page[:PAGE_SIZE]
    return render(
        request,
        "notices/portal_open_tenders.html",
        {
            "form": form,
            "rows": [(lot, getattr(lot, "announcement_id", None)) for lot in lots],
            "next_query": _query_with(request.GET, after=lots[-1].pk) if has_next else None,
            "first_query": _query_with(request.GET, after=None)
            if request.GET.get("after")
            else None,
            "section": "portal_open_tenders",
        },
    )
