"""The composition root: builds the Dispatcher used by `hoctap run`, the console and tests."""

from __future__ import annotations

from aiogram import Dispatcher, Router
from aiogram.dispatcher.router import INTERNAL_UPDATE_TYPES
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import TelegramObject
from aiogram.utils.i18n import I18n
from aiogram_dialog import setup_dialogs
from aiogram_dialog.api.protocols import MessageManagerProtocol
from aiogram_dialog.context.media_storage import MediaIdStorage
from aiogram_dialog.manager.message_manager import MessageManager
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import dialog_ids
from bot.config import Settings
from bot.dedupe import UpdateDedupe
from bot.delivery.composer import CatalogComposer
from bot.dialog_state import SavingManagerFactory
from bot.handlers import admin, broadcasts, commands, fallback, household, reports, staff
from bot.i18n import LocaleMiddleware
from bot.middlewares import DbSessionMiddleware, InFlightUpdates, UserMiddleware
from dialogs.about import about_dialog
from dialogs.area import area_dialog
from dialogs.assessment import assessment_dialog
from dialogs.commune.broadcast import broadcast_dialog
from dialogs.commune.deadlines import deadlines_dialog
from dialogs.commune.groups import group_review_dialog
from dialogs.commune.hamlets import hamlets_dialog
from dialogs.commune.recognize import recognize_dialog
from dialogs.commune.reminders import reminders_dialog
from dialogs.commune.roster import roster_dialog
from dialogs.commune.stats import stats_dialog
from dialogs.commune.targets import targets_dialog
from dialogs.consent import consent_dialog
from dialogs.groups import clan_dialog, groups_dialog, unit_dialog
from dialogs.guard import StaffDialogGuard
from dialogs.hamlet import hamlet_dialog
from dialogs.household import household_dialog
from dialogs.language import language_dialog
from dialogs.link import link_dialog
from dialogs.menu import menu_dialog
from dialogs.officer import invite_dialog, officer_dialog
from dialogs.pledge import pledge_dialog
from dialogs.proxy import proxy_dialog
from dialogs.registration import registration_dialog
from dialogs.status import forget_dialog, status_dialog
from storage.fsm import LocalEventIsolation, create_isolation, create_storage
from storage.updates import create_update_claims


def build_dispatcher(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    i18n: I18n,
    *,
    storage: BaseStorage | None = None,
    message_manager: MessageManagerProtocol | None = None,
) -> Dispatcher:
    """Wire middlewares, routers and dialogs; the same wiring everywhere the bot runs."""
    dialog_ids.install()
    storage = storage or create_storage(settings.redis_url, session_factory)
    isolation = create_isolation(storage, session_factory)
    dp = Dispatcher(storage=storage, events_isolation=isolation, settings=settings)
    # The runner replaces it with one that wakes its outbox sender.
    dp["composer"] = CatalogComposer(i18n, settings.zone)
    # Before anything else: a copy of an update already handled goes no further.
    dp.update.outer_middleware(UpdateDedupe(create_update_claims(storage, session_factory)))
    in_flight = InFlightUpdates()
    dp["in_flight"] = in_flight
    dp.update.outer_middleware(in_flight)
    dp.update.outer_middleware(DbSessionMiddleware(session_factory))
    # Error handlers run after the update's session has closed: give them their own.
    dp.errors.outer_middleware(DbSessionMiddleware(session_factory))
    dp.update.outer_middleware(UserMiddleware())
    LocaleMiddleware(i18n).setup(dp)
    # Commands first: /cancel must win over a dialog's text input.
    dp.include_router(_command_routers())
    dp.include_router(broadcasts.create_router())
    dp.include_routers(*_dialogs())
    dp.include_router(fallback.create_router())
    dp.errors.register(fallback.on_stale_button, fallback.STALE_ERRORS)
    dp.errors.register(fallback.on_refused, fallback.REFUSALS)
    dp.errors.register(fallback.on_database_fault, fallback.DATABASE_FAULTS)
    # The dispatcher's lock already holds the user's other updates, in every worker: the
    # dialogs' own lock (their stack, within that) can stay in this process.
    saving = SavingManagerFactory(message_manager or MessageManager(), MediaIdStorage())
    setup_dialogs(dp, dialog_manager_factory=saving, events_isolation=LocalEventIsolation())
    # After setup_dialogs: it needs the window the update is for, which they have just loaded.
    guard = StaffDialogGuard()
    dp.callback_query.outer_middleware(guard)
    dp.message.outer_middleware(guard)
    return dp


def _command_routers() -> Router:
    """The command routers, in their order, under one parent that turns away at once the
    kinds of update none of them handles (button presses, which go to dialogs): aiogram
    would otherwise try each router in turn, at some 40 µs apiece."""
    group = Router(name="command_routers")
    group.include_routers(
        commands.create_router(),
        household.create_router(),
        admin.create_router(),
        reports.create_router(),
        staff.create_router(),
    )
    handled = set(group.resolve_used_update_types())
    for name, observer in group.observers.items():
        if name not in handled and name not in INTERNAL_UPDATE_TYPES:
            observer.filter(_none_handled)
    return group


async def _none_handled(_: TelegramObject) -> bool:
    # Async on purpose: aiogram runs a plain function filter in a worker thread, and a thread
    # hop on every button press cost more than all the routers it spares.
    return False


def _dialogs() -> list[Router]:
    # Dialog objects are routers and can have one parent only: build fresh ones per dispatcher.
    # Each dialog takes only the events of its own windows, so their order changes nothing
    # but speed: aiogram tries the routers in turn (about 25 µs each), so the families' daily
    # journey comes first.
    return [
        menu_dialog(),
        assessment_dialog(),
        registration_dialog(),
        consent_dialog(),
        area_dialog(),
        language_dialog(),
        about_dialog(),
        link_dialog(),
        household_dialog(),
        status_dialog(),
        forget_dialog(),
        pledge_dialog(),
        hamlet_dialog(),
        proxy_dialog(),
        officer_dialog(),
        invite_dialog(),
        stats_dialog(),
        targets_dialog(),
        deadlines_dialog(),
        reminders_dialog(),
        recognize_dialog(),
        hamlets_dialog(),
        roster_dialog(),
        broadcast_dialog(),
        group_review_dialog(),
        groups_dialog(),
        clan_dialog(),
        unit_dialog(),
    ]
