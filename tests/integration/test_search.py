"""Chinese search finds one-, two- and many-character words on both engines, and hostile input
gets results or none, never an error. Marked `sqlite`: `make test` runs it on PostgreSQL and again
on SQLite, the two index structures migration 0002 creates.
"""

from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from notices.models import Notice, NoticeStatus
from notices.search import (
    MAX_QUERY_CHARS,
    PREFIX,
    fts5_match,
    notice_search,
    pg_tsquery,
    search_query_phrases,
    search_terms,
)
from notices.views_portal import portal_notices
from tests.conftest import ControlledClock
from tests.portal_data import publish_row
from tests.tenders import make_tender, make_world

FULLWIDTH_ABC123 = "\uff21\uff22\uff23\uff11\uff12\uff13"  # full-width, as Chinese IMEs type it

# --- the terms: pure functions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (("路",), "路"),
        (("海口",), "海口 海 口"),
        (("海口市",), "海口 口市 海 口 市"),
        (("海口，道路",), "海口 海 口 道路 道 路"),
        (("G75高速",), "g75 高速 高 速"),
        ((FULLWIDTH_ABC123,), "abc123"),
        (("工程", "三亚"), "工程 工 程 三亚 三 亚"),
        (("🚧 --- ！",), ""),
        (("",), ""),
    ],
)
def test_search_terms_are_bigrams_then_characters_of_each_run(
    texts: tuple[str, ...], expected: str
) -> None:
    assert search_terms(*texts) == expected


@pytest.mark.parametrize(
    ("query", "phrases"),
    [
        ("路", [["路"]]),
        ("海口", [["海口"]]),
        ("海口市道路工程", [["海口", "口市", "市道", "道路", "路工", "工程"]]),
        ("海口 监理", [["海口"], ["监理"]]),
        ("G75 高速", [["g75"], ["高速"]]),
        ("4601002026", [["4601002026*"]]),
        ("46010", [["46010"]]),
        ('"海口" OR NEAR(路*)', [["海口"], ["or"], ["near"], ["路"]]),
        ("海口 海口", [["海口"]]),
        ("🚧", []),
        ("", []),
    ],
)
def test_a_query_is_one_phrase_per_run_or_word(query: str, phrases: list[list[str]]) -> None:
    assert search_query_phrases(query) == phrases


def test_a_huge_query_is_cut_to_the_search_box_length() -> None:
    phrases = search_query_phrases("海" * 1000)

    assert phrases == [["海海"] * (MAX_QUERY_CHARS - 1)]


@given(st.text(max_size=300))
@settings(max_examples=300)
def test_any_query_becomes_quoted_terms_only(query: str) -> None:
    phrases = search_query_phrases(query)
    for phrase in phrases:
        for term in phrase:
            word = term.removesuffix(PREFIX)
            assert word and not set(word) & set("\"' \\()*:^-+<>&|!%_\x00"), term
    match = fts5_match(phrases)
    # Every double quote in the MATCH text opens or closes one phrase.
    assert match.count('"') == 2 * len(phrases)
    assert pg_tsquery(phrases).count("'") == 2 * sum(len(p) for p in phrases)


# --- the engines ---------------------------------------------------------------------------------

CORPUS = {
    "haikou_road": ("海口市道路工程施工招标公告", "本工程位于海口市美兰区。"),
    "sanya_supervision": ("三亚市监理服务采购公告", "采购监理服务一项。"),
    "danzhou_lamps": ("儋州市路灯改造工程招标公告", ""),
    "expressway": ("海南G75高速公路养护工程", f"{FULLWIDTH_ABC123} 标段"),
    # Holds the bigrams 海口 and 口市 but not 海口市: a phrase must match, not a bag of bigrams.
    "haikou_market": ("海口美兰机场入口市场管理服务", ""),
}


@pytest.fixture
def corpus(clock: ControlledClock) -> dict[str, int]:
    world = make_world()
    tender = make_tender(world, name="搜索测试项目")
    ids = {}
    for key, (title, body) in CORPUS.items():
        clock.advance(minutes=1)
        ids[key] = publish_row(tender, title=title, body=body).pk
    return ids


def found(query: str) -> set[int]:
    return set(notice_search(portal_notices(), query).values_list("pk", flat=True))


@pytest.mark.sqlite
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("路", {"haikou_road", "danzhou_lamps", "expressway"}),
        ("海", {"haikou_road", "expressway", "haikou_market"}),
        ("海口", {"haikou_road", "haikou_market"}),
        ("道路", {"haikou_road"}),
        ("监理", {"sanya_supervision"}),
        ("路灯", {"danzhou_lamps"}),
        ("海口市", {"haikou_road"}),
        ("海口市道路工程", {"haikou_road"}),
        ("海口市道路工程施工招标公告", {"haikou_road"}),
        ("美兰区", {"haikou_road"}),
        ("口市", {"haikou_road", "haikou_market"}),
        ("海口 监理", set()),
        ("工程 海口", {"haikou_road"}),
        ("三亚监理", set()),
        ("G75", {"expressway"}),
        ("g75高速", {"expressway"}),
        ("\uff27\uff17\uff15", {"expressway"}),
        ("abc123", {"expressway"}),
        ("abc", set()),
        ("深圳", set()),
        ("程三", set()),
    ],
)
def test_search_finds_one_two_and_many_character_words(
    corpus: dict[str, int], query: str, expected: set[str]
) -> None:
    assert found(query) == {corpus[key] for key in expected}


HOSTILE = [
    '"',
    '""',
    '"海口',
    "'",
    "\\",
    "*",
    "路*",
    "NEAR",
    "NEAR(海口 道路)",
    "OR",
    "海口 OR 三亚",
    "AND",
    "NOT 海口",
    "(",
    ")",
    "海口)",
    "(((",
    "^海口",
    "terms:海口",
    "-海口",
    "+",
    "%",
    "_",
    "海口%",
    "'; DROP TABLE notices_notice; --",
    "a" * 1000,
    "海" * 1000,
    "海口" * 500,
    "🚧🏗️",
    "海口🚧",
    "\x00",
    "海\x00口",
    " ",
    "<script>alert(1)</script>",
    "&|!<->",
    "海口 <-> 道路",
    ":*",
]
# The operators are plain words (nothing has "near" or "not"); the Chinese still counts.
FINDS_HAIKOU = {'"海口', "海口)", "^海口", "-海口", "海口%", "海口🚧", "海\x00口", "海口 <-> 道路"}


@pytest.mark.sqlite
@pytest.mark.django_db
@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_input_gets_results_or_none_never_an_error(
    corpus: dict[str, int], query: str
) -> None:
    result = found(query)

    assert result <= set(corpus.values())
    if query in FINDS_HAIKOU:
        assert corpus["haikou_road"] in result


@pytest.mark.sqlite
@pytest.mark.django_db
def test_drafts_and_training_notices_are_not_found_on_the_portal(clock: ControlledClock) -> None:
    world = make_world()
    tender = make_tender(world)
    publish_row(tender, title="海口道路草稿公告", status=NoticeStatus.DRAFT)
    training = publish_row(tender, title="海口道路培训公告", training=True)
    real = publish_row(tender, title="海口道路正式公告")

    assert found("道路") == {real.pk}
    assert found("草稿") == set()
    in_training = notice_search(portal_notices(training=True), "道路")
    assert set(in_training.values_list("pk", flat=True)) == {real.pk, training.pk}


@pytest.mark.sqlite
@pytest.mark.django_db
def test_the_search_uses_the_engines_index(corpus: dict[str, int]) -> None:
    qs = notice_search(Notice.objects.order_by(), "道路")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            plan = qs.explain()
        assert "notice_search_vector" in plan
    else:
        plan = qs.explain()
        assert "VIRTUAL TABLE" in plan


@pytest.mark.sqlite
@pytest.mark.django_db
@pytest.mark.parametrize("query", ["路", "海口", "海口市道路工程", "g75 高速", '"海口'])
def test_common_words_take_the_walking_plan_with_the_same_results(
    corpus: dict[str, int], query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetched_all = found(query)
    monkeypatch.setattr("notices.search.SQLITE_FETCH_ALL_BELOW", -1)

    assert found(query) == fetched_all


@pytest.mark.sqlite
@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["海口市道路工程", "道路 监理", "g75 高速", "三亚市监理服务", "海口 道路工程"]
)
def test_common_phrases_take_the_planner_friendly_query_with_the_same_results(
    corpus: dict[str, int], query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On PostgreSQL a phrase counted common is rewritten as `rarest & (phrase | !rarest)` so the
    # planner estimates it sensibly; the notices it finds must not change (on SQLite: a no-op).
    as_written = found(query)
    monkeypatch.setattr("notices.search.PG_PROBE_COMMON", 0)

    assert found(query) == as_written


@pytest.mark.parametrize(
    ("phrases", "frequencies"),
    [
        ([["道路", "路工", "工程"]], {"道路": 0.3, "路工": 0.01, "工程": 0.5}),
        ([["海口"], ["监理", "理服", "服务"]], {"海口": 0.2, "监理": 0.05}),
        ([["g75"]], {}),
    ],
)
def test_the_planner_friendly_query_requires_the_rarest_term_and_keeps_every_phrase(
    phrases: list[list[str]], frequencies: dict[str, float]
) -> None:
    from notices.search import pg_tsquery_for_planner

    rewritten = pg_tsquery_for_planner(phrases, frequencies)
    for phrase in phrases:
        if len(phrase) > 1:
            rarest = min(phrase, key=lambda term: frequencies.get(term, 0.0))
            assert f"('{rarest}') & (" in rewritten
            assert " <-> ".join(f"'{term}'" for term in phrase) in rewritten
        else:
            assert f"'{phrase[0]}'" in rewritten
