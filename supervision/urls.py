"""The regulators' console."""

from __future__ import annotations

from django.urls import path

from supervision import views, views_complaints, views_interventions

urlpatterns = [
    path("supervision/", views.console, name="supervision_console"),
    path("supervision/export.csv", views.console_export, name="supervision_export"),
    path("supervision/tenders/<int:tender_id>/", views.tender, name="supervision_tender"),
    path(
        "supervision/complaints/",
        views_complaints.complaints,
        name="supervision_complaints",
    ),
    path(
        "supervision/complaints/<int:pk>/",
        views_complaints.complaint_detail,
        name="supervision_complaint",
    ),
    path(
        "supervision/complaints/<int:pk>/<slug:action>/",
        views_complaints.complaint_act,
        name="supervision_complaint_act",
    ),
]

# A regulator's interventions on one lot (管办分离: the only writes a regulator makes).
urlpatterns += [
    path(
        "supervision/lots/<int:lot_id>/",
        views_interventions.lot_interventions,
        name="supervision_lot",
    ),
    path(
        "supervision/lots/<int:lot_id>/hold/",
        views_interventions.lot_hold,
        name="supervision_lot_hold",
    ),
    path(
        "supervision/tenders/<int:tender_id>/hold/",
        views_interventions.tender_hold,
        name="supervision_tender_hold",
    ),
    path(
        "supervision/holds/<int:hold_id>/lift/",
        views_interventions.hold_lift,
        name="supervision_hold_lift",
    ),
    path(
        "supervision/lots/<int:lot_id>/terminate/",
        views_interventions.lot_terminate,
        name="supervision_lot_terminate",
    ),
    path(
        "supervision/lots/<int:lot_id>/reevaluate/",
        views_interventions.lot_reevaluate,
        name="supervision_lot_reevaluate",
    ),
]
