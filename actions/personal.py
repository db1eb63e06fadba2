"""Answers from a person's own records, shown only to them (or a family member they authorised).

Every personal answer goes through `answer_personal`: it finds who is asking, whose data they asked
for (「我妈的余额」 → the authorised member), reads the records, formats them masked and writes one
audit row. Unverified users get the general answer and an offer to verify; the question waits in
slot pending_query until verification succeeds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.identity import can_bind, channel_of, in_thread
from bot.periods import parse_period
from bot.records import audit, family, queries, report, verification
from bot.records.clock import today
from bot.records.db import session_scope


@dataclass(frozen=True)
class PersonalTopic:
    what: str  # the audit log's description of what was shown
    read: Callable[..., str]  # (session, subject_ref, relation, period_text) -> reply text
    general_response: str | None  # shown to unverified users; None = the rule already answered
    offer_when_unverified: bool = True


def _balance(session: Session, ref: str, relation: str | None, period_text: str | None) -> str:
    return report.format_balance(queries.balance(session, ref), relation)


def _payment_records(session: Session, ref: str, relation: str | None, period_text: str | None) -> str:
    period = parse_period(period_text, today())
    months = 12
    if period:  # 「最近两年的缴费记录」 widens the grid, up to five years
        months = max(12, min(60, (today().year - period.start.year) * 12 + today().month - period.start.month + 1))
    return report.format_payment_records(queries.contribution_history(session, ref), relation, months=months)


def _insured_location(session: Session, ref: str, relation: str | None, period_text: str | None) -> str:
    return report.format_insured_location(queries.insured_locations(session, ref), relation)


def _consumption(session: Session, ref: str, relation: str | None, period_text: str | None) -> str:
    period = parse_period(period_text, today())
    start, end = (period.start, period.end) if period else (None, None)
    return report.format_consumption(queries.consumption(session, ref, start, end), relation)


def _filings(session: Session, ref: str, relation: str | None, period_text: str | None) -> str:
    return report.format_filings(queries.remote_care_filings(session, ref), relation)


def _chronic(session: Session, ref: str, relation: str | None, period_text: str | None) -> str:
    return report.format_chronic(queries.chronic_qualifications(session, ref), relation)


def _claims(session: Session, ref: str, relation: str | None, period_text: str | None) -> str:
    return report.format_claims(queries.claims(session, ref), relation)


def _transfers(session: Session, ref: str, relation: str | None, period_text: str | None) -> str:
    return report.format_transfers(queries.transfers(session, ref), relation)


TOPICS: dict[str, PersonalTopic] = {
    "query_balance": PersonalTopic("个人账户余额", _balance, "utter_query_balance_general"),
    "query_payment_records": PersonalTopic("缴费记录", _payment_records, "utter_query_payment_records_general"),
    "query_insured_location": PersonalTopic("参保地", _insured_location, "utter_query_insured_location_general"),
    "query_consumption": PersonalTopic("消费明细", _consumption, "utter_query_consumption_general"),
    # Policy-first topics: the rule has already answered the policy question; records are an extra.
    "remote_care": PersonalTopic("异地就医备案", _filings, None, offer_when_unverified=False),
    "chronic_disease": PersonalTopic("门诊慢特病资格", _chronic, None, offer_when_unverified=False),
    "claim_process": PersonalTopic("报销进度", _claims, None, offer_when_unverified=False),
    "transfer": PersonalTopic("转移接续进度", _transfers, None, offer_when_unverified=False),
}


@dataclass(frozen=True)
class PersonalRequest:
    """A personal question, kept in slot pending_query as 「topic|relation|period」 while verifying."""

    topic: str
    relation: str | None = None
    period: str | None = None

    def encode(self) -> str:
        return "|".join((self.topic, self.relation or "", self.period or ""))

    @classmethod
    def decode(cls, value: str) -> PersonalRequest:
        topic, relation, period = (value.split("|") + ["", ""])[:3]
        return cls(topic, relation or None, period or None)

    @classmethod
    def from_message(cls, tracker: Tracker, topic: str) -> PersonalRequest:
        return cls(topic, _latest_entity(tracker, "relation"), _latest_entity(tracker, "date"))


def _latest_entity(tracker: Tracker, entity: str) -> str | None:
    # Only this message counts: 「我妈的余额」 earlier must not turn a later 「余额」 into the mother's.
    return next(tracker.get_latest_entity_values(entity), None)


@dataclass(frozen=True)
class Answer:
    text: str | None = None
    not_authorised_relation: str | None = None
    unknown_person: bool = False


async def current_person(tracker: Tracker) -> str | None:
    """The verified person: from this session, or from a WeChat/WeCom binding made earlier."""
    ref = tracker.get_slot("person_ref")
    if ref or not can_bind(tracker):
        return ref
    return await in_thread(_bound_person, channel_of(tracker), tracker.sender_id)


def _bound_person(channel: str, channel_user_id: str) -> str | None:
    with session_scope() as session:
        return verification.bound_person(session, channel, channel_user_id)


def read_records(actor_ref: str, request: PersonalRequest, channel: str, channel_user_id: str) -> Answer:
    """One database session: resolve whose data, check the right to read it, format, audit."""
    topic = TOPICS[request.topic]
    with session_scope() as session:
        try:
            subject_ref, relation = actor_ref, None
            if request.relation:
                member = family.find_member(session, actor_ref, request.relation)
                if member is None:
                    return Answer(not_authorised_relation=request.relation)
                subject_ref, relation = member.person_ref, member.relation
            if not family.can_read(session, actor_ref, subject_ref):
                return Answer(not_authorised_relation=request.relation or "该家属")
            text = topic.read(session, subject_ref, relation, request.period)
        except queries.UnknownPerson:
            return Answer(unknown_person=True)
        audit.record_access(session, actor_ref, subject_ref, topic.what, channel, channel_user_id)
        return Answer(text=text)


async def answer_personal(dispatcher: CollectingDispatcher, tracker: Tracker, request: str) -> list[EventType]:
    """Answers a personal question (encoded PersonalRequest or a bare topic name)."""
    wanted = PersonalRequest.decode(request)
    topic = TOPICS.get(wanted.topic)
    if topic is None:
        return []
    actor = await current_person(tracker)
    if actor is None:
        return _unverified(dispatcher, wanted, topic)
    answer = await in_thread(read_records, actor, wanted, channel_of(tracker), tracker.sender_id)
    if answer.unknown_person:
        dispatcher.utter_message(response="utter_identity_expired")
        return [SlotSet("person_ref", None)]
    if answer.not_authorised_relation:
        dispatcher.utter_message(response="utter_family_not_authorised", relation=answer.not_authorised_relation)
        return [SlotSet("person_ref", actor)]
    dispatcher.utter_message(text=answer.text)
    return [SlotSet("person_ref", actor)]


def _unverified(dispatcher: CollectingDispatcher, wanted: PersonalRequest, topic: PersonalTopic) -> list[EventType]:
    if topic.general_response:
        dispatcher.utter_message(response=topic.general_response)
    if not topic.offer_when_unverified:
        return []
    dispatcher.utter_message(response="utter_offer_verification")
    return [SlotSet("verification_offered", True), SlotSet("pending_query", wanted.encode())]


class ActionPersonalQuery(Action):
    """The user's latest intent names the topic (query_balance, remote_care, …)."""

    def name(self) -> str:
        return "action_personal_query"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        topic = (tracker.latest_message.get("intent") or {}).get("name")
        if topic not in TOPICS:
            return []
        return await answer_personal(dispatcher, tracker, PersonalRequest.from_message(tracker, topic).encode())
