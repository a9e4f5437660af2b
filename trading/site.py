"""The platform's public address (settings.SITE_URL), for links that leave the site."""

from __future__ import annotations

from django.conf import settings


def site_url() -> str:
    """The public address, without a trailing '/' (config.env.env_site_url checked it)."""
    return str(settings.SITE_URL).rstrip("/")


def absolute_url(path: str) -> str:
    """`path` (from reverse(), with any query) as readers outside the site open it.

    Never the request's Host: a page fetched through a proxy, a feed reader or a worker with no
    request at all must print the same address as the documents do."""
    if not path or path.startswith(("http://", "https://")):
        return path
    return site_url() + (path if path.startswith("/") else "/" + path)
