"""Reminder rules that fire (bot.services.reminders, storage.reminders, bot.scheduler): an
accelerated clock walks a commune through its campaign an hour at a time and checks which
outbox messages appear when; then restarts, downtime, changed and disabled rules, scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.delivery.composer import CatalogComposer
from bot.domain.deadlines import Deadline
from bot.domain.households import HouseholdForm
from bot.domain.reminder_settings import MSG_DAYS, MSG_HOUR
from bot.domain.status import Status
from bot.domain.users import Role, RoleGrant, User
from bot.i18n import create_i18n
from bot.scheduler import REMINDERS_JOB, create_scheduler, reminders_job
from bot.services import groups as gr
from bot.services.deadlines import set_deadline
from bot.services.errors import NotAllowed, ServiceError
from bot.services.households import free_code
from bot.services.reminders import (
    MSG_WEEKLY_DAYS,
    change_rule,
    preview,
    rules_of,
    run_due_reminders,
)
from storage.outbox_models import OutboxRow
from storage.uow import SqlUnitOfWork
from tests.support import audit_entries, grant, load_areas

Factory = async_sessionmaker[AsyncSession]
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = 2026
AREAS = """code,name,level,parent_code
P,Tỉnh Thử,province,
C1,Xã Đông Hòa,commune,P
C2,Xã Tân Lập,commune,P
H1,Thôn Đông,hamlet,C1
H2,Thôn Đoài,hamlet,C1
H9,Thôn Xa,hamlet,C2
"""
OFFICER = User(10, "en", grants=(RoleGrant(Role.COMMUNE_OFFICER, "C1"),))
STRANGER = User(11, "en", grants=(RoleGrant(Role.COMMUNE_OFFICER, "C2"),))
HEAD = 20
# account -> (hamlet, head's name, language, this year's status, muted)
FAMILIES: dict[int, tuple[str, str, str, Status | None, bool]] = {
    101: ("H1", "Nguyễn Văn An", "en", Status.REGISTERED, False),
    102: ("H2", "Trần Thị Bình", "vi", Status.REGISTERED, False),
    103: ("H1", "Lê Văn Cường", "vi", Status.SELF_ASSESSED, False),
    104: ("H1", "Phạm Thị Dung", "vi", Status.REGISTERED, True),  # sent /stop
    105: ("H2", "Hoàng Văn Em", "en", None, False),
    106: ("H1", "Vũ Thị Giang", "vi", Status.SELF_ASSESSED, False),
    107: ("H2", "Đỗ Văn Hùng", "en", Status.RETURNED, False),
    108: ("H9", "Ngô Văn Ích", "en", Status.REGISTERED, False),  # another commune
}
DAYS = {
    Deadline.REGISTRATION_OPENS: date(2026, 9, 1),
    Deadline.REGISTRATION_CLOSES: date(2026, 9, 30),
    Deadline.ASSESSMENT_OPENS: date(2026, 9, 1),
    Deadline.ASSESSMENT_CLOSES: date(2026, 10, 31),
    Deadline.VERIFICATION_CLOSES: date(2026, 11, 15),
}
SEEDED = datetime(2026, 8, 1, tzinfo=UTC)


def local(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(YEAR, month, day, hour, tzinfo=ZONE).astimezone(UTC)


class RecordingComposer(CatalogComposer):
    """The real catalogs, counting the wake-ups."""

    def __init__(self) -> None:
        super().__init__(create_i18n("vi"), ZONE)
        self.wakes = 0

    def wake(self) -> None:
        self.wakes += 1


@dataclass(frozen=True)
class Sent:
    key: str
    chat_id: int
    text: str
    created_at: datetime


async def household(uow: SqlUnitOfWork, account: int, spec: tuple[Any, ...]) -> None:
    hamlet, name, language, status, muted = spec
    form = HouseholdForm(hamlet, name, f"+849120{account:05d}", 4, 1, ())
    made = await uow.households.add(form, await free_code(uow), SEEDED)
    await uow.users.add(User(account, language), SEEDED)
    await uow.households.link(account, made.id, SEEDED)
    if muted:
        await uow.users.set_muted(account, SEEDED)
    if status is not None:
        registration = await uow.registrations.add(
            made.id, "household", "gia_dinh", YEAR, (), SEEDED
        )
        await uow.registrations.set_status(registration.id, status, SEEDED)


@pytest.fixture
async def commune(session_factory: Factory) -> Factory:
    """C1 with its deadlines for 2026, its families, a hamlet head and an officer."""
    await load_areas(session_factory, AREAS)
    await grant(session_factory, OFFICER.id, Role.COMMUNE_OFFICER, "C1")
    await grant(session_factory, STRANGER.id, Role.COMMUNE_OFFICER, "C2")
    await grant(session_factory, HEAD, Role.HAMLET_HEAD, "H1")
    async with session_factory() as session:
        uow = SqlUnitOfWork(session)
        for account, spec in FAMILIES.items():
            await household(uow, account, spec)
        await uow.commit()
        for which, day in DAYS.items():
            await set_deadline(uow, OFFICER, "C1", "gia_dinh", YEAR, which, day, SEEDED, ZONE)
    return session_factory


async def run(factory: Factory, composer: RecordingComposer, now: datetime) -> int:
    """One tick of the job, in its own session as after a restart."""
    async with factory() as session:
        return await run_due_reminders(SqlUnitOfWork(session), composer, now, ZONE)


async def outbox(factory: Factory) -> list[Sent]:
    async with factory() as session:
        rows = await session.scalars(select(OutboxRow).order_by(OutboxRow.id))
        return [Sent(r.reminder or "", r.chat_id, r.text, r.created_at) for r in rows]


async def walk(
    factory: Factory, start: datetime, end: datetime, step: timedelta = timedelta(hours=1)
) -> list[tuple[str, str, list[int]]]:
    """Tick from `start` to `end`: (local time, rule key, recipients) of each run."""
    composer, runs, seen = RecordingComposer(), [], 0
    moment = start
    while moment < end:
        if await run(factory, composer, moment):
            sent = await outbox(factory)
            new, seen = sent[seen:], len(sent)
            for key in dict.fromkeys(s.key for s in new):
                chats = sorted(s.chat_id for s in new if s.key == key)
                runs.append((f"{moment.astimezone(ZONE):%m-%d %H}", key, chats))
        moment += step
    return runs


WEEKLY = [f"{month:02d}-{day:02d} 08" for month, day in [(8, 31), (9, 7), (9, 14), (9, 21)]]
WEEKLY += [f"{m:02d}-{d:02d} 08" for m, d in [(9, 28), (10, 5), (10, 12), (10, 19), (10, 26)]]
WEEKLY += ["11-02 08", "11-09 08"]
EXPECTED = sorted(
    [
        ("09-01 08", "registration_opens", [105]),
        ("10-18 08", "assessment_due_14", [101, 102, 107]),
        ("10-25 08", "assessment_due_7", [101, 102, 107]),
        ("10-31 08", "assessment_due_1", [101, 102, 107]),
        ("11-16 08", "officer_digest", [OFFICER.id]),
        *[(at, "verification_digest_weekly", [HEAD]) for at in WEEKLY],
    ]
)


async def test_an_accelerated_campaign_sends_each_reminder_once_at_its_hour(
    commune: Factory,
) -> None:
    runs = await walk(commune, local(8, 30), local(11, 21))

    assert sorted(runs) == EXPECTED
    sent = await outbox(commune)
    assert len(sent) == sum(len(chats) for _, _, chats in EXPECTED)
    an = [s.text for s in sent if s.chat_id == 101]
    assert an == [
        "Nguyễn Văn An: your family's self-assessment for 2026 is due by October 31, 2026. "
        f"Days left, including today: {n}. Press /start and choose “📋 Self-assessment”."
        for n in (14, 7, 1)
    ]
    binh = [s.text for s in sent if s.chat_id == 102]
    assert binh[0].startswith("Trần Thị Bình: hạn tự đánh giá năm 2026")
    assert "Còn 14 ngày" in binh[0]
    assert "31 tháng 10, 2026" in binh[0]
    [opens] = [s.text for s in sent if s.chat_id == 105]
    assert "of 2026 is open until September 30, 2026" in opens
    head = [s.text for s in sent if s.chat_id == HEAD]
    assert set(head) == {
        "Số hộ ở Thôn Đông đang chờ bạn xác nhận: 2. Hạn xác nhận đến ngày 15 tháng 11, 2026."
    }
    [digest] = [s.text for s in sent if s.chat_id == OFFICER.id]
    assert digest == (  # the officer never chose a language: the default one
        "Việc xác nhận năm 2026 đã kết thúc ngày 15 tháng 11, 2026. Xã Đông Hòa: 0 hộ đã "
        "được xác nhận, 2 hộ vẫn đang chờ, 1 hộ bị trả lại để sửa."
    )


async def test_running_again_at_the_same_moment_adds_nothing(commune: Factory) -> None:
    composer = RecordingComposer()
    at = local(10, 18, 8)

    assert await run(commune, composer, at) == 3
    assert await run(commune, composer, at) == 0
    assert await run(commune, composer, at + timedelta(minutes=30)) == 0
    assert composer.wakes == 1
    assert len(await outbox(commune)) == 3


async def test_an_occurrence_another_worker_recorded_is_not_sent_again(
    commune: Factory,
) -> None:
    occurrence = local(10, 18, 8)
    async with commune() as session:
        uow = SqlUnitOfWork(session)
        assert await uow.reminder_rules.record_run(
            "C1", "assessment_due_14", occurrence, occurrence, 3
        )
        assert not await uow.reminder_rules.record_run(
            "C1", "assessment_due_14", occurrence, occurrence, 3
        )
        await uow.commit()

    assert await run(commune, RecordingComposer(), occurrence) == 0
    assert await outbox(commune) == []


async def test_a_reminder_missed_while_down_is_sent_once_on_return_before_its_deadline(
    commune: Factory,
) -> None:
    composer = RecordingComposer()
    # down from 17 October to the 20th at 10:00: the 14-day reminder comes late, once
    assert await run(commune, composer, local(10, 20, 10)) == 3
    assert await run(commune, composer, local(10, 20, 11)) == 0
    sent = await outbox(commune)
    assert {s.key for s in sent} == {"assessment_due_14"}
    assert "Days left, including today: 12." in sent[0].text


async def test_after_a_long_downtime_only_the_latest_reminder_of_a_series_is_sent(
    commune: Factory,
) -> None:
    runs = await walk(commune, local(10, 26, 9), local(10, 27))  # down since 17 October

    assert runs == [
        ("10-26 09", "assessment_due_7", [101, 102, 107]),  # not the 14-day one as well
        ("10-26 09", "verification_digest_weekly", [HEAD]),  # this Monday's, an hour late
    ]


async def test_a_reminder_missed_until_after_its_deadline_is_never_sent(
    commune: Factory,
) -> None:
    # down from the last day (before 08:00) until self-assessment has closed
    assert await run(commune, RecordingComposer(), local(11, 1, 9)) == 0
    # the officer's digest, missed by more than a day, is not sent late either
    assert await run(commune, RecordingComposer(), local(11, 17, 9)) == 0
    assert await outbox(commune) == []


async def test_a_disabled_rule_never_fires(commune: Factory) -> None:
    async with commune() as session:
        uow = SqlUnitOfWork(session)
        await change_rule(uow, OFFICER, "C1", "assessment_due_7", now=SEEDED, active=False)

    runs = await walk(commune, local(10, 17), local(11, 1))

    assert [key for _, key, _ in runs if key.startswith("assessment")] == [
        "assessment_due_14",
        "assessment_due_1",
    ]


async def test_a_changed_hour_and_offset_fire_at_the_new_time(commune: Factory) -> None:
    async with commune() as session:
        uow = SqlUnitOfWork(session)
        await change_rule(uow, OFFICER, "C1", "assessment_due_14", now=SEEDED, hour=17)
        await change_rule(uow, OFFICER, "C1", "assessment_due_7", now=SEEDED, offset_days=-9)

    runs = await walk(commune, local(10, 17), local(10, 26))

    assert [(at, key) for at, key, _ in runs if key.startswith("assessment")] == [
        ("10-18 17", "assessment_due_14"),
        ("10-22 08", "assessment_due_7"),
    ]


async def test_an_hour_moved_after_the_run_does_not_send_it_again_that_day(
    commune: Factory,
) -> None:
    composer = RecordingComposer()
    assert await run(commune, composer, local(10, 18, 8)) == 3
    async with commune() as session:
        uow = SqlUnitOfWork(session)
        await change_rule(uow, OFFICER, "C1", "assessment_due_14", now=SEEDED, hour=17)

    assert await run(commune, composer, local(10, 18, 17)) == 0


async def test_each_change_is_audited_and_shown_in_the_rules(
    uow: SqlUnitOfWork, commune: Factory
) -> None:
    await change_rule(uow, OFFICER, "C1", "officer_digest", now=SEEDED, hour=9)
    await change_rule(uow, OFFICER, "C1", "officer_digest", now=SEEDED, active=False)

    rules = {rule.key: rule for rule in await rules_of(uow, OFFICER, "C1", SEEDED)}
    assert (rules["officer_digest"].hour, rules["officer_digest"].active) == (9, False)
    assert rules["assessment_due_14"].hour == 8  # the shipped rule, unchanged
    entries = [e for e in await audit_entries(commune) if e["action"] == "reminder_rule"]
    assert [(e["area"], e["rule"], e.get("hour"), e.get("active")) for e in entries] == [
        ("C1", "officer_digest", 9, None),
        ("C1", "officer_digest", None, False),
    ]
    assert {e["actor_id"] for e in entries} == {OFFICER.id}


@pytest.mark.parametrize(
    ("change", "msgid"),
    [
        ({"hour": 24}, MSG_HOUR),
        ({"hour": -1}, MSG_HOUR),
        ({"offset_days": 99}, MSG_DAYS),
        ({"key": "verification_digest_weekly", "offset_days": -2}, MSG_WEEKLY_DAYS),
    ],
)
async def test_a_bad_value_is_refused_and_nothing_changes(
    uow: SqlUnitOfWork, commune: Factory, change: dict[str, Any], msgid: str
) -> None:
    values = dict(change)  # the parameters are shared by both databases' runs
    key = values.pop("key", "assessment_due_14")
    with pytest.raises(ServiceError) as refused:
        await change_rule(uow, OFFICER, "C1", key, now=SEEDED, **values)

    assert refused.value.msgid == msgid
    assert await uow.reminder_rules.changes(["C1"]) == {}
    assert not [e for e in await audit_entries(commune) if e["action"] == "reminder_rule"]


async def test_an_officer_of_another_commune_is_refused_and_audited(
    uow: SqlUnitOfWork, commune: Factory
) -> None:
    with pytest.raises(NotAllowed):
        await rules_of(uow, STRANGER, "C1", SEEDED)
    with pytest.raises(NotAllowed):
        await change_rule(uow, STRANGER, "C1", "officer_digest", now=SEEDED, active=False)

    refused = [e for e in await audit_entries(commune) if e["action"] == "refused"]
    assert [(e["actor_id"], e["attempted"]) for e in refused] == [
        (STRANGER.id, "reminders"),
        (STRANGER.id, "reminder_rule"),
    ]
    assert await uow.reminder_rules.changes(["C1"]) == {}


async def test_the_preview_shows_the_next_run_and_its_audience(
    uow: SqlUnitOfWork, commune: Factory
) -> None:
    at = local(10, 1, 12)
    shown = await preview(uow, OFFICER, "C1", "assessment_due_14", YEAR, at, ZONE)
    assert (shown.next_run, shown.audience, shown.deadline_set) == (local(10, 18, 8), 3, True)

    digest = await preview(uow, OFFICER, "C1", "verification_digest_weekly", YEAR, at, ZONE)
    assert (digest.next_run, digest.audience) == (local(10, 5, 8), 1)

    unset = await preview(uow, OFFICER, "C1", "assessment_due_14", YEAR + 1, at, ZONE)
    assert (unset.next_run, unset.deadline_set) == (None, False)
    passed = await preview(uow, OFFICER, "C1", "registration_opens", YEAR, at, ZONE)
    assert (passed.next_run, passed.deadline_set, passed.audience) == (None, True, 1)


async def test_last_years_late_deadline_still_sends_its_digest_in_january(
    commune: Factory,
) -> None:
    async with commune() as session:
        uow = SqlUnitOfWork(session)
        closes = date(2027, 1, 10)
        await set_deadline(
            uow,
            OFFICER,
            "C1",
            "gia_dinh",
            YEAR,
            Deadline.VERIFICATION_CLOSES,
            closes,
            SEEDED,
            ZONE,
        )

    at = datetime(2027, 1, 11, 8, tzinfo=ZONE).astimezone(UTC)
    assert await run(commune, RecordingComposer(), at) == 1
    [digest] = await outbox(commune)
    assert (digest.key, digest.chat_id) == ("officer_digest", OFFICER.id)


# --- the scheduler ------------------------------------------------------------------------


def test_the_scheduler_has_one_fixed_job_every_minute_in_utc() -> None:
    scheduler = create_scheduler(None, RecordingComposer(), Settings())  # type: ignore[arg-type]

    [job] = scheduler.get_jobs()
    assert job.id == REMINDERS_JOB == "reminders"
    assert str(scheduler.timezone) == "UTC"
    assert isinstance(job.trigger, CronTrigger)
    assert str(job.trigger) == "cron[minute='*']"
    assert str(job.trigger.timezone) == "UTC"
    assert (job.coalesce, job.max_instances) == (True, 1)
    assert job.misfire_grace_time >= 60
    assert job.func is reminders_job


async def test_the_scheduler_starts_and_stops_inside_the_loop(commune: Factory) -> None:
    scheduler = create_scheduler(commune, RecordingComposer(), Settings())
    scheduler.start()
    try:
        assert scheduler.get_job(REMINDERS_JOB).next_run_time is not None
    finally:
        scheduler.shutdown(wait=False)


async def test_the_job_stores_what_is_due_at_the_given_moment(commune: Factory) -> None:
    composer = RecordingComposer()

    stored = await reminders_job(commune, composer, ZONE, now=local(9, 1, 8))

    assert stored == 1
    [opens] = await outbox(commune)
    assert (opens.key, opens.chat_id) == ("registration_opens", 105)
    assert composer.wakes == 1


async def known(uow: SqlUnitOfWork, user_id: int) -> User:
    user = await uow.users.get(user_id)
    assert user is not None
    return user


async def home_of(uow: SqlUnitOfWork, account: int) -> int:
    household = await uow.households.of_user(account)
    assert household is not None
    return household.id


async def test_each_title_is_reminded_by_its_own_deadlines_to_whoever_answers_for_it(
    commune: Factory,
) -> None:
    """A clan, a unit and a hamlet registered, and a member of family 101 as a learning
    citizen: each title is reminded a week before its own assessment deadline, whoever
    answers for it; a clan that already self-assessed is not."""
    async with commune() as session:
        uow = SqlUnitOfWork(session)
        for user_id in (201, 202, 203):
            await uow.users.add(User(user_id, "vi"), SEEDED)
            await uow.users.set_consent(user_id, 1, SEEDED)
        await uow.commit()
        at = {"year": YEAR, "now": SEEDED}
        clan = [await home_of(uow, 101), await home_of(uow, 103)]
        await gr.register_clan(uow, await known(uow, 201), "Họ Lê", "C1", clan, **at)
        other = [await home_of(uow, 102)]
        done = await gr.register_clan(uow, await known(uow, 202), "Họ Trần", "C1", other, **at)
        await uow.registrations.set_status(done.registration.id, Status.SELF_ASSESSED, SEEDED)
        rep = await known(uow, 203)
        await gr.register_unit(uow, rep, "Trường Đông", "school", 20, "C1", **at)
        await gr.register_hamlet(uow, await known(uow, HEAD), "H1", **at)
        citizen = await home_of(uow, 101)
        await uow.registrations.add(citizen, "member:1", "cong_dan", YEAR, (), SEEDED)
        await uow.commit()
        closes, day = Deadline.ASSESSMENT_CLOSES, date(2026, 12, 20)
        for title in ("dong_ho", "don_vi", "cong_dong", "cong_dan"):
            await set_deadline(uow, OFFICER, "C1", title, YEAR, closes, day, SEEDED, ZONE)

    runs = await walk(commune, local(12, 14, 7), local(12, 14, 10))

    assert sorted(runs) == [
        ("12-14 08", "citizen_assessment_due_7", [101]),
        ("12-14 08", "clan_assessment_due_7", [201]),
        ("12-14 08", "hamlet_assessment_due_7", [HEAD]),
        ("12-14 08", "unit_assessment_due_7", [203]),
    ]
    sent = {s.key: s.text for s in await outbox(commune)}
    assert sent["clan_assessment_due_7"] == (
        "Họ Lê: hạn tự đánh giá «Dòng họ học tập» năm 2026 của dòng họ là ngày 20 tháng 12, "
        "2026. Còn 7 ngày, tính cả hôm nay. Bấm /start rồi chọn «👥 Dòng họ, đơn vị học tập»."
    )
    assert sent["hamlet_assessment_due_7"].startswith("Thôn Đông: hạn tự đánh giá «Cộng đồng")
    assert sent["unit_assessment_due_7"].startswith("Trường Đông: hạn tự đánh giá «Đơn vị")
    assert sent["citizen_assessment_due_7"].startswith(
        "Nguyễn Văn An: the “Learning citizen” self-assessments of your family for 2026"
    )
