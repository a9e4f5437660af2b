"""ASGI entry point served by daphne: HTTP and authenticated, origin-checked WebSockets."""

from __future__ import annotations

import os
import sys

from django.conf import settings
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

# The event loop's thread is busy writing a hot room's frames while a bid's thread, holding the
# lot's lock, waits for PostgreSQL a dozen times; after each answer it must win the GIL back, which
# Python forces only every switch interval (5 ms by default). Those waits add up inside the lock
# and every other bid of the lot queues behind them. A shorter interval cut them: make bench's
# hot_room answered 30 bids/s instead of 22 (bidding/ROOMS.md, "For scale").
sys.setswitchinterval(float(settings.ASGI_SWITCH_INTERVAL_SECONDS))

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
