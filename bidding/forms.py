"""Bidders' forms: enrolment (报名), alone or as a consortium."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bidding.selectors.enrolment import organisation_find_by_uscc
from trading.domain.employer import OrganisationKind
from trading.forms import ConsoleForm
from trading.models import Organisation


class EnrolmentForm(ConsoleForm):
    """Members by 统一社会信用代码, one a line; none for a bid alone."""

    members = forms.CharField(
        label=_("联合体其他成员（统一社会信用代码，每行一个）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "单独投标请留空。联合体投标时由您的主体作为牵头人，成员须为本平台已核验的投标人。"
        ),
    )
    agreement = forms.FileField(
        label=_("联合体协议书（PDF）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        help_text=_("联合体投标须上传各方签署的联合体协议书（招标投标法 第31条）。"),
    )

    def clean_members(self) -> list[Organisation]:
        lines = [line.strip() for line in self.cleaned_data["members"].splitlines()]
        found: list[Organisation] = []
        for code in (line for line in lines if line):
            organisation = organisation_find_by_uscc(code)
            # One answer for unknown, unverified and non-bidders: a lookup here is no way to
            # learn who else registered on the platform.
            if (
                organisation is None
                or organisation.kind != OrganisationKind.BIDDER
                or not organisation.is_verified
            ):
                raise forms.ValidationError(
                    _("统一社会信用代码 %(uscc)s 不属于本平台已核验的投标人，不能作为联合体成员。"),
                    params={"uscc": code},
                    code="member_unknown",
                )
            found.append(organisation)
        return found

    def cleaned(self) -> dict[str, Any]:
        return {
            "members": self.cleaned_data["members"],
            "agreement": self.cleaned_data.get("agreement") or None,
        }
