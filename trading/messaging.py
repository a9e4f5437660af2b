"""The e-mail/SMS gateway adapter.

Every gateway is idempotent by `message_id`: the outbox delivers at least once, so the same message
may be handed over twice (a worker killed after sending, before its commit) and must go out once.
`LocalGateway` is the embedded one: it writes each message to the console log and to a JSON-lines
file (settings.MESSAGE_LOG_FILE). A real adapter (SMTP, an SMS provider) implements the same
protocol and passes tests/functional/test_messaging_contract.py.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class GatewayError(Exception):
    """The gateway could not take the message; the caller retries later."""


class MessageGateway(Protocol):
    def send(self, *, message_id: str, channel: str, to: str, subject: str, body: str) -> str:
        """Deliver once per `message_id`; return the gateway's reference (the same on a repeat)."""
        ...


@dataclass
class _FileIndex:
    """message_id → reference for the part of a log file read so far."""

    inode: int = -1
    offset: int = 0
    refs: dict[str, str] = field(default_factory=dict)


# Per log file, shared by the gateway instances of this process; other processes are kept out
# by the file lock, and the index catches up with what they appended on the next send.
_indexes: dict[str, _FileIndex] = {}
_indexes_lock = threading.Lock()


class LocalGateway:
    """Writes messages to the console log and a JSON-lines file instead of sending them."""

    def __init__(self, log_file: Path | str | None = None) -> None:
        self.log_file = Path(log_file if log_file is not None else settings.MESSAGE_LOG_FILE)

    def send(self, *, message_id: str, channel: str, to: str, subject: str, body: str) -> str:
        try:
            return self._send(
                message_id=message_id, channel=channel, to=to, subject=subject, body=body
            )
        except OSError as exc:
            raise GatewayError(f"cannot write the message log {self.log_file}: {exc}") from exc

    def _send(self, *, message_id: str, channel: str, to: str, subject: str, body: str) -> str:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with _indexes_lock, open(self.log_file, "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                index = self._catch_up(handle)
                known = index.refs.get(message_id)
                if known is not None:
                    return known
                reference = f"local-{uuid.uuid4().hex}"
                line = json.dumps(
                    {
                        "message_id": message_id,
                        "ref": reference,
                        "channel": channel,
                        "to": to,
                        "subject": subject,
                        "body": body,
                        "logged_at": datetime.now(UTC).isoformat(),
                    },
                    ensure_ascii=False,
                )
                end = handle.seek(0, os.SEEK_END)
                # A line cut short by a crash gets its own end, so ours stays parseable.
                prefix = b"\n" if end and not _ends_with_newline(handle, end) else b""
                handle.write(prefix + line.encode() + b"\n")
                handle.flush()
                os.fsync(handle.fileno())
                index.refs[message_id] = reference
                index.offset = handle.tell()
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        logger.info("message %s (%s) to %s: %s", message_id, channel, to, subject or body[:60])
        return reference

    def _catch_up(self, handle: IO[bytes]) -> _FileIndex:
        """Read what was appended since this process last looked (under the file lock)."""
        stat = os.fstat(handle.fileno())
        key = str(self.log_file.resolve())
        index = _indexes.get(key)
        if index is None or index.inode != stat.st_ino or stat.st_size < index.offset:
            # New, replaced or truncated file: rebuild from its start.
            index = _FileIndex(inode=stat.st_ino)
            _indexes[key] = index
        handle.seek(index.offset)
        for raw in handle.read().splitlines(keepends=True):
            index.offset += len(raw)
            try:
                entry = json.loads(raw)
            except ValueError:
                continue  # a line cut short by a crash: its message was never acknowledged
            if isinstance(entry, dict) and "message_id" in entry and "ref" in entry:
                index.refs.setdefault(str(entry["message_id"]), str(entry["ref"]))
        return index


def _ends_with_newline(handle: IO[bytes], end: int) -> bool:
    handle.seek(end - 1)
    last = handle.read(1)
    handle.seek(end)
    return last == b"\n"


def get_gateway() -> MessageGateway:
    """The gateway settings name (MESSAGE_GATEWAY), constructed with its defaults."""
    gateway_class = import_string(settings.MESSAGE_GATEWAY)
    gateway: MessageGateway = gateway_class()
    return gateway
