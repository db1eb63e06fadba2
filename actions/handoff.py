"""转人工: open a ticket with the recent conversation (masked) and pause the bot for this user."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import asker, in_thread
from bot import access
from bot.handoff.transcript import recent_transcript


class ActionHumanHandoff(Action):
    def name(self) -> str:
        return "action_human_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        reason = tracker.latest_message.get("text") or "转人工"
        ticket = await in_thread(access.open_ticket, asker(tracker), reason, recent_transcript(tracker.events))
        dispatcher.utter_message(response="utter_human_handoff", ticket=str(ticket))
        # Paused: Rasa keeps logging the user's messages for the agent but answers nothing until resumed.
        return [ConversationPaused()]
