"""Clarifying questions and declined offers."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.topics import INTENT_LABELS, top_topics


class ActionClarify(Action):
    """Low NLU confidence: offer the two most likely topics as buttons."""

    def name(self) -> str:
        return "action_clarify"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        topics = top_topics(tracker.latest_message.get("intent_ranking", []))
        if len(topics) < 2:
            dispatcher.utter_message(response="utter_default")
            return []
        first, second = (INTENT_LABELS[name] for name in topics)
        buttons = [{"title": INTENT_LABELS[name], "payload": f"/{name}"} for name in topics]
        dispatcher.utter_message(response="utter_clarify", first=first, second=second, buttons=buttons)
        return []


class ActionOfferDeclined(Action):
    """The user does not want to verify now: keep helping with general questions."""

    def name(self) -> str:
        return "action_offer_declined"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        dispatcher.utter_message(response="utter_offer_declined")
        return [SlotSet("verification_offered", False), SlotSet("pending_query", None)]
