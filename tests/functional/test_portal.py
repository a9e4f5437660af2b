"""The public portal without logging in: lists and their filters, keyset pages, search, notice
pages, open lots and the home overview. Runs on PostgreSQL and SQLite (`sqlite` marker)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from notices.models import NoticeKind, NoticeStatus
from tests.conftest import ControlledClock
from tests.portal_data import publish_row
from tests.tenders import World, make_tender, make_world
from trading.models import BusinessType, Industry, Region, Tender

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]


@pytest.fixture
def world(clock: ControlledClock) -> World:
    return make_world()


@pytest.fixture
def tender(world: World) -> Tender:
    return make_tender(world, name="海口市道路改造工程")


def listed(response: Any) -> list[int]:
    assert response.status_code == 200
    return [notice.pk for notice in response.context["notices"]]


def test_the_list_shows_published_real_notices_newest_first_without_login(
    client: Client, clock: ControlledClock, tender: Tender
) -> None:
    older = publish_row(tender, title="较早的公告")
    clock.advance(hours=1)
    newer = publish_row(tender, title="较新的公告")
    publish_row(tender, title="草稿公告", status=NoticeStatus.DRAFT)
    publish_row(tender, title="排期公告", status=NoticeStatus.SCHEDULED)
    training = publish_row(tender, title="培训公告", training=True)

    assert listed(client.get(reverse("portal_notices"))) == [newer.pk, older.pk]
    with_training = listed(client.get(reverse("portal_notices"), {"training": "on"}))
    assert set(with_training) == {newer.pk, older.pk, training.pk}


FILTERS = {
    "region": lambda: {"region": "460200"},
    "business type": lambda: {"type": "procurement"},
    "industry": lambda: {"industry": Industry.objects.order_by("code").first().code},  # type: ignore[union-attr]
    "kind": lambda: {"kind": NoticeKind.RESULT.value},
    "from date": lambda: {"date_from": "2026-12-10"},
    "to date": lambda: {"date_to": "2026-11-30"},
}


@pytest.mark.parametrize("name", FILTERS)
def test_each_filter_keeps_only_the_matching_notice(
    client: Client, clock: ControlledClock, tender: Tender, name: str
) -> None:
    plain = publish_row(tender, title="普通公告")
    expected = {
        "region": lambda: publish_row(
            tender, title="三亚公告", region=Region.objects.get(code="460200")
        ),
        "business type": lambda: publish_row(
            tender, title="采购公告", business_type=BusinessType.objects.get(code="procurement")
        ),
        "industry": lambda: publish_row(
            tender, title="行业公告", industry=Industry.objects.order_by("code").first()
        ),
        "kind": lambda: publish_row(tender, title="结果公告", kind=NoticeKind.RESULT),
        "from date": lambda: publish_row(
            tender, title="十二月公告", published_at=clock.now + timedelta(days=12)
        ),
        "to date": lambda: plain,
    }[name]()
    if name == "to date":
        publish_row(tender, title="十二月公告", published_at=clock.now + timedelta(days=1))

    assert listed(client.get(reverse("portal_notices"), FILTERS[name]())) == [expected.pk]


def test_the_to_date_includes_the_whole_shanghai_day(
    client: Client, clock: ControlledClock, tender: Tender
) -> None:
    # 2026-11-30 23:30 in Shanghai is 15:30 UTC the same day; the next minute of the 1st is not.
    late = publish_row(tender, title="深夜公告", published_at=clock.now.replace(hour=23, minute=30))
    publish_row(
        tender, title="次日公告", published_at=clock.now.replace(hour=23) + timedelta(hours=1)
    )

    assert listed(client.get(reverse("portal_notices"), {"date_to": "2026-11-30"})) == [late.pk]


def test_keyset_pages_cover_every_notice_once_even_with_equal_times(
    client: Client, clock: ControlledClock, tender: Tender
) -> None:
    at = clock.now
    ids = {publish_row(tender, title=f"公告{n}", published_at=at).pk for n in range(20)}
    ids |= {
        publish_row(tender, title=f"更早{n}", published_at=at - timedelta(days=1)).pk
        for n in range(12)
    }

    seen: list[int] = []
    query: dict[str, str] = {"region": "460100"}
    for _ in range(5):
        response = client.get(reverse("portal_notices"), query)
        seen += listed(response)
        if response.context["next_query"] is None:
            break
        assert 'rel="next"' in response.content.decode()
        query = dict(pair.split("=") for pair in response.context["next_query"].split("&"))
    assert len(seen) == len(ids) == 32
    assert set(seen) == ids


def test_results_list_only_results(client: Client, tender: Tender) -> None:
    publish_row(tender, title="招标公告", kind=NoticeKind.ANNOUNCEMENT)
    result = publish_row(tender, title="中标结果公告", kind=NoticeKind.RESULT)
    candidates = publish_row(tender, title="候选人公示", kind=NoticeKind.CANDIDATES)

    assert set(listed(client.get(reverse("portal_results")))) == {result.pk, candidates.pk}


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("道路", {"海口市道路工程施工招标公告"}),
        ("路", {"海口市道路工程施工招标公告", "儋州市路灯改造工程"}),
        ("监理", {"三亚市监理服务采购公告"}),
        ("海口市道路工程", {"海口市道路工程施工招标公告"}),
        ('"海口" OR *', set()),
        ("🚧", set()),
    ],
)
def test_searching_in_chinese_from_the_list(
    client: Client, world: World, query: str, titles: set[str]
) -> None:
    tender = make_tender(world, name="综合项目")
    for title in ("海口市道路工程施工招标公告", "三亚市监理服务采购公告", "儋州市路灯改造工程"):
        publish_row(tender, title=title)

    response = client.get(reverse("portal_notices"), {"q": query})

    assert {notice.title for notice in response.context["notices"]} == titles
    if not titles:
        assert "没有找到包含该关键词的公告" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"region": "999999"},
        {"type": "nonsense"},
        {"kind": "forged"},
        {"date_from": "yesterday"},
        {"after": "abc"},
        {"after": "-3"},
        {"q": "海" * 500},
    ],
)
def test_bad_filter_values_get_a_message_never_an_error(
    client: Client, tender: Tender, params: dict[str, str]
) -> None:
    publish_row(tender, title="公告")

    response = client.get(reverse("portal_notices"), params)

    assert response.status_code == 200
    assert response.context["notices"] == []
    assert "查询条件有误" in response.content.decode()


def test_an_unknown_cursor_ends_the_list(client: Client, tender: Tender) -> None:
    publish_row(tender, title="公告")

    assert listed(client.get(reverse("portal_notices"), {"after": "987654"})) == []


def test_the_list_takes_the_same_few_queries_for_any_page(
    client: Client, tender: Tender, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        publish_row(tender, title=f"公告{n}")

    # One for the page, three for the filter form's choices, one per code filter, one cursor,
    # on SQLite one count of the word's matches to choose the plan, and one for the publication
    # counter the cached page is kept under.
    with django_assert_max_num_queries(6):
        first = client.get(reverse("portal_notices"), {"q": "公告"})
    last_shown = first.context["notices"][-1].pk
    with django_assert_max_num_queries(8):
        client.get(
            reverse("portal_notices"),
            {"region": "460100", "type": "engineering", "after": last_shown},
        )


def test_a_notice_page_shows_its_hash_code_and_corrections(
    client: Client, clock: ControlledClock, tender: Tender
) -> None:
    original = publish_row(tender, title="海口市道路改造工程招标公告", body="开标时间见招标文件。")
    clock.advance(hours=1)
    correction = publish_row(tender, title="海口市道路改造工程招标公告（更正）", corrects=original)

    response = client.get(reverse("portal_notice_detail", args=[original.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert original.pdf_sha256 in html
    assert "SHA256" in html
    assert original.verification_code in html
    assert reverse("verify_pdf", args=[original.verification_code]) in html
    assert "开标时间见招标文件。" in html
    assert "本公告已被更正" in html
    assert reverse("portal_notice_detail", args=[correction.pk]) in html
    corrected = client.get(reverse("portal_notice_detail", args=[correction.pk])).content.decode()
    assert "更正的公告" in corrected


def test_unpublished_and_missing_notices_are_not_found(client: Client, tender: Tender) -> None:
    draft = publish_row(tender, title="草稿", status=NoticeStatus.DRAFT)

    assert client.get(reverse("portal_notice_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("portal_notice_detail", args=[draft.pk + 99])).status_code == 404


def test_open_tenders_lists_lots_of_published_real_tenders(
    client: Client, world: World, tender: Tender
) -> None:
    announcement = publish_row(tender, title="招标公告", kind=NoticeKind.ANNOUNCEMENT)
    make_tender(world, name="培训项目", training=True, time_scale=1)
    make_tender(world, name="未发布项目", publish=False)

    response = client.get(reverse("portal_open_tenders"))

    assert response.status_code == 200
    lots = [lot for lot, _ in response.context["rows"]]
    assert [lot.tender_id for lot in lots] == [tender.pk]
    html = response.content.decode()
    assert reverse("portal_notice_detail", args=[announcement.pk]) in html
    assert reverse("lot_detail", args=[lots[0].pk]) in html
    other_region = client.get(reverse("portal_open_tenders"), {"region": "460200"})
    assert other_region.context["rows"] == []


def test_home_overview_counts_notices_and_open_lots_per_region_and_type(
    client: Client, tender: Tender
) -> None:
    publish_row(tender, title="公告一")
    publish_row(tender, title="公告二")
    publish_row(tender, title="培训", training=True)

    response = client.get(reverse("home"))

    html = response.content.decode()
    assert response.status_code == 200
    cells = {
        (region.code, business_type.code): cell
        for region, row in response.context["rows"]
        for business_type, cell in row
        if cell
    }
    assert cells == {("460100", "engineering"): {"notices": 2, "open": 1}}
    assert f"{reverse('portal_notices')}?region=460100&amp;type=engineering" in html
    assert "公告 2" in html
    assert "报名中 1" in html


def test_the_results_list_refuses_a_kind_that_is_not_a_result(
    client: Client, tender: Tender
) -> None:
    publish_row(tender, title="招标公告", kind=NoticeKind.ANNOUNCEMENT)

    response = client.get(reverse("portal_results"), {"kind": NoticeKind.ANNOUNCEMENT.value})

    assert response.context["notices"] == []
    assert "查询条件有误" in response.content.decode()
