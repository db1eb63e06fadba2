"""What a channel says when Rasa produced no reply at all.

Rasa logs and swallows a failing custom action (action server down, database unavailable), and a
paused conversation (转人工) answers nothing: either way the user would see silence. The channel
turns that into a clear answer instead.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from bot.records import handoff
from bot.records.db import session_scope
from bot.replies import response_text

BUSY_TEXT = response_text("utter_busy")
# Metadata of the bot event that stores such an answer in the conversation (bot/runtime/tracker_store.py).
SILENT_REPLY_KEY = "silent_reply"
WITH_AGENT_TEXT = response_text("utter_with_agent")
logger = logging.getLogger(__name__)


def silent_reply(channel_user_id: str) -> str:
    """Tells a user waiting for a human agent that their message arrived; everyone else that we're busy."""
    try:
        with session_scope() as session:
            if any(t.status == "open" for t in handoff.tickets_of(session, channel_user_id)):
                return WITH_AGENT_TEXT
    except SQLAlchemyError:
        logger.warning("records store unavailable while answering an empty reply")
    return BUSY_TEXT
