"""The bidder's profile and certificate vault, and the staff's read-only view of them."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bidding.forms_vault import CertificateForm, ProfileForm, ReplaceForm
from bidding.models import Certificate
from bidding.selectors.vault import (
    access_bidder_organisation,
    access_certificate,
    access_certificate_file,
    access_organisation_particulars,
    certificate_list_retired,
    member_list,
    profile_get,
    profile_missing,
    vault_entries,
)
from bidding.services.profile import organisation_profile_update
from bidding.services.vault import (
    CertificateFacts,
    certificate_add,
    certificate_replace,
    certificate_retire,
)
from trading.domain.timeline import local_date
from trading.models import Organisation
from trading.views.common import acting_user, form_refused, message_refusal, now

PROFILE_FIELDS = tuple(ProfileForm.base_fields)


def _particulars(organisation: Organisation) -> dict[str, Any]:
    profile = profile_get(organisation)
    return {
        "organisation": organisation,
        "profile": profile,
        "missing": profile_missing(profile),
        "entries": vault_entries(organisation.pk, local_date(now())),
        "retired": certificate_list_retired(organisation.pk),
    }


@require_http_methods(["GET", "POST"])
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Every user of the bidder reads the profile; its administrator keeps it."""
    user = acting_user(request)
    organisation = access_bidder_organisation(user)
    current = profile_get(organisation)
    form = None
    if user.is_organisation_admin:
        initial = {field: getattr(current, field) for field in PROFILE_FIELDS}
        if not initial["basic_account_name"]:
            initial["basic_account_name"] = organisation.name
        form = ProfileForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                organisation_profile_update(
                    organisation=organisation, actor=user, **form.cleaned_data
                )
            except (PermissionDenied, ValidationError) as refused:
                form_refused(form, refused)
            else:
                messages.success(request, _("主体信息已保存。"))
                return redirect("bidding_profile")
    elif request.method == "POST":
        raise PermissionDenied(_("只有本主体管理员可以修改主体信息。"))
    context = _particulars(organisation) | {"form": form, "members": member_list(organisation)}
    status = 400 if form is not None and form.errors else 200
    return render(request, "bidding/profile.html", context, status=status)


@require_GET
@login_required
def organisation_particulars(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """A bidder's profile, users and vault, read-only, for the staff checking its registration."""
    organisation = access_organisation_particulars(acting_user(request), organisation_id)
    context = _particulars(organisation) | {"members": member_list(organisation)}
    return render(request, "bidding/particulars.html", context)


@require_GET
@login_required
def certificates(request: HttpRequest) -> HttpResponse:
    organisation = access_bidder_organisation(acting_user(request))
    return render(request, "bidding/certificates.html", _particulars(organisation))


def _facts(data: dict[str, Any], kind: str) -> CertificateFacts:
    return CertificateFacts(
        kind=kind,
        name=data["name"],
        number=data["number"],
        issuer=data["issuer"],
        issued_on=data["issued_on"],
        expires_on=data["expires_on"],
        grade=data["grade"],
        holder_name=data["holder_name"],
        speciality=data["speciality"],
    )


@require_http_methods(["GET", "POST"])
@login_required
def certificate_add_view(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    organisation = access_bidder_organisation(user)
    form = CertificateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            certificate_add(
                organisation=organisation,
                facts=_facts(data, data["kind"]),
                file=data["file"],
                actor=user,
            )
        except (PermissionDenied, ValidationError) as refused:
            form_refused(form, refused)
        else:
            messages.success(request, _("证书已入库。"))
            return redirect("bidding_certificates")
    return render(
        request,
        "bidding/certificate_form.html",
        {"form": form, "certificate": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def certificate_replace_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    certificate = access_certificate(user, pk)
    initial = {
        field: getattr(certificate, field)
        for field in ("name", "number", "grade", "issuer", "holder_name", "speciality")
    }
    form = ReplaceForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            certificate_replace(
                certificate=certificate,
                facts=_facts(form.cleaned_data, certificate.kind),
                file=form.cleaned_data["file"],
                actor=user,
            )
        except (PermissionDenied, ValidationError) as refused:
            form_refused(form, refused)
        else:
            messages.success(request, _("已上传新版本，旧版本保留供已使用它的投标查阅。"))
            return redirect("bidding_certificates")
    return render(
        request,
        "bidding/certificate_form.html",
        {"form": form, "certificate": certificate},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def certificate_retire_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    certificate = access_certificate(user, pk)
    try:
        certificate_retire(certificate=certificate, actor=user)
    except (PermissionDenied, ValidationError) as refused:
        message_refusal(request, refused)
    else:
        messages.success(request, _("证书已停用。"))
    return redirect("bidding_certificates")


def _file_name(certificate: Certificate) -> str:
    """The certificate's number and version, with nothing a path could use."""
    number = re.sub(r"[^\w\-()（）\[\]]+", "_", certificate.number).strip("._")[:80]
    return f"{number or 'certificate'}-v{certificate.version}.pdf"


@require_GET
@login_required
def certificate_file(request: HttpRequest, pk: int) -> FileResponse:
    certificate: Certificate = access_certificate_file(acting_user(request), pk)
    return FileResponse(
        certificate.file.open("rb"),
        as_attachment=False,
        filename=_file_name(certificate),
        content_type="application/pdf",
    )
