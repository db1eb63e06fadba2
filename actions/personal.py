"""Answers from a person's own records, shown only to them (or a family member they authorised).

Every personal answer goes through `answer_personal`, which hands the question to bot.access: it
finds who is asking, whose data they asked for (「我妈的余额」 → the authorised member), reads the
records, formats them masked and writes one audit row. Unverified users get the general answer and
an offer to verify; the question waits in slot pending_query until verification succeeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import asker, in_thread
from bot import access


@dataclass(frozen=True)
class PersonalTopic:
    general_response: str | None  # shown to unverified users; None = the rule already answered
    offer_when_unverified: bool = True


TOPICS: dict[str, PersonalTopic] = {
    "query_balance": PersonalTopic("utter_query_balance_general"),
    "query_payment_records": PersonalTopic("utter_query_payment_records_general"),
    "query_insured_location": PersonalTopic("utter_query_insured_location_general"),
    "query_consumption": PersonalTopic("utter_query_consumption_general"),
    # Policy-first topics: the rule has already answered the policy question; records are an extra.
    "remote_care": PersonalTopic(None, offer_when_unverified=False),
    "chronic_disease": PersonalTopic(None, offer_when_unverified=False),
    "claim_process": PersonalTopic(None, offer_when_unverified=False),
    "transfer": PersonalTopic(None, offer_when_unverified=False),
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


async def answer_personal(dispatcher: CollectingDispatcher, tracker: Tracker, request: str) -> list[EventType]:
    """Answers a personal question (encoded PersonalRequest or a bare topic name) through bot.access."""
    wanted = PersonalRequest.decode(request)
    topic = TOPICS.get(wanted.topic)
    if topic is None:
        return []
    answer = await in_thread(access.read_personal, asker(tracker), wanted.topic, wanted.relation, wanted.period)
    if answer.unverified:  # a token from another conversation, or an expired one, is dropped
        dropped = [SlotSet("person_ref", None)] if tracker.get_slot("person_ref") else []
        return dropped + _unverified(dispatcher, wanted, topic)
    if answer.unknown_person:
        dispatcher.utter_message(response="utter_identity_expired")
        return [SlotSet("person_ref", None)]
    keep = [SlotSet("person_ref", answer.token)] if answer.token != tracker.get_slot("person_ref") else []
    if answer.not_authorised_relation:
        dispatcher.utter_message(response="utter_family_not_authorised", relation=answer.not_authorised_relation)
        return keep
    dispatcher.utter_message(text=answer.text)
    return keep


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
