"""Every kind of notice and letter rendered from a real tender: Chinese text, CJK font, hashes.

The tenders are made through the services (tests/tenders.py) and moved by the chronograph, the
notices drafted by `notice_draft`; pdftotext and pdffonts (poppler-utils) read the PDFs back.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from notices import rendering
from notices.domain import documents
from notices.models import Notice, NoticeKind
from notices.services import notice_draft
from tests.conftest import ControlledClock
from tests.tenders import (
    World,
    closes,
    first_lot,
    make_tender,
    make_world,
    pdf_file,
    publicity_end,
    record_outcome,
)
from trading.chronograph import chronograph_tick
from trading.models import Lot, Tender
from trading.services.awards import award_confirm
from trading.services.lots import lot_terminate
from trading.services.outcomes import lot_record_bid_count
from trading.services.questions import question_answer, question_ask
from trading.services.tenders import tender_amend

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

OUT = Path(__file__).resolve().parents[2] / "var" / "test-pdfs"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://ggzy.example.cn"


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.decode()


def squeezed(value: str) -> str:
    """Text without whitespace: a table cell may wrap anywhere."""
    return re.sub(r"\s+", "", value)


def pdf_fonts(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout


def tick_at(clock: ControlledClock, moment: Any) -> None:
    clock.set(moment)
    chronograph_tick(clock=clock)


@dataclass
class Case:
    world: World
    tender: Tender
    lot: Lot | None
    expected: list[str]


def _published(clock: ControlledClock, business_type: str = "engineering") -> tuple[World, Tender]:
    world = make_world(business_type=business_type)
    return world, make_tender(world, name="海口市滨海大道道路改造工程")


def _in_publicity(clock: ControlledClock, business_type: str) -> tuple[World, Tender, Lot]:
    world, tender = _published(clock, business_type)
    lot = first_lot(tender)
    tick_at(clock, lot.opens_at)
    tick_at(clock, closes(lot))
    return world, tender, record_outcome(world, lot)


def _awarded(clock: ControlledClock, business_type: str) -> tuple[World, Tender, Lot]:
    world, tender, lot = _in_publicity(clock, business_type)
    tick_at(clock, publicity_end(lot))
    lot.refresh_from_db()
    candidate = lot.candidates.order_by("rank").first()
    assert candidate is not None
    award_confirm(lot=lot, candidate=candidate, actor=world.owner_user)
    lot.refresh_from_db()
    return world, tender, lot


def case_for(kind: str, clock: ControlledClock) -> Case:
    if kind == NoticeKind.ANNOUNCEMENT:
        world, tender = _published(clock)
        lot = first_lot(tender)
        return Case(
            world,
            tender,
            None,
            [
                "招标公告",
                lot.code,
                "1,000,000.00元",
                "20,000.00元",
                world.owner.name,
                "投标截止（开标）时间",
            ],
        )
    if kind == NoticeKind.AMENDMENT:
        world, tender = _published(clock)
        tender_amend(
            tender=tender,
            document_file=pdf_file("amendment.pdf"),
            title="第一次变更",
            affects_bids=False,
            note="调整投标人资格条件中的业绩要求",
            actor=world.owner_user,
        )
        return Case(
            world,
            tender,
            None,
            ["变更公告", "第一次变更", "调整投标人资格条件中的业绩要求", "实施条例第21条"],
        )
    if kind == NoticeKind.CLARIFICATION:
        world, tender = _published(clock)
        question = question_ask(
            tender=tender, text="沥青混凝土的标号要求是什么？", actor=world.bidder_users[0]
        )
        question_answer(
            questions=[question],
            document_file=pdf_file("answer.pdf"),
            title="答疑澄清一",
            actor=world.owner_user,
        )
        return Case(world, tender, None, ["澄清公告", "沥青混凝土的标号要求是什么？", "答疑澄清一"])
    if kind == NoticeKind.CANDIDATES:
        world, tender, lot = _in_publicity(clock, "engineering")
        names = [c.name for c in lot.candidates.order_by("rank")]
        return Case(
            world,
            tender,
            lot,
            [
                "中标候选人公示",
                *names,
                "第1名",
                "950,000.00元",
                "项目经理1",
                "公示期",
                "异议",
                "实施条例第54条",
            ],
        )
    if kind in (NoticeKind.RESULT, NoticeKind.AWARD_LETTER):
        world, tender, lot = _awarded(clock, "engineering")
        winner = world.bidders[0]
        common = [
            winner.name,
            winner.uscc,
            "950,000.00元",
            "人民币950,000.00元（大写：玖拾伍万元整）",
        ]
        if kind == NoticeKind.RESULT:
            return Case(world, tender, lot, ["中标（成交）结果公告", *common, "评标委员会成员"])
        return Case(
            world,
            tender,
            lot,
            [
                "中标通知书",
                *common,
                lot.code,
                "投标日期",
                "工期",
                "项目经理1",
                "30日内",
                "招标投标法第46条",
                "（盖章）",
            ],
        )
    if kind in (NoticeKind.DEAL, NoticeKind.DEAL_CONFIRMATION):
        world, tender, lot = _awarded(clock, "land")
        winner = world.bidders[0]
        common = [winner.name, "1,050,000.00元", "壹佰零伍万元整", "竞得人"]
        if kind == NoticeKind.DEAL:
            return Case(world, tender, lot, ["成交公告", *common, "国有建设用地使用权"])
        return Case(
            world,
            tender,
            lot,
            [
                "成交确认书",
                *common,
                "出让人",
                "定金",
                "20,000.00元",
                "成交时间",
                "成交地点",
                "签订出让（转让）合同",
            ],
        )
    if kind == NoticeKind.FAILURE:
        world, tender = _published(clock)
        lot = first_lot(tender)
        tick_at(clock, lot.opens_at)
        tick_at(clock, closes(lot) + timedelta(hours=1))
        lot = lot_record_bid_count(lot=lot, count=2, actor=world.staff)
        return Case(
            world, tender, lot, ["流标（流拍）公告", "有效投标（竞买）数2", "实施条例第44条"]
        )
    if kind == NoticeKind.TERMINATION:
        world, tender = _published(clock)
        lot = lot_terminate(
            lot=first_lot(tender), reason="项目建设资金未落实，终止招标", actor=world.owner_user
        )
        return Case(world, tender, lot, ["终止公告", "项目建设资金未落实，终止招标", "终止理由"])
    raise AssertionError(kind)


def draft(case: Case, kind: str) -> Notice:
    return notice_draft(kind=kind, tender=case.tender, lot=case.lot)


@pytest.mark.parametrize("kind", NoticeKind.values)
def test_every_kind_renders_a_chinese_pdf_with_its_fields(
    kind: str, clock: ControlledClock, tmp_path: Path
) -> None:
    case = case_for(kind, clock)
    notice = draft(case, kind)

    rendered = rendering.render_notice(notice)

    text = squeezed(pdf_text(rendered.content, tmp_path))
    common = [
        squeezed(notice.title),
        f"编号：{case.tender.code}-{documents.NUMBER_CODES[kind]}-",
        notice.verification_code,
        notice.issuer,
        case.tender.code,
        case.tender.project.name,
        "第1页共",
        "https://ggzy.example.cn/verify/",
    ]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{kind}.pdf").write_bytes(rendered.content)
    missing = [needle for needle in [*common, *case.expected] if squeezed(needle) not in text]
    assert not missing, f"{kind}: {missing} not in {text}"


def test_the_pdf_embeds_a_cjk_font_and_its_hash_matches_its_bytes(
    clock: ControlledClock, tmp_path: Path
) -> None:
    case = case_for(NoticeKind.AWARD_LETTER, clock)
    notice = draft(case, NoticeKind.AWARD_LETTER)

    rendered = rendering.render_notice(notice)

    assert rendered.content.startswith(b"%PDF-")
    assert rendered.sha256 == hashlib.sha256(rendered.content).hexdigest()
    fonts = pdf_fonts(rendered.content, tmp_path)
    cjk = [line for line in fonts.splitlines() if "-CJK-SC" in line]
    assert cjk, fonts
    assert all(line.split()[-5] == "yes" for line in cjk), fonts  # emb column


def test_rendering_twice_gives_the_same_template_version(clock: ControlledClock) -> None:
    case = case_for(NoticeKind.CANDIDATES, clock)
    notice = draft(case, NoticeKind.CANDIDATES)

    first = rendering.render_notice(notice)
    second = rendering.render_notice(notice)

    assert first.template_version == second.template_version
    assert first.template_version.startswith("candidates/1+")
    max_length = Notice._meta.get_field("template_version").max_length
    assert max_length is not None and len(first.template_version) <= max_length


def test_a_qr_code_links_to_the_public_verification_page(clock: ControlledClock) -> None:
    case = case_for(NoticeKind.ANNOUNCEMENT, clock)
    notice = draft(case, NoticeKind.ANNOUNCEMENT)

    html = rendering.render_html(notice.kind, rendering.notice_document_input(notice))

    assert rendering.verification_url(notice.verification_code) == (
        f"https://ggzy.example.cn/verify/?code={notice.verification_code}"
    )
    assert "<svg" in html and 'class="qr"' in html


def test_a_training_notice_carries_a_watermark(clock: ControlledClock) -> None:
    world = make_world()
    tender = make_tender(world, training=True, time_scale=1440)
    notice = notice_draft(kind=NoticeKind.ANNOUNCEMENT, tender=tender)

    html = rendering.render_html(notice.kind, rendering.notice_document_input(notice))

    assert "培训演示 · 不具法律效力" in html


def test_every_notice_kind_has_a_registered_template() -> None:
    # Besides the notices, the regulator's complaint documents (issue 10) and the opening
    # record (issue 12) print through it.
    complaint_documents = ["complaint_accepted", "complaint_decision", "complaint_refused"]
    assert rendering.registered_kinds() == sorted(
        [*NoticeKind.values, *complaint_documents, "opening_record"]
    )


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(rendering.UnknownDocument):
        rendering.template_version("evaluation_minutes")


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("ABC-123", '"ABC-123"'),
        ('a"b', '"a\\22 b"'),
        ("</style>", '"\\3c /style\\3e "'),
        ("验证码 7KQ2", '"验证码 7KQ2"'),
    ],
)
def test_page_margin_texts_are_escaped_as_css_strings(raw: str, escaped: str) -> None:
    assert rendering.css_string(raw) == escaped
