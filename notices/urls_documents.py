"""The public verification page and each organisation's documents (linked by URL name)."""

from __future__ import annotations

from django.urls import path

from notices import views_documents

urlpatterns = [
    path("verify/", views_documents.verify, name="verify"),
    path("verify/<str:code>/pdf", views_documents.verify_pdf, name="verify_pdf"),
    path("my/documents/", views_documents.my_documents, name="my_documents"),
]
