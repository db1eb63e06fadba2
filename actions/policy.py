"""Policy answers computed by bot.rules: from the person's records when verified, else from the message.

Each action reads entities and slots, calls one rule and renders it; every answer ends with its
source line (bot.rules.render).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import asker, in_thread
from actions.personal import answer_personal
from bot import access
from bot.faq.render import next_step_buttons
from bot.periods import parse_period
from bot.records import queries
from bot.records.clock import today
from bot.rules import (
    ReimbursementQuery,
    RuleInputError,
    TransferCase,
    check_transfer,
    claim_materials,
    employer_arrears,
    estimate_reimbursement,
    lapse_from_length,
    lapse_from_months,
    normalise_insurance_type,
    parse_amount,
)
from bot.rules.overview import arrears_overview, lapse_overview
from bot.rules.parsing import lapse_duration_months, parse_care_place, parse_gap_change
from bot.rules.render import first_line, render_brief, render_text
from bot.rules.results import RuleResult

BOTH_TYPES = ("职工", "居民")


def _text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def _entity(tracker: Tracker, name: str) -> str | None:
    return next(tracker.get_latest_entity_values(name), None)


def _entities(tracker: Tracker, name: str) -> list[str]:
    return list(tracker.get_latest_entity_values(name))


def _region(tracker: Tracker) -> str | None:
    # The region slot keeps the place named earlier in the conversation (「我在武汉交的」).
    return _entity(tracker, "region") or tracker.get_slot("region")


def _insurance_type(tracker: Tracker) -> str | None:
    return normalise_insurance_type(_entity(tracker, "insurance_type") or _text(tracker))


def _say(dispatcher: CollectingDispatcher, text: str) -> None:
    dispatcher.utter_message(text=text)


# A computed answer is sent short, with the numbered next steps; 「详细」 computes it again in full.
_DETAILED: ContextVar[bool] = ContextVar("detailed_reply", default=False)


@contextmanager
def detailed_replies() -> Iterator[None]:
    """Within this block the computing actions send their full rendering."""
    token = _DETAILED.set(True)
    try:
        yield
    finally:
        _DETAILED.reset(token)


def rendered(result: RuleResult, prefix: str = "") -> str:
    return prefix + render_text(result) if _DETAILED.get() else render_brief(result, prefix)


def _say_answer(dispatcher: CollectingDispatcher, text: str) -> None:
    """A computed answer: the short one carries the numbered next steps (详细, 转人工)."""
    dispatcher.utter_message(text=text, buttons=[] if _DETAILED.get() else next_step_buttons())


# ---------------------------------------------------------------- lapse

def lapse_from_records(who: access.Asker) -> str | None:
    """The lapse answer from the person's own contribution months; None when not verified or the
    records can't tell."""
    history = access.read_own(who, "缴费记录（断缴判断）", queries.contribution_history)
    if history is None or not history.insurance_type or not history.paid_months:
        return None
    result = lapse_from_months(history.paid_months, history.insurance_type, today(), region=history.region)
    return rendered(result, f"根据您的缴费记录（参保地：{history.region or '未知'}）：\n")


def lapse_from_message(months: int | None, insurance_type: str | None, region: str | None,
                       change: str | None = None) -> str:
    if months is None:
        return rendered(lapse_overview(region))
    if insurance_type:
        return rendered(lapse_from_length(months, insurance_type, region, change=change))
    results = [lapse_from_length(months, kind, region, change=change) for kind in BOTH_TYPES]
    if _DETAILED.get():
        return "\n\n".join(rendered(result, f"按{kind}医保：") for kind, result in zip(BOTH_TYPES, results, strict=True))
    lines = [f"按{kind}医保：{first_line(result)}" for kind, result in zip(BOTH_TYPES, results, strict=True)]
    lines += ["告诉我是职工医保还是居民医保（新农合算居民医保），可以说得更具体。",
              results[0].caveat() or "", results[0].source_line()]
    return "\n".join(line for line in lines if line)


class ActionLapse(Action):
    def name(self) -> str:
        return "action_lapse"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        said_months = lapse_duration_months(_text(tracker))  # 「交了10年断交」 is no 10-year gap
        if said_months is None and not _entity(tracker, "relation"):
            text = await in_thread(lapse_from_records, asker(tracker))
            if text:
                _say_answer(dispatcher, text)
                return []
        try:
            _say_answer(dispatcher, lapse_from_message(said_months, _insurance_type(tracker), _region(tracker),
                                                parse_gap_change(_text(tracker))))
        except RuleInputError as problem:
            _say(dispatcher, f"{problem}。")
        return []


# ---------------------------------------------------------------- transfer

AGE_LIMIT = re.compile(r"男.{0,3}50|女.{0,3}40|50岁|40岁|年龄限制|超龄")


def transfer_case(tracker: Tracker) -> TransferCase:
    types = [normalise_insurance_type(word) for word in _entities(tracker, "insurance_type")]
    types = [kind for kind in types if kind]
    regions = _entities(tracker, "region")
    return TransferCase(
        from_type=types[0] if types else None,
        to_type=types[1] if len(types) > 1 else (types[0] if types else None),
        region=regions[-1] if regions else tracker.get_slot("region"),  # 「从武汉转到深圳」: the last is 转入地
        quoted_age_limit=bool(AGE_LIMIT.search(_text(tracker))),
    )


class ActionTransfer(Action):
    def name(self) -> str:
        return "action_transfer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        _say_answer(dispatcher, rendered(check_transfer(transfer_case(tracker), today())))
        return await answer_personal(dispatcher, tracker, "transfer")


# ---------------------------------------------------------------- reimbursement

def reimbursement_query(tracker: Tracker, insurance_type: str | None, region: str | None) -> ReimbursementQuery | None:
    text = _text(tracker)
    amount = parse_amount(_entity(tracker, "amount"))
    if amount is None:
        return None
    return ReimbursementQuery(
        amount=amount, insurance_type=insurance_type, hospital_level=_entity(tracker, "hospital_level") or text,
        inpatient=not re.search(r"门诊|看病拿药|买药|挂号", text) or "住院" in text,
        care_place=parse_care_place(text), region=region,
    )


def insured_type_and_region(who: access.Asker) -> tuple[str | None, str | None] | None:
    """The asker's own insurance type and region; None when not verified."""
    history = access.read_own(who, "参保类型和参保地（报销估算）", queries.contribution_history)
    return None if history is None else (history.insurance_type, history.region)


class ActionReimbursement(Action):
    def name(self) -> str:
        return "action_reimbursement"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        insurance_type, region = _insurance_type(tracker), _region(tracker)
        if parse_amount(_entity(tracker, "amount")) is None:
            dispatcher.utter_message(response="utter_reimbursement_general")
            return []
        prefix = ""
        own = None
        if not insurance_type and not _entity(tracker, "relation"):
            own = await in_thread(insured_type_and_region, asker(tracker))
        if own is not None:
            insurance_type, own_region = own
            region = region or own_region
            prefix = f"按您的参保信息（{insurance_type or '类型未知'}医保，参保地{region or '未知'}）估算：\n"
        try:
            result = estimate_reimbursement(reimbursement_query(tracker, insurance_type, region))
        except RuleInputError as problem:
            _say(dispatcher, f"{problem}。")
            return []
        _say_answer(dispatcher, rendered(result, prefix))
        return []


# ---------------------------------------------------------------- employer arrears

class ActionEmployerArrears(Action):
    def name(self) -> str:
        return "action_employer_arrears"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        amount = parse_amount(_entity(tracker, "amount"))
        period = parse_period(_entity(tracker, "date") or _text(tracker), today())
        region = _region(tracker)
        try:
            if amount is not None and period is not None:
                result = employer_arrears(amount, period.start, today(), region)
            else:
                result = arrears_overview(region)
        except RuleInputError as problem:
            _say(dispatcher, f"{problem}。")
            return []
        _say_answer(dispatcher, rendered(result))
        return []


# ---------------------------------------------------------------- claims

ASKS_FOR_MATERIALS = re.compile(r"材料|带什么|带啥|要什么|要啥|准备什么|准备啥|证件|手续|资料")


class ActionClaimProcess(Action):
    """The material checklist for the case the user describes, then their own claims when verified."""

    def name(self) -> str:
        return "action_claim_process"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        result = claim_materials([_text(tracker)], _region(tracker), _entity(tracker, "relation"))
        if _DETAILED.get():
            dispatcher.utter_message(response="utter_claim_general")
        elif not ASKS_FOR_MATERIALS.search(_text(tracker)):  # the procedure first; its materials on 「详细」
            dispatcher.utter_message(response="utter_claim_general", buttons=next_step_buttons())
            return await answer_personal(dispatcher, tracker, "claim_process")
        _say_answer(dispatcher, rendered(result))
        return await answer_personal(dispatcher, tracker, "claim_process")
