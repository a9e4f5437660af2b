"""URLs of the whole platform; error pages are the 400, 403, 404 and 500.html templates."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from trading.auth import LoginForm
from trading.views import registration
from trading.views.workspace import language_set

urlpatterns = [
    path("admin/", admin.site.urls),
    # Django's language switch (django.conf.urls.i18n), remembered on the account for e-mail/SMS.
    # Exempt from CSRF so that public pages carry no token and are cached for everybody: a forged
    # post could only change the language of the visitor's pages and messages, nothing else.
    path("i18n/setlang/", csrf_exempt(language_set), name="set_language"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/register/", registration.register, name="register"),
    path("", include("trading.urls")),
    path("", include("trading.urls_calendar")),
    path("", include("bidding.urls")),
    path("", include("supervision.urls")),
    path("", include("notices.urls")),
]
