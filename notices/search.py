"""Chinese full-text search over published notices, the same on SQLite and PostgreSQL.

Most Chinese search words have two characters (海口, 道路, 监理), which trigram indexes cannot match
(SQLite's FTS5 trigram tokenizer and pg_trgm return nothing or scan everything). So one Python
function turns text into character bigrams and single characters, and each engine indexes those
as ordinary words: FTS5 with the `unicode61` tokenizer on SQLite, a GIN-indexed tsvector of the
`simple` configuration on PostgreSQL (both made in migration 0002).

Within a run of Chinese characters the bigrams are laid out consecutively, so a query of n ≥ 2
characters becomes the phrase of its n - 1 bigrams, which matches exactly the texts that contain
it. The query is rebuilt from these terms only: raw user input never reaches MATCH or tsquery.

Codes (tender 招标项目编号, lot 标段编号) are ASCII words in that text. People copy the start of
the code a list row prints, so an ASCII word of PREFIX_MIN_CHARS or more also matches the words it
begins (FTS5 `"word"*`, tsquery `'word':*`); a shorter one must match whole, or "1" would expand
to every number in the index.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from django.db import connections, router
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from notices.models import Notice, NoticeStatus

# CJK unified ideographs with extension A and the supplementary planes; compatibility
# ideographs need no range of their own because NFKC maps them onto unified ones.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f"
_RUN = re.compile(rf"[{_CJK}]+|[0-9a-z]+")
# Longer queries are cut: nobody types more into a search box, and hostile input stays cheap.
MAX_QUERY_CHARS = 64
MAX_QUERY_PHRASES = 8
# Six characters name a region (460100) or more: a prefix this long selects few words.
PREFIX_MIN_CHARS = 6
# Marks a phrase's only term as a prefix; terms hold only CJK characters and [0-9a-z].
PREFIX = "*"
FTS_TABLE = "notices_search"
# Below this many matches SQLite fetches them all by id and sorts; above, it walks the list.
SQLITE_FETCH_ALL_BELOW = 2000
# A phrase in at least this many of PostgreSQL's newest public notices is common (0.5 %).
PG_PROBE_ROWS = 1000
PG_PROBE_COMMON = 5


def _runs(text: str) -> Iterator[str]:
    # NFKC turns full-width letters and digits into ASCII before lower-casing.
    yield from _RUN.findall(unicodedata.normalize("NFKC", text).lower())


def _is_cjk(run: str) -> bool:
    return not run[0].isascii()


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def search_terms(*texts: str) -> str:
    """The words the engines index for `texts`: each Chinese run's bigrams then its characters,
    and lower-cased ASCII words, separated by spaces."""
    terms: list[str] = []
    for text in texts:
        for run in _runs(text or ""):
            if _is_cjk(run):
                # Bigrams first and adjacent, so a phrase of bigrams never spans two runs.
                terms.extend(_bigrams(run))
                terms.extend(run)
            else:
                terms.append(run)
    return " ".join(terms)


def search_query_phrases(query: str) -> list[list[str]]:
    """The phrases a query asks for, all of which must match: one per Chinese run or ASCII word.

    A single character is a phrase of itself, a longer run the phrase of its bigrams, an ASCII
    word of PREFIX_MIN_CHARS or more the prefix of a word (marked by a trailing PREFIX)."""
    phrases: list[list[str]] = []
    for run in _runs(query[:MAX_QUERY_CHARS]):
        if _is_cjk(run):
            phrase = _bigrams(run) if len(run) > 1 else [run]
        else:
            phrase = [run + PREFIX] if len(run) >= PREFIX_MIN_CHARS else [run]
        if phrase not in phrases:
            phrases.append(phrase)
    return phrases[:MAX_QUERY_PHRASES]


def fts5_match(phrases: list[list[str]]) -> str:
    """An FTS5 MATCH expression: each phrase quoted, the phrases joined by AND."""
    # Terms hold only CJK characters and [0-9a-z]; doubling quotes is defence in depth.
    quoted = []
    for phrase in phrases:
        prefix = phrase[-1].endswith(PREFIX)
        terms = [*phrase[:-1], phrase[-1].removesuffix(PREFIX)]
        quoted.append('"' + " ".join(terms).replace('"', '""') + '"' + (PREFIX if prefix else ""))
    return " AND ".join(quoted)


def _pg_term(term: str) -> str:
    prefix = term.endswith(PREFIX)
    term = term.removesuffix(PREFIX)
    literal = "'" + term.replace("'", "''").replace("\\", "\\\\") + "'"
    return literal + (":*" if prefix else "")


def pg_tsquery(phrases: list[list[str]]) -> str:
    """A tsquery literal: the terms of a phrase joined by <->, the phrases by &."""
    quoted = [" <-> ".join(_pg_term(term) for term in phrase) for phrase in phrases]
    return " & ".join(f"({part})" for part in quoted)


def pg_tsquery_for_planner(phrases: list[list[str]], frequencies: dict[str, float]) -> str:
    """The tsquery of `phrases`, each phrase of several terms written `r & (phrase | !r)` with `r`
    its rarest term by `frequencies` (a term missing from them counts as rarest).

    The same matches, since a phrase implies each of its terms; but PostgreSQL estimates a phrase
    as the product of its terms' frequencies (道路改造工程: 1 row of 100,000, really 5,000) and then
    rechecks every match of the GIN index before sorting (60 ms), where walking the list in order
    stops after 500 rows (2 ms). Written this way it is estimated near its rarest term's frequency,
    which bounds the true one, so a rare phrase still takes the GIN index."""
    parts = []
    for phrase in phrases:
        quoted = pg_tsquery([phrase])
        if len(phrase) < 2:
            parts.append(quoted)
            continue
        rarest = min(phrase, key=lambda term: frequencies.get(term, 0.0))
        r = pg_tsquery([[rarest]])
        parts.append(f"({r} & ({quoted} | !{r}))")
    return " & ".join(parts)


def _pg_is_common(tsquery: str) -> bool:
    # Common terms can make a rare phrase (道路 and 路灯, never 道路灯): estimated by its rarest
    # term, it would walk the whole list (390 ms at 100,000 notices). The newest notices tell.
    connection = connections[router.db_for_read(Notice)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT search_vector FROM notices_notice "
            "WHERE status = 'published' AND training = false "
            "ORDER BY published_at DESC, id DESC LIMIT %s) AS newest "
            "WHERE search_vector @@ %s::tsquery",
            [PG_PROBE_ROWS, tsquery],
        )
        row = cursor.fetchone()
    return bool(row) and int(row[0]) >= PG_PROBE_COMMON


def _pg_term_frequencies(terms: list[str]) -> dict[str, float]:
    # ANALYZE's share of rows holding each common lexeme; rarer ones are not listed.
    connection = connections[router.db_for_read(Notice)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.term, e.freq FROM pg_stats s CROSS JOIN LATERAL "
            "unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(term, freq) "
            "WHERE s.schemaname = current_schema() AND s.tablename = 'notices_notice' "
            "AND s.attname = 'search_vector' AND e.term = ANY(%s)",
            [terms],
        )
        return {term: float(freq) for term, freq in cursor.fetchall()}


def _vendor(model: type[Notice] = Notice) -> str:
    return connections[router.db_for_write(model)].vendor


def notice_search(qs: QuerySet[Notice], query: str) -> QuerySet[Notice]:
    """`qs` narrowed to notices whose indexed text contains every word of `query`.

    A query with nothing searchable in it (punctuation, emoji) matches nothing."""
    phrases = search_query_phrases(query)
    if not phrases:
        return qs.none()
    if _vendor() == "postgresql":
        tsquery = pg_tsquery(phrases)
        if any(len(phrase) > 1 for phrase in phrases) and _pg_is_common(tsquery):
            terms = sorted({term for phrase in phrases for term in phrase})
            tsquery = pg_tsquery_for_planner(phrases, _pg_term_frequencies(terms))
        return qs.filter(
            RawSQL(
                "notices_notice.search_vector @@ %s::tsquery",
                [tsquery],
                output_field=BooleanField(),
            )
        )
    match = fts5_match(phrases)
    # The MATCH text is a bound parameter rebuilt from our own terms, never the raw query.
    matches = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
    if _fts_count(match) <= SQLITE_FETCH_ALL_BELOW:
        return qs.filter(id__in=RawSQL(matches, [match]))  # noqa: S611
    # A common word (路 is in a fifth of all notices): SQLite would fetch and sort every match;
    # the unary + keeps it off the primary key, so it walks the list's index in order and stops
    # at the page's end (2 ms against 27 ms at 100,000 notices).
    walk = RawSQL(  # noqa: S611
        f"+notices_notice.id IN ({matches})", [match], output_field=BooleanField()
    )
    return qs.filter(walk)


def _fts_count(match: str) -> int:
    connection = connections[router.db_for_read(Notice)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
            [match],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def search_index_update(notice: Notice) -> None:
    """Bring the search index in line with `notice`: indexed while published, absent otherwise.

    On PostgreSQL the tsvector is a generated column of `search_terms`: nothing to do."""
    connection = connections[router.db_for_write(Notice)]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [notice.pk])  # noqa: S608
        if notice.status == NoticeStatus.PUBLISHED and notice.search_terms:
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, terms) VALUES (%s, %s)",  # noqa: S608
                [notice.pk, notice.search_terms],
            )


def search_index_rebuild() -> int:
    """Index every published notice again (after a bulk load); returns how many are indexed."""
    connection = connections[router.db_for_write(Notice)]
    published = Notice.objects.filter(status=NoticeStatus.PUBLISHED)
    if connection.vendor != "sqlite":
        return published.count()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, terms) "  # noqa: S608
            "SELECT id, search_terms FROM notices_notice "
            "WHERE status = %s AND search_terms != ''",
            [NoticeStatus.PUBLISHED.value],
        )
        cursor.execute(f"SELECT count(*) FROM {FTS_TABLE}")  # noqa: S608
        row = cursor.fetchone()
    return int(row[0]) if row else 0
