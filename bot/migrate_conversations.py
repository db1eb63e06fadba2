"""One-off migration to channel-prefixed conversation ids (issue #11): `python -m bot.migrate_conversations`.

Before, a conversation was keyed by whatever sender id the channel passed on: the WeChat OpenID, the
WeCom UserID, or the REST client's `sender`. Now every channel prefixes it ("wechat:o_x",
"rest:abc", bot/identity.py). This renames the stored conversations accordingly — the channel is
read from the conversation's latest user message — and the conversation ids kept on handoff
tickets, so paused 转人工 conversations resume. WeChat/WeCom bindings are keyed by (channel, id) and
need nothing. A person_ref kept in an old conversation is a bare ref, which no longer counts as a
verification: REST and web users verify again, WeChat/WeCom users are still recognised by their
binding. Idempotent: prefixed ids are left alone. Run it with the servers stopped.
"""

from __future__ import annotations

import argparse
import json

from sqlalchemy import bindparam, create_engine, text
from sqlalchemy.engine import Connection

from bot.identity import CHANNELS
from bot.records.db import session_scope
from bot.records.models import HandoffTicket
from bot.runtime.tracker_store import tracker_store_url

# Rasa input channel names -> our conversation prefixes
PREFIX_OF_INPUT_CHANNEL = {"wechat": "wechat", "wecom": "wecom"}


def new_conversation_id(old: str, input_channel: str | None) -> str:
    return f"{PREFIX_OF_INPUT_CHANNEL.get(input_channel or '', 'rest')}:{old}"


def is_prefixed(conversation_id: str) -> bool:
    prefix, separator, rest = conversation_id.partition(":")
    return bool(separator and prefix in CHANNELS and rest)


def migrate_tracker_store(connection: Connection) -> dict[str, str]:
    """Renames unprefixed conversations in Rasa's events table; returns old id -> new id."""
    senders = [row[0] for row in connection.execute(text("SELECT DISTINCT sender_id FROM events"))]
    renamed = {old: new_conversation_id(old, _latest_input_channel(connection, old))
               for old in senders if not is_prefixed(old)}
    update = text("UPDATE events SET sender_id = :new WHERE sender_id = :old")
    for old, new in renamed.items():
        connection.execute(update, {"new": new, "old": old})
    return renamed


def _latest_input_channel(connection: Connection, sender: str) -> str | None:
    query = text("SELECT data FROM events WHERE sender_id = :sender AND type_name = 'user' ORDER BY id DESC LIMIT 1")
    data = connection.execute(query, {"sender": sender}).scalar()
    return json.loads(data).get("input_channel") if data else None


def migrate_tickets(renamed: dict[str, str]) -> int:
    """Tickets keep the conversation id (the desk resumes it); channel-only ids get their prefix."""
    changed = 0
    with session_scope() as session:
        for ticket in session.query(HandoffTicket).filter(HandoffTicket.channel_user_id.in_(
                bindparam("ids", list(renamed), expanding=True))):
            ticket.channel_user_id = renamed[ticket.channel_user_id]
            ticket.channel = ticket.channel_user_id.partition(":")[0]
            changed += 1
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracker-store-url", default=None, help="default: TRACKER_STORE_URL")
    args = parser.parse_args(argv)
    engine = create_engine(args.tracker_store_url or tracker_store_url(), future=True, hide_parameters=True)
    with engine.begin() as connection:
        renamed = migrate_tracker_store(connection)
    tickets = migrate_tickets(renamed)
    print(f"renamed {len(renamed)} conversations, updated {tickets} tickets")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
