"""Bidders' questions about the documents and the owner's clarifications (实施条例 第21条)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from trading.clock import Clock, get_clock
from trading.domain.employer import OrganisationKind
from trading.domain.lifecycle import TenderStatus
from trading.events import event_emit
from trading.lock_objects import lock_project, lock_questions, lock_tender
from trading.models import Question, Tender, TenderDocument, User
from trading.models.tenders import DocumentKind
from trading.selectors.access import Purpose, access_tender, owner_side_users
from trading.services.common import fixed_clock, ledger, notify
from trading.services.documents import document_store
from trading.translatable import Message

__all__ = ["question_answer", "question_ask"]


def question_ask(*, tender: Tender, text: str, actor: User, clock: Clock | None = None) -> Question:
    """A bidder asks about the documents; the owner answers in a clarification (实施条例 第21条)."""
    if actor.organisation_kind != OrganisationKind.BIDDER or not (
        actor.organisation and actor.organisation.is_verified
    ):
        raise PermissionDenied(_("只有已核验的投标人可以提问。"))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写问题。")}, code="text")
    clock = clock or get_clock()
    with transaction.atomic():
        tender = lock_tender(tender.pk)
        now = clock()
        if tender.status != TenderStatus.PUBLISHED:
            raise Http404(_("没有找到该招标项目。"))
        if tender.clarification_deadline is not None and now > tender.clarification_deadline:
            raise ValidationError(_("澄清截止时间已过，不能再提问。"), code="late")
        question = Question.objects.create(tender=tender, asked_by=actor, text=text, asked_at=now)
        notify(
            owner_side_users(tender.project),
            kind="question.asked",
            title=Message(gettext_noop("有新的答疑问题：%(code)s"), code=tender.code),
            body=text[:200],
            now=now,
        )
        # The asker stays anonymous in the tender's chain: who takes part is secret (法 第22条).
        ledger(
            tender,
            action="question.asked",
            actor=None,
            obj=tender,
            payload={"question": question.pk},
            now=now,
        )
    return question


def question_answer(
    *,
    questions: list[Question],
    document_file: Any,
    title: str,
    actor: User,
    clock: Clock | None = None,
) -> TenderDocument:
    """The owner answers questions in one clarification, a new version of the documents."""
    if not questions:
        raise ValidationError({"questions": _("请选择要答复的问题。")}, code="questions")
    tender_ids = {question.tender_id for question in questions}
    if len(tender_ids) != 1:
        raise ValidationError({"questions": _("一次只能答复同一项目的问题。")}, code="questions")
    tender = access_tender(actor, tender_ids.pop(), purpose=Purpose.EDIT)
    clock = clock or get_clock()
    with transaction.atomic():
        lock_project(tender.project_id)
        tender = lock_tender(tender.pk)
        now = clock()
        if tender.status != TenderStatus.PUBLISHED:
            raise ValidationError(_("只有已发布的项目可以答疑。"), code="not_published")
        pks = [question.pk for question in questions]
        rows = lock_questions(tender.pk, pks)
        if len(rows) != len(set(pks)) or any(row.answered_in_id for row in rows):
            raise ValidationError({"questions": _("所选问题已答复或不存在。")}, code="answered")
        document = document_store(
            tender=tender,
            kind=DocumentKind.CLARIFICATION,
            title=title,
            file=document_file,
            actor=actor,
            now=now,
        )
        Question.objects.filter(pk__in=pks).update(answered_in=document)
        event_emit(
            kind="tender.clarified",
            subject=f"tender:{tender.pk}",
            payload={"tender": tender.pk, "document": document.pk, "version": document.version},
            clock=fixed_clock(now),
        )
        notify(
            [row.asked_by for row in rows],
            kind="question.answered",
            title=Message(gettext_noop("您的问题已答复：%(code)s"), code=tender.code),
            now=now,
        )
        ledger(
            tender,
            action="tender.clarified",
            actor=actor,
            obj=tender,
            payload={
                "version": document.version,
                "sha256": document.sha256,
                "questions": sorted(pks),
            },
            now=now,
        )
    return document
