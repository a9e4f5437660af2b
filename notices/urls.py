"""The public portal, open data, documents, feeds and the desks' notice pages."""

from __future__ import annotations

from django.urls import include, path
from django.views.decorators.http import require_safe

from notices import feeds, views
from notices.portal_cache import cached_public_page, desk_feed_version

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("notices.urls_portal")),
    path("", include("notices.urls_documents")),
    path("", include("notices.urls_complaints")),
    path("", include("notices.urls_ocds")),
    path("", include("notices.urls_staff")),
    path("api/notices/changes", feeds.notice_changes, name="notice_changes"),
    path(
        "feeds/<str:region_code>/<str:business_type_code>.atom",
        require_safe(cached_public_page("feed", desk_feed_version)(feeds.RegionBusinessTypeFeed())),
        name="notice_feed",
    ),
]
