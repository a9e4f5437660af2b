"""The demo's complaint in progress (`make run`): a bidder objected to the documents, found the
answer wanting and complained; the regulator accepted and asked the owner for a written statement;
the decision is pending. Played through the services, each step at its moment in the past."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from trading.models import Complaint, Lot, User
from trading.services.complaints import (
    complaint_accept,
    complaint_file,
    complaint_statements_request,
)
from trading.services.objections import objection_answer, objection_raise

OBJECTION = "资格条件要求近三年内完成过两项同类排水管网工程，与本工程规模不相称，排斥潜在投标人。"
ANSWER = "资格条件符合本工程技术要求，不予修改。"
GROUNDS = (
    "招标文件设置的业绩条件明显高于项目实际需要，违反《招标投标法实施条例》第三十二条，"
    "招标人对异议的答复未作说明。请求责令修改招标文件。"
)


def demo_complaint_in_progress(
    lot: Lot,
    *,
    owner: User,
    bidder: User,
    regulator: User,
    clock: Any,
    today: datetime,
) -> Complaint:
    """Objection 12 days ago, answered 10 days ago; the complaint 6 days ago (≤ 10 日 after the
    answer, 实施条例 第60条), accepted the next day (≤ 3 工作日, 第61条); statements asked 3 days
    ago, due in 4 days; the decision is due within 30 工作日 of the acceptance."""
    objection = objection_raise(
        lot=lot,
        stage="documents",
        text=OBJECTION,
        actor=bidder,
        clock=clock.at(today - timedelta(days=12)),
    )
    objection = objection_answer(
        objection=objection,
        answer=ANSWER,
        actor=owner,
        clock=clock.at(today - timedelta(days=10)),
    )
    complaint = complaint_file(
        lot=lot,
        objection=objection,
        grounds=GROUNDS,
        actor=bidder,
        clock=clock.at(today - timedelta(days=6)),
    )
    complaint = complaint_accept(
        complaint=complaint, actor=regulator, clock=clock.at(today - timedelta(days=5))
    )
    complaint_statements_request(
        complaint=complaint,
        parties=[complaint.lot.tender.project.owner],
        due=today + timedelta(days=4),
        actor=regulator,
        clock=clock.at(today - timedelta(days=3)),
    )
    complaint.refresh_from_db()
    return complaint
