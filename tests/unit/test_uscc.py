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
