"""`manage.py export_ocds DIR`: one OCDS release package (JSON) per published tender."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from notices.ocds import release_package, tender_ocid, tenders_for_ocds
from trading.site import absolute_url


class Command(BaseCommand):
    help = "Write one OCDS 1.1.5 release package per published tender into DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--include-training",
            action="store_true",
            help="Also export training and demonstration tenders (flagged tianping:training).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"cannot create {directory}: {error}") from error
        count = 0
        for tender in tenders_for_ocds(include_training=options["include_training"]).iterator(
            chunk_size=200
        ):
            uri = absolute_url(reverse("ocds_release_package", args=[tender.code]))
            if tender.project.training:
                uri += "?training=1"
            package = release_package(tender, uri=uri)
            target = directory / f"{tender_ocid(tender)}.json"
            # Written beside the target and renamed, so a reader never sees half a file.
            partial = target.with_suffix(".json.partial")
            partial.write_text(
                json.dumps(package, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )
            os.replace(partial, target)
            count += 1
        self.stdout.write(f"{count} release packages written to {directory}")
