"""The hamlet head's use cases, and the commune officer's appointment of hamlet heads.

Every call takes the acting `User` (with its grants) and checks the scope here, whatever the
buttons showed: callback data and command arguments can be forged. A refusal is written to
the audit log (ids only) before it is raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.criteria_model import Title
from bot.domain.hamlets import (
    MSG_INVITE_INVALID,
    PENDING_STATUSES,
    HouseholdLine,
    Invite,
    InviteState,
    ListFilter,
    Page,
    hash_token,
    invite_expiry,
    new_invite_token,
)
from bot.domain.households import (
    HOUSEHOLD_SUBJECT,
    Household,
    HouseholdForm,
    known_commitments,
)
from bot.domain.messages import N_
from bot.domain.outbox import OutgoingMessage, Priority
from bot.domain.registrations import Registration
from bot.domain.stats import Numbers, count_numbers, households_to_target, inherited_target
from bot.domain.status import Status
from bot.domain.users import Role, User, areas_with_role, oversees
from bot.services.areas import area_path
from bot.services.deadlines import check_registration_open
from bot.services.errors import ServiceError
from bot.services.households import Overview, check_household_form, create_household, free_code
from bot.services.ports import Composer, Delivery, Notifier, UnitOfWork
from bot.services.scope import (
    MSG_NOT_YOUR_AREA,
    OFFICER_ROLES,
    check_area,
    check_hamlet,
    household_in_scope,
    refuse,
)
from bot.services.targets import national

GIA_DINH = Title.GIA_DINH.value
REMINDER_KIND = "hamlet_pending"
REMINDER_RULE = "hamlet_remind"  # the outbox's reminder key


MSG_HEAD_APPOINTED = N_("✅ {hamlet}: a new hamlet head accepted your invitation.")
MSG_REMINDER = N_(
    "🔔 Your hamlet head reminds you: the learning family movement for {year} is under way. "
    "Open the menu with /start to register or to finish your self-assessment."
)


def hamlets_of(actor: User) -> list[str]:
    """The hamlets the user heads (where the hamlet menu opens)."""
    return areas_with_role(actor, Role.HAMLET_HEAD)


# --- appointment ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NewInvite:
    invite: Invite
    token: str  # shown once, in the link; only its hash is stored


MSG_OFFICER_APPOINTED = N_("✅ {hamlet}: a new commune officer accepted your invitation.")
MSG_HAMLET_RETIRED = N_("This hamlet is no longer in use: restore it first in /hamlets.")


async def create_invite(
    uow: UnitOfWork, actor: User, hamlet_code: str, now: datetime, days: int | None = None
) -> NewInvite:
    """A single-use invitation to head `hamlet_code`, by an officer over it."""
    await check_hamlet(uow, actor, hamlet_code, "invite", now, OFFICER_ROLES)
    hamlet = await uow.areas.get(hamlet_code)
    if hamlet is not None and hamlet.retired:
        raise ServiceError(MSG_HAMLET_RETIRED)
    token = new_invite_token()
    expires = invite_expiry(now) if days is None else invite_expiry(now, days)
    invite = await uow.invites.add(hash_token(token), hamlet_code, actor.id, now, expires)
    await uow.audit.record(
        "invite", None, {"hamlet": hamlet_code, "invite": invite.id}, now, actor_id=actor.id
    )
    await uow.commit()
    return NewInvite(invite, token)


async def open_invites(
    uow: UnitOfWork, actor: User, commune_code: str, now: datetime
) -> list[Invite]:
    """Open invitations of the commune: its officers' and its hamlets' heads'."""
    hamlets = await _commune_hamlets(uow, actor, commune_code, "list_invites", now)
    return await uow.invites.open_in([commune_code, *hamlets], now)


async def create_officer_invite(
    uow: UnitOfWork, actor: User, commune_code: str, now: datetime
) -> NewInvite:
    """A single-use invitation to become one of the commune's officers, by an officer of the
    commune (a colleague) or a super admin."""
    path = await check_area(uow, actor, commune_code, "invite_officer", now)
    if path[-1].level != "commune":
        raise await refuse(uow, actor.id, "invite_officer", now, message=MSG_NOT_YOUR_AREA)
    token = new_invite_token()
    invite = await uow.invites.add(
        hash_token(token), commune_code, actor.id, now, invite_expiry(now), Role.COMMUNE_OFFICER
    )
    details = {"area": commune_code, "invite": invite.id, "role": Role.COMMUNE_OFFICER.value}
    await uow.audit.record("invite", None, details, now, actor_id=actor.id)
    await uow.commit()
    return NewInvite(invite, token)


async def revoke_invite(uow: UnitOfWork, actor: User, invite_id: int, now: datetime) -> None:
    invite = await uow.invites.get(invite_id)
    if invite is None:
        raise ServiceError(MSG_INVITE_INVALID)
    if invite.role == Role.COMMUNE_OFFICER:
        await check_area(uow, actor, invite.hamlet_code, "revoke_invite", now)
    else:
        await check_hamlet(uow, actor, invite.hamlet_code, "revoke_invite", now, OFFICER_ROLES)
    await uow.invites.revoke(invite_id, now)
    details = {"invite": invite_id, "hamlet": invite.hamlet_code}
    await uow.audit.record("revoke_invite", None, details, now, actor_id=actor.id)
    await uow.commit()


async def invite_for(uow: UnitOfWork, token: str, now: datetime) -> Invite:
    """The open invitation behind a link; wrong, used, expired and withdrawn all look alike."""
    invite = await uow.invites.by_hash(hash_token(token))
    if invite is None or invite.state(now) != InviteState.OPEN:
        raise ServiceError(MSG_INVITE_INVALID)
    return invite


async def accept_invite(
    uow: UnitOfWork, notifier: Notifier, user_id: int, token: str, now: datetime
) -> Invite:
    """The user confirmed: they take the invitation's role (hamlet head, or commune officer)
    over its area; whoever invited them is told."""
    invite = await invite_for(uow, token, now)
    if not await uow.invites.use(invite.id, user_id, now):
        raise ServiceError(MSG_INVITE_INVALID)
    await uow.users.grant(user_id, invite.role, invite.hamlet_code)
    officer_invite = invite.role == Role.COMMUNE_OFFICER
    await uow.audit.record(
        "officer_appointed" if officer_invite else "head_appointed",
        None,
        {"area" if officer_invite else "hamlet": invite.hamlet_code, "invite": invite.id},
        now,
        actor_id=user_id,
    )
    await uow.commit()
    area = await uow.areas.get(invite.hamlet_code)
    inviter = await uow.users.get(invite.created_by)
    await notifier.notify(
        invite.created_by,
        (inviter.language if inviter else None) or "vi",
        MSG_OFFICER_APPOINTED if officer_invite else MSG_HEAD_APPOINTED,
        {"hamlet": area.name if area else invite.hamlet_code},
    )
    return invite


async def hamlet_heads(
    uow: UnitOfWork, actor: User, commune_code: str, now: datetime
) -> list[tuple[int, str]]:
    """(user id, hamlet code) of the commune's hamlet heads."""
    hamlets = await _commune_hamlets(uow, actor, commune_code, "list_heads", now)
    return await uow.users.holders(Role.HAMLET_HEAD, hamlets)


async def remove_hamlet_head(
    uow: UnitOfWork, actor: User, user_id: int, hamlet_code: str, now: datetime
) -> None:
    await check_hamlet(uow, actor, hamlet_code, "remove_head", now, OFFICER_ROLES)
    if not await uow.users.revoke(user_id, Role.HAMLET_HEAD, hamlet_code):
        raise ServiceError(N_("This person is no longer head of that hamlet."))
    await uow.audit.record("head_removed", None, {"hamlet": hamlet_code}, now, actor_id=actor.id)
    await uow.commit()


async def _commune_hamlets(
    uow: UnitOfWork, actor: User, commune_code: str, action: str, now: datetime
) -> list[str]:
    path = await area_path(uow, commune_code)
    codes = [area.code for area in path]
    if not path or path[-1].level != "commune" or not oversees(actor, codes, OFFICER_ROLES):
        raise await refuse(uow, actor.id, action, now)
    return [area.code for area in await uow.areas.children(commune_code) if area.level == "hamlet"]


# --- the hamlet's households ---------------------------------------------------------------


async def household_page(
    uow: UnitOfWork,
    actor: User,
    hamlet_code: str,
    year: int,
    now: datetime,
    *,
    which: ListFilter = ListFilter.ALL,
    query: str = "",
    number: int = 0,
) -> Page:
    await check_hamlet(uow, actor, hamlet_code, "list", now)
    return await uow.hamlets.page(hamlet_code, year, which, query.strip()[:80], number)


@dataclass(frozen=True)
class Card(Overview):
    """A household as its hamlet head sees it: also how many Telegram accounts speak for it."""

    accounts: int


async def household_card(uow: UnitOfWork, actor: User, household_id: int, now: datetime) -> Card:
    household = await household_in_scope(uow, actor, household_id, "card", now)
    return Card(
        household,
        await uow.households.members(household.id),
        await uow.registrations.of_household(household.id),
        len(await uow.households.accounts(household.id)),
    )


async def register_by_proxy(
    uow: UnitOfWork,
    actor: User,
    form: HouseholdForm,
    consent_on: datetime,
    *,
    year: int,
    now: datetime,
) -> tuple[Household, Registration]:
    """A hamlet head registers a family that has no smartphone, with its verbal consent.

    The family later links its own account with the claim code (`Household.claim_code`)."""
    await check_hamlet(uow, actor, form.hamlet_code, "register", now)
    await check_household_form(uow, form)
    household, registration = await create_household(uow, form, year=year, now=now)
    code = await free_code(uow)
    await uow.households.set_proxy(household.id, code, actor.id, consent_on)
    await uow.audit.record(
        "register_proxy", household.id, {"title": GIA_DINH, "year": year}, now, actor_id=actor.id
    )
    await uow.commit()
    stored = await uow.households.get(household.id)
    assert stored is not None
    return stored, registration


@dataclass(frozen=True)
class PledgeReport:
    recorded: int
    already: int


async def collect_pledges(
    uow: UnitOfWork,
    actor: User,
    hamlet_code: str,
    household_ids: Sequence[int],
    meeting_on: date,
    *,
    year: int,
    now: datetime,
) -> PledgeReport:
    """Record that the chosen households pledged at a meeting. All of them must be of the
    hamlet, or nothing is recorded."""
    await check_hamlet(uow, actor, hamlet_code, "pledges", now)
    await check_registration_open(uow, hamlet_code, GIA_DINH, year, now)
    wanted = set(household_ids)
    lines = await uow.hamlets.lines(hamlet_code, year, sorted(wanted))
    if {line.id for line in lines} != wanted:
        stranger = min(wanted - {line.id for line in lines})
        raise await refuse(uow, actor.id, "pledges", now, stranger)
    recorded = 0
    for line in lines:
        if line.status is not None:
            continue
        await uow.registrations.add(
            line.id,
            HOUSEHOLD_SUBJECT,
            GIA_DINH,
            year,
            known_commitments(()),
            now,
            pledged_on=meeting_on,
            recorded_by=actor.id,
        )
        await uow.audit.record("pledge_meeting", line.id, {"year": year}, now, actor_id=actor.id)
        recorded += 1
    await uow.commit()
    return PledgeReport(recorded, len(lines) - recorded)


async def to_verify(
    uow: UnitOfWork, actor: User, hamlet_code: str, year: int, now: datetime
) -> list[HouseholdLine]:
    """The hamlet's self-assessed households, waiting for their head."""
    await check_hamlet(uow, actor, hamlet_code, "verify_list", now)
    lines = await uow.hamlets.lines(hamlet_code, year)
    return [line for line in lines if line.status == Status.SELF_ASSESSED]


async def to_pledge(
    uow: UnitOfWork, actor: User, hamlet_code: str, year: int, now: datetime
) -> list[HouseholdLine]:
    """The hamlet's households not registered this year: who may pledge at a meeting."""
    await check_hamlet(uow, actor, hamlet_code, "pledge_list", now)
    lines = await uow.hamlets.lines(hamlet_code, year)
    return [line for line in lines if line.status is None]


@dataclass(frozen=True)
class HamletNumbers:
    numbers: Numbers
    target: int | None  # percent of households to be recognised this year
    missing: int | None  # households still to be recognised to reach it


async def hamlet_numbers(
    uow: UnitOfWork, actor: User, hamlet_code: str, year: int, now: datetime
) -> HamletNumbers:
    await check_hamlet(uow, actor, hamlet_code, "numbers", now)
    numbers = count_numbers(await uow.hamlets.standings(hamlet_code, year))
    await uow.commit()  # a read that may have refreshed the numbers' cache: keep the work
    target = await target_for(uow, hamlet_code, GIA_DINH, year)
    return HamletNumbers(numbers, target, households_to_target(numbers, target))


async def target_for(uow: UnitOfWork, area_code: str, title: str, year: int) -> int | None:
    """The most specific target on the area's path (a hamlet inherits its commune's, the top
    the national one)."""
    codes = [area.code for area in await area_path(uow, area_code)]
    found = await uow.targets.of(codes, title, year)
    return inherited_target(codes, found, national(title, year))


# --- reminders -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RemindReport:
    queued: int  # households with a reminder waiting in the outbox
    already_today: int
    unreachable: tuple[HouseholdLine, ...]  # to visit in person


async def remind_pending(
    uow: UnitOfWork,
    composer: Composer,
    actor: User,
    hamlet_code: str,
    year: int,
    now: datetime,
    zone: ZoneInfo,
) -> RemindReport:
    """Queue a reminder in the outbox for each household that has not registered or not
    self-assessed, at most once a (local) day; the sender delivers them. Households no
    reminder can reach (no account, blocked the bot, sent /stop) are reported to visit."""
    await check_hamlet(uow, actor, hamlet_code, "remind", now)
    lines = await uow.hamlets.lines(hamlet_code, year)
    pending = [line for line in lines if line.status in PENDING_STATUSES]
    today = now.astimezone(zone).date()
    done = await uow.reminders.reminded([line.id for line in pending], REMINDER_KIND, today)
    messages: list[OutgoingMessage] = []
    unreachable: list[HouseholdLine] = []
    for line in (line for line in pending if line.id not in done):
        found = await _reminders(uow, composer, line.id, year) if line.reachable else []
        messages.extend(found)
        if not found:
            unreachable.append(line)
        await uow.reminders.mark(line.id, REMINDER_KIND, today)
    await uow.outbox.add_many(messages, now)
    queued = len(pending) - len(done) - len(unreachable)
    await uow.audit.record(
        "remind", None, {"hamlet": hamlet_code, "sent": queued}, now, actor_id=actor.id
    )
    await uow.commit()
    if messages:
        composer.wake()
    return RemindReport(queued, len(done), tuple(unreachable))


async def _reminders(
    uow: UnitOfWork, composer: Composer, household_id: int, year: int
) -> list[OutgoingMessage]:
    """One message per linked account that may get bulk messages, in its user's language."""
    messages = []
    for user_id in await uow.households.accounts(household_id):
        user = await uow.users.get(user_id)
        if user is not None and (user.unreachable or user.muted):
            continue
        locale = (user.language if user else None) or "vi"
        text = composer.compose(locale, MSG_REMINDER, {"year": str(year)})
        messages.append(OutgoingMessage(user_id, text, Priority.BULK, reminder=REMINDER_RULE))
    return messages


async def tell_household(
    uow: UnitOfWork,
    notifier: Notifier,
    household_id: int,
    msgid: str,
    params: dict[str, object],
    now: datetime,
) -> bool:
    """Send to every linked account in its language; True when at least one got it."""
    accounts = await uow.households.accounts(household_id)
    return await tell_users(uow, notifier, accounts, msgid, params, now)


async def tell_users(
    uow: UnitOfWork,
    notifier: Notifier,
    user_ids: Iterable[int],
    msgid: str,
    params: dict[str, object],
    now: datetime,
) -> bool:
    """Send to each user in their language; True when at least one got it. An account
    Telegram refuses is marked unreachable (until its user writes again)."""
    delivered = False
    for user_id in user_ids:
        user = await uow.users.get(user_id)
        locale = (user.language if user else None) or "vi"
        outcome = await notifier.notify(user_id, locale, msgid, dict(params))
        if outcome == Delivery.UNREACHABLE:
            await uow.users.set_unreachable(user_id, now)
        delivered = delivered or outcome == Delivery.SENT
    return delivered
