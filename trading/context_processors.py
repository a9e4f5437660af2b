"""Template context: the navigation of the signed-in user's role and the unread-inbox count."""

from __future__ import annotations

from typing import Any, TypedDict

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from trading.domain.employer import OrganisationKind
from trading.domain.roles import NavKey, nav_keys
from trading.models import User
from trading.selectors.grants import desk_list_operated_by
from trading.selectors.notifications import notification_unread_count

# key → (label, URL name). Owners and agencies reach their project console, desk staff theirs;
# bidders and experts reach the same workspace view under the name of what they do there.
NAV_ITEMS: dict[NavKey, tuple[Promise, str]] = {
    NavKey.HOME: (_("首页"), "home"),
    NavKey.LOGIN: (_("登录"), "login"),
    NavKey.WORKSPACE: (_("工作台"), "workspace"),
    NavKey.DESKS: (_("交易科室"), "staff_console"),
    NavKey.CENTER_ADMIN: (_("中心管理"), "center_console"),
    NavKey.ORGANISATION_QUEUE: (_("主体核验"), "organisation_queue"),
    NavKey.SUPERVISION: (_("监管台"), "supervision_console"),
    NavKey.MY_PROJECTS: (_("我的项目"), "owner_console"),
    NavKey.MY_BIDS: (_("我的投标"), "workspace"),
    # A page of bidding: linked by its URL name, as trading never imports bidding.
    NavKey.MY_ENROLMENTS: (_("我的报名"), "enrolment_list"),
    NavKey.PROFILE: (_("主体与证照"), "bidding_profile"),
    NavKey.EVALUATION_TASKS: (_("评标任务"), "workspace"),
    NavKey.INBOX: (_("消息"), "inbox"),
    NavKey.PLATFORM_ADMIN: (_("平台管理"), "admin:index"),
}


class NavItem(TypedDict):
    key: str
    label: Promise
    url: str
    active: bool


def _matches(path: str, url: str) -> bool:
    if url == "/":
        return path == "/"
    return path.startswith(url)


def nav_items(user: User | None, path: str) -> list[NavItem]:
    """The user's navigation; the longest URL matching the path is the active one."""
    kind = user.organisation_kind if user is not None else None
    center = user is not None and kind == OrganisationKind.CENTER and not user.is_superuser
    keys = nav_keys(
        authenticated=user is not None,
        kind=kind,
        staff=user is not None and user.is_staff,
        operates_desk=center and desk_list_operated_by(user).exists(),  # type: ignore[arg-type]
        organisation_admin=center and user.is_organisation_admin,  # type: ignore[union-attr]
    )
    items: list[NavItem] = []
    for key in keys:
        label, url_name = NAV_ITEMS[key]
        items.append({"key": key.value, "label": label, "url": reverse(url_name), "active": False})
    # /workspace/desks/ lights up 交易科室, not 工作台 as well.
    matching = [item for item in items if _matches(path, item["url"])]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["active"] = True
    return items


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = user if isinstance(user, User) and user.is_authenticated else None
    context: dict[str, Any] = {"nav": nav_items(signed_in, request.path)}
    if signed_in is not None:
        context["inbox_unread"] = notification_unread_count(signed_in)
    return context
