"""Reads of organisations."""

from __future__ import annotations

from django.db.models import QuerySet

from trading.models import Organisation


def organisation_list_awaiting_verification() -> QuerySet[Organisation]:
    return Organisation.objects.filter(verified_at__isnull=True).order_by("registered_at", "pk")
