"""Retry schedule of event deliveries: exponential backoff, capped (DESIGN.md invariant 2)."""

from __future__ import annotations

from typing import Final

BASE_SECONDS: Final = 5.0
CAP_SECONDS: Final = 3600.0
# 12 failures span about 3.5 hours of retries (5 s, 10 s, … capped at 1 h): long enough to ride
# out a gateway outage, short enough that a broken receiver is reported the same day.
MAX_ATTEMPTS: Final = 12


def backoff_seconds(
    failures: int, *, base: float = BASE_SECONDS, cap: float = CAP_SECONDS
) -> float:
    """Seconds to wait after the `failures`-th failed attempt: base·2^(failures−1), at most cap."""
    if failures < 1:
        raise ValueError("failures must be at least 1")
    # Past 2^64 the product only overflows; the cap has long been reached.
    exponent = min(failures - 1, 64)
    return float(min(cap, base * 2**exponent))
