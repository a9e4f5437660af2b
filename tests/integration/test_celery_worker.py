"""A real Celery worker, as `make run` starts it, does the work queued through the broker.

The worker runs `celery -A config worker` in a process of its own with the embedded settings
(config.settings.base) on the test's Redis and the test database, listening only on the queue the
task routes name: a notice approved in the test is rendered to a real PDF by the `slow` worker,
and a chronograph tick sent through the broker moves a due lot in the `fast` worker. The data
must be committed for the worker to see it, hence transactional tests; the worker reads the
test's frozen database clock (TIANPING_CLOCK). The cache of that configuration is Redis.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings

import config.settings.base as embedded
from config.celery import app
from notices.models import Notice, NoticeKind, NoticeStatus
from notices.services import notice_approve
from tests.conftest import ControlledClock
from tests.notices import deliver_events
from tests.tenders import first_lot, make_tender, make_world, opens
from trading.models import LedgerEntry, Lot
from trading.tasks import chronograph_tick

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKER_START_SECONDS = 60
WORK_SECONDS = 90


def redis_url() -> str:
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.fail(
            "these tests need Redis: run them under config/bin/with-services", pytrace=False
        )
    return url


def database_url() -> str:
    """The test database (pytest-django's test_ prefix), which the worker must share."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{quote(db['USER'])}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def worker_env(var: Path) -> dict[str, str]:
    """The environment of `make run`'s workers, on the test's services and database."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG", "CELERY_BROKER_URL"}
    }
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url(),
        "TIANPING_VAR_DIR": str(var),
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        # The test's frozen clock is a database row: the worker reads the same one.
        "TIANPING_CLOCK": "trading.clock.database_clock",
    }


class Worker:
    def __init__(self, queue: str, var: Path) -> None:
        self.log = var / f"celery-{queue}.log"
        var.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--queues",
                    queue,
                    "--hostname",
                    f"test-{queue}@%h",
                    "--pool",
                    "solo",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel",
                    "INFO",
                ],
                cwd=django_settings.BASE_DIR,
                env=worker_env(var),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: stopping it reaches any child too
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_log(self, text: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while text not in self.output():
            assert self.process.poll() is None, f"the worker exited:\n{self.output()}"
            assert time.monotonic() < deadline, f"no {text!r} from the worker:\n{self.output()}"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@pytest.fixture
def start_worker(
    transactional_db: None, settings: Any, tmp_path: Path
) -> Iterator[Callable[[str], Worker]]:
    """Start a worker on one queue; every worker is stopped before the database is flushed."""
    settings.MEDIA_ROOT = tmp_path / "media"
    redis_url()
    # Messages other tests left on the broker (pokes, renders of notices long gone) are not ours.
    app.control.purge()
    workers: list[Worker] = []

    def start(queue: str) -> Worker:
        worker = Worker(queue, tmp_path / "var")
        workers.append(worker)  # before anything can fail: a worker that never came up is stopped
        # The banner lists the queues it consumes; what is sent before it connects waits in Redis.
        worker.wait_for_log(f".> {queue} ", WORKER_START_SECONDS)
        return worker

    try:
        yield start
    finally:
        for worker in workers:
            worker.stop()


def wait_until(condition: Callable[[], bool], worker: Worker, what: str) -> None:
    deadline = time.monotonic() + WORK_SECONDS
    while not condition():
        assert worker.process.poll() is None, f"the worker exited:\n{worker.output()}"
        assert time.monotonic() < deadline, f"{what} never happened:\n{worker.output()}"
        time.sleep(0.2)


def test_an_approved_notice_is_rendered_to_a_pdf_by_the_slow_worker(
    clock: ControlledClock, start_worker: Callable[[str], Worker], tmp_path: Path
) -> None:
    worker = start_worker("slow")
    world = make_world()
    tender = make_tender(world, name="海口市滨海大道改造工程")
    deliver_events(clock)
    notice = Notice.objects.get(tender=tender, kind=NoticeKind.ANNOUNCEMENT)
    assert tender.published_by is not None

    # Committed (transactional test): the approval's on_commit sends the render to the broker.
    notice_approve(notice=notice, actor=tender.published_by)

    def published() -> bool:
        notice.refresh_from_db()
        return notice.status == NoticeStatus.PUBLISHED

    wait_until(published, worker, "the render")
    content = notice.pdf.read()
    assert content.startswith(b"%PDF-")
    assert hashlib.sha256(content).hexdigest() == notice.pdf_sha256
    assert notice.published_at == clock.now
    assert notice.publication_seq == 1
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    assert "滨海大道改造工程" in text
    assert notice.verification_code in text


def test_a_chronograph_tick_sent_to_the_fast_worker_opens_a_due_lot(
    clock: ControlledClock, start_worker: Callable[[str], Worker]
) -> None:
    worker = start_worker("fast")
    lot = first_lot(make_tender(make_world(business_type="procurement")))
    assert lot.status == "published"
    clock.set(opens(lot) + timedelta(minutes=1))

    chronograph_tick.delay()  # routed to the fast queue (config/celery.py)

    def moved() -> bool:
        lot.refresh_from_db()
        return lot.status != "published"

    wait_until(moved, worker, "the lot's transition")
    assert lot.status == "bidding"
    entry = LedgerEntry.objects.get(
        object_type="lot", object_id=str(lot.pk), action="lot.open_bidding"
    )
    assert entry.payload["due_at"] == opens(lot).isoformat()
    assert Lot.objects.get(pk=lot.pk).next_check is not None


def test_the_cache_of_the_workers_configuration_is_redis_and_holds_the_portal_counts(
    clock: ControlledClock, tmp_path: Path
) -> None:
    url = redis_url()
    code = (
        "import django; django.setup(); from django.core.cache import caches; "
        "cache = caches['default']; cache.set('celery-test', 'ok', 60); "
        "print(type(cache).__name__, cache.get('celery-test'))"
    )
    worker_settings = subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env=worker_env(tmp_path / "var"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert worker_settings.stdout.split() == ["RedisCache", "ok"], worker_settings.stderr
    server = redis.Redis.from_url(url)
    assert server.exists("tianping:1:celery-test")

    # Another process of that configuration (this one) reads it, and the portal's overview
    # counts, cached through it, land in Redis.
    make_tender(make_world())
    with override_settings(CACHES=embedded.CACHES):
        assert caches["default"].get("celery-test") == "ok"
        assert Client().get("/").status_code == 200
        assert server.keys("tianping:1:portal:overview:*")
        assert Client().get("/").status_code == 200
