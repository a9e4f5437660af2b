"""What each published document says: the fields per kind and pure builders of their contents.

A builder takes the document input (the notice's `data` plus its title, body, issuer, number,
date and verification code) and returns the template context. No Django, no clock: the same
input always gives the same document (DESIGN.md invariant 7 relies on it to re-render).

The labels are the documents' own Chinese wording; `N_` marks them for the catalogue, and the
renderer always renders in Chinese because an official document has one authentic text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

Builder = Callable[[Mapping[str, Any]], dict[str, Any]]


def N_(message: str) -> str:
    return message


# The kinds, spelled as notices.models.NoticeKind's values (the domain imports no model).
ANNOUNCEMENT = "announcement"
AMENDMENT = "amendment"
CLARIFICATION = "clarification"
CANDIDATES = "candidates"
RESULT = "result"
DEAL = "deal"
FAILURE = "failure"
TERMINATION = "termination"
AWARD_LETTER = "award_letter"
DEAL_CONFIRMATION = "deal_confirmation"

KINDS = (
    ANNOUNCEMENT,
    AMENDMENT,
    CLARIFICATION,
    CANDIDATES,
    RESULT,
    DEAL,
    FAILURE,
    TERMINATION,
    AWARD_LETTER,
    DEAL_CONFIRMATION,
)

# Short codes in document numbers, from the pinyin initials of each document's name.
NUMBER_CODES = {
    ANNOUNCEMENT: "GG",  # 公告
    AMENDMENT: "BG",  # 变更
    CLARIFICATION: "CQ",  # 澄清
    CANDIDATES: "GS",  # 公示
    RESULT: "JG",  # 结果
    DEAL: "CJ",  # 成交
    FAILURE: "LB",  # 流标
    TERMINATION: "ZZ",  # 终止
    AWARD_LETTER: "TZS",  # 通知书
    DEAL_CONFIRMATION: "QRS",  # 确认书
}

DOCUMENT_NAMES = {
    ANNOUNCEMENT: N_("招标（出让、转让）公告"),
    AMENDMENT: N_("变更公告"),
    CLARIFICATION: N_("澄清公告"),
    CANDIDATES: N_("中标候选人公示"),
    RESULT: N_("中标（成交）结果公告"),
    DEAL: N_("成交公告"),
    FAILURE: N_("流标（流拍）公告"),
    TERMINATION: N_("终止公告"),
    AWARD_LETTER: N_("中标通知书"),
    DEAL_CONFIRMATION: N_("成交确认书"),
}


@dataclass(frozen=True)
class Vocabulary:
    """How one business type names the parties and amounts in its documents."""

    announcement: str
    owner: str
    bidder: str
    estimate: str
    deadline: str
    winner: str
    price: str


_TENDER_WORDS = Vocabulary(
    announcement=N_("招标公告"),
    owner=N_("招标人"),
    bidder=N_("投标人"),
    estimate=N_("招标控制价（估算价）"),
    deadline=N_("投标截止（开标）时间"),
    winner=N_("中标人"),
    price=N_("中标价"),
)
_SALE_WORDS = Vocabulary(
    announcement=N_("出让公告"),
    owner=N_("出让人"),
    bidder=N_("竞买人"),
    estimate=N_("起始价"),
    deadline=N_("挂牌（竞价）截止时间"),
    winner=N_("竞得人"),
    price=N_("成交价"),
)

VOCABULARY: dict[str, Vocabulary] = {
    "engineering": _TENDER_WORDS,
    "procurement": Vocabulary(
        announcement=N_("采购公告"),
        owner=N_("采购人"),
        bidder=N_("供应商"),
        estimate=N_("预算金额"),
        deadline=N_("响应文件提交截止（开标）时间"),
        winner=N_("中标（成交）供应商"),
        price=N_("中标（成交）金额"),
    ),
    "land": Vocabulary(
        announcement=N_("国有建设用地使用权出让公告"),
        owner=_SALE_WORDS.owner,
        bidder=_SALE_WORDS.bidder,
        estimate=_SALE_WORDS.estimate,
        deadline=_SALE_WORDS.deadline,
        winner=_SALE_WORDS.winner,
        price=_SALE_WORDS.price,
    ),
    "mining": Vocabulary(
        announcement=N_("矿业权出让公告"),
        owner=_SALE_WORDS.owner,
        bidder=_SALE_WORDS.bidder,
        estimate=_SALE_WORDS.estimate,
        deadline=_SALE_WORDS.deadline,
        winner=_SALE_WORDS.winner,
        price=_SALE_WORDS.price,
    ),
    "property": Vocabulary(
        announcement=N_("国有产权转让公告"),
        owner=N_("转让方"),
        bidder=N_("意向受让方"),
        estimate=N_("转让底价"),
        deadline=N_("信息披露（竞价）截止时间"),
        winner=N_("受让方"),
        price=N_("成交价"),
    ),
    "carbon": Vocabulary(
        announcement=N_("碳排放权交易公告"),
        owner=N_("出让方"),
        bidder=N_("竞买人"),
        estimate=N_("起始价"),
        deadline=N_("竞价截止时间"),
        winner=N_("竞得人"),
        price=N_("成交价"),
    ),
    "pollution": Vocabulary(
        announcement=N_("排污权出让公告"),
        owner=N_("出让方"),
        bidder=N_("竞买人"),
        estimate=N_("起始价"),
        deadline=N_("竞价截止时间"),
        winner=N_("受让方"),
        price=N_("成交价"),
    ),
    "medicine": Vocabulary(
        announcement=N_("药品和医用耗材采购公告"),
        owner=N_("采购人"),
        bidder=N_("投标人"),
        estimate=N_("预算金额"),
        deadline=N_("投标截止时间"),
        winner=N_("中选企业"),
        price=N_("中选价"),
    ),
    "other": Vocabulary(
        announcement=N_("交易公告"),
        owner=N_("委托方"),
        bidder=N_("意向受让方（投标人）"),
        estimate=N_("起始价（预算）"),
        deadline=N_("交易截止时间"),
        winner=N_("成交人"),
        price=N_("成交价"),
    ),
}


def vocabulary(business_type: str) -> Vocabulary:
    return VOCABULARY.get(business_type, _TENDER_WORDS)


@dataclass(frozen=True)
class Field:
    """One entry of `notice.data`: its key, what it holds, and whether every document needs it."""

    key: str
    label: str
    required: bool = True


_COMMON = [
    Field("business_type", N_("业务类型代码")),
    Field("business_type_name", N_("业务类型")),
    Field("region_code", N_("行政区划代码")),
    Field("region_name", N_("市县")),
    Field("project_code", N_("项目编号")),
    Field("project_name", N_("项目名称")),
    Field("tender_code", N_("招标项目编号")),
    Field("tender_name", N_("招标项目名称")),
    Field("trade_id", N_("统一交易标识码")),
    Field("procedure_name", N_("交易方式")),
    Field("procedure_family", N_("流程类别")),
    Field("owner_name", N_("招标人（出让人、转让方）")),
    Field("owner_uscc", N_("统一社会信用代码")),
    Field("owner_phone", N_("联系电话"), required=False),
    Field("agency_name", N_("代理机构"), required=False),
    Field("agency_phone", N_("代理机构联系电话"), required=False),
    Field("funding_source", N_("资金来源"), required=False),
    Field("training", N_("培训演示")),
    Field("lots", N_("标段（包）")),
]
_LOT = [Field("lot", N_("标段（包）"))]
_WINNER = [
    Field("winner_name", N_("中标（成交）人")),
    Field("winner_uscc", N_("统一社会信用代码")),
    Field("winner_phone", N_("联系电话"), required=False),
    Field("price", N_("中标（成交）价")),
    Field("award_confirmed_at", N_("定标时间")),
    Field("letter_issued_at", N_("通知书发出时间")),
]

NOTICE_FIELDS: dict[str, list[Field]] = {
    ANNOUNCEMENT: [
        *_COMMON,
        Field("price_form", N_("报价方式")),
        Field("deposit_form", N_("保证金形式")),
        Field("documents_issued_at", N_("招标文件发出时间"), required=False),
        Field("documents_sale_ends_at", N_("文件发售截止时间"), required=False),
        Field("clarification_deadline", N_("澄清截止时间"), required=False),
    ],
    AMENDMENT: [*_COMMON, Field("document", N_("变更文件"), required=False)],
    CLARIFICATION: [
        *_COMMON,
        Field("document", N_("澄清文件"), required=False),
        Field("questions", N_("答疑"), required=False),
    ],
    CANDIDATES: [
        *_COMMON,
        *_LOT,
        Field("candidates", N_("中标候选人")),
        Field("bid_count", N_("有效投标数"), required=False),
        Field("evaluation_reported_at", N_("评标报告提交时间"), required=False),
        Field("publicity_starts_at", N_("公示开始")),
        Field("publicity_ends_at", N_("公示结束")),
    ],
    RESULT: [
        *_COMMON,
        *_LOT,
        *_WINNER,
        Field("experts", N_("评标委员会成员"), required=False),
    ],
    DEAL: [*_COMMON, *_LOT, *_WINNER],
    FAILURE: [
        *_COMMON,
        *_LOT,
        Field("bid_count", N_("有效投标数"), required=False),
        Field("min_bids", N_("最少有效投标数")),
    ],
    TERMINATION: [*_COMMON, *_LOT, Field("reason", N_("终止理由"))],
    AWARD_LETTER: [
        *_COMMON,
        *_LOT,
        *_WINNER,
        Field("project_manager", N_("项目负责人"), required=False),
        Field("manager_certificate", N_("证书编号"), required=False),
        Field("duration_days", N_("工期（日）"), required=False),
        Field("quality", N_("质量要求"), required=False),
        Field("contract_days", N_("签订合同期限（日）")),
    ],
    DEAL_CONFIRMATION: [
        *_COMMON,
        *_LOT,
        *_WINNER,
        Field("contract_days", N_("签订合同期限（日）")),
    ],
}


def missing_fields(kind: str, data: Mapping[str, Any]) -> list[str]:
    """The required keys of `kind` that `data` lacks: a notice cannot be rendered without them."""
    return [f.key for f in NOTICE_FIELDS[kind] if f.required and f.key not in data]


# ---- formatting ---------------------------------------------------------------------------

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ["", "拾", "佰", "仟"]
_BIG_UNITS = ["", "万", "亿", "万亿"]


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def yuan(value: Any) -> str:
    """'1,000,000.00 元' — the figure as a Chinese document writes it; '—' when absent."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    return f"{amount.quantize(Decimal('0.01')):,} 元"


def _four_digits(number: int) -> str:
    """Uppercase numerals of 0 < number < 10000, with 零 for inner zero runs."""
    out: list[str] = []
    zero = False
    for position in range(3, -1, -1):
        digit = number // 10**position % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(_DIGITS[digit] + _SMALL_UNITS[position])
    return "".join(out)


def yuan_in_words(value: Any) -> str:
    """人民币大写: 1000000.50 → '壹佰万元伍角'; whole yuan end with 整 (GB/T 15835 usage)."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    negative = amount < 0
    fen_total = int((abs(amount) * 100).quantize(Decimal("1")))
    whole, cents = divmod(fen_total, 100)
    jiao, fen = divmod(cents, 10)
    groups = []
    while whole:
        groups.append(whole % 10000)
        whole //= 10000
    words = ""
    pending_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            pending_zero = bool(words)
            continue
        if words and (pending_zero or group < 1000):
            words += "零"
        words += _four_digits(group) + _BIG_UNITS[index]
        pending_zero = False
    if words:
        words += "元"
    if not jiao and not fen:
        words = (words or "零元") + "整"
    else:
        if jiao:
            words += _DIGITS[jiao] + "角"
        elif words:
            words += "零"
        if fen:
            words += _DIGITS[fen] + "分"
    return ("负" if negative else "") + words


def price_with_words(value: Any) -> str:
    """'人民币 950,000.00 元（大写：玖拾伍万元整）': figures and words, as contracts require."""
    if _decimal(value) is None:
        return "—"
    return f"人民币 {yuan(value)}（大写：{yuan_in_words(value)}）"


def _moment(value: Any) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def chinese_date(value: Any) -> str:
    """'2026年11月30日' from an ISO date or datetime (already in local time); '—' when absent."""
    moment = _moment(value)
    if moment is None:
        return "—"
    return f"{moment.year}年{moment.month}月{moment.day}日"


def chinese_datetime(value: Any) -> str:
    """'2026年11月30日 09:30' from an ISO datetime; the date alone for a date."""
    moment = _moment(value)
    if moment is None:
        return "—"
    if isinstance(value, str) and len(value) <= 10:
        return chinese_date(value)
    return f"{chinese_date(value)} {moment:%H:%M}"


def text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


def document_number(kind: str, tender_code: str, serial: int) -> str:
    """The printed 编号: tender code, the kind's short code, the notice's serial."""
    return f"{tender_code}-{NUMBER_CODES[kind]}-{serial:04d}"


# ---- builders -----------------------------------------------------------------------------

Row = tuple[str, str]


def _table(
    caption: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    nowrap: Sequence[int] = (),
) -> dict[str, Any]:
    """A list table; `nowrap` columns (ranks, amounts) never break inside a cell."""
    return {
        "caption": caption,
        "columns": list(columns),
        "rows": [list(r) for r in rows],
        "nowrap": list(nowrap),
    }


def _paragraphs(body: Any) -> list[str]:
    return [line.strip() for line in str(body or "").splitlines() if line.strip()]


def _base(doc: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """What every document prints: heading, number, issuer, date, verification code."""
    data: Mapping[str, Any] = doc.get("data") or {}
    words = vocabulary(str(data.get("business_type", "")))
    return {
        "kind": kind,
        "document_name": DOCUMENT_NAMES[kind],
        "title": text(doc.get("title")),
        "number": text(doc.get("number")),
        "issuer": text(doc.get("issuer")),
        "dated": chinese_date(doc.get("dated")),
        "verification_code": text(doc.get("verification_code")),
        "verify_url": str(doc.get("verify_url") or ""),
        "training": bool(data.get("training")),
        "words": words,
        "addressee": None,
        "opening": [],
        "paragraphs": _paragraphs(doc.get("body")),
        "rows": [],
        "tables": [],
        "closing": [],
        "notes": [],
    }


def _project_rows(data: Mapping[str, Any], words: Vocabulary) -> list[Row]:
    rows: list[Row] = [
        (N_("项目名称"), text(data.get("project_name"))),
        (N_("项目编号"), text(data.get("project_code"))),
        (N_("招标项目名称"), text(data.get("tender_name"))),
        (N_("招标项目编号"), text(data.get("tender_code"))),
        (N_("统一交易标识码"), text(data.get("trade_id"))),
        (N_("业务类型"), text(data.get("business_type_name"))),
        (N_("交易方式"), text(data.get("procedure_name"))),
        (N_("市县"), f"{text(data.get('region_name'))}（{text(data.get('region_code'))}）"),
        (words.owner, text(data.get("owner_name"))),
    ]
    if data.get("owner_phone"):
        rows.append((N_("联系电话"), text(data.get("owner_phone"))))
    if data.get("agency_name"):
        rows.append((N_("代理机构"), text(data.get("agency_name"))))
        if data.get("agency_phone"):
            rows.append((N_("代理机构联系电话"), text(data.get("agency_phone"))))
    return rows


def _lot_rows(lot: Mapping[str, Any] | None, words: Vocabulary) -> list[Row]:
    if not lot:
        return []
    rows: list[Row] = [
        (N_("标段（包）编号"), text(lot.get("code"))),
        (N_("标段（包）名称"), text(lot.get("name"))),
    ]
    if lot.get("scope"):
        rows.append((N_("招标范围（标的）"), text(lot.get("scope"))))
    if lot.get("duration_days"):
        rows.append((N_("工期（服务期）"), f"{lot['duration_days']} 日"))
    rows.append((words.estimate, yuan(lot.get("estimate"))))
    return rows


def _lots_table(lots: Sequence[Mapping[str, Any]], words: Vocabulary) -> dict[str, Any]:
    return _table(
        N_("标段（包）"),
        [N_("编号及名称"), words.estimate, N_("保证金"), N_("开始时间"), words.deadline],
        [
            [
                f"{text(lot.get('code'))} {text(lot.get('name'))}",
                yuan(lot.get("estimate")),
                yuan(lot.get("deposit")),
                chinese_datetime(lot.get("opens_at")),
                chinese_datetime(lot.get("closes_at")),
            ]
            for lot in lots
        ],
        nowrap=(1, 2),
    )


def _winner_rows(data: Mapping[str, Any], words: Vocabulary) -> list[Row]:
    return [
        (words.winner, text(data.get("winner_name"))),
        (N_("统一社会信用代码"), text(data.get("winner_uscc"))),
        (words.price, price_with_words(data.get("price"))),
    ]


def build_announcement(doc: Mapping[str, Any]) -> dict[str, Any]:
    """招标（出让、转让）公告: the project, each lot's amounts and deadlines, how to take part."""
    ctx = _base(doc, ANNOUNCEMENT)
    data: Mapping[str, Any] = doc.get("data") or {}
    words: Vocabulary = ctx["words"]
    ctx["document_name"] = words.announcement
    ctx["opening"] = [
        f"{text(data.get('tender_name'))}已具备交易条件，现依法公开{words.announcement}，"
        f"欢迎符合条件的{words.bidder}参加。"
    ]
    ctx["rows"] = [
        *_project_rows(data, words),
        (N_("报价方式"), text(data.get("price_form"))),
        (N_("保证金形式"), text(data.get("deposit_form"))),
        (N_("文件发出时间"), chinese_datetime(data.get("documents_issued_at"))),
        *(
            [(N_("文件发售截止时间"), chinese_datetime(data.get("documents_sale_ends_at")))]
            if data.get("documents_sale_ends_at")
            else []
        ),
        (N_("澄清截止时间"), chinese_datetime(data.get("clarification_deadline"))),
    ]
    ctx["tables"] = [_lots_table(data.get("lots") or [], words)]
    ctx["closing"] = [
        f"{words.bidder}应当在{words.deadline}前通过本平台在线报名、缴纳保证金并递交文件；"
        "逾期送达的，本平台不予受理。"
    ]
    return ctx


def build_amendment(doc: Mapping[str, Any]) -> dict[str, Any]:
    """变更公告: what changed and the deadlines now in force (实施条例 第21条)."""
    ctx = _base(doc, AMENDMENT)
    data: Mapping[str, Any] = doc.get("data") or {}
    words: Vocabulary = ctx["words"]
    document: Mapping[str, Any] = data.get("document") or {}
    ctx["opening"] = [f"{text(data.get('tender_name'))}的招标（出让）文件有如下变更，现予公告。"]
    ctx["rows"] = _project_rows(data, words)
    if document:
        ctx["rows"] += [
            (
                N_("变更文件"),
                f"{text(document.get('title'))}（第 {text(document.get('version'))} 版）",
            ),
            (N_("变更说明"), text(document.get("note"))),
            (N_("发出时间"), chinese_datetime(document.get("uploaded_at"))),
        ]
    ctx["tables"] = [_lots_table(data.get("lots") or [], words)]
    ctx["notes"] = [
        N_(
            "澄清或者修改的内容可能影响投标文件编制的，在投标截止时间至少15日前发出；不足15日的，"
            "顺延提交投标文件的截止时间（工程：实施条例 第21条；政府采购：财政部令第87号 第27条，"
            "磋商5日，谈判、询价3个工作日）。上表为变更后的时间。"
        )
    ]
    return ctx


def build_clarification(doc: Mapping[str, Any]) -> dict[str, Any]:
    """澄清公告: the answers to bidders' questions, without saying who asked (法 第22条)."""
    ctx = _base(doc, CLARIFICATION)
    data: Mapping[str, Any] = doc.get("data") or {}
    words: Vocabulary = ctx["words"]
    document: Mapping[str, Any] = data.get("document") or {}
    ctx["opening"] = [f"现对{text(data.get('tender_name'))}的招标（出让）文件澄清如下。"]
    ctx["rows"] = _project_rows(data, words)
    if document:
        ctx["rows"] += [
            (
                N_("澄清文件"),
                f"{text(document.get('title'))}（第 {text(document.get('version'))} 版）",
            ),
            (N_("发出时间"), chinese_datetime(document.get("uploaded_at"))),
        ]
    questions = data.get("questions") or []
    if questions:
        ctx["tables"] = [
            _table(
                N_("问题与答复"),
                [N_("序号"), N_("问题"), N_("答复")],
                [
                    [str(n), text(q.get("question")), text(q.get("answer"))]
                    for n, q in enumerate(questions, start=1)
                ],
            )
        ]
    ctx["notes"] = [N_("本澄清为招标（出让）文件的组成部分，与其具有同等效力。")]
    return ctx


def build_candidates(doc: Mapping[str, Any]) -> dict[str, Any]:
    """中标候选人公示: ranked candidates and how to object until when (实施条例 第54条)."""
    ctx = _base(doc, CANDIDATES)
    data: Mapping[str, Any] = doc.get("data") or {}
    words: Vocabulary = ctx["words"]
    lot: Mapping[str, Any] = data.get("lot") or {}
    ends = chinese_datetime(data.get("publicity_ends_at"))
    ctx["opening"] = [
        f"{text(data.get('tender_name'))}{text(lot.get('name'))}的评标工作已经结束，"
        f"根据评标委员会的评标报告，现将中标候选人公示如下。"
    ]
    ctx["rows"] = [
        *_project_rows(data, words),
        *_lot_rows(lot, words),
        (N_("有效投标数"), text(data.get("bid_count"))),
        (N_("评标报告提交时间"), chinese_datetime(data.get("evaluation_reported_at"))),
        (N_("公示期"), f"{chinese_datetime(data.get('publicity_starts_at'))} 至 {ends}"),
    ]
    ctx["tables"] = [
        _table(
            N_("中标候选人"),
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
                    text(c.get("quality")),
                    text(c.get("duration_days")),
                    text(c.get("score")),
                    " ".join(
                        v for v in (c.get("project_manager"), c.get("manager_certificate")) if v
                    )
                    or "—",
                ]
                for c in data.get("candidates") or []
            ],
            nowrap=(0, 3),
        )
    ]
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
        (N_("联系电话"), text(data.get("winner_phone"))),
        (N_("定标时间"), chinese_datetime(data.get("award_confirmed_at"))),
        (N_("主要标的"), text(lot.get("scope") or lot.get("name"))),
    ]
    experts = data.get("experts") or []
    ctx["rows"].append(
        (N_("评标委员会成员"), "、".join(str(e) for e in experts) if experts else "—")
    )
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
    ctx["rows"] = [*_project_rows(data, words), *_lot_rows(lot, words), *_winner_rows(data, words)]
    return ctx


def build_failure(doc: Mapping[str, Any]) -> dict[str, Any]:
    """流标（流拍）公告: too few valid bids, or no bid at the reserve (实施条例 第44条)."""
    ctx = _base(doc, FAILURE)
    data: Mapping[str, Any] = doc.get("data") or {}
    words: Vocabulary = ctx["words"]
    lot: Mapping[str, Any] = data.get("lot") or {}
    ctx["opening"] = [
        f"{text(data.get('tender_name'))}{text(lot.get('name'))}流标（流拍），现予公告。"
    ]
    ctx["rows"] = [
        *_project_rows(data, words),
        *_lot_rows(lot, words),
        (N_("有效投标（竞买）数"), text(data.get("bid_count"))),
        (N_("最少有效投标数"), text(data.get("min_bids"))),
    ]
    ctx["closing"] = [
        N_(
            "投标人少于3个的，不得开标，招标人应当依法重新招标（实施条例 第44条）；"
            "挂牌、拍卖未成交的，由出让人另行安排。"
        )
    ]
    return ctx


def build_termination(doc: Mapping[str, Any]) -> dict[str, Any]:
    """终止公告: the lot, the reason, what happens to deposits."""
    ctx = _base(doc, TERMINATION)
    data: Mapping[str, Any] = doc.get("data") or {}
    words: Vocabulary = ctx["words"]
    lot: Mapping[str, Any] = data.get("lot") or {}
    ctx["opening"] = [f"{text(data.get('tender_name'))}{text(lot.get('name'))}终止交易，现予公告。"]
    ctx["rows"] = [
        *_project_rows(data, words),
        *_lot_rows(lot, words),
        (N_("终止理由"), text(data.get("reason"))),
        (N_("终止时间"), chinese_datetime(lot.get("status_changed_at"))),
    ]
    ctx["closing"] = [
        N_("已缴纳的保证金依法退还。已购买文件的，可以依法申请退还费用（实施条例 第31条）。")
    ]
    return ctx


def build_award_letter(doc: Mapping[str, Any]) -> dict[str, Any]:
    """中标通知书, issued by the owner (法 第45条); the contract within 30 日 (法 第46条)."""
    ctx = _base(doc, AWARD_LETTER)
    data: Mapping[str, Any] = doc.get("data") or {}
    words: Vocabulary = ctx["words"]
    lot: Mapping[str, Any] = data.get("lot") or {}
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
        (N_("工期"), f"{data['duration_days']} 日" if data.get("duration_days") else "—"),
        (N_("质量要求"), text(data.get("quality"))),
        (N_("项目负责人及证书编号"), manager or "—"),
        # A letter is issued when it is published (法 第45条): its date is the publication's.
        (N_("发出日期"), chinese_date(data.get("letter_issued_at") or doc.get("dated"))),
    ]
    ctx["closing"] = [
        f"请你方在收到本通知书之日起{text(data.get('contract_days'))}日内，按照招标文件和你方投标文件"
        f"与我方订立书面合同（招标投标法 第46条）。",
        N_(
            "本通知书由招标人出具，经本平台送达并公开，"
            "对招标人和中标人具有法律效力（招标投标法 第45条）。"
        ),
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
        (N_("标的说明（面积、用途、年限）"), text(lot.get("scope"))),
        (N_("起始价"), yuan(lot.get("estimate"))),
        (words.price, price_with_words(data.get("price"))),
        (N_("成交时间"), chinese_datetime(data.get("award_confirmed_at"))),
        (N_("成交地点"), f"{text(data.get('region_name'))}公共资源交易平台（网上交易系统）"),
        (N_("保证金转为定金"), yuan(lot.get("deposit"))),
    ]
    ctx["closing"] = [
        f"{words.winner}已缴纳的保证金{yuan(lot.get('deposit'))}自本确认书签订之日起转为定金，"
        "并在签订合同后抵作成交价款。",
        f"{words.winner}应当自本确认书签订之日起{text(data.get('contract_days'))}日内，"
        f"到{text(data.get('owner_name'))}签订出让（转让）合同；逾期不签订的，定金不予退还。",
    ]
    return ctx


BUILDERS: dict[str, Builder] = {
    ANNOUNCEMENT: build_announcement,
    AMENDMENT: build_amendment,
    CLARIFICATION: build_clarification,
    CANDIDATES: build_candidates,
    RESULT: build_result,
    DEAL: build_deal,
    FAILURE: build_failure,
    TERMINATION: build_termination,
    AWARD_LETTER: build_award_letter,
    DEAL_CONFIRMATION: build_deal_confirmation,
}
