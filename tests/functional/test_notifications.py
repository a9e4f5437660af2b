"""Notifications: inbox rows per recipient, e-mail/SMS queued via the outbox, read by the owner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.http import Http404

from tests.conftest import ControlledClock
from trading.chronograph import OUTBOX, chronograph_tick, due_work_override
from trading.domain import uscc
from trading.models import EventDelivery, Notification, Organisation, OutboundMessage, User
from trading.selectors.notifications import (
    access_notification,
    notification_list_for,
    notification_unread_count,
)
from trading.services.notifications import (
    notification_mark_all_read,
    notification_mark_read,
    notification_send,
)

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture(autouse=True)
def message_log(settings: Any, tmp_path: Path) -> Path:
    settings.CHRONOGRAPH_POKE = False
    settings.MESSAGE_GATEWAY = "trading.messaging.LocalGateway"
    settings.MESSAGE_LOG_FILE = tmp_path / "messages.jsonl"
    log: Path = settings.MESSAGE_LOG_FILE
    return log


@pytest.fixture
def bidder_org(clock: ControlledClock) -> Organisation:
    first17 = "91350100M00010000"
    return Organisation.objects.create(
        name="测试投标人有限公司",
        kind="bidder",
        uscc=first17 + uscc.check_character(first17),
        registered_at=clock.now,
    )


def _user(org: Organisation, username: str, *, email: str = "", phone: str = "") -> User:
    return User.objects.create_user(
        username=username, password="x", organisation=org, email=email, phone=phone
    )


@pytest.fixture
def alice(bidder_org: Organisation) -> User:
    return _user(bidder_org, "alice", email="alice@example.com", phone="13800000001")


@pytest.fixture
def bob(bidder_org: Organisation) -> User:
    return _user(bidder_org, "bob")


def test_send_writes_one_inbox_row_per_recipient_and_nothing_else_by_default(
    clock: ControlledClock, alice: User, bob: User
) -> None:
    sent = notification_send(
        recipients=[alice, bob, alice], kind="lot.published", title="标段已发布", url="/lots/1/"
    )

    assert sorted(n.recipient.username for n in sent) == ["alice", "bob"]
    assert {(n.kind, n.title, n.url, n.created_at, n.read_at) for n in sent} == {
        ("lot.published", "标段已发布", "/lots/1/", clock.now, None)
    }
    assert not OutboundMessage.objects.exists()
    assert notification_unread_count(alice) == 1


@pytest.mark.parametrize(
    ("channels", "alice_messages", "bob_messages"),
    [
        (("inbox", "email"), {"email"}, set()),
        (("inbox", "sms"), {"sms"}, set()),
        (("inbox", "email", "sms"), {"email", "sms"}, set()),
    ],
)
def test_email_and_sms_are_queued_only_for_recipients_with_an_address(
    clock: ControlledClock,
    alice: User,
    bob: User,
    channels: tuple[str, ...],
    alice_messages: set[str],
    bob_messages: set[str],
) -> None:
    notification_send(
        recipients=[alice, bob], kind="k", title="开标提醒", body="明天九点开标", channels=channels
    )

    messages = OutboundMessage.objects.all()
    channels_of = {
        user: set(messages.filter(notification__recipient=user).values_list("channel", flat=True))
        for user in (alice, bob)
    }
    assert channels_of == {alice: alice_messages, bob: bob_messages}
    assert {m.status for m in messages} == {"pending"}
    queued = EventDelivery.objects.filter(event__kind="message.queued")
    assert sorted(d.event.payload["message_id"] for d in queued) == sorted(m.pk for m in messages)
    assert {d.receiver for d in queued} == {"trading.message_send"}


def test_an_unknown_channel_is_refused(clock: ControlledClock, alice: User) -> None:
    with pytest.raises(ValueError, match="pigeon"):
        notification_send(recipients=[alice], kind="k", title="t", channels=("pigeon",))
    assert not Notification.objects.exists()


def test_queued_messages_reach_the_gateway_once_however_often_delivered(
    clock: ControlledClock, alice: User, message_log: Path
) -> None:
    notification_send(
        recipients=[alice],
        kind="k",
        title="中标通知",
        body="请查收",
        channels=("inbox", "email", "sms"),
    )

    with due_work_override(OUTBOX):
        assert chronograph_tick(clock=clock) == 2
        # A repeated delivery (a worker killed before its commit) finds the messages sent.
        EventDelivery.objects.update(status="pending")
        assert chronograph_tick(clock=clock) == 2

    lines = [json.loads(line) for line in message_log.read_text().splitlines()]
    assert sorted(line["channel"] for line in lines) == ["email", "sms"]
    messages = OutboundMessage.objects.all()
    assert {(m.status, m.sent_at) for m in messages} == {("sent", clock.now)}
    assert {m.gateway_ref for m in messages} == {line["ref"] for line in lines}


def test_only_the_recipient_can_mark_a_notification_read(
    clock: ControlledClock, alice: User, bob: User
) -> None:
    [notification] = notification_send(recipients=[alice], kind="k", title="t")

    with pytest.raises(Http404):
        notification_mark_read(notification=notification, user=bob)
    with pytest.raises(Http404):
        access_notification(bob, notification.pk)
    notification.refresh_from_db()
    assert notification.read_at is None

    first_read = clock.advance(minutes=5)
    notification_mark_read(notification=notification, user=alice)
    clock.advance(minutes=5)
    read = notification_mark_read(notification=notification, user=alice)
    assert read.read_at == first_read  # marking again keeps the first reading
    assert first_read != clock.now
    assert access_notification(alice, notification.pk) == notification


def test_mark_all_read_touches_only_the_users_own_unread_notifications(
    clock: ControlledClock, alice: User, bob: User
) -> None:
    notification_send(recipients=[alice, bob], kind="k", title="一")
    notification_send(recipients=[alice], kind="k", title="二")

    assert notification_mark_all_read(user=alice) == 2
    assert notification_mark_all_read(user=alice) == 0

    assert notification_unread_count(alice) == 0
    assert notification_unread_count(bob) == 1
    assert [n.title for n in notification_list_for(bob, unread_only=True)] == ["一"]
    assert [n.title for n in notification_list_for(alice)] == ["二", "一"]
