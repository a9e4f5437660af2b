"""The web front: public home, login throttling, language switch, each role's pages, the inbox."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.conftest import ControlledClock
from tests.factories import (
    PASSWORD,
    grant_desks,
    grant_jurisdictions,
    make_organisation,
    make_platform_admin,
    make_user,
)
from tests.tenders import seed_reference_data
from trading.domain import uscc
from trading.models import (
    BusinessType,
    Desk,
    Jurisdiction,
    Notification,
    Organisation,
    Region,
    User,
)
from trading.services.notifications import notification_send

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "frontend" / "templates"
ENGLISH_CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.mo"


@pytest.fixture
def reference() -> None:
    seed_reference_data()


@pytest.fixture
def english_catalogue() -> None:
    if not ENGLISH_CATALOGUE.exists():
        pytest.fail(
            f"{ENGLISH_CATALOGUE} is missing: compile the translations first "
            "(`.venv/bin/python manage.py compilemessages`; `make` does it at install)"
        )


def nav_labels(response) -> list[str]:
    return [str(item["label"]) for item in response.context["nav"]]


def login(client: Client, user: User) -> None:
    client.force_login(user)


def center_staff(*desks: Desk) -> User:
    user = make_user(make_organisation("center"), username="staff")
    grant_desks(user, *desks)
    return user


def regulator_user() -> User:
    regulator = make_organisation("regulator", name="海口市住房和城乡建设局")
    user = make_user(regulator, username="supervisor")
    jurisdiction = Jurisdiction.objects.create(regulator=regulator, name="海口市工程建设")
    jurisdiction.regions.set(Region.objects.filter(code="460100"))
    jurisdiction.business_types.set(BusinessType.objects.filter(code="engineering"))
    grant_jurisdictions(user, jurisdiction)
    return user


# --- the public home page -------------------------------------------------------------------


@pytest.mark.sqlite
def test_home_page_shows_the_8_regions_and_9_business_types_without_login(
    client: Client, reference: None
) -> None:
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert len(response.context["regions"]) == 8
    assert len(response.context["business_types"]) == 9
    html = response.content.decode()
    for region in Region.objects.all():
        assert region.name in html
    for business_type in BusinessType.objects.all():
        assert business_type.name in html
    assert '<html lang="zh-hans">' in html
    assert nav_labels(response) == ["首页", "登录"]


# --- login, throttling, logout --------------------------------------------------------------


@pytest.mark.sqlite
def test_login_with_the_right_password_opens_the_workspace(client: Client, reference: None) -> None:
    make_user(make_organisation("bidder"), username="bidder1")

    response = client.post(reverse("login"), {"username": "bidder1", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("workspace")
    assert client.get(reverse("workspace")).context["user"].username == "bidder1"


def test_a_wrong_password_is_refused_with_a_message(client: Client) -> None:
    make_user(make_organisation("bidder"), username="bidder1")

    response = client.post(reverse("login"), {"username": "bidder1", "password": "wrong"})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


@pytest.mark.sqlite
def test_repeated_wrong_passwords_lock_the_account_and_then_refuse_the_right_one(
    client: Client,
) -> None:
    make_user(make_organisation("bidder"), username="bidder1")
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 3

    responses = [
        client.post(reverse("login"), {"username": "bidder1", "password": f"wrong{n}"})
        for n in range(limit)
    ]
    assert [r.status_code for r in responses[:-1]] == [200] * (limit - 1)
    locked = responses[-1]
    assert locked.status_code == 429
    assert "账号已暂时锁定" in locked.content.decode()
    # 0.25 h of cool-off (the default setting) is 15 minutes.
    assert "请在 15 分钟后再试。" in locked.content.decode()

    right = client.post(reverse("login"), {"username": "bidder1", "password": PASSWORD})
    assert right.status_code == 429
    assert "账号已暂时锁定" in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_locked_out_page_is_translated(client: Client, english_catalogue: None) -> None:
    make_user(make_organisation("bidder"), username="bidder1")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    for n in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": "bidder1", "password": f"x{n}"})

    assert response.status_code == 429
    html = response.content.decode()
    assert "Try again in 15 minutes." in html
    assert "账号已暂时锁定" not in html


@pytest.mark.sqlite
def test_logout_is_a_post_and_returns_home(client: Client) -> None:
    login(client, make_user(make_organisation("bidder")))

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "_auth_user_id" not in client.session


def test_pages_of_signed_in_users_send_anonymous_visitors_to_login(client: Client) -> None:
    for name in ("workspace", "inbox", "organisation_queue", "supervision_console"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# --- language --------------------------------------------------------------------------------


@pytest.mark.sqlite
def test_switching_to_english_changes_the_page_language(
    client: Client, reference: None, english_catalogue: None
) -> None:
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("home")}, follow=True
    )

    html = response.content.decode()
    assert '<html lang="en">' in html
    assert nav_labels(response) == ["Home", "Log in"]
    assert "Haikou" in html  # reference data shows its English names too
    back = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"}, follow=True)
    assert nav_labels(back) == ["首页", "登录"]


# --- each role's workspace -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "labels", "heading"),
    [
        ("owner", ["我的项目", "消息"], "我的项目"),
        ("agency", ["我的项目", "消息"], "我的项目"),
        ("bidder", ["我的投标", "我的报名", "主体与证照", "消息"], "我的投标"),
        ("expert_pool", ["评标任务", "消息"], "评标任务"),
    ],
)
def test_each_party_sees_its_navigation_and_organisation_card(
    client: Client, kind: str, labels: list[str], heading: str
) -> None:
    organisation = make_organisation(kind)
    login(client, make_user(organisation))

    response = client.get(reverse("workspace"))

    assert response.status_code == 200
    assert nav_labels(response) == labels
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert organisation.uscc in html
    assert "已核验" in html
    assert "尚待交易中心核验" not in html


def test_center_staff_see_their_desks_and_the_verification_queue(
    client: Client, reference: None
) -> None:
    desk = Desk.objects.get(region__code="460200", business_type__code="land")
    login(client, center_staff(desk))

    response = client.get(reverse("workspace"))

    assert nav_labels(response) == ["工作台", "交易科室", "主体核验", "消息"]
    assert list(response.context["desks"]) == [desk]
    assert "三亚市 · 国有建设用地使用权出让" in response.content.decode()
    desks = client.get(reverse("desk_list"))
    assert list(desks.context["desks"]) == [desk]
    assert [item["active"] for item in desks.context["nav"]] == [False, True, False, False]


def test_center_staff_without_a_desk_are_told_and_get_no_queue(
    client: Client, reference: None
) -> None:
    login(client, make_user(make_organisation("center")))

    response = client.get(reverse("workspace"))

    assert "您尚未被授予任何交易科室的操作权限" in response.content.decode()
    assert client.get(reverse("organisation_queue")).status_code == 403


def test_a_regulator_lands_on_the_console_with_its_jurisdictions(
    client: Client, reference: None
) -> None:
    login(client, regulator_user())

    response = client.get(reverse("workspace"), follow=True)

    assert response.redirect_chain == [(reverse("supervision_console"), 302)]
    assert nav_labels(response) == ["监管台", "消息"]
    html = response.content.decode()
    assert "海口市工程建设" in html
    assert "工程建设项目招标投标" in html


def test_a_platform_admin_without_organisation_sees_platform_management_only(
    client: Client,
) -> None:
    login(client, make_platform_admin())

    response = client.get(reverse("workspace"))

    assert response.status_code == 200
    assert nav_labels(response) == ["平台管理"]
    assert client.get(reverse("supervision_console")).status_code == 403
    assert client.get(reverse("organisation_queue")).status_code == 403


@pytest.mark.parametrize("page", ["organisation_queue", "desk_list"])
def test_a_regulator_opening_a_staff_page_is_forbidden(
    client: Client, reference: None, page: str
) -> None:
    login(client, regulator_user())

    assert client.get(reverse(page)).status_code == 403


@pytest.mark.parametrize("kind", ["center", "owner", "agency", "bidder", "expert_pool"])
def test_only_regulators_open_the_supervision_console(
    client: Client, reference: None, kind: str
) -> None:
    user = make_user(make_organisation(kind))
    if kind == "center":
        grant_desks(user, Desk.objects.first())  # type: ignore[arg-type]
    login(client, user)

    response = client.get(reverse("supervision_console"))

    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


def test_an_unverified_bidder_sees_the_awaiting_verification_banner(client: Client) -> None:
    login(client, make_user(make_organisation("bidder", verified=False)))

    html = client.get(reverse("workspace")).content.decode()

    assert "您的主体尚待交易中心核验；核验通过前您不能办理任何交易业务。" in html
    assert "待核验" in html


# --- organisation verification ----------------------------------------------------------------


def test_center_staff_verify_a_waiting_organisation(
    client: Client, reference: None, clock: ControlledClock
) -> None:
    bidder = make_organisation("bidder", verified=False, name="待核验建筑有限公司")
    bidder_user = make_user(bidder)
    staff = center_staff(Desk.objects.first())  # type: ignore[arg-type]
    login(client, staff)

    queue = client.get(reverse("organisation_queue"))
    assert [o.pk for o in queue.context["page"].object_list] == [bidder.pk]

    response = client.post(reverse("organisation_verify", args=[bidder.pk]), follow=True)

    assert response.redirect_chain == [(reverse("organisation_queue"), 302)]
    bidder.refresh_from_db()
    assert bidder.verified_at == clock.now
    assert bidder.verified_by == staff
    assert "已核验主体“待核验建筑有限公司”。" in response.content.decode()
    assert list(response.context["page"].object_list) == []
    assert Notification.objects.filter(recipient=bidder_user).count() == 1


def test_the_queue_leaves_the_center_and_regulators_to_the_platform_admin(
    client: Client, reference: None
) -> None:
    make_organisation("regulator", verified=False)
    login(client, center_staff(Desk.objects.first()))  # type: ignore[arg-type]

    assert list(client.get(reverse("organisation_queue")).context["page"].object_list) == []


def test_verification_is_a_post_only(client: Client, reference: None) -> None:
    bidder = make_organisation("bidder", verified=False)
    login(client, center_staff(Desk.objects.first()))  # type: ignore[arg-type]

    assert client.get(reverse("organisation_verify", args=[bidder.pk])).status_code == 405
    bidder.refresh_from_db()
    assert not bidder.is_verified


# --- the inbox --------------------------------------------------------------------------------


def notify(user: User, title: str, clock: ControlledClock) -> Notification:
    (notification,) = notification_send(recipients=[user], kind="test", title=title, clock=clock)
    return notification


def badge(html: str) -> str:
    found = re.search(r'<span id="inbox-badge"[^>]*>(.*?)</span>\s*(</a>|$)', html, re.S)
    assert found, "no inbox badge"
    return found.group(0)


def test_inbox_lists_the_users_notifications_and_the_unread_badge(
    client: Client, clock: ControlledClock
) -> None:
    user = make_user(make_organisation("bidder"))
    other = make_user(make_organisation("bidder"))
    notify(user, "您的报名已受理", clock)
    clock.advance(minutes=5)
    notify(user, "开标时间已确定", clock)
    notify(other, "别人的消息", clock)
    login(client, user)

    response = client.get(reverse("inbox"))

    titles = [n.title for n in response.context["page"].object_list]
    assert titles == ["开标时间已确定", "您的报名已受理"]
    assert response.context["inbox_unread"] == 2
    assert "2 条未读" in badge(response.content.decode())
    assert "别人的消息" not in response.content.decode()


def test_marking_one_read_without_javascript_redirects_back_to_the_inbox(
    client: Client, clock: ControlledClock
) -> None:
    user = make_user(make_organisation("bidder"))
    notification = notify(user, "开标时间已确定", clock)
    login(client, user)

    response = client.post(reverse("notification_read", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("inbox")
    notification.refresh_from_db()
    assert notification.read_at == clock.now


@pytest.mark.sqlite
def test_marking_one_read_with_htmx_returns_the_item_and_the_new_badge(
    client: Client, clock: ControlledClock
) -> None:
    user = make_user(make_organisation("bidder"))
    first = notify(user, "开标时间已确定", clock)
    notify(user, "您的报名已受理", clock)
    login(client, user)

    response = client.post(reverse("notification_read", args=[first.pk]), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li id="notification-{first.pk}" class="notification">')
    assert "标记为已读" not in html  # a read notification offers no button
    assert "<html" not in html
    assert 'hx-swap-oob="true"' in html
    assert "1 条未读" in badge(html)


def test_another_users_notification_is_not_found(client: Client, clock: ControlledClock) -> None:
    owner = make_user(make_organisation("bidder"))
    notification = notify(owner, "开标时间已确定", clock)
    login(client, make_user(make_organisation("bidder")))

    url = reverse("notification_read", args=[notification.pk])
    assert client.post(url).status_code == 404
    assert client.post(url, headers={"HX-Request": "true"}).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_and_the_unread_filter(client: Client, clock: ControlledClock) -> None:
    user = make_user(make_organisation("bidder"))
    for title in ("一", "二", "三"):
        notify(user, title, clock)
    login(client, user)
    assert len(client.get(reverse("inbox") + "?show=unread").context["page"].object_list) == 3

    response = client.post(reverse("inbox_read_all"), follow=True)

    assert "所有消息已标记为已读。" in response.content.decode()
    assert response.context["inbox_unread"] == 0
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    unread = client.get(reverse("inbox") + "?show=unread")
    assert list(unread.context["page"].object_list) == []
    assert "没有未读消息。" in unread.content.decode()


def test_the_inbox_is_paginated(client: Client, clock: ControlledClock) -> None:
    user = make_user(make_organisation("bidder"))
    notification_send(recipients=[user], kind="test", title="第一条", clock=clock)
    for n in range(21):
        clock.advance(seconds=1)
        notification_send(recipients=[user], kind="test", title=f"消息{n}", clock=clock)
    login(client, user)

    first = client.get(reverse("inbox"))
    second = client.get(reverse("inbox") + "?page=2")

    assert len(first.context["page"].object_list) == 20
    assert [n.title for n in second.context["page"].object_list] == ["消息0", "第一条"]


# --- error pages ------------------------------------------------------------------------------


def test_unknown_pages_get_the_translated_404_page(client: Client, english_catalogue: None) -> None:
    assert "页面不存在" in client.get("/no-such-page/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Page not found" in client.get("/no-such-page/").content.decode()


def test_an_expired_form_gets_the_translated_csrf_page() -> None:
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(reverse("login"), {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert "表单已过期" in response.content.decode()


@pytest.mark.parametrize(
    "name",
    sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")),
)
def test_every_template_compiles(name: str) -> None:
    from django.template import loader

    loader.get_template(name)


def test_the_500_page_renders_without_a_request_context() -> None:
    from django.template import loader

    with translation.override("zh-hans"):
        html = loader.get_template("500.html").render()

    assert "服务器错误" in html
    assert '<html lang="zh-hans">' in html


def test_factories_hand_out_distinct_valid_credit_codes() -> None:
    codes = {make_organisation(kind).uscc for kind in ("bidder", "bidder", "owner")}

    assert len(codes) == 3
    assert all(uscc.is_valid(code) for code in codes)
    assert Organisation.objects.count() == 3
