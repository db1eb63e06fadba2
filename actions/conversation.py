"""Clarifying questions and declined offers."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import (
    FAQ_SLOT,
    TOPIC_SLOT,
    ActionAnswerDetails,
    answer_follow_up,
    compute,
    entry_when_unsure,
    is_short_follow_up,
    refined_tracker,
    reply_with_entry,
)
from bot.topics import (
    INTENT_LABELS,
    out_of_scope_is_clear,
    redirect_regardless_of_topic,
    redirect_response,
    top_topics,
)


def clarify(dispatcher: CollectingDispatcher, intent_ranking: list[dict]) -> None:
    """Asks back with the most likely 医保 topics as numbered options (top-3 holds the right one far
    more often than top-1 on real questions), or asks to rephrase when there is nothing to offer."""
    topics = top_topics(intent_ranking)
    if len(topics) < 2:
        dispatcher.utter_message(response="utter_default")
        return
    buttons = [{"title": INTENT_LABELS[name], "payload": f"/{name}"} for name in topics]
    dispatcher.utter_message(response="utter_clarify", buttons=buttons)


class ActionClarify(Action):
    """Low NLU confidence: offer the most likely topics instead of guessing or refusing."""

    def name(self) -> str:
        return "action_clarify"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        text = tracker.latest_message.get("text") or ""
        redirect = redirect_regardless_of_topic(text)
        if redirect:
            dispatcher.utter_message(response=redirect)
            return []
        refinement = refined_tracker(tracker)  # 「三级医院」 after an estimate: compute it again
        if refinement is not None:
            return await compute(refinement[0], dispatcher, refinement[1], domain)
        return await answer_unsure(dispatcher, tracker, domain)


async def answer_unsure(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
    """The NLU could not place the message: a follow-up of the last answer, a clear entry of its likeliest
    topics, or else the likeliest topics to pick from."""
    text = tracker.latest_message.get("text") or ""
    follow_up = answer_follow_up(tracker)  # 「那要带什么」 right after an answer: same topic
    if follow_up and follow_up != tracker.get_slot(FAQ_SLOT):
        return reply_with_entry(dispatcher, follow_up, tracker)
    if is_short_follow_up(tracker):  # 「要带什么」 about the answer just given: its details say it
        return await ActionAnswerDetails().run(dispatcher, tracker, domain)
    ranking = tracker.latest_message.get("intent_ranking", [])
    entry = entry_when_unsure(text, ranking)
    if entry is not None:
        return [*reply_with_entry(dispatcher, entry.entry.key, tracker), SlotSet(TOPIC_SLOT, entry.entry.intent)]
    clarify(dispatcher, ranking)
    return []


class ActionOutOfScope(Action):
    """Not 医保: name the service that answers it (12333, the insurer, …). Refuse only when the model
    is sure; otherwise ask back with the 医保 topics it also considered."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        ranking = tracker.latest_message.get("intent_ranking", [])
        redirect = redirect_response(tracker.latest_message.get("text") or "")
        if redirect:
            dispatcher.utter_message(response=redirect)
        elif out_of_scope_is_clear(ranking):
            dispatcher.utter_message(response="utter_out_of_scope")
        else:
            return await answer_unsure(dispatcher, tracker, domain)
        return []


class ActionOfferDeclined(Action):
    """The user does not want to verify now: keep helping with general questions."""

    def name(self) -> str:
        return "action_offer_declined"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        dispatcher.utter_message(response="utter_offer_declined")
        return [SlotSet("verification_offered", False), SlotSet("pending_query", None)]
