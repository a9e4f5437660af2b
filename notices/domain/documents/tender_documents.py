"""招标文件 (采购文件, 出让文件, 转让文件): the documents an owner issues, chapter by chapter.

The chapters follow the standard documents: 《标准施工招标文件》(2007) for works — 招标公告,
投标人须知, 评标办法, 合同条款及格式, 技术标准和要求, 投标文件格式 — the 财政部 model 招标文件
for procurement (采购需求 instead of technical standards), and the 出让（转让）文件 of a sale, whose
buyer is chosen by price (竞价规则 instead of 评标办法). Pure: the same tender data always gives
the same document; every value a chapter lacks is left out rather than printed as a dash.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from notices.domain.documents.formatting import (
    Row,
    _table,
    chinese_date,
    chinese_datetime,
    drop_empty_columns,
    optional_row,
    present,
    text,
    yuan,
)
from notices.domain.documents.kinds import N_
from notices.domain.documents.parts import _lots_table
from notices.domain.documents.words import Vocabulary, vocabulary
from trading.domain.vocabulary import Terms, terms_for

SALE_FAMILIES = ("listing_auction", "listing", "property_disclosure")
# 实施条例 第25条: the validity of a bid is set by the documents; 90 日 is the common term.
BID_VALIDITY_DAYS = 90


@dataclass
class Chapter:
    """One chapter: a heading, paragraphs, a field table and list tables, in that order."""

    title: str
    intro: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


def _is_sale(data: Mapping[str, Any]) -> bool:
    return str(data.get("procedure_family", "")) in SALE_FAMILIES


@dataclass(frozen=True)
class Articles:
    """The articles a tender's documents cite, by the law its business type follows."""

    conflict: str
    deposit: str
    opening: str
    committee: str
    candidates: str
    rejection: str
    performance_bond: str
    subcontract: str


_TENDERING = Articles(
    conflict="实施条例 第34条",
    deposit="实施条例 第26条",
    opening="招标投标法 第34条",
    committee="招标投标法 第37条",
    candidates="实施条例 第53条",
    rejection="实施条例 第51条",
    performance_bond="实施条例 第58条",
    subcontract="招标投标法 第48条",
)
_PROCUREMENT = Articles(
    conflict="政府采购法实施条例 第18条",
    deposit="政府采购法实施条例 第33条",
    opening="财政部令第87号 第39条",
    committee="财政部令第87号 第47条",
    candidates="财政部令第87号 第68条",
    rejection="财政部令第87号 第63条",
    performance_bond="政府采购法实施条例 第48条",
    subcontract="政府采购法 第48条",
)


def _articles(terms: Terms) -> Articles:
    return _PROCUREMENT if terms.law == "政府采购法" else _TENDERING


def _parties(data: Mapping[str, Any], words: Vocabulary) -> list[Row]:
    rows: list[Row] = [(words.owner, text(data.get("owner_name")))]
    rows += optional_row(N_("联系电话"), data.get("owner_phone"))
    rows += optional_row(N_("招标代理机构"), data.get("agency_name"))
    if data.get("agency_name"):
        rows += optional_row(N_("代理机构联系电话"), data.get("agency_phone"))
    return rows


def _invitation(data: Mapping[str, Any], words: Vocabulary, terms: Terms) -> Chapter:
    lots: Sequence[Mapping[str, Any]] = data.get("lots") or []
    rows: list[Row] = [
        (N_("项目名称"), text(data.get("project_name"))),
        (N_("项目编号"), text(data.get("project_code"))),
        (N_("招标项目编号"), text(data.get("tender_code"))),
        (N_("交易方式"), text(data.get("procedure_name"))),
        *optional_row(N_("资金来源"), data.get("funding_source")),
        *_parties(data, words),
        *optional_row(
            N_("文件发出时间"),
            data.get("documents_issued_at"),
            chinese_datetime(data.get("documents_issued_at")),
        ),
        *optional_row(
            N_("澄清截止时间"),
            data.get("clarification_deadline"),
            chinese_datetime(data.get("clarification_deadline")),
        ),
        (N_("递交地点"), N_("本平台网上交易系统（加密递交，不见面开标）")),
    ]
    return Chapter(
        title=f"第一章 {words.announcement}",
        intro=[
            f"{text(data.get('tender_name'))}已具备交易条件，{text(data.get('owner_name'))}"
            f"现依法公开{words.announcement}，欢迎符合条件的{words.bidder}参加。",
            f"{words.bidder}应在本平台注册并完成主体核验，在线报名、缴纳保证金，"
            f"于{words.deadline}前递交文件；逾期送达的，本平台不予受理。",
        ],
        rows=rows,
        tables=[_lots_table(lots, words)],
    )


def _instructions(data: Mapping[str, Any], words: Vocabulary, terms: Terms) -> Chapter:
    lot: Mapping[str, Any] = (data.get("lots") or [{}])[0]
    sale = _is_sale(data)
    law = _articles(terms)
    rows: list[Row] = [
        (N_("项目名称"), text(data.get("tender_name"))),
        *optional_row(N_("招标范围（标的）"), lot.get("scope")),
        *optional_row(
            N_("工期（服务期）"), lot.get("duration_days"), f"{lot.get('duration_days')} 日"
        ),
        *optional_row(N_("质量要求"), lot.get("quality")),
        (words.estimate, yuan(lot.get("estimate"))),
        *optional_row(N_("报价方式"), data.get("price_form")),
        (N_("保证金"), yuan(lot.get("deposit"))),
        *optional_row(N_("保证金形式"), data.get("deposit_form")),
        *optional_row(N_("开始时间"), lot.get("opens_at"), chinese_datetime(lot.get("opens_at"))),
        *optional_row(words.deadline, lot.get("closes_at"), chinese_datetime(lot.get("closes_at"))),
    ]
    if present(lot.get("increment")) and str(lot.get("increment")) not in ("0", "0.00"):
        rows.append((N_("加价幅度"), yuan(lot.get("increment"))))
    if not sale:
        rows += [
            (N_("投标有效期"), f"自{words.deadline}起 {BID_VALIDITY_DAYS} 日"),
            (N_("开标"), f"在投标截止时间于本平台不见面开标大厅公开进行（{law.opening}）"),
            *optional_row(N_("最少有效投标数"), data.get("min_bids")),
        ]
    items = [
        f"{words.bidder}应当具备承担本项目的能力和国家规定的资格条件；"
        f"与本项目存在利害关系可能影响公正性的，不得参加（{law.conflict}）。",
        f"{words.bidder}对本文件有疑问的，应在澄清截止时间前通过本平台提出；"
        f"{words.owner}的澄清和修改通过本平台发出，构成本文件的组成部分。",
        f"文件以本平台生成的密钥在{words.bidder}一侧加密后递交，截止前可以修改或者撤回；"
        "截止后未解密的，因投标人原因的视为撤销，其他原因的视为撤回（电子招标投标办法 第31条）。",
    ]
    if not sale:
        items.append(f"保证金应从{words.bidder}的基本账户转出（{law.deposit}），依法退还。")
    if sale:
        items.append(
            f"{words.winner}的保证金转为定金，在签订合同后抵作成交价款；"
            "未竞得的，保证金在交易结束后依法退还。"
        )
    else:
        items.append(
            f"{words.owner}依据评标委员会推荐的{terms.candidates}确定{words.winner}，"
            f"并发出{words.letter}（{words.letter_article}）。"
        )
    return Chapter(
        title=N_("第二章 竞买须知") if sale else f"第二章 {words.bidder}须知",
        intro=[N_("须知前附表")],
        rows=rows,
        items=items,
    )


def _evaluation(data: Mapping[str, Any], words: Vocabulary, terms: Terms) -> Chapter:
    if _is_sale(data):
        return Chapter(
            title=N_("第三章 竞价规则"),
            items=[
                "首次报价不得低于起始价；每次加价不得低于加价幅度；报价一经提交不得撤回。",
                "挂牌期满仍有两个以上竞买人报价的，自当时最高报价起进入限时竞价：每次新的报价"
                "重新开始计时，计时届满无新报价的，最高报价者竞得。",
                "最高报价低于保留价（底价）的，不成交（流拍）。同价的，先报价者优先。",
                "竞价时间以本平台服务器时间为准。",
            ],
        )
    procurement = data.get("business_type") in ("procurement", "medicine")
    law = _articles(terms)
    method = N_("综合评分法") if procurement else N_("综合评估法")
    weights = (
        [("价格", "30"), ("技术", "50"), ("商务", "20")]
        if procurement
        else [("投标报价", "60"), ("施工组织设计", "25"), ("项目管理机构", "10"), ("信用评价", "5")]
    )
    price_rule = (
        "价格分采用低价优先法：满足采购文件要求且报价最低的为评标基准价，其价格分为满分"
        "（政府采购货物和服务招标投标管理办法 第55条）。"
        if procurement
        else "评标基准价为有效投标报价的算术平均值（有效报价多于3家时去掉一个最高和一个最低）；"
        "报价每高于基准价1%扣1分，每低于基准价1%扣0.5分。"
    )
    return Chapter(
        title=f"第三章 评标办法（{method}）",
        intro=[
            f"评标由依法组建的评标委员会负责，成员为五人以上单数，其中专家不少于三分之二"
            f"（{law.committee}）。评标委员会按本章规定的方法推荐不超过3名{terms.candidates}，"
            f"并标明排序（{law.candidates}）。"
        ],
        tables=[_table(N_("评分因素及权重"), [N_("评分因素"), N_("分值")], weights, nowrap=(1,))],
        items=[
            f"资格审查和初步评审为合格制，有一项不合格的，其投标无效（{law.rejection}）。",
            price_rule,
            N_("得分相同的，以投标报价低的优先；报价也相同的，以技术得分高的优先。"),
        ],
    )


def _contract(data: Mapping[str, Any], words: Vocabulary, terms: Terms) -> Chapter:
    contract_days = data.get("contract_days") or 30
    sale = _is_sale(data)
    law = _articles(terms)
    items = [
        f"{words.owner}和{words.winner}应当自{words.letter}发出之日起{contract_days}日内，"
        f"按照本文件和{words.winner}的文件订立书面合同（{words.contract_article}）。",
        N_(
            "合同的标的、价款、质量、履行期限等主要条款应当与本文件和中标（成交）人的文件一致，"
            "不得再行订立背离合同实质性内容的其他协议。"
        ),
    ]
    if sale:
        items += [
            N_(
                "成交价款自合同签订之日起按合同约定的期限一次或者分期付清；逾期的，按日加收违约金。"
            ),
            N_("交付使用的条件、时间和方式以出让（转让）合同为准。"),
        ]
    else:
        items += [
            f"履约保证金不得超过合同金额的10%（{law.performance_bond}）。",
            N_("预付款、进度款和结算款的支付比例和期限在合同专用条款中约定。"),
            f"{words.winner}不得转包，也不得违法分包（{law.subcontract}）。",
        ]
    title = N_("第四章 合同主要条款") if sale else N_("第四章 合同条款及格式")
    return Chapter(title=title, items=items)


def _requirements(data: Mapping[str, Any], words: Vocabulary, terms: Terms) -> Chapter:
    lots: Sequence[Mapping[str, Any]] = data.get("lots") or []
    business_type = data.get("business_type")
    if _is_sale(data):
        title = N_("第五章 标的说明")
    elif business_type in ("procurement", "medicine"):
        title = N_("第五章 采购需求")
    else:
        title = N_("第五章 技术标准和要求")
    tables = [
        _table(
            N_("标段（包）"),
            [N_("编号及名称"), N_("范围（标的）"), N_("工期（服务期）"), N_("质量要求")],
            [
                [
                    f"{text(lot.get('code'))} {text(lot.get('name'))}",
                    str(lot.get("scope") or ""),
                    f"{lot['duration_days']} 日" if lot.get("duration_days") else "",
                    str(lot.get("quality") or ""),
                ]
                for lot in lots
            ],
        )
    ]
    if _is_sale(data):
        items = [N_("标的以现状为准；竞买人应自行踏勘现场，递交竞买申请即视为对现状无异议。")]
    elif business_type in ("procurement", "medicine"):
        items = [
            N_(
                "所投产品和服务应当符合国家强制性标准；采购需求中的实质性要求以“★”标明，"
                "不满足的响应无效（政府采购法实施条例 第15条）。"
            )
        ]
    else:
        items = [
            N_("工程应当符合国家现行的施工及验收规范、强制性标准和设计文件的要求。"),
            N_(
                "工程量清单与图纸不一致的，以图纸为准；清单项目特征描述不全的，投标人应在澄清截止前提出。"
            ),
        ]
    return Chapter(title=title, tables=[drop_empty_columns(t) for t in tables], items=items)


def _forms(data: Mapping[str, Any], words: Vocabulary, terms: Terms) -> Chapter:
    business_type = data.get("business_type")
    if _is_sale(data):
        forms = [
            "竞买申请书",
            "竞买人主体资格证明",
            "法定代表人身份证明或授权委托书",
            "保证金缴纳凭证",
            "竞买承诺书",
        ]
        title = N_("第六章 竞买申请文件格式")
    elif business_type in ("procurement", "medicine"):
        forms = [
            "投标函",
            "开标一览表（报价表）",
            "法定代表人身份证明或授权委托书",
            "资格证明文件",
            "技术和服务响应偏离表",
            "中小企业声明函",
            "商务条款响应表",
        ]
        title = N_("第六章 响应文件格式")
    else:
        forms = [
            "投标函及投标函附录",
            "法定代表人身份证明或授权委托书",
            "投标保证金",
            "已标价工程量清单",
            "施工组织设计",
            "项目管理机构（含项目经理及其注册证书）",
            "资格审查资料",
        ]
        title = N_("第六章 投标文件格式")
    return Chapter(
        title=title,
        intro=[f"{words.bidder}应按下列格式编制文件，并以电子签章签署后加密递交。"],
        tables=[
            _table(
                N_("文件组成"),
                [N_("序号"), N_("名称")],
                [[str(n), name] for n, name in enumerate(forms, start=1)],
                nowrap=(0,),
            )
        ],
    )


def build_tender_documents(doc: Mapping[str, Any]) -> dict[str, Any]:
    """招标（采购、出让、转让）文件 of a tender, in the chapters of the standard documents."""
    data: Mapping[str, Any] = doc.get("data") or {}
    business_type = str(data.get("business_type", ""))
    procedure = str(data.get("procedure_code", ""))
    words = vocabulary(business_type, procedure)
    terms = terms_for(business_type, procedure) if business_type else terms_for("engineering")
    chapters = [
        make(data, words, terms)
        for make in (_invitation, _instructions, _evaluation, _contract, _requirements, _forms)
    ]
    return {
        "document_name": terms.documents,
        "title": f"{text(data.get('tender_name'))} {terms.documents}",
        "number": text(data.get("tender_code")),
        "project_code": text(data.get("project_code")),
        "issuer": text(data.get("owner_name")),
        "agency": str(data.get("agency_name") or ""),
        "dated": chinese_date(data.get("documents_issued_at") or doc.get("dated")),
        "training": bool(data.get("training")),
        "words": words,
        "chapters": chapters,
    }
