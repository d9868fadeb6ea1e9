"""The registration benchmark's floor: aiogram-dialog alone, in the bot's dialog shape.

The menu, consent, area, registration and self-assessment dialogs with as many windows, the
same kinds of widgets and the same widget and item ids as the bot's, so the same clicks drive
both; but constant texts, getters that read `dialog_data` only, MemoryStorage, and no
database, i18n or services. What the bot costs above this is the bot's own work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiogram import Dispatcher, Router
from aiogram.enums import ContentType
from aiogram.filters import CommandStart
from aiogram.fsm.state import State
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window, setup_dialogs
from aiogram_dialog.api.protocols import MessageManagerProtocol
from aiogram_dialog.widgets.input import MessageInput, TextInput
from aiogram_dialog.widgets.kbd import (
    Button,
    Cancel,
    Column,
    Group,
    RequestContact,
    Row,
    Select,
    Start,
    SwitchTo,
)
from aiogram_dialog.widgets.markup.reply_keyboard import ReplyKeyboardFactory
from aiogram_dialog.widgets.text import Const, Format

from bot.domain.households import COMMITMENTS as PLEDGE_CHOICES
from dialogs.states import AreaSG, AssessmentSG, ConsentSG, MainSG, RegistrationSG

AreaTree = dict[str | None, list[tuple[str, str]]]
NUMBER_BUTTONS = 8
COMMITMENTS = tuple(PLEDGE_CHOICES)  # the real pledge screen lists the same choices


# state -> (level chosen there, dialog_data key of its parent, next state)
AREA_STEPS: dict[State, tuple[str, str | None, State]] = {
    AreaSG.province: ("province", None, AreaSG.commune),
    AreaSG.commune: ("commune", "province", AreaSG.hamlet),
    AreaSG.hamlet: ("hamlet", "commune", AreaSG.confirm),
}


async def noop(*_: Any) -> None:
    return None


async def on_unexpected(message: Message, *_: Any) -> None:
    await message.answer("Please use the buttons below.")


def window(text: str, state: State, *widgets: Any, getter: Any = None) -> Window:
    """A window that asks nothing typed, like the bot's (which answer typing kindly)."""
    return Window(Format(text), *widgets, MessageInput(on_unexpected), state=state, getter=getter)


def back_and_cancel(state: State) -> Column:
    return Column(SwitchTo(Const("◀️ Back"), id="back", state=state), Cancel(Const("🏠 Menu")))


async def cmd_start(_: Message, dialog_manager: DialogManager) -> None:
    await dialog_manager.start(MainSG.menu, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND)


# ---- menu and consent ----


async def get_menu(**_: Any) -> dict[str, Any]:
    return {"place": "Thôn Đông", "has_area": True, "registered": True, "household": True}


async def on_register(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    await manager.start(ConsentSG.explain, data={"then": "register"})


async def on_assess(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    await manager.start(AssessmentSG.question, data={"registration": 1})


async def get_consent(**_: Any) -> dict[str, Any]:
    return {"version": 1}


async def on_agree(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    await manager.done(show_mode=ShowMode.NO_UPDATE)
    await manager.start(RegistrationSG.place, data={}, show_mode=ShowMode.EDIT)


def menu_dialog() -> Dialog:
    buttons = Column(
        Button(Const("📝 Register"), id="register", on_click=on_register),
        Button(Const("🔗 Code"), id="link", on_click=noop, when="household"),
        Button(Const("📋 Self-assessment"), id="assess", on_click=on_assess, when="registered"),
        Start(Const("🏡 Household"), id="household", state=AreaSG.province),
        Start(Const("📍 Place"), id="area", state=AreaSG.province),
        Start(Const("🌐 Language"), id="language", state=AreaSG.province),
    )
    place = Format("📍 Your place: {place}", when="has_area")
    return Dialog(window("🏠 Main menu", MainSG.menu, place, buttons, getter=get_menu))


def consent_dialog() -> Dialog:
    return Dialog(
        window(
            "🔒 Before we start: your data (notice version {version}). Do you agree?",
            ConsentSG.explain,
            Column(
                Button(Const("✅ I agree"), id="agree", on_click=on_agree),
                SwitchTo(Const("❌ No, thank you"), id="decline", state=ConsentSG.declined),
            ),
            getter=get_consent,
        ),
        window("Nothing was stored.", ConsentSG.declined, Cancel(Const("🏠 Menu"))),
    )


# ---- area ----


async def get_choices(dialog_manager: DialogManager, areas: AreaTree, **_: Any) -> dict[str, Any]:
    _level, parent_key, _next = AREA_STEPS[dialog_manager.current_context().state]
    parent = dialog_manager.dialog_data.get(parent_key) if parent_key else None
    return {"items": areas.get(parent, []), "has_prev": False, "has_next": False, "query": ""}


async def get_place(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    data = dialog_manager.dialog_data
    return {"place": data.get("hamlet") or data.get("commune") or "", "has_place": False}


async def on_area_start(_: Any, manager: DialogManager) -> None:
    areas: AreaTree = manager.middleware_data["areas"]
    manager.dialog_data["province"] = areas[None][0][0]  # the only one: chosen for the user
    await manager.switch_to(AreaSG.commune)


async def on_chosen(_: CallbackQuery, __: Any, manager: DialogManager, code: str) -> None:
    level, _parent, next_state = AREA_STEPS[manager.current_context().state]
    manager.dialog_data.update({level: code, "_query": "", "_page": 0})
    await manager.switch_to(next_state)


async def on_save(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    await manager.done(result={"saved": manager.dialog_data["hamlet"]})


def area_list(state: State) -> Window:
    return Window(
        Format("📍 Choose one ({query})"),
        Column(
            Select(
                Format("{item[1]}"),
                id="choice",
                item_id_getter=lambda item: item[0],
                items="items",
                on_click=on_chosen,
            )
        ),
        Row(
            Button(Const("◀️ Previous page"), id="prev", on_click=noop, when="has_prev"),
            Button(Const("Next page ▶️"), id="next", on_click=noop, when="has_next"),
        ),
        Column(Button(Const("◀️ Back"), id="back", on_click=noop), Cancel(Const("🏠 Menu"))),
        TextInput(id="filter", on_success=noop),
        state=state,
        getter=get_choices,
    )


def area_dialog() -> Dialog:
    confirm = Column(
        Button(Const("✅ Yes, save"), id="save", on_click=on_save),
        Button(Const("◀️ Back"), id="back", on_click=noop),
        Cancel(Const("🏠 Menu")),
    )
    return Dialog(
        window("📝 Continue?", AreaSG.resume, Button(Const("▶️"), id="continue", on_click=noop)),
        area_list(AreaSG.province),
        area_list(AreaSG.commune),
        area_list(AreaSG.hamlet),
        window("📍 You live in {place}. Right?", AreaSG.confirm, confirm, getter=get_place),
        on_start=on_area_start,
    )


# ---- registration ----


async def get_step(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    return {"step": 1, "steps": 5, "year": 2025}


async def get_numbers(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    if dialog_manager.current_context().state == RegistrationSG.members:
        return {"numbers": [str(n) for n in range(1, NUMBER_BUTTONS + 1)], "step": 3}
    top = min(dialog_manager.dialog_data.get("members", 1), NUMBER_BUTTONS)
    return {"numbers": [str(n) for n in range(top + 1)], "step": 4}


async def get_pledge(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    chosen = dialog_manager.dialog_data.get("commitments", [])
    items = [(key, ("✅ " if key in chosen else "⬜ ") + key) for key in COMMITMENTS]
    return {"items": items, "any_chosen": bool(chosen), "step": 5}


async def get_summary(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    return {key: str(value) for key, value in dialog_manager.dialog_data.items()}


async def on_area_chosen(_: Any, result: Any, manager: DialogManager) -> None:
    if isinstance(result, dict) and result.get("saved"):
        manager.dialog_data["hamlet"] = result["saved"]
        await manager.switch_to(RegistrationSG.name)


def on_answer(key: str, next_state: State) -> Any:
    async def save(_: Any, __: Any, manager: DialogManager, value: Any) -> None:
        manager.dialog_data[key] = int(value) if key in ("members", "school_age") else value
        await manager.switch_to(next_state)

    return save


async def on_commitment(_: CallbackQuery, __: Any, manager: DialogManager, key: str) -> None:
    chosen = set(manager.dialog_data.get("commitments", [])) ^ {key}
    manager.dialog_data["commitments"] = [k for k in COMMITMENTS if k in chosen]


async def on_confirm(_: CallbackQuery, __: Button, manager: DialogManager) -> None:
    manager.dialog_data.clear()
    manager.dialog_data["_code"] = "ABC123"
    await manager.switch_to(RegistrationSG.done)


def numbers(key: str, next_state: State, back: State) -> list[Any]:
    select = Select(
        Format("{item}"),
        id="n",
        item_id_getter=str,
        items="numbers",
        on_click=on_answer(key, next_state),
    )
    typed = TextInput(id=key, type_factory=int, on_success=on_answer(key, next_state))
    return [Group(select, width=4), typed, back_and_cancel(back)]


def registration_dialog() -> Dialog:
    r = RegistrationSG
    place = Column(
        Button(Const("✅ Yes"), id="place_ok", on_click=noop, when="has_place"),
        Start(Const("📍 Choose commune and hamlet"), id="choose", state=AreaSG.province),
        Cancel(Const("🏠 Menu")),
    )
    phone = Window(
        Format("Step {step}/{steps}: your phone number?"),
        RequestContact(Const("📱 Share my phone number")),
        SwitchTo(Const("◀️ Back"), id="back", state=r.name),
        Cancel(Const("🏠 Menu")),
        MessageInput(noop, content_types=[ContentType.CONTACT]),
        TextInput(id="phone", on_success=on_answer("phone", r.members)),
        markup_factory=ReplyKeyboardFactory(resize_keyboard=True, one_time_keyboard=True),
        state=r.phone,
        getter=get_step,
    )
    pledge = [
        Column(
            Select(
                Format("{item[1]}"),
                id="commitment",
                item_id_getter=lambda item: item[0],
                items="items",
                on_click=on_commitment,
            )
        ),
        Column(
            SwitchTo(Const("▶️ Next"), id="pledged", state=r.summary, when="any_chosen"),
            SwitchTo(Const("◀️ Back"), id="back", state=r.school_age),
            Cancel(Const("🏠 Menu")),
        ),
    ]
    edits = [Button(Const(f"✏️ {key}"), id=f"edit_{key}", on_click=noop) for key in "abcdef"]
    summary = [
        Group(*edits, width=2),
        Column(
            Button(Const("✅ Confirm"), id="confirm", on_click=on_confirm),
            Cancel(Const("🏠 Menu")),
        ),
    ]
    return Dialog(
        window("📍 Your place: {place}", r.place, place, getter=get_place),
        window("📝 Continue?", r.resume, Button(Const("▶️"), id="continue", on_click=noop)),
        Window(
            Format("Step {step}/{steps}: the full name?"),
            TextInput(id="name", on_success=on_answer("name", r.phone)),
            back_and_cancel(r.place),
            state=r.name,
            getter=get_step,
        ),
        phone,
        window("☎️ Already registered.", r.duplicate, back_and_cancel(r.phone)),
        Window(
            Format("Step {step}: members?"),
            *numbers("members", r.school_age, r.phone),
            state=r.members,
            getter=get_numbers,
        ),
        Window(
            Format("Step {step}: children?"),
            *numbers("school_age", r.pledge, r.members),
            state=r.school_age,
            getter=get_numbers,
        ),
        window("Step {step}: our pledge", r.pledge, *pledge, getter=get_pledge),
        window("📋 Please check: {name}, {phone}", r.summary, *summary, getter=get_summary),
        window(
            "🎉 Registered: {_code}",
            r.done,
            Cancel(Const("🏠 Menu"), result="registered"),
            getter=get_summary,
        ),
        on_process_result=on_area_chosen,
    )


# ---- self-assessment ----


async def get_question(
    dialog_manager: DialogManager, questions: Sequence[Any], **_: Any
) -> dict[str, Any]:
    index = dialog_manager.dialog_data.get("_index", 0)
    question = questions[index]
    if question.kind == "ratio":
        part = dialog_manager.current_context().state == AssessmentSG.ratio_part
        top = dialog_manager.dialog_data.get("_count", NUMBER_BUTTONS) if part else NUMBER_BUTTONS
        items = [(str(n), str(n)) for n in range(min(top, NUMBER_BUTTONS) + 1)]
    else:
        items = [(option, option) for option in question.options]
    return {
        "number": index + 1,
        "count": len(questions),
        "items": items,
        "has_back": index > 0,
        "is_number": question.kind == "ratio",
        "is_choice": question.kind != "ratio",
    }


async def get_review(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    answers = dialog_manager.dialog_data.get("answers", {})
    return {"total": len(answers), "complete": True, "can_reopen": True}


async def on_choice(_: Any, __: Any, manager: DialogManager, item: str) -> None:
    questions: Sequence[Any] = manager.middleware_data["questions"]
    data = manager.dialog_data
    index = data.get("_index", 0)
    asking_count = manager.current_context().state != AssessmentSG.ratio_part
    if questions[index].kind == "ratio" and asking_count and int(item) > 0:
        data["_count"] = int(item)
        await manager.switch_to(AssessmentSG.ratio_part)
        return
    data["answers"] = {**data.get("answers", {}), str(index): [data.pop("_count", None), item]}
    data["_index"] = index + 1
    done = index + 1 >= len(questions)
    await manager.switch_to(AssessmentSG.review if done else AssessmentSG.question)


def question(state: State) -> Window:
    def select(widget_id: str) -> Select[Any]:
        return Select(
            Format("{item[1]}"),
            id=widget_id,
            item_id_getter=lambda item: item[0],
            items="items",
            on_click=on_choice,
        )

    return Window(
        Format("📋 Question {number}/{count}"),
        Column(select("answer"), when="is_choice"),
        Group(select("num"), width=4, when="is_number"),
        Column(
            Button(Const("◀️ Back"), id="back", on_click=noop, when="has_back"),
            Cancel(Const("⏸ Finish later")),
        ),
        TextInput(id="number", type_factory=int, on_success=noop),
        state=state,
        getter=get_question,
    )


def assessment_dialog() -> Dialog:
    a = AssessmentSG
    review = Column(
        SwitchTo(Const("📤 Submit"), id="submit", state=a.submitted, when="complete"),
        SwitchTo(Const("✏️ Change answers"), id="change", state=a.question),
        SwitchTo(Const("◀️ Back"), id="back", state=a.question),
        Cancel(Const("⏸ Finish later")),
    )
    reopen = Column(
        SwitchTo(Const("↩️ Take back"), id="reopen", state=a.review, when="can_reopen"),
        Cancel(Const("🏠 Menu")),
    )
    return Dialog(
        question(a.question),
        question(a.ratio_part),
        window("📊 Total: {total}", a.review, review, getter=get_review),
        window("📤 Submitted: {total}", a.submitted, reopen, getter=get_review),
        window("⏳ Closed", a.closed, Cancel(Const("🏠 Menu"))),
    )


def floor_dispatcher(
    areas: AreaTree, questions: Sequence[Any], message_manager: MessageManagerProtocol
) -> Dispatcher:
    """The floor's Dispatcher: `questions` have a `kind` and answer item ids (`options`)."""
    dp = Dispatcher(storage=MemoryStorage(), areas=areas, questions=questions)
    commands = Router(name="floor_commands")
    commands.message.register(cmd_start, CommandStart())
    dp.include_router(commands)
    dp.include_routers(
        menu_dialog(), consent_dialog(), area_dialog(), registration_dialog(), assessment_dialog()
    )
    setup_dialogs(dp, message_manager=message_manager)
    return dp
