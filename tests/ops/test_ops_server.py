"""/ops and the chat's feedback against a real `rasa run` with the project's credentials.yml."""

from __future__ import annotations

import re

import pytest

from bot.channels.numbered import render_message_texts
from bot.faq.render import FIRST_REPLY_LIMIT
from bot.handoff import desk as handoff_desk
from bot.ops.chat import ASK_REASON, THANKS_REASON, THANKS_SURVEY, UNHELPFUL_TITLE
from bot.records.audit import operator_actions
from bot.records.db import session_scope
from bot.records.models import OpsFeedback, OpsReviewItem, OpsSurvey
from tests.ops.stack import OPERATOR, PASSWORD, bearer, get, post_form, rest, start_stack


@pytest.fixture(scope="module")
def stack(trained_model, tmp_path_factory):
    started = start_stack(trained_model, tmp_path_factory.mktemp("ops_server"))
    yield started
    started.close()


def test_ops_pages_need_a_login_or_the_token(stack) -> None:
    status, _, headers = get(f"{stack.url}/ops", {"Accept": "text/html"})
    assert status == 302 and headers["Location"] == "/ops/login"
    assert get(f"{stack.url}/ops/review")[0] == 401
    assert get(f"{stack.url}/ops/export.csv")[0] == 401
    assert get(f"{stack.url}/ops", {"Authorization": "Bearer wrong-token-wrong-token"})[0] == 401
    status, body, headers = get(f"{stack.url}/ops", bearer())
    assert status == 200 and "数据看板" in body and "default-src 'none'" in headers["Content-Security-Policy"]


def test_answer_offers_unhelpful_as_the_last_number_and_takes_a_reason(stack) -> None:
    reply = rest(stack.url, "fb-user", "我的医保断缴了怎么办")
    buttons = [b for m in reply for b in m.get("buttons") or []]
    assert buttons[-1]["title"] == UNHELPFUL_TITLE and buttons[0]["title"] == "看详细和依据"
    shown, _ = render_message_texts(reply)  # as WeChat and the menu print it: text, then 回复N lines
    assert len(shown) <= FIRST_REPLY_LIMIT
    number = str(len(buttons))
    assert [m["text"] for m in rest(stack.url, "fb-user", number)] == [ASK_REASON]
    assert [m["text"] for m in rest(stack.url, "fb-user", "我问的是灵活就业的断缴")] == [THANKS_REASON]
    menu = rest(stack.url, "fb-user", "0")  # 0 still opens the main menu
    assert any(b["payload"] == "/human_handoff" for m in menu for b in m.get("buttons") or [])
    with session_scope(stack.records_url) as session:
        [rating] = session.query(OpsFeedback).all()
        assert rating.rating == -1 and rating.reason == "我问的是灵活就业的断缴"
        [item] = session.query(OpsReviewItem).filter_by(reason="unhelpful").all()
        assert item.question == "我的医保断缴了怎么办" and item.predicted_intent == "lapse"


def test_menu_and_clarify_replies_get_no_feedback_option(stack) -> None:
    for text in ("菜单", "你好"):
        assert all(b["title"] != UNHELPFUL_TITLE for m in rest(stack.url, "other-user", text)
                   for b in m.get("buttons") or [])


def test_satisfaction_is_asked_when_the_ticket_closes(stack, monkeypatch) -> None:
    text = "\n".join(m.get("text", "") for m in rest(stack.url, "sat-user", "转人工"))
    ticket = int(re.search(r"工单号：(\d+)", text).group(1))
    monkeypatch.setenv("DATABASE_URL", stack.records_url)
    delivered: list[tuple] = []
    handoff_desk.close(ticket, handoff_desk.RasaConversations(base_url=stack.url),
                       lambda *sent: delivered.append(sent) or True)
    assert "回复1–5" in delivered[-1][2]
    assert [m["text"] for m in rest(stack.url, "sat-user", "4")] == [THANKS_SURVEY]
    with session_scope(stack.records_url) as session:
        assert session.get(OpsSurvey, ticket).score == 4


def test_csv_export_is_audited_with_the_operator(stack) -> None:
    status, body, headers = get(f"{stack.url}/ops/export.csv?from=2020-01-01&to=2020-01-02", bearer())
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert "section,date,key,value" in body and "messages,2020-01-01" not in body  # no channel that day
    with session_scope(stack.records_url) as session:
        assert [(a.actor_ref, a.what) for a in operator_actions(session)][-1] == (
            "operator:token", "export_csv 2020-01-01..2020-01-02")


def test_forms_need_the_session_csrf_token_and_this_origin(stack) -> None:
    status, _, headers = post_form(f"{stack.url}/ops/login", {"name": OPERATOR, "password": PASSWORD})
    assert status == 302 and headers["Location"] == "/ops"
    cookie = headers["Set-Cookie"].split(";")[0]
    assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
    session = {"Cookie": cookie}
    status, page, _ = get(f"{stack.url}/ops/review", session)
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    assert post_form(f"{stack.url}/ops/review/export", {}, session)[0] == 403  # no token
    assert post_form(f"{stack.url}/ops/review/export", {"csrf": "0" * 32}, session)[0] == 403
    assert post_form(f"{stack.url}/ops/review/export", {"csrf": token},
                     {**session, "Origin": "https://evil.example"})[0] == 403
    assert post_form(f"{stack.url}/ops/review/export", {"csrf": token})[0] == 401  # no session at all
    status, body, _ = post_form(f"{stack.url}/ops/review/export", {"csrf": token}, session)
    assert status == 200 and ("没有已标注" in body or "已导出" in body)
