"""config.asgi's application with the static files served from the apps (as Channels' live server
does): the rooms' live tests run daphne on it without a collectstatic."""

from __future__ import annotations

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from config.asgi import application as platform

application = ASGIStaticFilesHandler(platform)
