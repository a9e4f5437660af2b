"""统一社会信用代码 (unified social credit identifier), GB 32100-2015."""

from __future__ import annotations

import unicodedata
from typing import Final

# GB 32100-2015 第4.2条: the 31 code characters (I, O, Z, S, V are not used) and their values.
ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# GB 32100-2015 附录A: weights of positions 1–17 (3^(i-1) mod 31).
WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH: Final = 18


class InvalidUSCC(ValueError):
    """The identifier is not a well-formed 统一社会信用代码; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_character(first17: str) -> str:
    """The 18th character (GB 32100-2015 附录A: C18 = 31 − Σ(Ci·Wi) mod 31)."""
    total = sum(
        ALPHABET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True)
    )
    return ALPHABET[(31 - total % 31) % 31]


def normalise(raw: str) -> str:
    """The form a code is stored and compared in: half-width, no surrounding spaces, upper case.

    NFKC turns the full-width digits and letters a Chinese input method may type into ASCII.
    """
    return unicodedata.normalize("NFKC", raw).strip().upper()


def validate(raw: str) -> str:
    """The normalised code, or InvalidUSCC naming the reason (length, character, region, check)."""
    code = normalise(raw)
    if len(code) != LENGTH:
        raise InvalidUSCC("length")
    for char in code:
        if char not in ALPHABET:
            raise InvalidUSCC("character")
    # Positions 3–8 are the GB/T 2260 administrative division code: digits only.
    if not code[2:8].isdigit():
        raise InvalidUSCC("region")
    if check_character(code[:17]) != code[17]:
        raise InvalidUSCC("check")
    return code


def is_valid(raw: str) -> bool:
    try:
        validate(raw)
    except InvalidUSCC:
        return False
    return True
