"""The notices of a result: candidates, result, deal, and the letters to the winner."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from notices.domain.documents.formatting import (
    _table,
    chinese_date,
    chinese_datetime,
    drop_empty_columns,
    optional_row,
    price_with_words,
    text,
    yuan,
)
from notices.domain.documents.kinds import (
    AWARD_LETTER,
    CANDIDATES,
    DEAL,
    DEAL_CONFIRMATION,
    N_,
    RESULT,
)
from notices.domain.documents.parts import (
    _auction_rows,
    _base,
    _lot_rows,
    _project_rows,
    _winner_rows,
)
from notices.domain.documents.words import Vocabulary


def build_candidates(doc: Mapping[str, Any]) -> dict[str, Any]:
    """中标候选人公示: ranked candidates and how to object until when (实施条例 第54条)."""
    ctx = _base(doc, CANDIDATES)
    data: Mapping[str, Any] = doc.get("data") or {}
    words: Vocabulary = ctx["words"]
    lot: Mapping[str, Any] = data.get("lot") or {}
    # The period runs from the publication (实施条例 第54条): known once it is published.
    period = _publicity_period(data)
    ends = (
        chinese_datetime(data.get("publicity_ends_at"))
        if data.get("publicity_ends_at")
        else N_("公示期届满")
    )
    ctx["opening"] = [
        f"{text(data.get('tender_name'))}{text(lot.get('name'))}的评标工作已经结束，"
        f"根据评标委员会的评标报告，现将{words.candidates}公示如下。"
    ]
    ctx["rows"] = [
        *_project_rows(data, words),
        *_lot_rows(lot, words),
        *optional_row(N_("有效投标数"), data.get("bid_count")),
        *optional_row(
            N_("评标报告提交时间"),
            data.get("evaluation_reported_at"),
            chinese_datetime(data.get("evaluation_reported_at")),
        ),
        (N_("公示期"), period),
    ]
    ctx["tables"] = [
        _table(
            words.candidates,
            [
                N_("排名"),
                N_("名称"),
                N_("统一社会信用代码"),
                N_("投标报价"),
                N_("质量"),
                N_("工期（日）"),
                N_("得分"),
                N_("项目负责人及证书编号"),
            ],
            [
                [
                    f"第{text(c.get('rank'))}名",
                    text(c.get("name")),
                    text(c.get("uscc")),
                    yuan(c.get("price")),
                    c.get("quality") or "",
                    str(c.get("duration_days") or ""),
                    str(c.get("score") or ""),
                    " ".join(
                        v for v in (c.get("project_manager"), c.get("manager_certificate")) if v
                    ),
                ]
                for c in data.get("candidates") or []
            ],
            nowrap=(0, 1, 2, 3),
        )
    ]
    ctx["tables"] = [drop_empty_columns(t) for t in ctx["tables"]]
    if data.get("business_type") == "procurement":
        how = (
            "供应商认为采购过程或者中标、成交结果使自己的权益受到损害的，"
            "可以在知道或者应知其权益受到损害之日起7个工作日内，"
            "以书面形式向采购人、采购代理机构提出质疑（政府采购法 第52条）。"
            f"公示期至 {ends}。"
        )
    else:
        how = (
            f"投标人或者其他利害关系人对评标结果有异议的，应当在公示期内（至 {ends}）通过本平台向"
            f"{words.owner}提出；{words.owner}应当自收到异议之日起3日内作出答复，作出答复前暂停"
            "招标投标活动（实施条例 第54条）。"
        )
    ctx["closing"] = [how]
    return ctx


def _publicity_period(data: Mapping[str, Any]) -> str:
    """From–to once published; before, the period counted from the publication day."""
    if data.get("publicity_starts_at") and data.get("publicity_ends_at"):
        starts = chinese_datetime(data.get("publicity_starts_at"))
        return f"{starts} 至 {chinese_datetime(data.get('publicity_ends_at'))}"
    days = data.get("publicity_days")
    if not days:
        return N_("自本公示发布之日起计算")
    unit = "个工作日" if data.get("publicity_unit") == "workday" else "日"
    return f"自本公示发布之日起{text(days)}{unit}（发布之日不计入，至最后一日24时止）"


def build_result(doc: Mapping[str, Any]) -> dict[str, Any]:
    """中标（成交）结果公告: parties with contacts, the winner and amount, main items, experts."""
    ctx = _base(doc, RESULT)
    data: Mapping[str, Any] = doc.get("data") or {}
    words: Vocabulary = ctx["words"]
    lot: Mapping[str, Any] = data.get("lot") or {}
    ctx["opening"] = [f"{text(data.get('tender_name'))}{text(lot.get('name'))}的交易结果公告如下。"]
    ctx["rows"] = [
        *_project_rows(data, words),
        *_lot_rows(lot, words),
        *_winner_rows(data, words),
        *optional_row(N_("联系电话"), data.get("winner_phone")),
        (N_("定标时间"), chinese_datetime(data.get("award_confirmed_at"))),
        (N_("主要标的"), text(lot.get("scope") or lot.get("name"))),
    ]
    experts = [str(e) for e in data.get("experts") or [] if e]
    ctx["rows"] += optional_row(N_("评标委员会成员"), "、".join(experts))
    ctx["closing"] = [N_("公告期限为1个工作日。对结果有异议的，可以依法提出异议（质疑）。")]
    return ctx


def build_deal(doc: Mapping[str, Any]) -> dict[str, Any]:
    """成交公告 of a listing or an auction: the lot, the buyer, the price."""
    ctx = _base(doc, DEAL)
    data: Mapping[str, Any] = doc.get("data") or {}
    words: Vocabulary = ctx["words"]
    lot: Mapping[str, Any] = data.get("lot") or {}
    ctx["opening"] = [
        f"{text(data.get('tender_name'))}{text(lot.get('name'))}已于"
        f"{chinese_datetime(data.get('award_confirmed_at'))}在本平台成交，现予公告。"
    ]
    ctx["rows"] = [
        *_project_rows(data, words),
        *_lot_rows(lot, words),
        *_winner_rows(data, words),
        *_auction_rows(data),
        (N_("公示期"), _publicity_period(data)),
    ]
    ctx["closing"] = [
        f"对{words.publicity}有异议的，可以在公示期内向{words.owner}或者本平台提出（{words.law}）。"
    ]
    return ctx


def build_award_letter(doc: Mapping[str, Any]) -> dict[str, Any]:
    """中标通知书, issued by the owner (法 第45条); the contract within 30 日 (法 第46条)."""
    ctx = _base(doc, AWARD_LETTER)
    data: Mapping[str, Any] = doc.get("data") or {}
    words: Vocabulary = ctx["words"]
    lot: Mapping[str, Any] = data.get("lot") or {}
    ctx["document_name"] = words.letter
    ctx["addressee"] = f"{text(data.get('winner_name'))}："
    ctx["opening"] = [
        f"你方于{chinese_date(lot.get('closes_at'))}所递交的{text(data.get('tender_name'))}"
        f"{text(lot.get('name'))}投标文件已被我方接受，被确定为{words.winner}。"
    ]
    manager = " ".join(
        v for v in (data.get("project_manager"), data.get("manager_certificate")) if v
    )
    ctx["rows"] = [
        (N_("项目名称"), text(data.get("project_name"))),
        (N_("招标项目编号"), text(data.get("tender_code"))),
        *_lot_rows(lot, words)[:2],
        *_winner_rows(data, words),
        (N_("投标日期"), chinese_date(lot.get("closes_at"))),
        (N_("招标范围"), text(lot.get("scope") or lot.get("name"))),
        *optional_row(N_("工期"), data.get("duration_days"), f"{data.get('duration_days')} 日"),
        *optional_row(N_("质量要求"), data.get("quality")),
        *optional_row(N_("项目负责人及证书编号"), manager),
        # A letter is issued when it is published (法 第45条): its date is the publication's.
        (N_("发出日期"), chinese_date(data.get("letter_issued_at") or doc.get("dated"))),
    ]
    ctx["closing"] = [
        f"请你方在收到本通知书之日起{text(data.get('contract_days'))}日内，按照招标文件和你方投标文件"
        f"与我方订立书面合同（{words.contract_article}）。",
        f"本通知书由{words.owner}出具，经本平台送达并公开，"
        f"对{words.owner}和{words.winner}具有法律效力（{words.letter_article}）。",
        # 招标投标法 第45条 / 政府采购法实施条例 第43条: the others learn the result with it.
        f"本{words.letter}发出的同时，中标（成交）结果已通知所有未中标（成交）的{words.bidder}。",
    ]
    return ctx


def build_deal_confirmation(doc: Mapping[str, Any]) -> dict[str, Any]:
    """成交确认书: parties, the parcel or object, the price, 定金, signing deadline and place."""
    ctx = _base(doc, DEAL_CONFIRMATION)
    data: Mapping[str, Any] = doc.get("data") or {}
    words: Vocabulary = ctx["words"]
    lot: Mapping[str, Any] = data.get("lot") or {}
    ctx["addressee"] = f"{text(data.get('winner_name'))}："
    ctx["counterparty"] = text(data.get("winner_name"))
    ctx["opening"] = [
        f"你方于{chinese_datetime(data.get('award_confirmed_at'))}在本平台以"
        f"{yuan(data.get('price'))}竞得{text(data.get('tender_name'))}{text(lot.get('name'))}，"
        "特此确认。"
    ]
    ctx["rows"] = [
        (N_("项目名称"), text(data.get("project_name"))),
        (N_("项目编号"), text(data.get("tender_code"))),
        (words.owner, text(data.get("owner_name"))),
        (N_("统一社会信用代码"), text(data.get("owner_uscc"))),
        (words.winner, text(data.get("winner_name"))),
        (N_("统一社会信用代码"), text(data.get("winner_uscc"))),
        (N_("标的编号"), text(lot.get("code"))),
        (N_("标的名称"), text(lot.get("name"))),
        (N_("位置"), text(data.get("region_name"))),
        *optional_row(N_("标的说明（面积、用途、年限）"), lot.get("scope")),
        (N_("起始价"), yuan(lot.get("estimate"))),
        (words.price, price_with_words(data.get("price"))),
        (N_("成交时间"), chinese_datetime(data.get("award_confirmed_at"))),
        (N_("成交地点"), f"{text(data.get('region_name'))}公共资源交易平台（网上交易系统）"),
        (N_("保证金转为定金"), yuan(lot.get("deposit"))),
        *_auction_rows(data),
    ]
    ctx["closing"] = [
        f"{words.winner}已缴纳的保证金{yuan(lot.get('deposit'))}自本确认书签订之日起转为定金，"
        "并在签订合同后抵作成交价款。",
        f"{words.winner}应当自本确认书签订之日起{text(data.get('contract_days'))}日内，"
        f"到{text(data.get('owner_name'))}签订出让（转让）合同；逾期不签订的，定金不予退还。",
    ]
    return ctx
