"""The public portal at 100,000 published notices: p50/p95 of list, filter and search requests.

    config/bin/with-services .venv/bin/python -m tests.bench.bench_portal OUT.json

Requests go through Django's test client (the whole stack: middleware, URL, view, template,
database), after a trivial view measured in the same run so results read as ratios. Under
PostgreSQL (DATABASE_URL, as `make bench` sets it) the same scenario then runs on a throwaway
SQLite file in a child process, so the table shows both engines; BENCH_PORTAL_ENGINES=postgresql
skips that. Without DATABASE_URL it runs on var/bench/portal.sqlite3, never on the embedded
database. Target (issue 4): p95 under 50 ms.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path

NOTICES = int(os.environ.get("BENCH_NOTICES", "100000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
TARGET_P95_MS = 50.0
ROOT = Path(__file__).resolve().parents[2]
SQLITE_FILE = ROOT / "var" / "bench" / "portal.sqlite3"


def ping(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def layout(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")


# The platform's URLs plus the reference view, set once Django is ready (ROOT_URLCONF = here).
urlpatterns: list[Any] = []

PLACES = ["海口", "三亚", "儋州", "琼海", "文昌", "万宁", "五指山", "东方", "美兰", "龙华"]
WORKS = [
    "道路改造工程",
    "市政道路",
    "公路养护",
    "路灯更新",
    "监理服务",
    "学校教学楼",
    "医院设备采购",
    "供水管网",
    "园林绿化",
    "桥梁维修",
    "办公家具采购",
    "信息化系统",
    "国有建设用地使用权",
    "采矿权",
    "国有股权转让",
    "污水处理厂",
    "保障性住房",
    "农田水利",
    "垃圾转运站",
    "体育馆",
]
PHRASES = [
    "本项目已由有关部门批准建设",
    "资金来自财政资金",
    "招标人为本单位",
    "项目已具备招标条件",
    "现对该项目进行公开招标",
    "欢迎符合条件的潜在投标人参加",
    "投标人须具备相应资质",
    "具有类似工程业绩",
    "投标截止时间和开标时间见招标文件",
    "投标文件应通过交易平台在线递交",
    "本次招标不接受联合体投标",
    "保证金以银行保函或转账形式提交",
    "公示期内如有异议可向招标人提出",
    "监督部门联系电话见附件",
    "评标办法为综合评估法",
    "计划工期一百八十日历天",
    "质量要求合格",
    "萌芽项目专用",
]
KIND_WEIGHTS = {
    "announcement": 40,
    "amendment": 8,
    "clarification": 8,
    "candidates": 12,
    "result": 14,
    "deal": 4,
    "failure": 4,
    "termination": 2,
    "award_letter": 6,
    "deal_confirmation": 2,
}


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


NOTICES_PER_TENDER = 20


def _bulk_tenders(world: Any, count: int) -> list[Any]:
    """Published tenders spread over every desk, as rows (the services would take an hour)."""
    from trading.models import Desk, Procedure, Project, Tender

    now = timezone_now()
    desks = list(Desk.objects.select_related("region", "business_type"))
    procedures = {p.business_type_id: p for p in Procedure.objects.order_by("-id")}
    projects = []
    for n in range(count):
        desk = desks[n % len(desks)]
        projects.append(
            Project(
                code=f"{desk.region.code}2099{n:07d}",
                name=f"基准项目{n}",
                owner=world.owner,
                region=desk.region,
                business_type=desk.business_type,
                created_by=world.owner_user,
                created_at=now,
            )
        )
    Project.objects.bulk_create(projects, batch_size=2000)
    tenders = [
        Tender(
            project=project,
            code=f"{project.code}001",
            trade_id=f"BENCH-{project.code}",
            name=project.name,
            procedure=procedures[desks[n % len(desks)].business_type_id],
            desk=desks[n % len(desks)],
            status="published",
            drafted_by=world.owner_user,
            published_by=world.staff,
            created_at=now,
        )
        for n, project in enumerate(projects)
    ]
    Tender.objects.bulk_create(tenders, batch_size=2000)
    return list(
        Tender.objects.filter(trade_id__startswith="BENCH-").select_related("project__owner")
    )


def timezone_now() -> Any:
    from django.utils import timezone

    return timezone.now()


def _load(count: int) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from notices.models import NoticeKind
    from tests.portal_data import notice_row, publish_rows
    from tests.tenders import make_tender, make_world
    from trading.clock import clock_freeze, get_clock
    from trading.models import Industry

    started = time.perf_counter()
    # The services check their times against the clock: hold it still while the tender is made.
    clock_freeze(timezone.now())
    world = make_world()
    make_tender(world, name="基准测试项目")  # one real lot for the open-tenders page
    tenders = _bulk_tenders(world, max(1, count // NOTICES_PER_TENDER))
    industries: list[Industry | None] = [*Industry.objects.all(), None]
    kinds = list(KIND_WEIGHTS)
    weights = list(KIND_WEIGHTS.values())
    rng = random.Random(4)
    now = get_clock()()
    notices = []
    for n in range(count):
        tender = rng.choice(tenders)
        kind = rng.choices(kinds, weights)[0]
        title = f"{rng.choice(PLACES)}{rng.choice(WORKS)}{NoticeKind(kind).label}"
        body = "，".join(rng.sample(PHRASES[:-1], 6)) + "。"
        if n % 5000 == 0:
            body += PHRASES[-1]  # 20 notices hold a rare word
        notice = notice_row(
            tender,
            title=title,
            body=body,
            kind=kind,
            industry=rng.choice(industries),
            training=rng.random() < 0.02,
            # Two years of notices, about one every ten minutes, in publication order.
            published_at=now - timedelta(minutes=10 * (count - n)),
        )
        notices.append(notice)
    indexed = publish_rows(notices, batch_size=2000)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO notices_search (notices_search) VALUES ('optimize')")
            cursor.execute("ANALYZE")
        else:
            # As autovacuum leaves a table at rest: statistics and the visibility map.
            cursor.execute("VACUUM ANALYZE notices_notice")
    return {
        "notices": count,
        "indexed": indexed,
        "load_seconds": round(time.perf_counter() - started, 1),
    }


def _scenarios() -> list[tuple[str, list[str]]]:
    from notices.views_portal import portal_notices

    deep = portal_notices().values_list("pk", flat=True)[min(5000, NOTICES // 2)]
    some = list(portal_notices().values_list("pk", flat=True)[100:120])
    industry = (
        portal_notices().exclude(industry=None).values_list("industry__code", flat=True).first()
    )
    return [
        ("reference: trivial view", ["/bench/ping/"]),
        ("reference: empty page layout", ["/bench/layout/"]),
        ("home page overview", ["/"]),
        ("list, first page", ["/notices/"]),
        ("list, page after 5,000", [f"/notices/?after={deep}"]),
        ("results list", ["/results/"]),
        ("filter region", ["/notices/?region=460200"]),
        ("filter region + type", ["/notices/?region=460100&type=engineering"]),
        ("filter kind + dates", ["/notices/?kind=result&date_from=2026-01-01&date_to=2026-06-30"]),
        ("filter industry", [f"/notices/?industry={industry}"]),
        ("search 1 char (路)", ["/notices/?q=路"]),
        (
            "search 2 chars (海口 道路 监理 …)",
            [f"/notices/?q={w}" for w in ("海口", "道路", "监理", "学校", "医院", "绿化")],
        ),
        ("search 2 chars, rare (萌芽)", ["/notices/?q=萌芽"]),
        ("search 6 chars (道路改造工程)", ["/notices/?q=道路改造工程"]),
        ("search + region + type", ["/notices/?q=道路&region=460100&type=engineering"]),
        ("notice page", [f"/notices/{pk}/" for pk in some]),
        ("open tenders", ["/tenders/open/"]),
    ]


def _measure(urls: list[str], requests: int) -> dict[str, Any]:
    from django.test import Client

    client = Client()
    for url in urls:  # warm up
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    samples = []
    for n in range(requests):
        url = urls[n % len(urls)]
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return {
        "requests": requests,
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(_percentile(samples, 0.95), 2),
        "max_ms": round(max(samples), 2),
    }


def run_here() -> dict[str, Any]:
    """Load the notices into the configured database and measure every scenario."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    # Not setup_test_environment(): its template instrumentation would be measured too.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    urlpatterns[:] = [
        path("bench/ping/", ping),
        path("bench/layout/", layout),
        path("", include("config.urls")),
    ]
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    loaded = _load(NOTICES)
    results: dict[str, Any] = {"vendor": connection.vendor, **loaded, "scenarios": {}}
    for name, urls in _scenarios():
        results["scenarios"][name] = _measure(urls, REQUESTS)
    reference = results["scenarios"]["reference: trivial view"]["p95_ms"]
    for row in results["scenarios"].values():
        row["p95_vs_reference"] = round(row["p95_ms"] / reference, 1) if reference else None
    return results


def run_sqlite_child() -> dict[str, Any]:
    SQLITE_FILE.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{SQLITE_FILE}"}
        subprocess.run(
            [sys.executable, "-m", "tests.bench.bench_portal", "--here", out.name],
            env=env,
            check=True,
            cwd=ROOT,
        )
        result: dict[str, Any] = json.loads(Path(out.name).read_text(encoding="utf-8"))
    return result


def table(results: dict[str, dict[str, Any]]) -> str:
    engines = list(results)
    header = f"{'portal scenario':<36}" + "".join(
        f"{e + ' p50':>16}{'p95':>9}{'×ref':>7}" for e in engines
    )
    lines = [
        f"portal bench: {NOTICES:,} notices, {REQUESTS} requests per scenario, "
        f"target p95 < {TARGET_P95_MS:.0f} ms",
        header,
        "-" * len(header),
    ]
    for name in results[engines[0]]["scenarios"]:
        line = f"{name:<36}"
        for engine in engines:
            row = results[engine]["scenarios"][name]
            line += f"{row['p50_ms']:>13.1f} ms{row['p95_ms']:>6.1f} ms{row['p95_vs_reference']:>6}"
        lines.append(line)
    for engine in engines:
        worst = max(
            (row["p95_ms"], name)
            for name, row in results[engine]["scenarios"].items()
            if not name.startswith("reference")
        )
        verdict = "meets" if worst[0] < TARGET_P95_MS else "MISSES"
        lines.append(
            f"{engine}: loaded in {results[engine]['load_seconds']} s; worst p95 {worst[0]} ms "
            f"({worst[1]}) {verdict} the target"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--here"]:
        Path(argv[1]).write_text(json.dumps(run_here(), ensure_ascii=False), encoding="utf-8")
        return 0
    out = Path(argv[0]) if argv else ROOT / "var" / "bench" / "bench_portal.json"
    engines = os.environ.get("BENCH_PORTAL_ENGINES", "postgresql,sqlite").split(",")
    results: dict[str, dict[str, Any]] = {}
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        if "postgresql" in engines:
            results["postgresql"] = run_here()
        if "sqlite" in engines:
            results["sqlite"] = run_sqlite_child()
    else:
        results["sqlite"] = run_sqlite_child()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out.parent / "portal.json").write_text(out.read_text(encoding="utf-8"), encoding="utf-8")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
