"""The platform administrator's pages: reference data and accounts, never transactions.

Every admin path that could create an operating or supervising grant goes through
`trading.services.grants` (or is refused with a form error); the database triggers are the backstop.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermission

from trading.db_triggers import GRANT_CODENAMES
from trading.domain.employer import Grant
from trading.models import (
    BusinessType,
    CalendarDay,
    Desk,
    Industry,
    Jurisdiction,
    LedgerCheckpoint,
    Organisation,
    Procedure,
    Region,
    TimelineRule,
    User,
)
from trading.services.grants import grant_assign, grant_check
from trading.services.ledger import ledger_append


def _permissions_without_grants() -> QuerySet[Permission]:
    return Permission.objects.exclude(codename__in=GRANT_CODENAMES).select_related("content_type")


def _holds_grants(user_ids: list[int]) -> bool:
    return UserObjectPermission.objects.filter(
        user_id__in=user_ids, permission__codename__in=GRANT_CODENAMES
    ).exists()


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "parent"]
    search_fields = ["code", "name"]


@admin.register(BusinessType)
class BusinessTypeAdmin(admin.ModelAdmin):
    list_display = ["number", "code", "name", "name_en"]


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["business_type", "code", "name", "family", "sealed_bids", "live_auction"]
    list_filter = ["business_type", "family"]


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent"]


@admin.register(Desk)
class DeskAdmin(admin.ModelAdmin):
    list_display = ["region", "business_type"]
    list_filter = ["region", "business_type"]


class JurisdictionAdminForm(forms.ModelForm):
    class Meta:
        model = Jurisdiction
        fields = [
            "regulator",
            "name",
            "regions",
            "include_subregions",
            "business_types",
            "industries",
        ]

    def clean_regulator(self) -> Organisation:
        regulator: Organisation = self.cleaned_data["regulator"]
        changed = self.instance.pk and regulator.pk != self.instance.regulator_id
        if (
            changed
            and UserObjectPermission.objects.filter(
                permission__codename=Grant.SUPERVISE_JURISDICTION.value,
                content_type=ContentType.objects.get_for_model(Jurisdiction),
                object_pk=str(self.instance.pk),
            ).exists()
        ):
            raise ValidationError(
                _("该监管范围已授予监督权限，不能更换监管部门；请先撤销这些权限。")
            )
        return regulator


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    form = JurisdictionAdminForm
    list_display = ["name", "regulator", "include_subregions"]
    filter_horizontal = ["regions", "business_types", "industries"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "regulator":
            kwargs["queryset"] = Organisation.objects.filter(kind="regulator")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class OrganisationAdminForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "uscc", "region", "contact_phone"]

    def clean_kind(self) -> str:
        kind: str = self.cleaned_data["kind"]
        changed = self.instance.pk and kind != self.instance.kind
        if changed and _holds_grants(list(self.instance.users.values_list("pk", flat=True))):
            raise ValidationError(
                _("该主体的用户持有交易或监督权限，不能更改主体类型；请先撤销这些权限。")
            )
        return kind


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationAdminForm
    list_display = ["name", "kind", "uscc", "region", "verified_at"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "uscc"]
    readonly_fields = ["registered_at", "verified_at", "verified_by", "verification_method"]

    def save_model(self, request: HttpRequest, obj: Organisation, form: Any, change: bool) -> None:
        if not change:
            from trading.clock import get_clock

            obj.registered_at = get_clock()()
        super().save_model(request, obj, form, change)


class UserAdminForm(UserChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "user_permissions" in self.fields:
            # Operating and supervising grants exist only per desk or jurisdiction (invariant 5).
            self.fields["user_permissions"].queryset = _permissions_without_grants()  # type: ignore[attr-defined]

    def clean_organisation(self) -> Organisation | None:
        organisation: Organisation | None = self.cleaned_data.get("organisation")
        changed = self.instance.pk and organisation != self.instance.organisation
        if changed and _holds_grants([self.instance.pk]):
            raise ValidationError(
                _("该用户持有交易或监督权限，不能更换所属主体；请先撤销这些权限。")
            )
        return organisation


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserAdminForm
    list_display = ["username", "first_name", "organisation", "is_organisation_admin", "is_active"]
    list_filter = ["organisation__kind", "is_active", "is_superuser"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        (_("所属主体"), {"fields": ("organisation", "phone", "is_organisation_admin")}),
    )


class GroupAdminForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["name", "permissions"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["permissions"].queryset = _permissions_without_grants()  # type: ignore[attr-defined]


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    form = GroupAdminForm


class GrantAdminForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("用户"), queryset=User.objects.select_related("organisation").order_by("username")
    )
    desk = forms.ModelChoiceField(label=_("交易科室"), queryset=Desk.objects.all(), required=False)
    jurisdiction = forms.ModelChoiceField(
        label=_("监管范围"), queryset=Jurisdiction.objects.all(), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        desk, jurisdiction = data.get("desk"), data.get("jurisdiction")
        if bool(desk) == bool(jurisdiction):
            raise ValidationError(_("请选择一个交易科室或一个监管范围。"))
        target = cast(Desk | Jurisdiction, desk or jurisdiction)
        if data.get("user"):
            grant_check(user=data["user"], target=target)
        return data


@admin.register(UserObjectPermission)
class GrantAdmin(admin.ModelAdmin):
    """Grants, listed; added only through the granting service."""

    list_display = ["user", "permission", "content_type", "object_pk"]
    list_filter = ["permission__codename"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[UserObjectPermission]:
        return (
            super()
            .get_queryset(request)
            .filter(permission__codename__in=GRANT_CODENAMES)
            .select_related("user", "permission", "content_type")
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = GrantAdminForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                grant_assign(
                    user=data["user"],
                    target=data["desk"] or data["jurisdiction"],
                    actor=request.user,  # type: ignore[arg-type]
                )
            except (ValidationError, PermissionDenied) as refused:
                form.add_error(None, str(refused.args[0]) if refused.args else str(refused))
            else:
                self.message_user(request, _("权限已授予。"))
                return HttpResponseRedirect(
                    reverse("admin:guardian_userobjectpermission_changelist")
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("授予交易或监督权限"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/trading/grant_add.html", context)


@admin.register(LedgerCheckpoint)
class LedgerCheckpointAdmin(admin.ModelAdmin):
    list_display = ["seq", "created_at", "root", "key_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LedgeredAdmin(admin.ModelAdmin):
    """Rule rows and holiday days are legal data: every change made here enters the ledger."""

    ledger_action = ""

    def _ledger(self, request: HttpRequest, obj: Any, verb: str) -> None:
        ledger_append(
            scope_key="platform",
            scope_kind="platform",
            action=f"{self.ledger_action}.{verb}",
            actor=request.user,  # type: ignore[arg-type]
            obj_type=self.ledger_action,
            obj_id=str(obj.pk),
            payload={"row": str(obj)},
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            self._ledger(request, obj, "changed" if change else "added")

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            self._ledger(request, obj, "deleted")
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self._ledger(request, obj, "deleted")
            super().delete_queryset(request, queryset)


@admin.register(TimelineRule)
class TimelineRuleAdmin(LedgeredAdmin):
    ledger_action = "rule"
    list_display = [
        "key",
        "business_type",
        "region",
        "from_point",
        "to_point",
        "minimum",
        "maximum",
        "unit",
        "article",
        "effective_from",
        "effective_to",
    ]
    list_filter = ["kind", "business_type", "local", "region"]
    search_fields = ["key", "article", "description"]


@admin.register(CalendarDay)
class CalendarDayAdmin(LedgeredAdmin):
    ledger_action = "calendar_day"
    list_display = ["date", "kind", "name", "provisional", "source"]
    list_filter = ["kind", "provisional"]
    date_hierarchy = "date"
    search_fields = ["name"]
