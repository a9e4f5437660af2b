"""In Chromium: a deadline in a provisional year is accepted with a warning naming the year, and a
deadline in a year the holiday table does not hold is refused next to its field (民法典 第203条)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.test_tender_flow import log_in, log_out
from tests.conftest import ControlledClock
from trading.models import CalendarDay, Lot
from trading.services.rules import timeline_rules_seed

pytestmark = pytest.mark.django_db(transaction=True)

# The clock fixture stands at 2026-11-30 12:00 Asia/Shanghai; 2026 is official, 2027 provisional.
DOCUMENTS_ISSUED = "2026-11-30T13:00"
OPENS = "2026-11-30T14:00"
IN_2027 = "2027-01-05T09:30"
IN_2028 = "2028-03-01T09:30"
# A schedule in the notice's format whose weekdays are 2028's (test input, not the real notice).
NOTICE_2028 = """国务院办公厅关于2028年部分节假日安排的通知
国办发明电〔2027〕5号
一、元旦：1月1日（周六）至3日（周一）放假，共3天。
二、春节：1月25日（农历除夕、周二）至31日（周一）放假调休，共7天。1月22日（周六）、2月12日（周六）上班。
三、国庆节：10月1日（周日）至7日（周六）放假调休，共7天。9月30日（周六）、10月8日（周日）上班。
"""


def test_a_provisional_year_is_warned_and_a_year_not_entered_is_refused(
    page: Page, live_server: object, demo: dict[str, int], clock: ControlledClock
) -> None:
    timeline_rules_seed()
    # The table ends with 2027: nobody has seeded or entered 2028.
    CalendarDay.objects.filter(date__year__gte=2028).delete()
    base = str(live_server)

    log_in(page, base, "owner_school")
    page.locator("nav.site-nav").get_by_role("link", name="我的项目").click()
    page.get_by_role("link", name="登记项目").click()
    page.fill("#id_name", "海口市第三中学运动场改造工程")
    page.select_option("#id_region", label="海口市")
    page.select_option("#id_business_type", label="工程建设项目招标投标")
    page.get_by_role("button", name="登记并继续").click()
    page.fill("#id_name", "第三中学运动场施工")
    page.select_option("#id_procedure", label="公开招标（资格后审）")
    page.fill("#id_documents_issued_at", DOCUMENTS_ISSUED)
    page.get_by_role("button", name="创建并添加标段").click()
    page.fill("#id_name", "施工一标段")
    page.fill("#id_estimate", "3000000.00")
    page.fill("#id_deposit_amount", "60000.00")
    page.fill("#id_opens_at", OPENS)
    page.fill("#id_closes_at", IN_2027)
    page.get_by_role("button", name="保存标段").click()

    # Accepted, with the provisional year named on the tender's page.
    expect(page.locator(".message-success")).to_contain_text("已添加标段")
    expect(page.locator("#calendar-warnings")).to_contain_text(
        "2027年节假日安排尚未由国务院公布，按暂定安排计算"
    )
    screenshot(page, "holiday-calendar-01-provisional-warning")

    # Moved into 2028, a year the table does not hold: refused next to the deadline.
    page.get_by_role("link", name="修改标段").click()
    expect(page.locator("#calendar-warnings")).to_contain_text("2027年")
    page.fill("#id_closes_at", IN_2028)
    page.get_by_role("button", name="保存标段").click()
    expect(page.locator("#field-closes_at")).to_contain_text(
        "2028年的节假日安排尚未录入，无法计算法定期限"
    )
    screenshot(page, "holiday-calendar-02-year-not-entered")
    lot = Lot.objects.get(name="施工一标段", tender__name="第三中学运动场施工")
    assert lot.closes_at is not None and lot.closes_at.year == 2027

    # The center's administrator enters 2028 from the notice: preview, then save.
    log_out(page)
    log_in(page, base, "center_admin")
    page.get_by_role("link", name="管理节假日安排").click()
    page.locator("#year-2028").get_by_role("link", name="录入").click()
    page.fill("#id_text", NOTICE_2028)
    page.get_by_role("button", name="预览").click()
    preview = page.locator("#calendar-preview")
    expect(preview).to_contain_text("国办发明电〔2027〕5号")
    expect(preview.locator('td.day-holiday[data-date="2028-01-25"]')).to_have_count(1)
    expect(preview.locator('td.day-workday[data-date="2028-01-22"]')).to_have_count(1)
    screenshot(page, "holiday-calendar-03-preview")
    page.get_by_role("button", name="保存为2028年正式安排").click()
    expect(page.locator(".message-success")).to_contain_text("已录入2028年节假日安排")
    expect(page.locator("#year-2028")).to_contain_text("正式")
    assert not CalendarDay.objects.filter(date__year=2028, provisional=True).exists()
