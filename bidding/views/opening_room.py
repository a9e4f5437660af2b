"""The opening room's page (不见面开标): the socket does the rest (bidding/consumers/opening.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from bidding.selectors.opening import Seat, access_opening_room
from trading.views.common import acting_user


def room_strings() -> dict[str, str]:
    """What opening_room.js says, translated here (the project has no JavaScript catalog)."""
    return {
        "connecting": _("正在连接开标室…"),
        "connected": _("已连接"),
        "reconnecting": _("连接中断，正在重新连接…"),
        "closed_slow": _("网络过慢，连接已断开，正在重新连接…"),
        "refused": _("您无权进入该开标室。"),
        "not_started": _("开标尚未开始。"),
        "window_open": _("解密剩余时间"),
        "window_closed": _("解密已截止"),
        "checked_in": _("已签到"),
        "not_checked_in": _("未签到"),
        "pending": _("待解密"),
        "opened": _("解密成功"),
        "platform_fault": _("撤回（平台原因）"),
        "bidder_fault": _("撤销（投标人原因）"),
        "confirmed": _("已确认"),
        "done": _("操作已完成。"),
        "bad_key_file": _("无法读取密钥文件：应为投标时保存的 JSON 文件。"),
        "answer_prompt": _("答复内容"),
        "answer": _("答复"),
        "answered": _("已答复"),
        "objection_by": _("投标人 %(n)s 的异议"),
        "stage_check_in": _("签到"),
        "stage_decrypting": _("解密"),
        "stage_read_out": _("唱标"),
        "stage_closed": _("开标结束"),
        "opening_closed": _("开标已结束，递交投标文件数：%(n)s。"),
        "record": _("开标记录表（验证码 %(code)s）"),
    }


@require_GET
@login_required
def opening_room_view(request: HttpRequest, lot_id: int) -> HttpResponse:
    """The room for whoever has a seat in it (法 第35条: the host opens, bidders attend)."""
    seat = access_opening_room(acting_user(request), lot_id)
    config = {
        "socket": f"/ws/lots/{seat.lot.pk}/opening/",  # bidding/routing.py
        "seat": seat.seat.value,
        "readOnly": seat.read_only,
        "bidderNumber": seat.enrolment.bidder_number if seat.enrolment else None,
        "strings": room_strings(),
    }
    return render(
        request,
        "bidding/opening_room.html",
        {
            "seat": seat,
            "lot": seat.lot,
            "tender": seat.lot.tender,
            "config": config,
            "hosting": seat.seat in (Seat.HOST, Seat.STAFF),
            "bidding": seat.seat is Seat.BIDDER,
        },
    )
