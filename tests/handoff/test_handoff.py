"""转人工: a ticket with a masked transcript, the bot paused for that user, the agent's reply and close."""

from __future__ import annotations

import io
import re

import pytest

from bot.handoff import desk as handoff_desk
from bot.handoff.console import Console


class TrackerConversations:
    """The agent desk's view of Rasa conversations, backed by the test agent's tracker store
    (the production class does the same through Rasa's HTTP API)."""

    def __init__(self, assistant) -> None:
        self.assistant = assistant

    def messages_since_pause(self, sender: str) -> list[str]:
        events = [e.as_dict() for e in self.assistant.tracker(sender).events]
        return handoff_desk.user_texts_after_pause(events)

    def resume(self, sender: str) -> None:
        from rasa.shared.core.events import ActionExecuted, ConversationResumed

        tracker = self.assistant.tracker(sender)
        tracker.update(ConversationResumed())
        tracker.update(ActionExecuted("action_listen"))
        self.assistant.loop.run_until_complete(self.assistant.agent.tracker_store.save(tracker))


@pytest.fixture()
def desk(assistant, records_db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", records_db_url)
    delivered: list[tuple[str, str, str]] = []

    def deliver(channel: str, user: str, text: str) -> bool:
        delivered.append((channel, user, text))
        return True

    out = io.StringIO()
    return Console("测试坐席", TrackerConversations(assistant), deliver, out), delivered, out


def test_handoff_pauses_until_the_agent_closes_the_ticket(assistant, desk):
    console, delivered, out = desk
    user = assistant.new_sender("handoff")
    assistant.texts("住院报销要带什么材料", user)
    reply = assistant.texts("转人工", user)
    ticket = int(re.search(r"工单号：(\d+)", reply).group(1))
    assert "12393" in reply
    assert assistant.tracker(user).is_paused()

    assert assistant.send("我的医保卡丢了怎么办", user) == []  # paused: the agent answers, not the bot

    console.run_command("ls")
    assert f"#{ticket}" in out.getvalue()
    console.run_command(f"show {ticket}")
    shown = out.getvalue()
    assert "转人工" in shown and "报销" in shown and "医保卡丢了" in shown

    console.run_command(f"reply {ticket} 您好，医保卡丢失请先拨打12333挂失。")
    assert delivered[-1] == ("rest", user, "您好，医保卡丢失请先拨打12333挂失。")
    assert handoff_desk.replies_for(user)[0]["text"].startswith("您好，医保卡丢失")

    console.run_command(f"close {ticket}")
    assert delivered[-1][2] == handoff_desk.CLOSING_TEXT
    assert not assistant.tracker(user).is_paused()
    assert "医保卡" in assistant.texts("医保卡丢了怎么补办", user)

    console.run_command(f"close {ticket}")
    assert "不存在或已关闭" in out.getvalue()
