"""Signed-in pages of trading: workspace, consoles, tender and lot pages, verification, inbox."""

from __future__ import annotations

from django.urls import path

from trading import views, views_tenders

urlpatterns = [
    path("workspace/", views.workspace, name="workspace"),
    # The staff console is the desks' page; the plain list of desks sits under it.
    path("workspace/desks/", views_tenders.staff_console, name="staff_console"),
    path("workspace/desks/all/", views.desk_list, name="desk_list"),
    path("workspace/desks/review/", views_tenders.staff_review_queue, name="staff_review_queue"),
    path("workspace/organisations/", views.organisation_queue, name="organisation_queue"),
    path(
        "workspace/organisations/<int:pk>/verify/",
        views.organisation_verify_view,
        name="organisation_verify",
    ),
    path("workspace/projects/", views_tenders.owner_console, name="owner_console"),
    path("workspace/projects/new/", views_tenders.project_create_view, name="project_create"),
    path(
        "workspace/projects/<int:project_id>/tenders/new/",
        views_tenders.tender_create_view,
        name="tender_create",
    ),
    path("tenders/<int:pk>/", views_tenders.tender_detail, name="tender_detail"),
    path("tenders/<int:pk>/edit/", views_tenders.tender_edit_view, name="tender_edit"),
    path("tenders/<int:tender_id>/lots/new/", views_tenders.lot_create_view, name="lot_create"),
    path(
        "tenders/<int:tender_id>/documents/new/",
        views_tenders.document_upload_view,
        name="document_upload",
    ),
    path("tenders/<int:pk>/submit/", views_tenders.tender_submit_view, name="tender_submit"),
    path("tenders/<int:pk>/publish/", views_tenders.tender_publish_view, name="tender_publish"),
    path("tenders/<int:pk>/reject/", views_tenders.tender_reject_view, name="tender_reject"),
    path("tenders/<int:pk>/answers/", views_tenders.question_answer_view, name="question_answer"),
    path("tenders/<int:pk>/amend/", views_tenders.tender_amend_view, name="tender_amend"),
    path("documents/<int:pk>/", views_tenders.document_download, name="document_download"),
    path(
        "tenders/documents/<int:pk>/download/",
        views.tender_document_download_view,
        name="tender_document_download",
    ),
    path("lots/<int:pk>/", views_tenders.lot_detail, name="lot_detail"),
    path("lots/<int:pk>/live/", views_tenders.lot_live, name="lot_live"),
    path("lots/<int:pk>/edit/", views_tenders.lot_edit_view, name="lot_edit"),
    path("lots/<int:pk>/bid-count/", views_tenders.lot_bid_count_view, name="lot_bid_count"),
    path("lots/<int:pk>/evaluation/", views_tenders.lot_evaluation_view, name="lot_evaluation"),
    path("lots/<int:pk>/terminate/", views_tenders.lot_terminate_view, name="lot_terminate"),
    path("lots/<int:pk>/award/", views_tenders.award_confirm_view, name="award_confirm"),
    path("lots/<int:pk>/contract/", views_tenders.contract_record_view, name="contract_record"),
    path("lots/<int:pk>/report/", views_tenders.report_file_view, name="report_file"),
    path(
        "objections/<int:pk>/answer/",
        views_tenders.objection_answer_view,
        name="objection_answer",
    ),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read-all/", views.inbox_read_all, name="inbox_read_all"),
    path("inbox/<int:pk>/read/", views.notification_read, name="notification_read"),
]
