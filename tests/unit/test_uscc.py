"""统一社会信用代码 check character (GB 32100-2015)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.domain import uscc

# The standard's own worked example (GB 32100-2015 附录A) and its one-character-off twins.
EXAMPLE = "91350100M000100Y43"


def test_standard_worked_example_is_valid() -> None:
    assert uscc.validate(EXAMPLE) == EXAMPLE


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91350100M000100Y44", "check"),  # the check character one off
        ("91350100M000100Y4", "length"),
        ("91350100M000100Y433", "length"),
        ("91350100M000I00Y43", "character"),  # I is not a code character
        ("9135A100M000100Y43", "region"),
        ("", "length"),
    ],
)
def test_malformed_codes_are_refused_with_their_reason(code: str, reason: str) -> None:
    with pytest.raises(uscc.InvalidUSCC) as refused:
        uscc.validate(code)
    assert refused.value.reason == reason


# Codes their holders registered and published, copied here, never computed: a weight or
# character value the code gets wrong makes a real organisation's own code fail. Sources:
# ntnyq/uscc-utils tests/fixtures.ts (小米, 步长, 少林寺文化院, 红十字基金会);
# bluesky335/IDCheck main.go (华为, 谷歌, 锤子, 象屿); TCL科技's articles of association and
# cninfo filings (quoted in a public due-diligence case file, case_10).
PUBLISHED = {
    "91110108551385082Q": "小米科技有限责任公司",
    "91370000728611939A": "山东步长制药股份有限公司",
    "52410000663412719U": "河南省嵩山少林寺文化院",
    "531000005000160090": "中国红十字基金会",
    "914403001922038216": "华为技术有限公司",
    "91110108795101314G": "谷歌信息技术（中国）有限公司",
    "91120222MA0699U071": "天津锤子科技有限公司",
    "9135020026015919XW": "厦门象屿集团有限公司",
    "91441300195971850Y": "TCL科技集团股份有限公司",
}


@pytest.mark.parametrize("code", PUBLISHED, ids=PUBLISHED.values())
def test_published_codes_of_real_organisations_are_valid(code: str) -> None:
    assert uscc.validate(code) == code


def test_the_published_codes_exercise_every_weight() -> None:
    # A character worth 0 hides its weight: each of the 17 weighted positions, and the check
    # character, must be non-zero in at least one published code.
    assert [p + 1 for p in range(uscc.LENGTH) if all(c[p] == "0" for c in PUBLISHED)] == []


@pytest.mark.parametrize("code", PUBLISHED, ids=PUBLISHED.values())
def test_any_other_check_character_is_refused(code: str) -> None:
    for char in uscc.ALPHABET.replace(code[-1], ""):
        with pytest.raises(uscc.InvalidUSCC) as refused:
            uscc.validate(code[:-1] + char)
        assert refused.value.reason == "check"


@pytest.mark.parametrize("code", PUBLISHED, ids=PUBLISHED.values())
def test_swapping_two_neighbouring_characters_is_refused(code: str) -> None:
    for position in range(uscc.LENGTH - 1):
        swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
        if swapped != code:
            assert not uscc.is_valid(swapped), swapped


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        # ntnyq/uscc-utils' checksum error case: 小米's code with the wrong check character.
        ("91110108551385082F", "check"),
        # An early Xiamen pilot code that does not follow GB 32100-2015 (hutool's
        # CreditCodeUtilTest): the platform cannot tell it from a mistyped one.
        ("91350211M00013FA1N", "check"),
        # python-stdnum's tests/test_cn_uscc.doctest invalid cases.
        ("91110000600037341N", "check"),
        ("9111000060003IOZSV", "character"),
        ("12345", "length"),
    ],
)
def test_known_invalid_codes_are_refused(code: str, reason: str) -> None:
    with pytest.raises(uscc.InvalidUSCC) as refused:
        uscc.validate(code)
    assert refused.value.reason == reason


def test_lowercase_and_spaces_are_normalised() -> None:
    assert uscc.validate(f"  {EXAMPLE.lower()} ") == EXAMPLE


def test_full_width_characters_typed_by_an_input_method_are_normalised() -> None:
    full_width = "".join(chr(ord(char) + 0xFEE0) for char in EXAMPLE)
    assert uscc.normalise(f"\u3000{full_width}") == EXAMPLE
    assert uscc.validate(full_width) == EXAMPLE


body = st.tuples(
    st.text(alphabet=uscc.ALPHABET, min_size=2, max_size=2),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=uscc.ALPHABET, min_size=9, max_size=9),
).map("".join)


@given(body)
def test_the_computed_check_character_always_validates(first17: str) -> None:
    assert uscc.is_valid(first17 + uscc.check_character(first17))


@given(body, st.integers(min_value=0, max_value=16), st.sampled_from(uscc.ALPHABET))
def test_any_single_character_change_is_caught(first17: str, position: int, char: str) -> None:
    code = first17 + uscc.check_character(first17)
    altered = code[:position] + char + code[position + 1 :]
    if altered != code and altered[2:8].isdigit():
        assert not uscc.is_valid(altered)
