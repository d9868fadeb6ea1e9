"""/reminders: the commune's reminder rules, on or off and when each runs in words; one
pressed shows its next run and how many it would reach, and can be switched or moved."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Group, Select, SwitchTo
from aiogram_dialog.widgets.text import Format
from babel.dates import get_day_names

from bot.domain.deadlines import DEADLINE_LABELS
from bot.domain.messages import N_
from bot.domain.parsers import InputError
from bot.domain.reminder_settings import (
    AUDIENCE_LABELS,
    RULE_NAMES,
    officer_days,
    offset_for_days,
    parse_days,
    parse_hour,
    when_msgid,
)
from bot.domain.reminders import ReminderRule
from bot.i18n import day
from bot.services.areas import area_path
from bot.services.reminders import RulePreview, change_rule, preview, rules_of
from dialogs.commune.common import area_code, start_on_area, year_of
from dialogs.offered import Choices
from dialogs.states import RemindersSG
from dialogs.widgets import (
    I18nFormat,
    Label,
    UnexpectedText,
    acting_user,
    attempt,
    explain,
    now,
    on_input_error,
    tell,
    uow_of,
)

RULE = "_rule"  # dialog_data: the key of the rule at hand
HOURS = (6, 7, 8, 9, 10, 11, 14, 16, 17, 18, 19, 20)
MSG_ON, MSG_OFF = N_("✅ on"), N_("⏸ off")
MSG_SWITCHED_OFF = N_("not scheduled: the reminder is off")
MSG_NO_DEADLINE = N_("not scheduled: the deadline is not set")
MSG_PASSED = N_("not scheduled: its day has passed")


def locale_of(manager: DialogManager) -> str:
    return str(manager.middleware_data["i18n"].current_locale)


def when_words(manager: DialogManager, rule: ReminderRule) -> str:
    """In words: "When 14 days are left before “Self-assessment closes”, 08:00"."""
    hour = f"{rule.hour:02d}:00"
    weekday = get_day_names("wide", locale=locale_of(manager))[rule.weekday or 0]
    days = abs(officer_days(rule) or 0)
    params = {"days": days, "deadline": rule.anchor, "hour": hour, "weekday": weekday}
    return explain(manager, when_msgid(rule), params, html=False)


def rule_name(manager: DialogManager, rule: ReminderRule) -> str:
    return explain(manager, RULE_NAMES[rule.message], html=False)


async def on_start(_: Any, manager: DialogManager) -> None:
    async def check(code: str, __: int) -> None:
        await rules_of(uow_of(manager), acting_user(manager), code, now())

    await start_on_area(manager, check)


async def current_rules(manager: DialogManager) -> tuple[ReminderRule, ...]:
    return await rules_of(uow_of(manager), acting_user(manager), area_code(manager), now())


async def get_list(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    items = []
    for rule in await current_rules(dialog_manager):
        icon = "✅" if rule.active else "⏸"
        label = f"{icon} {rule_name(dialog_manager, rule)} · {when_words(dialog_manager, rule)}"
        items.append((rule.key, label))  # layout only, no words
    path = await area_path(uow_of(dialog_manager), area_code(dialog_manager))
    return {"items": items, "commune": path[-1].name if path else ""}


async def on_pick(_: CallbackQuery, __: Any, manager: DialogManager, key: str) -> None:
    manager.dialog_data[RULE] = key
    await manager.switch_to(RemindersSG.rule)


async def picked(manager: DialogManager) -> ReminderRule:
    rules = {rule.key: rule for rule in await current_rules(manager)}
    return rules.get(str(manager.dialog_data.get(RULE))) or next(iter(rules.values()))


def next_run_words(manager: DialogManager, shown: RulePreview) -> str:
    if not shown.rule.active:
        return explain(manager, MSG_SWITCHED_OFF, html=False)
    if shown.next_run is None:
        return explain(manager, MSG_PASSED if shown.deadline_set else MSG_NO_DEADLINE, html=False)
    local = shown.next_run.astimezone(manager.middleware_data["settings"].zone)
    return f"{day(local.date(), locale_of(manager))}, {local:%H:%M}"


async def get_rule(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    rule = await picked(dialog_manager)
    settings = dialog_manager.middleware_data["settings"]
    shown = await preview(
        uow_of(dialog_manager),
        acting_user(dialog_manager),
        area_code(dialog_manager),
        rule.key,
        year_of(dialog_manager),
        now(),
        settings.zone,
        settings.default_locale,
    )
    return {
        "name": rule_name(dialog_manager, rule),
        "state": explain(dialog_manager, MSG_ON if rule.active else MSG_OFF, html=False),
        "when": when_words(dialog_manager, rule),
        "audience": explain(dialog_manager, AUDIENCE_LABELS[rule.audience], html=False),
        "next": next_run_words(dialog_manager, shown),
        "size": shown.audience,
        "active": rule.active,
        "inactive": not rule.active,
        "anchored": rule.anchor is not None,
        "deadline": explain(dialog_manager, DEADLINE_LABELS[rule.anchor], html=False)
        if rule.anchor
        else "",
        "items": [(str(hour), f"{hour:02d}:00") for hour in HOURS],
    }


async def save(event: Message | CallbackQuery, manager: DialogManager, **change: Any) -> None:
    key = str(manager.dialog_data.get(RULE))
    action = change_rule(
        uow_of(manager), acting_user(manager), area_code(manager), key, now=now(), **change
    )
    if await attempt(manager, event, action):
        await manager.switch_to(RemindersSG.rule)


async def on_toggle(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await save(callback, manager, active=button.widget_id == "on")


async def on_days(message: Message, _: Any, manager: DialogManager, days: int) -> None:
    try:
        offset = offset_for_days(await picked(manager), days)
    except InputError as error:
        await tell(manager, message, error)
        return
    await save(message, manager, offset_days=offset)


async def on_hour_typed(message: Message, _: Any, manager: DialogManager, hour: int) -> None:
    await save(message, manager, hour=hour)


async def on_hour_pressed(
    callback: CallbackQuery, _: Any, manager: DialogManager, hour: str
) -> None:
    await save(callback, manager, hour=int(hour))


def back_to_rule() -> SwitchTo:
    return SwitchTo(Label("⬅️ Back"), id="back", state=RemindersSG.rule)


def list_window() -> Window:
    return Window(
        I18nFormat(
            "⏰ <b>Reminders of {commune}</b>\nThe bot sends these by itself, each at most "
            "once. Press one to see whom it reaches next, to switch it off or to move it."
        ),
        Choices(on_pick, widget_id="rule"),
        Cancel(Label("⬅️ Back")),
        UnexpectedText(),
        state=RemindersSG.list,
        getter=get_list,
    )


def rule_window() -> Window:
    return Window(
        I18nFormat(
            "⏰ <b>{name}</b> ({state})\n🕗 {when}\n👥 To: {audience}\n"
            "📆 Next run (local time): {next}\n📨 It would reach now: {size}"
        ),
        Column(
            Button(Label("⏸ Turn off"), id="off", on_click=on_toggle, when="active"),
            Button(Label("▶️ Turn on"), id="on", on_click=on_toggle, when="inactive"),
            SwitchTo(
                Label("📆 Change the days"), id="days", state=RemindersSG.offset, when="anchored"
            ),
            SwitchTo(Label("🕗 Change the hour"), id="hour", state=RemindersSG.hour),
            SwitchTo(Label("⬅️ Back"), id="list", state=RemindersSG.list),
        ),
        UnexpectedText(),
        state=RemindersSG.rule,
        getter=get_rule,
    )


def offset_window() -> Window:
    return Window(
        I18nFormat(
            "📆 <b>{name}</b>\nNow: {when}.\nType the days from “{deadline}”: with a minus "
            "sign for days before it, without for days after. For example: -14 is two weeks "
            "before, 1 is the day after."
        ),
        TextInput(id="days", type_factory=parse_days, on_success=on_days, on_error=on_input_error),
        back_to_rule(),
        state=RemindersSG.offset,
        getter=get_rule,
    )


def hour_window() -> Window:
    return Window(
        I18nFormat(
            "🕗 <b>{name}</b>\nNow: {when}.\nAt what hour (local time)? Press one, or type an "
            "hour from 0 to 23."
        ),
        Group(
            Select(
                Format("{item[1]}"),
                id="hours",
                item_id_getter=lambda item: item[0],
                items="items",
                on_click=on_hour_pressed,
            ),
            width=4,
        ),
        TextInput(
            id="hour", type_factory=parse_hour, on_success=on_hour_typed, on_error=on_input_error
        ),
        back_to_rule(),
        state=RemindersSG.hour,
        getter=get_rule,
    )


def reminders_dialog() -> Dialog:
    return Dialog(list_window(), rule_window(), offset_window(), hour_window(), on_start=on_start)
