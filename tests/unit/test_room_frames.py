"""What a room accepts from a client: JSON objects within their size, at a human pace."""

from __future__ import annotations

import json

import pytest

from bidding.consumers.frames import FrameBudget, FrameError, frame_parse


def _reason(text: str | None) -> str:
    with pytest.raises(FrameError) as caught:
        frame_parse(text)
    return caught.value.reason


def test_a_json_object_with_a_type_is_a_frame() -> None:
    assert frame_parse('{"type":"resync","after":3}') == {"type": "resync", "after": 3}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (None, "binary"),
        ("{", "json"),
        ("[1]", "json"),
        ('"ping"', "json"),
        ('{"after": 1}', "type"),
        ('{"type": 7}', "type"),
        (json.dumps({"type": "ping", "pad": "x" * 4100}), "size"),
        ("x" * 5000, "size"),
        (json.dumps({"type": "unlock", "key_file": {"pad": "x" * 16400}}), "size"),
    ],
)
def test_what_is_not_a_frame_says_why(text: str | None, reason: str) -> None:
    assert _reason(text) == reason


def test_an_unlock_frame_may_carry_a_pretty_printed_key_file_up_to_16_kb() -> None:
    key_file = {"format": "tianping-bid-key/1", "bidder_share": "A" * 44, "pad": " " * 12000}
    frame = frame_parse(json.dumps({"type": "unlock", "key_file": key_file}))
    assert frame["key_file"]["format"] == "tianping-bid-key/1"


def test_sizes_are_counted_in_utf8_bytes() -> None:
    text = json.dumps({"type": "object", "text": "异" * 1400}, ensure_ascii=False)
    assert len(text) < 4096 < len(text.encode())
    assert _reason(text) == "size"


def test_the_budget_allows_a_burst_then_the_rate() -> None:
    budget = FrameBudget(rate=2, burst=3)
    assert [budget.take(0.0) for _ in range(4)] == [True, True, True, False]
    assert budget.take(0.4) is False  # 0.8 of a frame earned
    assert budget.take(0.6) is True
    assert budget.take(100.0) and budget.take(100.0) and budget.take(100.0)
    assert budget.take(100.0) is False  # the burst is a ceiling, not a savings account
