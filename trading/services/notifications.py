"""Notifications: the inbox on the platform; e-mail and SMS reach the gateway through the outbox."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import override

from trading.clock import Clock, get_clock
from trading.events import event_emit
from trading.lock_objects import (
    lock_notification_of,
    lock_outbound_message,
    lock_unread_notifications_of,
)
from trading.messaging import get_gateway
from trading.models import Notification, OutboundMessage, User
from trading.models.notifications import Channel, MessageStatus
from trading.site import absolute_url
from trading.translatable import Message, Text, render_text

INBOX = "inbox"
CHANNELS = frozenset({INBOX, Channel.EMAIL.value, Channel.SMS.value})
MESSAGE_QUEUED = "message.queued"


def notification_send(
    *,
    recipients: Iterable[User],
    kind: str,
    title: Text,
    body: Text = "",
    url: str = "",
    channels: Iterable[str] = (INBOX,),
    clock: Clock | None = None,
) -> list[Notification]:
    """Write inbox rows and queue e-mail/SMS through the outbox, with the change (DESIGN.md §3).

    `title` and `body` are `Message`s, rendered in each reader's language; a plain string is
    text a person wrote (a reason, a document's own title) and is shown as written.
    """
    wanted = set(channels)
    unknown = wanted - CHANNELS
    if unknown:
        raise ValueError(f"unknown notification channels: {sorted(unknown)}")
    unique_recipients = list({user.pk: user for user in recipients}.values())
    clock = clock or get_clock()
    keys = {
        "title_key": title.msgid if isinstance(title, Message) else "",
        "body_key": body.msgid if isinstance(body, Message) else "",
        "params": {
            part: value.to_json()["params"]
            for part, value in (("title", title), ("body", body))
            if isinstance(value, Message) and value.params
        },
    }
    with override(settings.LANGUAGE_CODE):
        stored_title, stored_body = render_text(title), render_text(body)
    with transaction.atomic():
        now = clock()
        notifications: list[Notification] = []
        for user in unique_recipients:
            notification = None
            if INBOX in wanted:
                notification = Notification.objects.create(
                    recipient=user,
                    kind=kind,
                    title=stored_title[:200],
                    body=stored_body,
                    url=url,
                    created_at=now,
                    **keys,
                )
                notifications.append(notification)
            addresses = _addresses(user, wanted)
            if not addresses:
                continue
            # E-mail and SMS cannot be re-rendered when read: they leave in the person's language.
            with override(user_language(user)):
                user_title, user_body = render_text(title), render_text(body)
                texts = {
                    channel: _message_body(channel, title=user_title, body=user_body, url=url)
                    for channel, _address in addresses
                }
            for channel, address in addresses:
                message = OutboundMessage.objects.create(
                    notification=notification,
                    channel=channel,
                    to=address,
                    subject=user_title[:200] if channel == Channel.EMAIL else "",
                    body=texts[channel],
                    created_at=now,
                )
                event_emit(
                    kind=MESSAGE_QUEUED,
                    subject=f"message:{message.pk}",
                    payload={"message_id": message.pk},
                    clock=lambda: now,
                )
    return notifications


def user_language(user: User) -> str:
    """The language `user` chose on the platform, else the platform's own."""
    known = {code for code, _name in settings.LANGUAGES}
    return user.language if user.language in known else settings.LANGUAGE_CODE


def _addresses(user: User, channels: set[str]) -> list[tuple[str, str]]:
    addresses = []
    if Channel.EMAIL in channels and user.email:
        addresses.append((Channel.EMAIL.value, user.email))
    if Channel.SMS in channels and user.phone:
        addresses.append((Channel.SMS.value, user.phone))
    return addresses


def _message_body(channel: str, *, title: str, body: str, url: str) -> str:
    # A message read outside the site needs the whole address (SITE_URL), not the inbox's path.
    url = absolute_url(url)
    if channel == Channel.SMS:
        # One SMS: the title carries the news, the inbox holds the rest.
        return _("【天平】%(title)s") % {"title": title} + (f" {url}" if url else "")
    return "\n\n".join(part for part in (title, body, url) if part)


def notification_mark_read(
    *, notification: Notification, user: User, clock: Clock | None = None
) -> Notification:
    """Mark one of the user's own notifications read; others' do not exist for them (404)."""
    clock = clock or get_clock()
    with transaction.atomic():
        locked = lock_notification_of(user.pk, notification.pk)
        if locked is None:
            raise Http404(_("没有找到这条通知。"))
        if locked.read_at is None:
            locked.read_at = clock()
            locked.save(update_fields=["read_at"])
    return locked


def notification_mark_all_read(*, user: User, clock: Clock | None = None) -> int:
    """Mark every unread notification of the user read; return how many changed."""
    clock = clock or get_clock()
    with transaction.atomic():
        unread = [row.pk for row in lock_unread_notifications_of(user.pk)]
        if not unread:
            return 0
        return Notification.objects.filter(pk__in=unread).update(read_at=clock())


def message_key(message: OutboundMessage) -> str:
    """The idempotency key the gateway deduplicates by (unique even across rebuilt databases)."""
    return str(message.key)


def outbound_message_send(*, message_id: int, clock: Clock | None = None) -> OutboundMessage | None:
    """Hand a queued message to the gateway once; a repeat delivery finds it sent (invariant 2)."""
    clock = clock or get_clock()
    with transaction.atomic():
        message = lock_outbound_message(message_id)
        if message is None or message.status == MessageStatus.SENT:
            return message
        # If this transaction dies after the gateway took the message, the retry sends the
        # same key and the gateway answers with the same reference instead of sending again.
        reference = get_gateway().send(
            message_id=message_key(message),
            channel=message.channel,
            to=message.to,
            subject=message.subject,
            body=message.body,
        )
        message.status = MessageStatus.SENT
        message.sent_at = clock()
        message.gateway_ref = reference
        message.save(update_fields=["status", "sent_at", "gateway_ref"])
    return message


def user_language_set(*, user: User, language: str) -> User:
    """Remember the language the person chose, for the e-mail and SMS they are sent."""
    known = {code for code, _name in settings.LANGUAGES}
    if language not in known:
        raise ValueError(f"unknown language: {language!r}")
    if user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language
    return user
