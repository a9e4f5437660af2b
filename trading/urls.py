"""Signed-in pages of trading: workspace, consoles, tender and lot pages, verification, inbox."""

from __future__ import annotations

from django.urls import path

from trading.views import (
    center,
    complaints,
    desk,
    lot_endings,
    lots,
    organisations,
    owner,
    procedures,
    tenders,
    workspace,
)

urlpatterns = [
    path("workspace/", workspace.workspace, name="workspace"),
    # The staff console is the desks' page; the plain list of desks sits under it.
    path("workspace/desks/", desk.staff_console, name="staff_console"),
    path("workspace/desks/all/", desk.desk_list, name="desk_list"),
    path("workspace/desks/review/", desk.staff_review_queue, name="staff_review_queue"),
    path("workspace/center/", center.center_console, name="center_console"),
    path("workspace/center/grants/", center.center_grant_assign, name="center_grant_assign"),
    path(
        "workspace/center/grants/revoke/",
        center.center_grant_revoke,
        name="center_grant_revoke",
    ),
    path("workspace/organisations/", organisations.organisation_queue, name="organisation_queue"),
    path(
        "workspace/organisations/<int:pk>/verify/",
        organisations.organisation_verify_view,
        name="organisation_verify",
    ),
    path(
        "workspace/organisations/<int:pk>/return/",
        organisations.organisation_return_view,
        name="organisation_return",
    ),
    path(
        "workspace/organisations/<int:pk>/refuse/",
        organisations.organisation_refuse_view,
        name="organisation_refuse",
    ),
    path(
        "organisations/<int:pk>/licence/",
        organisations.organisation_licence,
        name="organisation_licence",
    ),
    path("workspace/organisation/", organisations.organisation_mine, name="organisation_mine"),
    path("workspace/projects/", owner.owner_console, name="owner_console"),
    path("workspace/projects/new/", owner.project_create_view, name="project_create"),
    path(
        "workspace/projects/<int:project_id>/tenders/new/",
        owner.tender_create_view,
        name="tender_create",
    ),
    path("tenders/<int:pk>/", tenders.tender_detail, name="tender_detail"),
    path("tenders/<int:pk>/edit/", tenders.tender_edit_view, name="tender_edit"),
    path("tenders/<int:tender_id>/lots/new/", tenders.lot_create_view, name="lot_create"),
    path(
        "tenders/<int:tender_id>/documents/new/",
        tenders.document_upload_view,
        name="document_upload",
    ),
    path("tenders/<int:pk>/submit/", tenders.tender_submit_view, name="tender_submit"),
    path("tenders/<int:pk>/publish/", tenders.tender_publish_view, name="tender_publish"),
    path("tenders/<int:pk>/reject/", tenders.tender_reject_view, name="tender_reject"),
    path("tenders/<int:pk>/answers/", tenders.question_answer_view, name="question_answer"),
    path("tenders/<int:pk>/amend/", tenders.tender_amend_view, name="tender_amend"),
    path("documents/<int:pk>/", tenders.document_download, name="document_download"),
    path(
        "tenders/documents/<int:pk>/download/",
        workspace.tender_document_download_view,
        name="tender_document_download",
    ),
    path("lots/<int:pk>/", lots.lot_detail, name="lot_detail"),
    path("lots/<int:pk>/live/", lots.lot_live, name="lot_live"),
    path("lots/<int:pk>/edit/", tenders.lot_edit_view, name="lot_edit"),
    path("lots/<int:pk>/bid-count/", lots.lot_bid_count_view, name="lot_bid_count"),
    path("lots/<int:pk>/evaluation/", lots.lot_evaluation_view, name="lot_evaluation"),
    path("lots/<int:pk>/terminate/", lots.lot_terminate_view, name="lot_terminate"),
    path("lots/<int:pk>/award/", lots.award_confirm_view, name="award_confirm"),
    path("lots/<int:pk>/contract/", lots.contract_record_view, name="contract_record"),
    path("lots/<int:pk>/report/", lots.report_file_view, name="report_file"),
    path("lots/<int:pk>/reject-all/", lot_endings.lot_reject_all_view, name="lot_reject_all"),
    path("lots/<int:pk>/negotiation/", lot_endings.lot_negotiation_view, name="lot_negotiation"),
    path("lots/<int:pk>/decline/", lot_endings.award_decline_view, name="award_decline"),
    path("lots/<int:pk>/retender/", lot_endings.lot_retender_view, name="lot_retender"),
    path("objections/<int:pk>/answer/", lots.objection_answer_view, name="objection_answer"),
    # Complaints (投诉): the bidder files from the lot; the parties answer and withdraw here.
    path("lots/<int:pk>/complaint/", complaints.complaint_file_view, name="complaint_file"),
    path("complaints/<int:pk>/", complaints.complaint_detail_view, name="complaint_detail"),
    path(
        "complaints/<int:pk>/withdraw/",
        complaints.complaint_withdraw_view,
        name="complaint_withdraw",
    ),
    path(
        "complaint-statements/<int:pk>/",
        complaints.complaint_statement_view,
        name="complaint_statement",
    ),
    # The procedures' own closes: land listing, property disclosure, prequalification.
    path(
        "lots/<int:pk>/listing-close/",
        procedures.lot_listing_close_view,
        name="lot_listing_close",
    ),
    path("lots/<int:pk>/transferees/", procedures.lot_transferees_view, name="lot_transferees"),
    path("lots/<int:pk>/deal/", procedures.lot_deal_view, name="lot_deal"),
    path(
        "lots/<int:pk>/prequalification/",
        procedures.lot_prequalification_view,
        name="lot_prequalification",
    ),
    path(
        "lots/<int:pk>/disclosure/extend/",
        procedures.lot_extend_disclosure_view,
        name="lot_extend_disclosure",
    ),
    path(
        "lots/<int:pk>/disclosure/redisclose/",
        procedures.lot_redisclose_view,
        name="lot_redisclose",
    ),
    path(
        "lots/<int:pk>/disclosure/end/",
        procedures.lot_end_disclosure_view,
        name="lot_end_disclosure",
    ),
    path("inbox/", workspace.inbox, name="inbox"),
    path("inbox/read-all/", workspace.inbox_read_all, name="inbox_read_all"),
    path("inbox/<int:pk>/read/", workspace.notification_read, name="notification_read"),
]
