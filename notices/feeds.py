"""Feeds for readers and machines: Atom per region and business type, and the change feed."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from notices.models import Notice
from notices.portal_cache import cached_public_page, publication_last_seq
from notices.selectors import CHANGES_MAX, notice_list_changes, notice_list_feed
from trading.models import BusinessType, Region
from trading.site import absolute_url


def _detail_url(notice: Notice) -> str:
    """The notice's page at the site's public address (SITE_URL), not the requesting Host."""
    return absolute_url(reverse("portal_notice_detail", args=[notice.pk]))


# ASCII digits only: int() also takes "١٢", " 12", "+12" and "1_2", which are no sequence numbers.
_DIGITS = re.compile(r"[0-9]{1,19}")
# Sequence numbers are bigint: a larger cursor is nonsense, not a position past the end.
SEQ_MAX = 2**63 - 1


def _whole(raw: str | None, default: int, *, low: int, high: int) -> int | None:
    """The whole number `raw` spells between `low` and `high`, `default` when absent, else None."""
    if not raw:
        return default
    if not _DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if low <= value <= high else None


@require_safe
@cached_public_page("changes", publication_last_seq)
def notice_changes(request: HttpRequest) -> JsonResponse:
    """Published notices after `after` in publication order: poll with the returned next_after."""
    after = _whole(request.GET.get("after"), 0, low=0, high=SEQ_MAX)
    limit = _whole(request.GET.get("limit"), 100, low=1, high=CHANGES_MAX)
    if after is None or limit is None:
        return JsonResponse(
            {
                "error": _("after 须为 0 至 %(seq_max)s 的整数，limit 须为 1 至 %(max)s 的整数。")
                % {"seq_max": SEQ_MAX, "max": CHANGES_MAX}
            },
            status=400,
        )
    notices = notice_list_changes(after=after, limit=limit)
    items = [
        {
            "seq": notice.publication_seq,
            "id": notice.pk,
            "kind": notice.kind,
            "status": notice.status,
            "title": notice.title,
            "published_at": notice.published_at.isoformat() if notice.published_at else None,
            "url": _detail_url(notice),
            "sha256": notice.pdf_sha256,
            "hash_alg": notice.hash_alg,
            "verification_code": notice.verification_code,
            "training": notice.training,
        }
        for notice in notices
    ]
    next_after = items[-1]["seq"] if items else after
    return JsonResponse({"items": items, "next_after": next_after})


class RegionBusinessTypeFeed(Feed):
    """The latest 50 published notices of one region and business type (Atom 1.0)."""

    feed_type = Atom1Feed

    def get_object(
        self, request: HttpRequest, region_code: str, business_type_code: str
    ) -> tuple[Region, BusinessType]:
        region = Region.objects.filter(code=region_code).first()
        business_type = BusinessType.objects.filter(code=business_type_code).first()
        if region is None or business_type is None:
            raise Http404(_("没有该市县或业务类型。"))
        return region, business_type

    def title(self, obj: tuple[Region, BusinessType]) -> str:
        region, business_type = obj
        return _("%(region)s %(type)s 公告") % {
            "region": region.display_name,
            "type": business_type.display_name,
        }

    def link(self, obj: tuple[Region, BusinessType]) -> str:
        """The portal's list filtered as this feed is (its form's `region` and `type` fields)."""
        region, business_type = obj
        query = urlencode({"region": region.code, "type": business_type.code})
        return absolute_url(f"{reverse('portal_notices')}?{query}")

    def feed_url(self, obj: tuple[Region, BusinessType]) -> str:
        region, business_type = obj
        return absolute_url(reverse("notice_feed", args=[region.code, business_type.code]))

    def subtitle(self, obj: tuple[Region, BusinessType]) -> str:
        return _("天平公共资源交易平台发布的公告、公示与结果")

    def items(self, obj: tuple[Region, BusinessType]) -> list[Notice]:
        region, business_type = obj
        return notice_list_feed(region_code=region.code, business_type_code=business_type.code)

    def item_title(self, item: Notice) -> str:
        return item.title

    def item_description(self, item: Notice) -> str:
        return _("%(kind)s · 发布单位：%(issuer)s · 验证码：%(code)s") % {
            "kind": item.get_kind_display(),
            "issuer": item.issuer,
            "code": item.verification_code,
        }

    def item_link(self, item: Notice) -> str:
        return _detail_url(item)

    def item_pubdate(self, item: Notice) -> datetime | None:
        return item.published_at

    def item_guid(self, item: Notice) -> str:
        return f"tianping:notice:{item.pk}"

    item_guid_is_permalink = False
