"""/broadcast: an officer writes to everyone of a group in their area. Each message is stored
in the outbox, in the recipient's language, before anything is sent; the sender does the
rest. Officers within their commune and super admins only; audited by ids and counts."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.domain.broadcasts import (
    MAX_TEXT,
    AudienceSpec,
    Broadcast,
    Progress,
    Recipient,
    ReportMessage,
    progress_of,
)
from bot.domain.messages import N_
from bot.domain.outbox import OutgoingMessage, Priority
from bot.domain.text import normalize_text
from bot.domain.users import User
from bot.services.errors import ServiceError
from bot.services.ports import Composer, UnitOfWork
from bot.services.scope import check_area, refuse

MSG_BROADCAST = N_("📢 Message from {area}:\n\n{text}")
MSG_EMPTY = N_("The message is empty. Please type what you want to send.")
MSG_TOO_LONG = N_(
    "The message is too long ({length} characters). Please shorten it to {limit} characters."
)
MSG_NOBODY = N_("Nobody in this group can receive messages at the moment.")
MSG_UNKNOWN = N_("This broadcast no longer exists.")


# Control characters but line breaks and tabs: invisible, and PostgreSQL refuses NUL.
_CONTROLS = dict.fromkeys(c for c in (*range(0x20), 0x7F, *range(0x80, 0xA0)) if c not in (9, 10))


def checked_text(text: str) -> str:
    """The officer's text without control characters or surrounding blanks, refused when
    nothing visible is left or when too long."""
    cleaned = text.translate(_CONTROLS).strip()
    if not normalize_text(cleaned):
        raise ServiceError(MSG_EMPTY)
    if len(cleaned) > MAX_TEXT:
        raise ServiceError(MSG_TOO_LONG, length=len(cleaned), limit=MAX_TEXT)
    return cleaned


async def audience(
    uow: UnitOfWork, actor: User, spec: AudienceSpec, now: datetime, default_locale: str
) -> list[Recipient]:
    """Who the broadcast would reach now (people who sent /stop or blocked the bot are not
    counted)."""
    await check_area(uow, actor, spec.area_code, "broadcast", now)
    below = [area.code for area in await uow.stats.areas_below(spec.area_code)]
    return await uow.broadcasts.recipients(spec, below, default_locale)


async def start_broadcast(
    uow: UnitOfWork,
    composer: Composer,
    actor: User,
    spec: AudienceSpec,
    text: str,
    now: datetime,
    default_locale: str = "vi",
    report: ReportMessage | None = None,
) -> Broadcast:
    """Store one message per recipient, all in one transaction, and wake the sender.
    `report` is the officer's message that shows the progress, edited as it goes."""
    cleaned = checked_text(text)
    path = await check_area(uow, actor, spec.area_code, "broadcast", now)
    recipients = await audience(uow, actor, spec, now, default_locale)
    if not recipients:
        raise ServiceError(MSG_NOBODY)
    broadcast_id = await uow.broadcasts.add(spec, actor.id, cleaned, len(recipients), now)
    if report is not None:
        await uow.broadcasts.set_report(
            broadcast_id, report.chat_id, report.message_id, report.locale
        )
    params = {"area": path[-1].name, "text": cleaned}
    messages = [
        OutgoingMessage(
            r.user_id,
            composer.compose(r.locale, MSG_BROADCAST, params),
            Priority.BULK,
            broadcast_id,
        )
        for r in recipients
    ]
    await uow.outbox.add_many(messages, now)
    await uow.audit.record(
        "broadcast",
        None,
        {"area": spec.area_code, "broadcast": broadcast_id, "recipients": len(messages)},
        now,
        actor_id=actor.id,
    )
    await uow.commit()
    composer.wake()
    broadcast = await uow.broadcasts.get(broadcast_id)
    assert broadcast is not None
    return broadcast


async def cancel_broadcast(
    uow: UnitOfWork, actor: User, broadcast_id: int, now: datetime
) -> tuple[Broadcast, Progress]:
    """Stop a broadcast: messages not yet sent are not sent. Its author, or anyone over its
    area, may; others are refused and audited."""
    broadcast = await uow.broadcasts.get(broadcast_id)
    if broadcast is None:
        raise await refuse(uow, actor.id, "cancel_broadcast", now, message=MSG_UNKNOWN)
    if broadcast.author_id != actor.id:
        await check_area(uow, actor, broadcast.area_code, "cancel_broadcast", now)
    skipped = await uow.outbox.cancel(broadcast_id, now)
    await uow.broadcasts.cancel(broadcast_id, now)
    await uow.audit.record(
        "broadcast_cancelled",
        None,
        {"area": broadcast.area_code, "broadcast": broadcast_id, "not_sent": skipped},
        now,
        actor_id=actor.id,
    )
    await uow.commit()
    cancelled = replace(broadcast, cancelled=True)
    return cancelled, await progress(uow, cancelled)


async def progress(uow: UnitOfWork, broadcast: Broadcast) -> Progress:
    return progress_of(broadcast.total, await uow.outbox.counts(broadcast.id))
