"""Forms of the owners' and staff consoles: they parse and check input; the services decide.

A form never saves. Its cleaned data goes to one service call; a ValidationError the service
raises is put back on the form next to the field it concerns (`add_service_errors`), so a
person sees every reason in one place and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from trading.domain.employer import OrganisationKind
from trading.domain.timeline import local_date
from trading.models import (
    BusinessType,
    Candidate,
    Industry,
    Lot,
    Organisation,
    Procedure,
    ProcedureFamily,
    Project,
    Question,
    Region,
)
from trading.models.tenders import (
    MAX_AMOUNT,
    DepositForm,
    FundingSource,
    LotStatusChoices,
    PriceForm,
    TenderStatusChoices,
)

DEFAULT_DOCUMENT_MAX_BYTES = 50 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
DATETIME_INPUT = "%Y-%m-%dT%H:%M"

# Where a schedule point of the rule table (trading.domain.points.Point) is entered: the tender
# form holds the points shared by all lots, the lot form those of one lot.
TENDER_POINT_FIELDS: dict[str, str] = {
    "announced": "announced_at",
    "documents_issued": "documents_issued_at",
    "clarification_deadline": "clarification_deadline",
    "documents_sale_end": "documents_sale_ends_at",
}
LOT_POINT_FIELDS: dict[str, str] = {
    "listing_start": "opens_at",
    "bid_deadline": "closes_at",
    "listing_end": "closes_at",
    "estimate": "estimate",
    "deposit": "deposit_amount",
    "application_deadline": "applications_close_at",
}


def _choice(field: forms.Field) -> forms.ModelChoiceField:
    """A model choice field whose queryset is narrowed per request."""
    return cast(forms.ModelChoiceField, field)


def document_max_bytes() -> int:
    return int(getattr(settings, "TENDER_DOCUMENT_MAX_BYTES", DEFAULT_DOCUMENT_MAX_BYTES))


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=DATETIME_INPUT)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def schedule_field(
    label: Any, *, required: bool = True, help_text: Any = ""
) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )


def money_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DecimalField:
    """Yuan with two decimals, 0 to MAX_AMOUNT (DESIGN.md invariant 8)."""
    return forms.DecimalField(
        label=label,
        required=required,
        help_text=help_text,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=MAX_AMOUNT,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "max_decimal_places": _("金额最多保留两位小数（分）。"),
            "max_value": _("金额不得超过 %(limit_value)s 元。"),
            "min_value": _("金额不得为负数。"),
            "invalid": _("请输入金额，例如 1250000.00。"),
        },
    )


def _pdf_help_text() -> str:
    return str(_("PDF 格式，不超过 %(mb)s MB。")) % {"mb": document_max_bytes() // (1024 * 1024)}


_pdf_help = lazy(_pdf_help_text, str)


def pdf_field(label: Any, *, required: bool = True) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=required,
        # Lazy: a form class is built once, and its help text must follow each reader's language.
        help_text=_pdf_help(),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


def check_pdf(upload: UploadedFile | None) -> UploadedFile | None:
    """Refuse anything but a PDF within the size limit before the service sees it."""
    if upload is None:
        return None
    limit = document_max_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("文件过大（%(size)s MB），不得超过 %(mb)s MB。"),
            code="too_large",
            params={"size": round(upload.size / 1024 / 1024, 1), "mb": limit // (1024 * 1024)},
        )
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head != PDF_MAGIC:
        raise ValidationError(
            _("只接受 PDF 文件：“%(name)s”不是 PDF。"), code="not_pdf", params={"name": upload.name}
        )
    return upload


class QuestionChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.text)


class CandidateChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _("第%(rank)s名 %(name)s（报价 %(price)s 元）") % {
            "rank": obj.rank,
            "name": obj.name,
            "price": obj.price,
        }


class ProcedureChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.business_type.display_name} · {obj.display_name}"


class ConsoleForm(forms.Form):
    """Marks required fields for the templates and keeps `now` for date checks."""

    required_css_class = "required"

    def __init__(self, *args: Any, now: datetime | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now

    def not_in_past(self, name: str) -> None:
        value = self.cleaned_data.get(name)
        if value is not None and self.now is not None and value < self.now:
            self.add_error(name, _("该时间已经过去，请选择当前时间之后的时间。"))


def add_service_errors(
    form: forms.Form, error: ValidationError, field_map: Mapping[str, str] | None = None
) -> None:
    """Put a service's ValidationError next to the fields it names (others on the form)."""
    field_map = field_map or {}
    if hasattr(error, "error_dict"):
        for key, errors in error.error_dict.items():
            field = field_map.get(key, key)
            messages = [message for item in errors for message in item.messages]
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


# --- project, tender, lot ---------------------------------------------------------------------


class ProjectForm(ConsoleForm):
    name = forms.CharField(label=_("项目名称"), max_length=200)
    owner = forms.ModelChoiceField(
        label=_("招标人/采购人/出让人"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("代理机构代为登记时选择委托的招标人。"),
    )
    agency = forms.ModelChoiceField(
        label=_("招标代理机构"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("自行招标的可不选。"),
    )
    region = forms.ModelChoiceField(label=_("市县"), queryset=Region.objects.none())
    business_type = forms.ModelChoiceField(
        label=_("业务类型"), queryset=BusinessType.objects.none()
    )
    industry = forms.ModelChoiceField(
        label=_("行业"), queryset=Industry.objects.none(), required=False
    )
    funding_source = forms.ChoiceField(label=_("资金来源"), choices=FundingSource.choices)
    state_funded = forms.BooleanField(
        label=_("依法必须招标的国有资金项目"),
        required=False,
        help_text=_("勾选后，工程建设项目应确定排名第一的中标候选人为中标人（实施条例第55条）。"),
    )
    training = forms.BooleanField(
        label=_("培训演示项目"),
        required=False,
        help_text=_("培训演示项目单独标识，绝不与真实交易混同。"),
    )
    time_scale = forms.IntegerField(
        label=_("时间倍率"),
        min_value=1,
        max_value=100_000,
        initial=1,
        help_text=_("仅用于培训演示：1440 表示一天在一分钟内走完。"),
    )

    def __init__(self, *args: Any, actor_kind: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor_kind = actor_kind
        verified = Organisation.objects.filter(verified_at__isnull=False).order_by("name")
        owner_field = _choice(self.fields["owner"])
        agency_field = _choice(self.fields["agency"])
        owner_field.queryset = verified.filter(kind=OrganisationKind.OWNER)
        agency_field.queryset = verified.filter(kind=OrganisationKind.AGENCY)
        if actor_kind == OrganisationKind.AGENCY:
            owner_field.required = True
            del self.fields["agency"]
        else:
            del self.fields["owner"]
        for name, queryset in (
            ("region", Region.objects.filter(parent__isnull=True)),
            ("business_type", BusinessType.objects.all()),
            ("industry", Industry.objects.all()),
        ):
            field = _choice(self.fields[name])
            field.queryset = queryset

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        scale = data.get("time_scale")
        if scale is not None and scale > 1 and not data.get("training"):
            self.add_error("time_scale", _("只有培训演示项目可以设置时间倍率。"))
        return data


class TenderForm(ConsoleForm):
    name = forms.CharField(label=_("招标项目名称"), max_length=200)
    procedure = forms.ModelChoiceField(label=_("交易方式"), queryset=Procedure.objects.none())
    price_form = forms.ChoiceField(label=_("报价方式"), choices=PriceForm.choices)
    deposit_form = forms.ChoiceField(
        label=_("保证金形式"), choices=DepositForm.choices, initial=DepositForm.EITHER
    )
    announced_at = schedule_field(
        _("公告发布时间"),
        required=False,
        help_text=_("留空则以发布时间为准。"),
    )
    documents_issued_at = schedule_field(_("招标文件发出时间"))
    documents_sale_ends_at = schedule_field(
        _("文件发售截止时间"),
        required=False,
        help_text=_(
            "留空则文件提供至投标截止时间。工程招标发售期不少于5日（实施条例第16条）；"
            "政府采购招标自公告发布起不少于5个工作日（87号令第16条），磋商不少于5个工作日。"
        ),
    )
    clarification_deadline = schedule_field(
        _("澄清截止时间"),
        required=False,
        help_text=_(
            "影响投标文件编制的澄清或修改，工程和政府采购招标应在投标截止 15 日前发出"
            "（实施条例第21条；87号令第27条），磋商 5 日，谈判、询价 3 个工作日。"
        ),
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        field = _choice(self.fields["procedure"])
        # A procedure of another business type is not even offered; clean() refuses a forged one.
        field.queryset = Procedure.objects.filter(business_type_id=project.business_type_id)

    def clean_procedure(self) -> Procedure:
        procedure: Procedure = self.cleaned_data["procedure"]
        if procedure.business_type_id != self.project.business_type_id:
            raise ValidationError(_("该交易方式不属于本项目的业务类型。"))
        return procedure

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.not_in_past("documents_issued_at")
        issued = data.get("documents_issued_at")
        sale_end = data.get("documents_sale_ends_at")
        if issued and sale_end and sale_end <= issued:
            self.add_error("documents_sale_ends_at", _("文件发售截止时间应晚于招标文件发出时间。"))
        clarification = data.get("clarification_deadline")
        announced = data.get("announced_at")
        if issued and clarification and clarification <= issued:
            self.add_error("clarification_deadline", _("澄清截止时间应晚于招标文件发出时间。"))
        if issued and announced and announced > issued:
            self.add_error("announced_at", _("公告发布时间不得晚于招标文件发出时间。"))
        return data


class LotForm(ConsoleForm):
    name = forms.CharField(label=_("标段（包、宗地、标的）名称"), max_length=200)
    estimate = money_field(_("估算价/预算/起始价（元）"))
    deposit_amount = money_field(
        _("保证金（元）"),
        help_text=_(
            "工程和政府采购投标保证金不得超过估算价的 2%（实施条例第26条；政府采购法实施条例"
            "第33条），工程另不得超过 80 万元（七部委30号令第37条）。"
        ),
    )
    increment = money_field(
        _("加价幅度（元）"), required=False, help_text=_("挂牌、拍卖和竞价时填写；密封投标为 0。")
    )
    scope = forms.CharField(
        label=_("招标范围/标的说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    duration_days = forms.IntegerField(
        label=_("工期/服务期（日）"), required=False, min_value=1, max_value=36500
    )
    quality = forms.CharField(
        label=_("质量要求"),
        required=False,
        max_length=200,
        help_text=_("例如：合格（符合国家现行验收规范）。中标通知书和招标文件载明。"),
    )
    opens_at = schedule_field(_("投标/挂牌开始时间"))
    closes_at = schedule_field(
        _("投标截止（开标）/挂牌截止时间"),
        help_text=_("开标时间即投标截止时间（招标投标法第34条）。"),
    )

    applications_close_at = schedule_field(
        _("资格预审申请截止时间"),
        help_text=_("自资格预审文件停止发售之日起不少于 5 日（实施条例第17条）；须早于投标开始。"),
    )
    valuation = money_field(
        _("评估结果（元）"),
        required=False,
        help_text=_("经核准或备案的评估结果；首次披露的转让底价不得低于它（32号令第17条）。"),
    )

    def __init__(
        self,
        *args: Any,
        documents_issued_at: datetime | None = None,
        procedure: Procedure | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.documents_issued_at = documents_issued_at
        if procedure is None or not procedure.prequalification:
            del self.fields["applications_close_at"]
        if procedure is None or procedure.family != ProcedureFamily.PROPERTY_DISCLOSURE:
            del self.fields["valuation"]

    def clean_increment(self) -> Decimal:
        value: Decimal | None = self.cleaned_data.get("increment")
        return value if value is not None else Decimal("0")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.not_in_past("opens_at")
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("截止时间应晚于开始时间。"))
        if closes and self.documents_issued_at and closes <= self.documents_issued_at:
            self.add_error("closes_at", _("投标截止时间不得早于招标文件发出时间。"))
        estimate, deposit = data.get("estimate"), data.get("deposit_amount")
        if estimate is not None and deposit is not None and deposit > estimate > 0:
            self.add_error("deposit_amount", _("保证金不得超过估算价。"))
        return data


class DocumentForm(ConsoleForm):
    title = forms.CharField(label=_("文件标题"), max_length=200)
    file = pdf_field(_("文件（PDF）"))

    def clean_file(self) -> UploadedFile | None:
        return check_pdf(self.cleaned_data.get("file"))


class ReasonForm(ConsoleForm):
    reason = forms.CharField(
        label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["reason"].label = label


class ObjectionAnswerForm(ConsoleForm):
    answer = forms.CharField(
        label=_("答复"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class QuestionAnswerForm(ConsoleForm):
    questions = QuestionChoice(
        label=_("答复的问题"),
        queryset=Question.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    title = forms.CharField(label=_("澄清文件标题"), max_length=200)
    document_file = pdf_field(_("澄清文件（PDF）"))

    def __init__(self, *args: Any, questions: QuerySet[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = _choice(self.fields["questions"])
        field.queryset = questions

    def clean_document_file(self) -> UploadedFile | None:
        return check_pdf(self.cleaned_data.get("document_file"))


class AmendmentForm(ConsoleForm):
    title = forms.CharField(label=_("变更文件标题"), max_length=200)
    document_file = pdf_field(_("变更文件（PDF）"))
    affects_bids = forms.BooleanField(
        label=_("影响投标文件编制"),
        required=False,
        help_text=_(
            "距投标截止不足法定期限的，应顺延投标截止时间：工程和政府采购招标 15 日"
            "（实施条例第21条；87号令第27条），磋商 5 日，谈判、询价 3 个工作日。"
        ),
    )
    new_closes_at = schedule_field(_("新的投标截止时间"), required=False)

    def clean_document_file(self) -> UploadedFile | None:
        return check_pdf(self.cleaned_data.get("document_file"))


# --- outcomes ---------------------------------------------------------------------------------


class BidCountForm(ConsoleForm):
    count = forms.IntegerField(label=_("有效投标（响应）数"), min_value=0, max_value=10_000)


class EvaluationForm(ConsoleForm):
    """The committee's result: up to three ranked candidates (实施条例 第53条) and the report."""

    RANKS = (1, 2, 3)
    report_file = pdf_field(_("签字的评标报告（PDF）"))
    committee = forms.CharField(
        label=_("评标委员会成员"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一名；结果公告中公布（财政部令第87号 第69条）。"),
    )

    def __init__(self, *args: Any, bidders: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for rank in self.RANKS:
            self.fields[f"organisation_{rank}"] = forms.ModelChoiceField(
                label=_("第%(rank)s名 中标候选人") % {"rank": rank},
                queryset=bidders,
                required=rank == 1,
            )
            self.fields[f"price_{rank}"] = money_field(
                _("第%(rank)s名 投标报价（元）") % {"rank": rank}, required=False
            )
            self.fields[f"score_{rank}"] = forms.DecimalField(
                label=_("第%(rank)s名 得分") % {"rank": rank},
                required=False,
                max_digits=7,
                decimal_places=2,
                min_value=Decimal("0"),
            )
            # 中标通知书 and 候选人公示 print the project manager the bid promised.
            self.fields[f"manager_{rank}"] = forms.CharField(
                label=_("第%(rank)s名 项目负责人") % {"rank": rank}, required=False, max_length=50
            )
            self.fields[f"certificate_{rank}"] = forms.CharField(
                label=_("第%(rank)s名 项目负责人证书编号") % {"rank": rank},
                required=False,
                max_length=60,
            )
        self.order_fields(
            [
                *(
                    f"{p}_{r}"
                    for r in self.RANKS
                    for p in ("organisation", "price", "score", "manager", "certificate")
                ),
                "committee",
                "report_file",
            ]
        )

    def clean_report_file(self) -> UploadedFile | None:
        return check_pdf(self.cleaned_data.get("report_file"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        seen: set[int] = set()
        gap = False
        for rank in self.RANKS:
            organisation = data.get(f"organisation_{rank}")
            if organisation is None:
                gap = True
                continue
            if gap:
                self.add_error(f"organisation_{rank}", _("候选人排名应连续，请先填写前一名。"))
            if organisation.pk in seen:
                self.add_error(f"organisation_{rank}", _("同一投标人只能列为一名候选人。"))
            seen.add(organisation.pk)
            if data.get(f"price_{rank}") is None:
                self.add_error(f"price_{rank}", _("请填写该候选人的投标报价。"))
        return data

    def candidates(self) -> list[dict[str, Any]]:
        rows = []
        for rank in self.RANKS:
            organisation = self.cleaned_data.get(f"organisation_{rank}")
            if organisation is None:
                continue
            rows.append(
                {
                    "rank": rank,
                    "organisation": organisation,
                    "price": self.cleaned_data[f"price_{rank}"],
                    "score": self.cleaned_data.get(f"score_{rank}"),
                    "project_manager": self.cleaned_data.get(f"manager_{rank}") or "",
                    "manager_certificate": self.cleaned_data.get(f"certificate_{rank}") or "",
                }
            )
        return rows


class AwardForm(ConsoleForm):
    candidate = CandidateChoice(
        label=_("中标人"), queryset=Candidate.objects.none(), widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("未确定排名第一的候选人的理由"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, lot: Lot, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = _choice(self.fields["candidate"])
        field.queryset = Candidate.objects.filter(lot=lot, superseded_at__isnull=True).order_by(
            "rank"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        candidate = data.get("candidate")
        if candidate is not None and candidate.rank != 1 and not data.get("reason"):
            self.add_error("reason", _("未确定排名第一的中标候选人时，应说明理由。"))
        return data


class ContractForm(ConsoleForm):
    signed_on = forms.DateField(label=_("合同签订日期"), widget=DateInput())
    amount = money_field(_("合同金额（元）"))
    file = pdf_field(_("合同文本（PDF）"))
    # 招标投标法 第46条: asked only when the contract departs from the award.
    deviation_reason = forms.CharField(
        label=_("合同与中标结果不一致的理由"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("合同金额与中标（成交）价相同时无需填写。"),
    )

    def clean_file(self) -> UploadedFile | None:
        return check_pdf(self.cleaned_data.get("file"))

    def clean_signed_on(self) -> Any:
        signed = self.cleaned_data["signed_on"]
        # Days are Asia/Shanghai's (DESIGN.md invariant 1): before 08:00 the UTC date is yesterday.
        if self.now is not None and signed > local_date(self.now):
            raise ValidationError(_("签订日期不能晚于今天。"))
        return signed


class ReportForm(ConsoleForm):
    file = pdf_field(_("招标投标情况书面报告（PDF）"))

    def clean_file(self) -> UploadedFile | None:
        return check_pdf(self.cleaned_data.get("file"))


# --- staff console filters -------------------------------------------------------------------

STATUS_CHOICES = [
    ("", _("全部状态")),
    (f"tender:{TenderStatusChoices.PENDING_REVIEW.value}", _("待审核")),
    *((f"lot:{value}", label) for value, label in LotStatusChoices.choices if value != "draft"),
]


class DeskFilterForm(forms.Form):
    q = forms.CharField(label=_("编号或名称"), required=False, max_length=100)
    region = forms.ModelChoiceField(
        label=_("市县"), queryset=Region.objects.none(), required=False, empty_label=_("全部市县")
    )
    business_type = forms.ModelChoiceField(
        label=_("业务类型"),
        queryset=BusinessType.objects.none(),
        required=False,
        empty_label=_("全部业务类型"),
    )
    procedure = ProcedureChoice(
        label=_("交易方式"),
        queryset=Procedure.objects.none(),
        required=False,
        empty_label=_("全部交易方式"),
    )
    status = forms.ChoiceField(label=_("状态"), choices=STATUS_CHOICES, required=False)
    date_from = forms.DateField(label=_("开标日期自"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("开标日期至"), required=False, widget=DateInput())
    training = forms.BooleanField(label=_("只看培训演示项目"), required=False)

    def __init__(
        self,
        *args: Any,
        regions: Iterable[int],
        business_types: Iterable[int],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        region_ids, type_ids = list(regions), list(business_types)
        for name, queryset in (
            ("region", Region.objects.filter(pk__in=region_ids)),
            ("business_type", BusinessType.objects.filter(pk__in=type_ids)),
            (
                "procedure",
                Procedure.objects.filter(business_type_id__in=type_ids).select_related(
                    "business_type"
                ),
            ),
        ):
            field = _choice(self.fields[name])
            field.queryset = queryset

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("结束日期应不早于开始日期。"))
        return data
