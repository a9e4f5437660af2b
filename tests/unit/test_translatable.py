"""Messages stored as msgid and parameters render in the reader's language after a round trip."""

from __future__ import annotations

import ast
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils.translation import gettext_noop, override

from trading.translatable import Message, Word, join

pytestmark = pytest.mark.sqlite

ROOT = Path(__file__).resolve().parents[2]


def _stored(message: Message) -> Message:
    """What the database gives back: JSON text, decoded."""
    return Message.from_json(json.loads(json.dumps(message.to_json())))


def test_a_message_with_a_vocabulary_word_renders_in_each_language_after_storage() -> None:
    message = _stored(
        Message(
            gettext_noop("%(letter)s已发出，请签订合同：%(code)s"),
            letter=Word("中标通知书"),
            code="C2026-001",
        )
    )

    with override("en"):
        english = message.render()
    with override("zh-hans"):
        chinese = message.render()

    assert english == "The Award letter has been issued, please sign the contract: C2026-001"
    assert chinese == "中标通知书已发出，请签订合同：C2026-001"


def test_nested_messages_numbers_and_amounts_survive_the_round_trip() -> None:
    original = join(
        Message(gettext_noop("流标：%(code)s 有效投标不足 %(n)s 家"), code="L1", n=3),
        Message(gettext_noop("（%(article)s）"), article="招标投标法 第45条"),
        Message("%(amount)s", amount=Decimal("3100000.00")),
    )

    stored = _stored(original)

    assert stored == original
    with override("en"):
        assert stored.render() == (
            "Failed tender: L1 has fewer than 3 valid bids (招标投标法 第45条)3100000.00"
        )


def test_a_person_s_text_is_never_translated_even_when_it_matches_a_msgid() -> None:
    message = _stored(Message(gettext_noop("已退回：%(code)s %(name)s"), code="C1", name="已发布"))

    with override("en"):
        assert message.render() == "Returned: C1 已发布"


def test_a_literal_percent_sign_in_a_message_without_parameters_is_kept() -> None:
    assert Message("降价 5%").render() == "降价 5%"


@pytest.mark.parametrize("value", [1.5, None, True, object(), ["x"]])
def test_a_parameter_that_cannot_be_stored_is_refused_when_written(value: object) -> None:
    with pytest.raises(TypeError):
        Message("%(x)s", x=value)  # type: ignore[arg-type]


def test_an_unknown_marker_in_the_database_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown message marker"):
        Message.from_json({"key": "%(x)s", "params": {"x": {"html": "<b>"}}})


_SENDERS = {"notify", "notification_send"}
_TRANSLATORS = {"_", "gettext", "gettext_lazy", "pgettext", "ngettext"}


def _pre_translated_arguments(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        if name not in _SENDERS:
            continue
        for keyword in node.keywords:
            if keyword.arg not in {"title", "body"}:
                continue
            for inner in ast.walk(keyword.value):
                called = getattr(inner, "func", None)
                if isinstance(called, ast.Name) and called.id in _TRANSLATORS:
                    found.append(f"{path.relative_to(ROOT)}:{called.lineno} {keyword.arg}=")
    return found


def test_no_notification_is_written_as_text_already_translated_into_one_language() -> None:
    """An English reader would read a Chinese sentence: pass Message(gettext_noop(...), ...)."""
    offenders = [
        hit
        for app in ("trading", "bidding", "notices", "supervision")
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
        for hit in _pre_translated_arguments(path)
    ]

    assert offenders == []


def test_every_timeline_point_name_is_where_makemessages_finds_it() -> None:
    from trading.domain.points import AMOUNT_LABELS, POINT_LABELS
    from trading.selectors.point_words import POINT_MESSAGES

    assert set(POINT_MESSAGES) == {*POINT_LABELS.values(), *AMOUNT_LABELS.values()}


def test_a_rule_s_article_names_the_law_in_english_and_translates_the_platform_s_own_rule() -> None:
    from django.utils.translation import gettext

    from trading.selectors.terms import article_note, article_words
    from trading.services.rule_rows.common import LOCAL_ARTICLE

    with override("en"):
        # "%(law)s 第%(number)s条" is new: its English arrives with the merged catalogue.
        art_24 = gettext("%(law)s 第%(number)s条") % {"law": "Tendering Law", "number": "24"}
        words = article_words(f"{LOCAL_ARTICLE}；招标投标法 第24条")
        note = _stored(Message("%(a)s", a=article_note(f"招标投标法 第45条；{LOCAL_ARTICLE}")))

        assert words == f"the platform's trading rules (local rules)；{art_24}"
        # A citation the vocabulary names whole keeps its own English.
        assert (
            note.render() == " (Tendering Law, Art. 45；the platform's trading rules (local rules))"
        )
        # A law the catalogue cannot name keeps its Chinese title and its number.
        assert article_words("某某办法 第3条") == "某某办法 第3条"

    with override("zh-hans"):
        assert article_words("招标投标法实施条例 第16-22条；民法典 第203条") == (
            "招标投标法实施条例 第16-22条；民法典 第203条"
        )
