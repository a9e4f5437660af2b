"""The trading center's administrator: its console, desks and grants, the rule rows and holiday
table in the admin, every desk's queue read-only — and no menu entry of any role that fails."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from notices.models import Notice, NoticeKind
from tests.conftest import ControlledClock
from tests.notices import deliver_events
from tests.tenders import make_tender, make_world
from trading.models import CalendarDay, Desk, LedgerEntry, TimelineRule, User
from trading.services.demo import ADMIN_USERNAME, USERS

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.sqlite
def test_every_menu_entry_of_every_demo_account_opens(demo: dict[str, int]) -> None:
    failures = []
    for username in [ADMIN_USERNAME, *(demo_user.username for demo_user in USERS)]:
        client = signed_in(User.objects.get(username=username))
        nav = client.get("/").context["nav"]
        for item in nav:
            response = client.get(item["url"], follow=True)
            if response.status_code != 200:
                failures.append(f"{username} {item['label']} {item['url']}: {response.status_code}")
    assert failures == []


@pytest.mark.sqlite
def test_the_center_administrator_menu_leads_to_its_console(demo: dict[str, int]) -> None:
    client = signed_in(User.objects.get(username="center_admin"))
    labels = [str(item["label"]) for item in client.get("/").context["nav"]]
    assert labels == ["工作台", "中心管理", "主体核验", "消息", "平台管理"]
    workspace = client.get(reverse("workspace")).content.decode()
    assert reverse("center_console") in workspace
    assert "您尚未被授予任何交易科室的操作权限" not in workspace
    html = client.get(reverse("center_console")).content.decode()
    # Every desk with its staff; the registration awaiting a check.
    assert "王海 (海口工程·政采)" in html
    assert "海口市 · 工程建设项目招标投标" in html
    assert "1</p>" in html.split('id="unverified-count"')[1][:20]
    queue = client.get(reverse("organisation_queue")).content.decode()
    assert "文昌椰风科技有限公司" in queue and "查看营业执照" in queue


@pytest.mark.sqlite
def test_the_center_administrator_grants_and_revokes_a_desk(demo: dict[str, int]) -> None:
    admin = User.objects.get(username="center_admin")
    staff = User.objects.get(username="staff_sanya")
    desk = Desk.objects.get(region__code="460100", business_type__code="land")
    client = signed_in(admin)

    response = client.post(
        reverse("center_grant_assign"), {"user": staff.pk, "desk": desk.pk}, follow=True
    )

    assert "已授予 林晓 (三亚全部业务) “海口市 · 国有建设用地使用权出让”的操作权限。" in (
        response.content.decode()
    )
    assert staff.has_perm("trading.operate_desk", desk)
    assert LedgerEntry.objects.filter(action="grant.assigned", object_id=str(desk.pk)).exists()

    client.post(reverse("center_grant_revoke"), {"user": staff.pk, "desk": desk.pk})
    assert not User.objects.get(pk=staff.pk).has_perm("trading.operate_desk", desk)
    again = client.post(
        reverse("center_grant_revoke"), {"user": staff.pk, "desk": desk.pk}, follow=True
    )
    assert "该用户没有这项权限，无需撤销。" in again.content.decode()


@pytest.mark.sqlite
def test_only_center_users_can_be_given_a_desk_there(demo: dict[str, int]) -> None:
    bidder = User.objects.get(username="bidder1")
    desk = Desk.objects.first()
    assert desk is not None
    response = signed_in(User.objects.get(username="center_admin")).post(
        reverse("center_grant_assign"), {"user": bidder.pk, "desk": desk.pk}, follow=True
    )
    assert "请选择本中心的一名工作人员和一个交易科室。" in response.content.decode()
    assert not bidder.has_perm("trading.operate_desk", desk)


@pytest.mark.sqlite
def test_desk_staff_may_not_manage_desks(demo: dict[str, int]) -> None:
    staff = signed_in(User.objects.get(username="staff_haikou"))
    assert staff.get(reverse("center_console")).status_code == 403
    assert staff.post(reverse("center_grant_assign"), {}).status_code == 403


@pytest.mark.sqlite
def test_the_center_administrator_keeps_rule_rows_and_holidays_in_the_admin(
    demo: dict[str, int],
) -> None:
    client = signed_in(User.objects.get(username="center_admin"))
    assert client.get(reverse("admin:trading_timelinerule_changelist")).status_code == 200
    assert client.get(reverse("admin:trading_calendarday_changelist")).status_code == 200
    # Reference data the platform administrator keeps stays out of its reach.
    assert client.get(reverse("admin:trading_organisation_changelist")).status_code == 403
    assert client.get(reverse("admin:trading_user_changelist")).status_code == 403
    day = CalendarDay.objects.order_by("date").first()
    assert day is not None
    response = client.post(
        reverse("admin:trading_calendarday_change", args=[day.pk]),
        {
            "date": day.date.isoformat(),
            "kind": day.kind,
            "name": "元旦（改）",
            "provisional": "",
            "source": day.source,
        },
    )
    assert response.status_code == 302
    assert LedgerEntry.objects.filter(action="calendar_day.changed", object_id=str(day.pk)).exists()
    assert TimelineRule.objects.exists()


def test_the_center_administrator_sees_every_desks_queue_without_acting(
    clock: ControlledClock,
) -> None:
    world = make_world()
    assert world.staff.organisation is not None
    admin = User.objects.create_user(
        "center-admin",
        organisation=world.staff.organisation,
        is_organisation_admin=True,
        first_name="中心管理员",
    )
    pending = make_tender(world, name="待审核的学校项目", publish=False)
    client = signed_in(admin)

    html = client.get(reverse("center_console")).content.decode()

    assert "待审核的学校项目" in html
    assert reverse("tender_publish", args=[pending.pk]) not in html
    # The tender's own page reads as it does for its desk, without the desk's review forms.
    page = client.get(reverse("tender_detail", args=[pending.pk]))
    assert page.status_code == 200
    assert "待审核的学校项目" in page.content.decode()
    assert reverse("tender_publish", args=[pending.pk]) not in page.content.decode()
    assert reverse("tender_reject", args=[pending.pk]) not in page.content.decode()
    desk_page = signed_in(world.staff).get(reverse("tender_detail", args=[pending.pk]))
    assert reverse("tender_publish", args=[pending.pk]) in desk_page.content.decode()
    assert client.post(reverse("tender_publish", args=[pending.pk])).status_code == 403
    assert client.get(reverse("staff_review_queue")).status_code == 403


def test_the_center_administrator_reads_every_desks_notice_queue_only(
    clock: ControlledClock,
) -> None:
    world = make_world()
    assert world.staff.organisation is not None
    admin = User.objects.create_user(
        "center-admin", organisation=world.staff.organisation, is_organisation_admin=True
    )
    tender = make_tender(world, name="公告只读测试项目")
    deliver_events(clock)
    notice = Notice.objects.get(tender=tender, kind=NoticeKind.ANNOUNCEMENT)
    client = signed_in(admin)

    html = client.get(reverse("notice_queue")).content.decode()

    assert notice.title in html and 'id="read-only"' in html
    assert reverse("notice_edit", args=[notice.pk]) not in html
    assert client.get(reverse("notice_edit", args=[notice.pk])).status_code == 403
    assert client.post(reverse("notice_approve", args=[notice.pk])).status_code == 403
    staff_html = signed_in(world.staff).get(reverse("notice_queue")).content.decode()
    assert reverse("notice_edit", args=[notice.pk]) in staff_html
