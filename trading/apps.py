from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _

# Third-party apps and models that name themselves in English without gettext (an app's label
# title-cased, a model's class name split into words): the admin shows them in the reader's
# language only if the platform names them. Their Meta is untouched, so migrations see no change.
THIRD_PARTY_APP_NAMES = {
    "axes": _("登录防护"),
    "guardian": _("对象权限"),
}
THIRD_PARTY_MODEL_NAMES = {
    ("guardian", "userobjectpermission"): (_("用户对象权限"), _("用户对象权限")),
    ("guardian", "groupobjectpermission"): (_("组对象权限"), _("组对象权限")),
}


def name_third_party_apps() -> None:
    for label, name in THIRD_PARTY_APP_NAMES.items():
        if apps.is_installed(label):
            apps.get_app_config(label).verbose_name = name
    for (label, model_name), (singular, plural) in THIRD_PARTY_MODEL_NAMES.items():
        if apps.is_installed(label):
            meta = apps.get_model(label, model_name)._meta
            meta.verbose_name = singular
            meta.verbose_name_plural = plural


class TradingConfig(AppConfig):
    name = "trading"
    verbose_name = _("交易")

    def ready(self) -> None:
        from trading import receivers  # noqa: F401 - registers trading's own event receivers
        from trading.selectors.complaints import complaint_timeline
        from trading.selectors.lights import lights_connect
        from trading.timeline_sources import register_timeline_source

        register_timeline_source("complaints", complaint_timeline)
        lights_connect()

        name_third_party_apps()
