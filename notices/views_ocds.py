"""Open data: the OCDS release package of a tender, public and without login."""

from __future__ import annotations

from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from notices.ocds import release_package, tender_for_ocds
from trading.site import absolute_url


@require_safe
def tender_release_package(request: HttpRequest, code: str) -> JsonResponse:
    # Training tenders are never mixed with real data unless the reader asks for them.
    include_training = request.GET.get("training") == "1"
    tender = tender_for_ocds(code, include_training=include_training)
    if tender is None:
        raise Http404
    # The package names itself at the public address, as every export and document does.
    package = release_package(tender, uri=absolute_url(request.get_full_path()))
    response = JsonResponse(
        package,
        json_dumps_params={"ensure_ascii": False, "indent": 1},
        content_type="application/json; charset=utf-8",
    )
    # Open data: any site may read it from a browser.
    response["Access-Control-Allow-Origin"] = "*"
    return response
