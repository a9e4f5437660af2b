"""Text kept as its source msgid and parameters, rendered in the language of whoever reads it.

A notification is read long after it is written, by people who chose different languages: it
stores `Message("待审核：%(code)s", code=…)`, not the Chinese sentence, and each reader's page
translates it. Parameter values are literal (codes, names, a reason a person typed) unless they
are themselves words of the platform — a status, a document kind, a vocabulary term — which are
stored as a `Word` marker, or a nested `Message`, and translated at render time too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Union

from django.utils.translation import gettext, override

Param = Union[str, int, Decimal, "Word", "Message"]


@dataclass(frozen=True)
class Word:
    """A parameter value that is itself a translatable source string (gettext_noop'd)."""

    msgid: str

    def render(self) -> str:
        return gettext(self.msgid) if self.msgid else ""


class Message:
    """A source msgid with named parameters; `render()` translates it in the active language."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, /, **params: Param) -> None:
        for name, value in params.items():
            if not isinstance(value, (str, int, Decimal, Word, Message)) or isinstance(value, bool):
                raise TypeError(f"message parameter {name!r} cannot be stored: {value!r}")
        self.msgid = str(msgid)
        self.params: dict[str, Param] = params

    def render(self) -> str:
        text = gettext(self.msgid)
        if not self.params:
            return text
        return text % {name: _render(value) for name, value in self.params.items()}

    def render_in(self, language: str) -> str:
        with override(language):
            return self.render()

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, **{self.params!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return self.to_json() == other.to_json()

    def __hash__(self) -> int:
        return hash(self.msgid)

    def to_json(self) -> dict[str, Any]:
        """The stored form: {"key": msgid, "params": {name: value or marker}}."""
        return {
            "key": self.msgid,
            "params": {name: _encode(value) for name, value in self.params.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Message:
        params = data.get("params") or {}
        return cls(str(data["key"]), **{name: _decode(value) for name, value in params.items()})


def _render(value: Param) -> str | int:
    if isinstance(value, (Word, Message)):
        return value.render()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _encode(value: Param) -> Any:
    if isinstance(value, Word):
        return {"word": value.msgid}
    if isinstance(value, Message):
        return {"message": value.to_json()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    return value


def _decode(value: Any) -> Param:
    if isinstance(value, dict):
        if "word" in value:
            return Word(str(value["word"]))
        if "message" in value:
            return Message.from_json(value["message"])
        if "decimal" in value:
            return Decimal(str(value["decimal"]))
        raise ValueError(f"unknown message marker: {value!r}")
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return value
    raise ValueError(f"unknown message parameter: {value!r}")


def join(*parts: Message | str) -> Message:
    """Sentences shown one after another, each translated on its own."""
    names = [f"p{index}" for index in range(len(parts))]
    return Message("".join(f"%({name})s" for name in names), **dict(zip(names, parts, strict=True)))


Text = Message | str


def render_text(value: Text) -> str:
    """A Message rendered in the active language; a plain string is shown as written."""
    return value.render() if isinstance(value, Message) else value
