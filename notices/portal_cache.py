"""Public pages cached against the publication counter: in the cache for the server, by ETag for
browsers and shared caches.

What a public page shows changes only when a notice is published: published notices are immutable
(migration 0003) and `notice_publish_rendered` moves `PublicationCounter.last_seq` with every
publication, in the same transaction. So a page's version is a publication number, read from the
database on every request (never a cache entry that could be stale), and a page is cached under
its version, its language and its URL: a publication changes the version, and the next request
renders the page again. Which number is a page's version decides what a publication invalidates:

- lists, search, results and the change feed: the counter itself (any publication may head them);
- a notice's page: the latest publication of its tender (its corrections and related notices);
- a region's and business type's Atom feed: the latest publication of that desk.

Only anonymous requests without pending messages are cached, and the pages they get hold no
CSRF token (base.html) and nothing else of the visitor's, so one rendering serves everybody.
Anonymous pages are also kept for the ASGI fast path (notices/portal_fastpath.py), which answers
them before Django. Responses to signed-in users are `private, no-store`. Reference rows (region
and type names) are not versioned: an entry lives PAGE_TIMEOUT at most after an administrator
renames one.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import get_language
from redis.exceptions import RedisError

from notices import portal_fastpath
from notices.models import Notice, NoticeStatus, PublicationCounter

logger = logging.getLogger(__name__)

# Bounds how long a renamed region or type may show its old name; a publication ends it sooner.
PAGE_TIMEOUT = 600
# Browsers and proxies keep a page but ask again each time: a publication shows at once.
PUBLIC_CACHE_CONTROL = {"public": True, "max_age": 0, "must_revalidate": True}

Version = Callable[..., int | None]


def publication_last_seq() -> int:
    """The number of the latest publication: every publication moves it, in its transaction."""
    last = PublicationCounter.objects.filter(pk=1).values_list("last_seq", flat=True).first()
    return int(last or 0)


def notice_page_version(pk: int) -> int | None:
    """The latest publication of the tender of published notice `pk`; None if it is not one."""
    tender = Notice.objects.filter(pk=pk, status=NoticeStatus.PUBLISHED).values("tender_id")
    latest = Notice.objects.filter(tender_id__in=tender, status=NoticeStatus.PUBLISHED).aggregate(
        last=Max("publication_seq")
    )["last"]
    return int(latest) if latest is not None else None


def desk_feed_version(region_code: str, business_type_code: str) -> int:
    """The latest publication of one region and business type (0 before the first)."""
    latest = Notice.objects.filter(
        status=NoticeStatus.PUBLISHED,
        region__code=region_code,
        business_type__code=business_type_code,
    ).aggregate(last=Max("publication_seq"))["last"]
    return int(latest or 0)


def _shared(request: HttpRequest) -> bool:
    """Whether the page `request` gets is the same for everybody: anonymous, no messages."""
    if request.user.is_authenticated:
        return False
    # len() reads the messages without marking them shown.
    return len(get_messages(request)) == 0


def _key(name: str, version: int, request: HttpRequest) -> str:
    # Scheme and host too: the feeds print absolute addresses built from them.
    path = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()[:32]
    return f"portal:page:{name}:{version}:{get_language()}:{path}"


def _etag(key: str) -> str:
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:24] + '"'


def _public(response: HttpResponseBase, etag: str) -> HttpResponseBase:
    response["ETag"] = etag
    patch_cache_control(response, **PUBLIC_CACHE_CONTROL)
    return response


def private_no_store(response: HttpResponseBase) -> HttpResponseBase:
    """A page of one visitor's: kept by no browser and no proxy."""
    patch_cache_control(response, private=True, no_store=True)
    return response


def _cache_get(key: str) -> Any:
    # The cache only saves work: with Redis away the portal renders every page itself, slower
    # but open, rather than answer the morning's announcement with a 500.
    try:
        return cache.get(key)
    except (RedisError, OSError):
        logger.warning("portal cache unavailable: serving %s uncached", key, exc_info=False)
        return None


def _cache_set(key: str, value: Any) -> None:
    try:
        cache.set(key, value, PAGE_TIMEOUT)
    except (RedisError, OSError):
        logger.warning("portal cache unavailable: %s not stored", key, exc_info=False)


def _fill_mark(request: HttpRequest, response: HttpResponseBase, seq: int | None) -> None:
    """Let the ASGI fast path keep this page for every visitor whose request looks the same."""
    scope = getattr(request, "scope", None)  # only under daphne; the test client has none
    if seq is not None and scope is not None and portal_fastpath.entry_key(scope) is not None:
        response[portal_fastpath.FILL_HEADER.decode()] = str(seq)


def cached_public_page(name: str, version: Version) -> Callable[..., Any]:
    """Decorate a GET view whose page depends only on its URL, the language and `version` (called
    with the view's URL arguments): served from the cache and answered 304 when unchanged."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method not in ("GET", "HEAD") or not _shared(request):
                return private_no_store(view(request, *args, **kwargs))
            # The global number, read before rendering: the fast entry is served only while it
            # is current (a page may show more than it says, never less).
            global_seq = publication_last_seq() if portal_fastpath.enabled() else None
            current = global_seq if version is publication_last_seq else None
            current = current if current is not None else version(*args, **kwargs)
            if current is None:  # nothing published there: the view says what (404)
                return view(request, *args, **kwargs)
            key = _key(name, current, request)
            etag = _etag(key)
            not_modified = get_conditional_response(request, etag=etag)
            if isinstance(not_modified, HttpResponseNotModified):
                return _public(not_modified, etag)
            stored = _cache_get(key)
            if stored is not None:
                content, content_type = stored
                hit = _public(HttpResponse(content, content_type=content_type), etag)
                if request.method == "GET":
                    _fill_mark(request, hit, global_seq)
                return hit
            response = view(request, *args, **kwargs)
            # Only a complete page that holds and sets nothing of this visitor's is kept for the
            # next one (a CSRF token would be the first visitor's).
            if (
                isinstance(response, HttpResponse)
                and response.status_code == 200
                and not response.cookies
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            ):
                _cache_set(key, (response.content, response["Content-Type"]))
                if request.method == "GET":
                    _fill_mark(request, response, global_seq)
                return _public(response, etag)
            return response

        return wrapper

    return decorator
