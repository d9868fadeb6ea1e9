"""Self-assessment: answer the criteria one by one, submit, reopen; and decisions by others.

Each answer is saved as it is given, so "finish later", a restart or a lost phone keep it.
An assessment stays with the criteria set it started with, whatever is loaded later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property

from bot.domain.criteria_model import CriteriaSet, Title
from bot.domain.deadlines import window_refusal
from bot.domain.facts import Fact, Share, facts_needed, with_facts
from bot.domain.households import member_subject
from bot.domain.messages import N_
from bot.domain.recognition import Decision
from bot.domain.registrations import JsonAnswer, Registration, decode_answers, encode_answer
from bot.domain.scoring import Answer, AssessmentResult, score_answer, score_assessment
from bot.domain.status import Status, TransitionRefused, transition
from bot.domain.users import Role, User, holds_role
from bot.services.areas import area_path
from bot.services.criteria import criteria_with_id
from bot.services.deadlines import check_verification_open
from bot.services.errors import NotAllowed, ServiceError
from bot.services.groups import group_facts, may_act_for, tell_group
from bot.services.hamlets import tell_household
from bot.services.households import MSG_NOT_IN_HOUSEHOLD, own_household
from bot.services.ports import Notifier, UnitOfWork
from bot.services.scope import HEAD_ROLES, household_in_scope, oversees_area, refuse

MSG_NOT_YOURS = N_("This self-assessment is not your household's.")
MSG_COUNTED_BY_BOT = N_("The bot counts this figure from its records: it is not typed.")
MSG_LOCKED = N_("This self-assessment was submitted. Reopen it first to change an answer.")


@dataclass(frozen=True)
class Assessment:
    """One registration's self-assessment as far as it went, scored."""

    registration: Registration
    criteria: CriteriaSet
    answers: Mapping[str, Answer]
    window: tuple[datetime | None, datetime | None] | None
    on_behalf: bool = False  # opened by a hamlet head for the family, at its request
    # A group's figures the bot fills in (live until submitted, then as they were).
    facts: Mapping[Fact, Share] = field(default_factory=dict)

    @property
    def closes_at(self) -> datetime | None:
        return self.window[1] if self.window else None

    @cached_property
    def result(self) -> AssessmentResult:
        # Scored when first asked for: saving an answer scores only the assessment after it.
        return score_assessment(self.criteria, self.answers)

    def with_answers(self, answers: Mapping[str, JsonAnswer]) -> Assessment:
        """The same assessment after saving `answers`, scored again without reloading."""
        registration = replace(self.registration, answers=dict(answers))
        decoded = _filled(self.criteria, registration, decode_answers(answers), self.facts)
        return replace(self, registration=registration, answers=decoded)


async def open_assessment(
    uow: UnitOfWork,
    user_id: int,
    registration_id: int,
    *,
    shipped: Mapping[str, str],
    now: datetime,
) -> Assessment:
    """The assessment of one of the user's registrations, its criteria set fixed on first use."""
    area_code, registration, on_behalf = await _registration_for(
        uow, user_id, registration_id, now
    )
    window = await _window(uow, area_code, registration)
    set_id, criteria = await criteria_with_id(
        uow,
        registration.criteria_set_id,
        area_code,
        registration.title,
        registration.year,
        shipped,
        now,
    )
    if registration.criteria_set_id is None:
        await uow.registrations.save_answers(registration.id, set_id, {})
        await uow.commit()
        registration = await _reload(uow, registration.id)
    facts = await _live_facts(uow, registration, criteria, shipped)
    answers = _filled(criteria, registration, decode_answers(registration.answers), facts)
    return Assessment(registration, criteria, answers, window, on_behalf, facts)


async def _live_facts(
    uow: UnitOfWork, registration: Registration, criteria: CriteriaSet, shipped: Mapping[str, str]
) -> dict[Fact, Share]:
    """A group's figures now, while it can still answer; after that, those kept."""
    if registration.household_id is not None or not registration.can_answer:
        return {}
    if not facts_needed(criteria):
        return {}
    return await group_facts(uow, registration, shipped)


def _filled(
    criteria: CriteriaSet,
    registration: Registration,
    answers: Mapping[str, Answer],
    facts: Mapping[Fact, Share],
) -> dict[str, Answer]:
    """Answers with the live facts in, while the subject can still answer (after submission
    the stored answers hold the facts as they were)."""
    if registration.can_answer and facts_needed(criteria):
        return with_facts(criteria, answers, facts)
    return dict(answers)


def check_window(window: tuple[datetime | None, datetime | None] | None, now: datetime) -> None:
    """Refuse when the commune's assessment window is not open (opens later, or closed)."""
    refusal = window_refusal(*window, now) if window else None
    if refusal is None:
        return
    not_yet, moment = refusal
    if not_yet:
        raise ServiceError(N_("Self-assessment opens on {date}."), date=moment)
    raise ServiceError(N_("Self-assessment closed on {date}."), date=moment)


async def save_answer(
    uow: UnitOfWork,
    user_id: int,
    registration_id: int,
    indicator_id: str,
    answer: Answer,
    *,
    shipped: Mapping[str, str],
    now: datetime,
) -> Assessment:
    """Keep one answer at once; an answer the indicator does not accept changes nothing."""
    current = await open_assessment(uow, user_id, registration_id, shipped=shipped, now=now)
    return await answer_question(uow, current, indicator_id, answer, now)


async def answer_question(
    uow: UnitOfWork, current: Assessment, indicator_id: str, answer: Answer, now: datetime
) -> Assessment:
    """`save_answer` for an assessment already opened in this update: `open_assessment`
    checked then that it is the user's own, so it is not loaded a second time."""
    check_window(current.window, now)
    if not current.registration.can_answer:
        raise ServiceError(MSG_LOCKED)
    indicator = current.criteria.indicator(indicator_id)
    if indicator is not None and indicator.fact is not None:
        raise ServiceError(MSG_COUNTED_BY_BOT)
    if indicator is None or score_answer(indicator, answer) is None:
        raise ServiceError(N_("This answer does not fit the question. Please choose again."))
    answers = {**current.registration.answers, indicator_id: encode_answer(answer)}
    assert current.registration.criteria_set_id is not None
    await uow.registrations.save_answers(
        current.registration.id, current.registration.criteria_set_id, answers
    )
    await uow.commit()
    return current.with_answers(answers)


async def submit_assessment(
    uow: UnitOfWork,
    user_id: int,
    registration_id: int,
    *,
    shipped: Mapping[str, str],
    now: datetime,
) -> AssessmentResult:
    """Lock the answers and send them on to the hamlet head, with their score."""
    current = await open_assessment(uow, user_id, registration_id, shipped=shipped, now=now)
    check_window(current.window, now)
    if current.result.missing:
        raise ServiceError(
            N_("Some questions are not answered yet ({count}). Please answer them first."),
            count=len(current.result.missing),
        )
    await _keep_facts(uow, current)
    await _move(
        uow,
        current.registration,
        Status.SELF_ASSESSED,
        now,
        score=(current.result.total, current.result.passed),
    )
    await uow.registrations.set_assessed_by(
        current.registration.id, user_id if current.on_behalf else None
    )
    if current.on_behalf:
        await uow.audit.record(
            "assess_on_behalf", current.registration.household_id, {}, now, actor_id=user_id
        )
    await uow.commit()
    return current.result


async def _keep_facts(uow: UnitOfWork, current: Assessment) -> None:
    """Store a group's figures with its answers: the assessment shows them as submitted."""
    filled = {
        indicator.id: encode_answer(current.answers[indicator.id])
        for indicator in current.criteria.indicators()
        if indicator.fact is not None and indicator.id in current.answers
    }
    if filled and current.registration.criteria_set_id is not None:
        answers = {**current.registration.answers, **filled}
        await uow.registrations.save_answers(
            current.registration.id, current.registration.criteria_set_id, answers
        )


async def reopen_assessment(
    uow: UnitOfWork, user_id: int, registration_id: int, now: datetime
) -> None:
    """Take a submitted assessment back to change it: until verified or the deadline."""
    area_code, registration, _ = await _registration_for(uow, user_id, registration_id, now)
    window = await _window(uow, area_code, registration)
    await _move(
        uow, registration, Status.REGISTERED, now, reopen_deadline=window[1] if window else None
    )
    await uow.commit()


async def citizen_registration(
    uow: UnitOfWork, user_id: int, member_id: int, *, year: int, now: datetime
) -> Registration:
    """The learning-citizen registration of an adult member for `year`, made on first use."""
    household = await own_household(uow, user_id, "citizen", now)
    members = {m.id: m for m in await uow.households.members(household.id)}
    member = members.get(member_id)
    if member is None:
        raise NotAllowed(N_("This person is not a member of your household."))
    if not member.is_adult(year):
        raise ServiceError(N_("Only adults (18 and over) self-assess as learning citizens."))
    subject, title = member_subject(member_id), Title.CONG_DAN.value
    found = await uow.registrations.find(household.id, subject, title, year)
    if found is not None:
        return found
    registration = await uow.registrations.add(household.id, subject, title, year, (), now)
    await uow.commit()
    return registration


async def decide(
    uow: UnitOfWork,
    notifier: Notifier,
    actor: User,
    registration_id: int,
    target: Status,
    now: datetime,
    *,
    comment: str | None = None,
    decision: Decision | None = None,
) -> None:
    """Verify, return, recognise or not: by a hamlet head or officer of the household's area
    (a group's: by the commune, which recognises it by `decision`, kept with its number and
    day). Everyone who acts for the subject is told, each in their own language."""
    registration = await uow.registrations.get(registration_id)
    if registration is None:
        raise ServiceError(N_("This registration no longer exists."))
    if target not in DECIDERS:
        raise ServiceError(N_("Only a hamlet head or the commune decides this."))
    recognises_group = (target, registration.household_id) == (Status.RECOGNISED, None)
    if recognises_group != (decision is not None):
        # A group is recognised by a decision (see group_review.recognise_group); families
        # by /recognize's, which records it for many at once (recognition.recognise).
        raise ValueError("a decision recognises a group, and only a group")
    area_code = await _decision_scope(uow, actor, registration, target, now)
    if target in (Status.VERIFIED, Status.RETURNED):
        await check_verification_open(uow, area_code, registration.title, registration.year, now)
    await _move(uow, registration, target, now, comment=decision.number if decision else comment)
    if decision is not None:
        await uow.registrations.set_decision([registration.id], decision.number, decision.day)
    details = {"status": target.value, **_group_detail(registration), **_decision(decision)}
    await uow.audit.record("decide", registration.household_id, details, now, actor_id=actor.id)
    await uow.commit()
    params: dict[str, object] = {"comment": comment or ""}
    if registration.household_id is None:
        msgid, params = _group_notice(registration, target, params, decision)
        await tell_group(uow, notifier, registration, msgid, params, now)
    else:
        await tell_household(
            uow, notifier, registration.household_id, STATUS_NOTICES[target], params, now
        )
    await uow.commit()  # accounts found unreachable


async def _decision_scope(
    uow: UnitOfWork, actor: User, registration: Registration, target: Status, now: datetime
) -> str:
    """The area the decision is taken in, once `actor` may take it there."""
    action = f"decide:{target.value}"
    if registration.household_id is None:
        # Groups cross hamlets (clans) or stand beside them (units, the hamlet itself):
        # the commune decides every step.
        area_code = registration.area_code or ""
        if not await oversees_area(uow, actor, area_code, GROUP_DECIDERS):
            raise await refuse(uow, actor.id, action, now, None, MSG_NOT_YOURS)
        return area_code
    household = await household_in_scope(
        uow, actor, registration.household_id, action, now, DECIDERS[target]
    )
    return household.hamlet_code


def _group_detail(registration: Registration) -> dict[str, str]:
    return {} if registration.household_id is not None else {"subject": registration.subject}


def _decision(decision: Decision | None) -> dict[str, str]:
    return {"decision": decision.number} if decision else {}


def _group_notice(
    registration: Registration,
    target: Status,
    params: dict[str, object],
    decision: Decision | None,
) -> tuple[str, dict[str, object]]:
    """What a group is told of a decision: a recognition by decision names it and its title."""
    if decision is None:
        return GROUP_STATUS_NOTICES[target], params
    return MSG_GROUP_RECOGNISED, {
        **params,
        "decision": decision.number,
        "day": decision.day,
        "title": Title(registration.title),
        "year": str(registration.year),
    }


GROUP_DECIDERS = (Role.COMMUNE_OFFICER,)
GROUP_STATUS_NOTICES = {
    Status.VERIFIED: N_(
        "✅ The commune checked the self-assessment of {name} and proposed it for recognition."
    ),
    Status.RETURNED: N_(
        "↩️ The commune returned the self-assessment of {name} with this comment: {comment}\n"
        "Please check the answers and submit again."
    ),
    Status.NOT_RECOGNISED: N_(
        "The commune did not recognise {name} this year, for this reason: {comment}"
    ),
}
MSG_GROUP_RECOGNISED = N_(
    "🎉 Congratulations! By decision {decision} of {day}, the commune recognised {name} as a "
    "“{title}” for {year}."
)
STATUS_NOTICES = {
    Status.VERIFIED: N_(
        "✅ Your hamlet head confirmed your self-assessment and proposed your family to the "
        "commune. Press /status to see where you stand."
    ),
    Status.RETURNED: N_(
        "↩️ Your hamlet head returned your self-assessment with this comment: {comment}\n"
        "Please check your answers and submit again from the menu."
    ),
    Status.RECOGNISED: N_(
        "🎉 Congratulations! The commune recognised your family this year. "
        "Press /status to see the details."
    ),
    Status.NOT_RECOGNISED: N_(
        "The commune did not recognise your family this year, for this reason: {comment}\n"
        "Your hamlet head can tell you more. Press /status to see the details."
    ),
}


# Who may move a registration to each status decided by others: the hamlet head vouches
# (or returns), the commune recognises; a commune officer may also do the hamlet head's part.
DECIDERS = {
    Status.VERIFIED: (Role.HAMLET_HEAD, Role.COMMUNE_OFFICER),
    Status.RETURNED: (Role.HAMLET_HEAD, Role.COMMUNE_OFFICER),
    Status.RECOGNISED: (Role.COMMUNE_OFFICER,),
    Status.NOT_RECOGNISED: (Role.COMMUNE_OFFICER,),
}


async def _registration_for(
    uow: UnitOfWork, user_id: int, registration_id: int, now: datetime
) -> tuple[str, Registration, bool]:
    """The registration with the area it is assessed in (a household's hamlet, a group's
    area), and whether the user acts on the subject's behalf: it is their own household's
    (or group's), or they are a hamlet head (or officer) over it. Anything else is refused
    and written down."""
    own = await uow.registrations.own(registration_id, user_id)
    if own is not None:  # the common case, checked in one query
        return own[0], own[1], False
    registration = await uow.registrations.get(registration_id)
    if registration is not None and registration.household_id is None:
        return await _group_registration_for(uow, user_id, registration, now)
    household = await uow.households.of_user(user_id)
    if registration and household and registration.household_id == household.id:
        return household.hamlet_code, registration, False
    actor = await uow.users.get(user_id)
    if registration is not None and actor is not None and _is_staff(actor):
        assert registration.household_id is not None
        theirs = await household_in_scope(uow, actor, registration.household_id, "assess", now)
        return theirs.hamlet_code, registration, True
    # Someone else's registration (or none): written down. Without a household of their own
    # (never registered, or erased from another phone) they hear how to register.
    target = registration.household_id if registration else None
    message = MSG_NOT_IN_HOUSEHOLD if household is None else MSG_NOT_YOURS
    raise await refuse(uow, user_id, "assess", now, target, message)


async def _group_registration_for(
    uow: UnitOfWork, user_id: int, registration: Registration, now: datetime
) -> tuple[str, Registration, bool]:
    actor = await uow.users.get(user_id)
    if actor is None:
        raise NotAllowed(MSG_NOT_YOURS)
    on_behalf = await may_act_for(uow, actor, registration, "assess", now)
    return registration.area_code or "", registration, on_behalf


def _is_staff(user: User) -> bool:
    return holds_role(user, HEAD_ROLES)


async def _window(
    uow: UnitOfWork, area_code: str, registration: Registration
) -> tuple[datetime | None, datetime | None] | None:
    codes = [area.code for area in await area_path(uow, area_code)]
    deadlines = await uow.registrations.deadlines(codes, registration.title, registration.year)
    return deadlines.assessment_opens, deadlines.assessment_closes


async def _reload(uow: UnitOfWork, registration_id: int) -> Registration:
    registration = await uow.registrations.get(registration_id)
    assert registration is not None
    return registration


async def _move(
    uow: UnitOfWork,
    registration: Registration,
    target: Status,
    now: datetime,
    *,
    reopen_deadline: datetime | None = None,
    comment: str | None = None,
    score: tuple[int, bool] | None = None,
) -> None:
    try:
        transition(registration.status, target, now=now, reopen_deadline=reopen_deadline)
    except TransitionRefused as refused:
        raise ServiceError(refused.msgid, **refused.params) from refused
    await uow.registrations.set_status(registration.id, target, now, comment=comment, score=score)
