"""A notice as people read it before and after publication: its document in HTML, and where it goes.

Staff see the document the PDF will be rendered from (`notices.rendering.notice_html`, the
function the renderer calls) and what publishing it sets off; the public see the HTML frozen with
the PDF at publication (`Notice.document_html`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from notices.models import LETTER_KINDS, Notice, NoticeStatus
from notices.rendering import notice_html, site_url, verification_url
from trading.models import Candidate, Organisation, User
from trading.selectors.access import owner_side_users
from trading.selectors.terms import tender_terms
from trading.services.publicity import publicity_notice_kind

_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)
_HEADING = re.compile(r"<(/?)h([1-5])\b", re.IGNORECASE)
# Nothing in a document template runs code (its text is autoescaped): refuse rather than show a
# body that ever would, whatever a template edit brings.
_ACTIVE = re.compile(r"<(script|iframe|object|embed|form)\b|<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


def document_body(html: str) -> SafeString:
    """The document's body, its headings one level down so it sits under the page's own <h1>."""
    match = _BODY.search(html or "")
    if match is None or _ACTIVE.search(match.group(1)):
        return SafeString("")
    body = _HEADING.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}", match.group(1))
    return mark_safe(body.strip())  # noqa: S308 - our own template's output, autoescaped


def notice_document(notice: Notice) -> SafeString:
    """What the notice says: the frozen HTML once published, else what the PDF would say now."""
    if notice.status in (NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN):
        return document_body(notice.document_html)
    return document_body(notice_html(notice))


@dataclass(frozen=True)
class Recipient:
    who: str
    why: str
    accounts: int


@dataclass(frozen=True)
class PublicationPlan:
    portal_url: str
    listed_in: str
    feeds: list[tuple[str, str]] = field(default_factory=list)
    recipients: list[Recipient] = field(default_factory=list)


def _names(organisations: QuerySet[Organisation]) -> str:
    return "、".join(organisations.values_list("name", flat=True))


def _accounts(users: QuerySet[User] | list[User]) -> int:
    return users.count() if isinstance(users, QuerySet) else len(users)


def _recipients(notice: Notice) -> list[Recipient]:
    """Who `notice_publish_rendered` and the receivers of its events notify, and why."""
    tender = notice.tender
    out: list[Recipient] = []
    terms = tender_terms(tender)
    if notice.addressee_id is not None:
        out.append(
            Recipient(
                who=notice.addressee.name,  # type: ignore[union-attr]
                why=_("收件单位：收到本文件及其验证码"),
                accounts=_accounts(notice.addressee.users.filter(is_active=True)),  # type: ignore[union-attr]
            )
        )
    if notice.kind in LETTER_KINDS and notice.lot_id is not None and notice.addressee_id:
        others = (
            Candidate.objects.filter(lot_id=notice.lot_id)
            .exclude(organisation_id=notice.addressee_id)
            .values_list("organisation_id", flat=True)
        )
        organisations = Organisation.objects.filter(pk__in=list(others)).order_by("name")
        if organisations:
            out.append(
                Recipient(
                    who=_names(organisations),
                    why=_("其他投标人：同时收到交易结果（招标投标法 第45条）"),
                    accounts=_accounts(
                        User.objects.filter(organisation__in=organisations, is_active=True)
                    ),
                )
            )
    owners = owner_side_users(tender.project)
    owner_names = "、".join(
        name
        for name in (tender.project.owner.name, getattr(tender.project.agency, "name", ""))
        if name
    )
    if notice.kind in LETTER_KINDS and notice.lot_id is not None:
        out.append(
            Recipient(
                who=owner_names,
                why=_("招标人及代理机构：%(letter)s发出，合同签订期限开始计算")
                % {"letter": _(terms.letter)},
                accounts=len(owners),
            )
        )
    elif notice.lot_id is not None and notice.kind == publicity_notice_kind(tender.procedure):
        out.append(
            Recipient(
                who=owner_names,
                why=_("招标人及代理机构：公示期自发布时起计算"),
                accounts=len(owners),
            )
        )
    return out


def notice_publication_plan(notice: Notice) -> PublicationPlan:
    """Where the notice appears once published: its portal page, lists, feeds and open data."""
    base = site_url()
    portal_url = base + reverse("portal_notice_detail", args=[notice.pk])
    tender = notice.tender
    feeds: list[tuple[str, str]] = [
        (_("变更订阅接口（按发布序号）"), base + reverse("notice_changes")),
    ]
    ocds = base + reverse("ocds_release_package", args=[tender.code])
    if notice.training:
        listed_in = _("培训演示公告：只在门户的“培训演示”列表中出现，不进入订阅源和开放数据")
        feeds.append((_("开放数据（OCDS，需加 training=1）"), f"{ocds}?training=1"))
    else:
        query = urlencode({"region": notice.region.code, "type": notice.business_type.code})
        listed_in = base + reverse("portal_notices") + "?" + query
        feeds.insert(
            0,
            (
                _("Atom 订阅源"),
                base + reverse("notice_feed", args=[notice.region.code, notice.business_type.code]),
            ),
        )
        feeds.append((_("开放数据（OCDS）"), ocds))
    feeds.append((_("真伪验证"), verification_url(notice.verification_code)))
    return PublicationPlan(
        portal_url=portal_url,
        listed_in=listed_in,
        feeds=feeds,
        recipients=_recipients(notice),
    )
