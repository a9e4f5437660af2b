"""ASGI entry point served by daphne: HTTP and authenticated, origin-checked WebSockets."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402 - needs the apps loaded
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from bidding.routing import websocket_urlpatterns  # noqa: E402
from config import http_limits  # noqa: E402
from notices.portal_fastpath import FastPath  # noqa: E402

# A request line too long for daphne's parser gets 414 instead of a dropped connection.
http_limits.install()

# Static files are served by WhiteNoise's middleware (config.settings.base), DEBUG or not.
application = ProtocolTypeRouter(
    {
        # Anonymous public pages current in Redis are answered before Django (issue 9's load).
        "http": FastPath(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
