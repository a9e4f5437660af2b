"""Anonymous public pages answered from Redis before Django: the portal's fast path.

Django, even for a page it has cached (notices/portal_cache.py), costs a daphne process more than
the portal's load allows (issue 9: p95 < 50 ms at 32 clients needs > 640 pages/s, more than a
trivial Django view delivers). So `FastPath` wraps the HTTP app: a GET or HEAD without a session
or messages cookie looks up a *fast entry* under a key made only of raw request facts — scheme,
host, path, query string, the language cookie and the Accept-Language header, which are all
LocaleMiddleware reads — and answers from it when the entry's publication number is the current
one. Everything else, and every doubt (miss, stale entry, no current number, Redis away), goes to
Django unchanged.

Entries are filled by Django itself: `cached_public_page` marks a page every anonymous visitor
gets alike with `FILL_HEADER` (the global publication number it read *before* rendering), and this
wrapper stores that response — status, every header but Set-Cookie, body — as it passes by, unless
it sets a cookie. A page tagged with an older number than the one it shows only goes stale sooner.

The current number lives in Redis under `SEQ_KEY`, copied from `PublicationCounter.last_seq`:
raised by each publication right after its commit (`publication_seq_raise`), set if missing by
the wrapper from the number Django read, and re-set from the database by the chronograph's tick
(`SEQ_SYNC`). The bound: a process killed between a publication's commit and its on-commit hook
leaves the old pages served until the next tick (CHRONOGRAPH_TICK_SECONDS, 5 s by default); a
renamed region or business type shows its old name for PAGE_TIMEOUT at most, as in the cache.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import datetime
from http.cookies import SimpleCookie
from typing import Any

import redis
import redis.asyncio as aredis
from django.conf import settings
from django.db.models import QuerySet
from redis.exceptions import RedisError

from notices.models import PublicationCounter

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# Set by cached_public_page on a page everybody gets alike; never leaves the server.
FILL_HEADER = b"x-tianping-fast-seq"
# Set only by the fast path: tests and operators see which answers never reached Django.
SERVED_HEADER = (b"x-tianping-cache", b"fast")
# A Redis that does not answer at once is treated as away: Django answers instead.
REDIS_TIMEOUT = 0.25
# Raise the number, never lower it: two publications' hooks may run out of commit order.
_RAISE = "local c = tonumber(redis.call('GET', KEYS[1]) or '-1') if tonumber(ARGV[1]) > c then redis.call('SET', KEYS[1], ARGV[1]) end"  # noqa: E501


def _prefix() -> str:
    return str(getattr(settings, "PORTAL_FASTPATH_PREFIX", "portal:fast:"))


def seq_key() -> str:
    return _prefix() + "seq"


def enabled() -> bool:
    return bool(getattr(settings, "PORTAL_FASTPATH", False))


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in scope.get("headers", [])}


def _cookies(headers: dict[bytes, bytes]) -> SimpleCookie:
    cookie: SimpleCookie = SimpleCookie()
    try:
        cookie.load(headers.get(b"cookie", b"").decode("latin-1"))
    except Exception:  # a malformed Cookie header: Django decides what it means
        return SimpleCookie({"malformed": "1"})
    return cookie


def entry_key(scope: Scope) -> str | None:
    """The fast entry `scope` may be answered from, or None if its page may be somebody's own."""
    if scope.get("type") != "http" or scope.get("method") not in ("GET", "HEAD"):
        return None
    if scope["path"].startswith("/" + settings.STATIC_URL.lstrip("/")):
        return None  # WhiteNoise's files: no page of ours, no Redis round trip
    headers = _headers(scope)
    if b"authorization" in headers:
        return None
    cookies = _cookies(headers)
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies or "malformed" in cookies:
        return None
    language = cookies.get(settings.LANGUAGE_COOKIE_NAME)
    facts = [
        scope.get("scheme", "http").encode(),
        headers.get(b"host", b""),
        # Behind the proxy, Django's scheme (so absolute addresses, HSTS) comes from here.
        headers.get(b"x-forwarded-proto", b""),
        scope.get("root_path", "").encode(),
        scope["path"].encode("utf-8", "surrogateescape"),
        scope.get("query_string", b""),
        (language.value if language else "").encode(),
        headers.get(b"accept-language", b""),
    ]
    digest = hashlib.sha256(b"\0".join(facts)).hexdigest()[:40]
    return _prefix() + "page:" + digest


def _encode(seq: int, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> bytes:
    head = {"seq": seq, "status": status, "headers": [[k.decode(), v.decode()] for k, v in headers]}
    return json.dumps(head).encode() + b"\n" + body


def _decode(raw: bytes) -> tuple[int, int, list[tuple[bytes, bytes]], bytes]:
    head, _, body = raw.partition(b"\n")
    meta = json.loads(head)
    headers = [(k.encode(), v.encode()) for k, v in meta["headers"]]
    return int(meta["seq"]), int(meta["status"]), headers, body


def _not_modified(headers: dict[bytes, bytes], etag: bytes | None) -> bool:
    wanted = headers.get(b"if-none-match")
    if wanted is None or etag is None:
        return False
    tags = {tag.strip().removeprefix(b"W/") for tag in wanted.split(b",")}
    return b"*" in tags or etag.removeprefix(b"W/") in tags


class FastPath:
    """ASGI wrapper of the HTTP app: answers current fast entries, fills them from Django."""

    # Typed loosely: Django's ASGIHandler and channels each spell the ASGI types their own way.
    def __init__(self, app: Callable[[Any, Any, Any], Awaitable[None]]) -> None:
        self.app = app
        self._clients: dict[int, aredis.Redis] = {}

    def _redis(self) -> aredis.Redis:
        # One client per event loop: an asyncio connection cannot cross loops.
        loop = id(asyncio.get_running_loop())
        if loop not in self._clients:
            self._clients[loop] = aredis.Redis.from_url(
                settings.REDIS_URL,
                socket_timeout=REDIS_TIMEOUT,
                socket_connect_timeout=REDIS_TIMEOUT,
            )
        return self._clients[loop]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = entry_key(scope) if enabled() else None
        if key is None:
            await self.app(scope, receive, send)
            return
        try:
            current, raw = await self._redis().mget(seq_key(), key)
        except (TimeoutError, RedisError, OSError):
            current, raw = None, None
        if current is not None and raw is not None:
            try:
                seq, status, headers, body = _decode(raw)
            except (ValueError, KeyError):  # an entry of another version of this code
                seq = None
            if seq == int(current):
                await self._answer(scope, send, status, headers, body)
                return
        await self.app(scope, receive, self._filling(key, current is None, send))

    async def _answer(
        self,
        scope: Scope,
        send: Send,
        status: int,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
    ) -> None:
        etag = {k.lower(): v for k, v in headers}.get(b"etag")
        if _not_modified(_headers(scope), etag):
            kept = [(k, v) for k, v in headers if k.lower() in (b"etag", b"cache-control", b"vary")]
            start = {
                "type": "http.response.start",
                "status": 304,
                "headers": [*kept, SERVED_HEADER],
            }
            await send(start)
            await send({"type": "http.response.body", "body": b""})
            return
        if scope["method"] == "HEAD":
            body = b""
        start = {"type": "http.response.start", "status": status}
        start["headers"] = [*headers, SERVED_HEADER]
        await send(start)
        await send({"type": "http.response.body", "body": body})

    def _filling(self, key: str, seq_missing: bool, send: Send) -> Send:
        """`send`, which also stores the response when Django marked it as everybody's."""
        state: dict[str, Any] = {"seq": None}
        chunks: list[bytes] = []

        async def filling_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                marks = [v for k, v in headers if k.lower() == FILL_HEADER]
                if marks:
                    headers = [(k, v) for k, v in headers if k.lower() != FILL_HEADER]
                    message = {**message, "headers": headers}
                    sets_cookie = any(k.lower() == b"set-cookie" for k, _ in headers)
                    if message.get("status") == 200 and not sets_cookie:
                        state.update(seq=int(marks[0]), status=200, headers=headers)
            elif message["type"] == "http.response.body" and state["seq"] is not None:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._store(key, seq_missing, state, b"".join(chunks))
            await send(message)

        return filling_send

    async def _store(self, key: str, seq_missing: bool, state: dict[str, Any], body: bytes) -> None:
        raw = _encode(state["seq"], state["status"], state["headers"], body)
        try:
            pipe = self._redis().pipeline(transaction=False)
            if seq_missing:
                # Nobody has set the number since the last Redis restart: Django's is as good.
                pipe.set(seq_key(), state["seq"], nx=True)
            pipe.set(key, raw, ex=_page_timeout())
            await pipe.execute()
        except (TimeoutError, RedisError, OSError):
            logger.warning("portal fast path: Redis unavailable, entry not stored")


def _page_timeout() -> int:
    from notices.portal_cache import PAGE_TIMEOUT

    return PAGE_TIMEOUT


def _sync_client() -> redis.Redis:
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
    )


def publication_seq_raise(seq: int) -> None:
    """After a publication's commit: its number is current, so no older page is served."""
    if not enabled():
        return
    try:
        _sync_client().eval(_RAISE, 1, seq_key(), seq)
    except (RedisError, OSError):
        logger.warning("portal fast path: publication #%s not announced; the tick will", seq)


def publication_seq_out_of_sync(now: datetime) -> QuerySet[PublicationCounter]:
    """The counter row when Redis's number is not the database's (nothing when the fast path is
    off, or Redis does not answer: the next tick asks again)."""
    rows = PublicationCounter.objects.filter(pk=1)
    if not enabled():
        return rows.none()
    try:
        current: bytes | None = _sync_client().get(seq_key())  # type: ignore[assignment]
    except (RedisError, OSError):
        return rows.none()
    last = rows.values_list("last_seq", flat=True).first()
    if last is None or (current is not None and int(current) == last):
        return rows.none()
    return rows


def publication_seq_sync(counter: PublicationCounter, now: datetime) -> None:
    """Runs with the counter locked, so no publication moves it meanwhile: Redis gets it exactly."""
    _sync_client().set(seq_key(), counter.last_seq)
