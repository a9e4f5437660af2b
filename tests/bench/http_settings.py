"""The embedded settings `make run` serves with, plus the bench's reference view (http_urls)."""

from config.settings.base import *  # noqa: F403

ROOT_URLCONF = "tests.bench.http_urls"
