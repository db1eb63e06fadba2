"""Turns, ratings, the review queue, its export, the dashboard's figures and retention, on SQLite and
PostgreSQL (the dates come from the test, never from today)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy
import yaml
from sqlalchemy import select

from bot.ops import dashboard, export, feedback, queue, retention, turns
from bot.records.db import session_scope
from bot.records.handoff import add_agent_reply, close_ticket, open_ticket
from bot.records.models import OpsReviewItem, OpsTurn
from tests.ops.conftest import make_turn

DAY = datetime(2027, 1, 4, 10, 0)


def _store(url: str, *made: turns.Turn) -> list[turns.Turn]:
    for turn in made:
        turns.store(turn, url)
    return list(made)


def test_turn_keeps_no_identity_and_a_redacted_question(ops_url) -> None:
    turn = turns.begin("wechat", "我的身份证420102198506120310怎么查医保")
    _store(ops_url, turn)
    with session_scope(ops_url) as session:
        row = session.get(OpsTurn, turn.id)
        assert "420102198506120310" not in row.question and row.channel == "wechat"
        assert {c.name for c in OpsTurn.__table__.columns} == {
            "id", "at", "channel", "intent", "confidence", "faq_key", "outcome", "reply_ms", "question"}


def test_unsure_refused_clarified_and_handed_over_questions_are_queued(ops_url) -> None:
    _store(ops_url, make_turn("断了咋办", confidence=0.3), make_turn("医保怎么样", outcome="clarified"),
           make_turn("养老金多少", outcome="refused"), make_turn("转人工", outcome="handoff"),
           make_turn("断缴怎么办", confidence=0.95), make_turn("你好", outcome="other"))
    with session_scope(ops_url) as session:
        queued = {item.question: item.reason for item in queue.items(session)}
    assert queued == {"断了咋办": "low_confidence", "医保怎么样": "clarified", "养老金多少": "refused",
                      "转人工": "handoff"}


def test_thumbs_down_with_reason_queues_the_answer(ops_url) -> None:
    [answer] = _store(ops_url, make_turn("异地就医怎么报销", intent="remote_care", faq_key="remote_care/x"))
    with session_scope(ops_url) as session:
        assert feedback.rate(session, answer.id, -1)
        feedback.add_reason(session, answer.id, "我问的是 13871234567 的\n报销比例")
        assert not feedback.rate(session, "no-such-turn", 1)
    with session_scope(ops_url) as session:
        [item] = queue.items(session)
        assert item.reason == "unhelpful" and item.question == "异地就医怎么报销"
        row = session.execute(select(feedback.OpsFeedback)).scalar_one()
        assert row.rating == -1 and "13871234567" not in row.reason and "\n" not in row.reason


def test_labelled_items_export_as_rasa_nlu_and_faq_files(ops_url, tmp_path) -> None:
    _store(ops_url, make_turn("断交了咋整", confidence=0.2), make_turn("医保咋转到外地", outcome="clarified"),
           make_turn("牙齿矫正报不报", outcome="refused"))
    with session_scope(ops_url) as session:
        ids = {item.question: item.id for item in queue.items(session)}
        queue.label(session, ids["断交了咋整"], "alice", intent="lapse")
        queue.label(session, ids["医保咋转到外地"], "alice", faq_key="transfer/how_to_transfer")
        queue.label(session, ids["牙齿矫正报不报"], "alice", new_answer_needed=True)
    with session_scope(ops_url) as session:
        done = export.export_labelled(session, "alice", base=tmp_path)
    assert done is not None and done.items == 3
    nlu = yaml.safe_load((done.folder / "nlu.yml").read_text(encoding="utf-8"))
    assert nlu["version"] == "3.1"
    assert {block["intent"]: block["examples"] for block in nlu["nlu"]} == {
        "lapse": "- 断交了咋整\n", "transfer": "- 医保咋转到外地\n"}
    faq = yaml.safe_load((done.folder / "faq.yml").read_text(encoding="utf-8"))
    assert faq == {"questions_for_entries": {"transfer/how_to_transfer": ["医保咋转到外地"]},
                   "new_answer_needed": ["牙齿矫正报不报"]}
    with session_scope(ops_url) as session:
        assert queue.labelled(session) == [] and export.export_labelled(session, "alice", base=tmp_path) is None


def test_dashboard_counts_what_was_recorded(ops_url) -> None:
    _store(ops_url,
           make_turn("a", channel="web", faq_key="lapse/a", reply_ms=10, at=DAY),
           make_turn("b", channel="web", faq_key="lapse/a", reply_ms=20, at=DAY),
           make_turn("c", channel="wechat", intent="transfer", faq_key="transfer/b", reply_ms=30, at=DAY),
           make_turn("医保怎么样", channel="wechat", outcome="clarified", reply_ms=40, at=DAY),
           make_turn("医保怎么样", channel="rest", outcome="clarified", reply_ms=50, at=DAY + timedelta(days=1)),
           make_turn("转人工", outcome="handoff", reply_ms=1000, at=DAY + timedelta(days=1)),
           make_turn("outside", at=DAY + timedelta(days=9)))
    with session_scope(ops_url) as session:
        ticket = open_ticket(session, "web", "web:x", "转人工", [], now=DAY)
        add_agent_reply(session, ticket, "坐席", "您好", now=DAY + timedelta(minutes=6))
        close_ticket(session, ticket, now=DAY + timedelta(minutes=9))
        feedback.ask_satisfaction(session, ticket)
        assert feedback.answer_satisfaction(session, "web:x", 4)
        assert not feedback.answer_satisfaction(session, "web:x", 5)  # answered already
    with session_scope(ops_url) as session:
        result = dashboard.figures(session, dashboard.DateRange(date(2027, 1, 4), date(2027, 1, 5)))
    assert result.messages == 6
    assert result.per_day[date(2027, 1, 4)] == {"web": 2, "wechat": 2}
    assert result.per_day[date(2027, 1, 5)] == {"rest": 2}
    assert result.top_intents == [("lapse", 2), ("transfer", 1)]
    assert result.top_faq == [("lapse/a", 2), ("transfer/b", 1)]
    assert result.rate("clarified") == 2 / 6 and result.handoffs == 1
    assert result.p95_reply_ms == 1000 and result.p50_reply_ms == 30
    assert result.wait_median_minutes == 6.0
    assert result.unanswered == [("医保怎么样", 2)]
    csv_text = dashboard.to_csv(result)
    assert "messages,2027-01-04,web,2" in csv_text and "summary,,clarify_rate,0.3333" in csv_text


def test_retention_drops_old_text_and_keeps_counts(ops_url, tmp_path, monkeypatch) -> None:
    old, recent = DAY - timedelta(days=200), DAY - timedelta(days=10)
    _store(ops_url, make_turn("旧问题", outcome="clarified", at=old), make_turn("新问题", outcome="clarified", at=recent))
    with session_scope(ops_url) as session:
        open_ticket(session, "web", "web:x", "旧原因", [{"sender": "user", "text": "旧对话"}], now=old)
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    engine = sqlalchemy.create_engine(tracker_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
                                   "timestamp REAL, intent_name TEXT, action_name TEXT, data TEXT)")
        for text, moment in (("旧消息", old), ("新消息", recent)):
            data = f'{{"event": "user", "text": "{text}", "parse_data": {{"text": "{text}", "intent": {{"name": "lapse"}}}}}}'
            connection.exec_driver_sql("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, ?)",
                                       ("web:x", moment.replace(tzinfo=retention.CHINA).timestamp(), data))
    monkeypatch.setenv("YIBAO_CLOCK_PIN", DAY.isoformat())
    monkeypatch.setattr(retention, "BATCH", 1)  # one row per transaction: the batching loop runs
    report = retention.run(records_url=ops_url, tracker_url=tracker_url)
    assert (report.turns, report.tickets, report.review_items, report.tracker_events) == (1, 1, 1, 1)
    with session_scope(ops_url) as session:
        assert sorted(q or "" for q in session.execute(select(OpsTurn.question)).scalars()) == ["", "新问题"]
        assert session.execute(select(sqlalchemy.func.count()).select_from(OpsTurn)).scalar() == 2
        assert [i.question for i in session.execute(select(OpsReviewItem)).scalars()] == ["新问题"]
    with engine.connect() as connection:
        texts = sorted(row[0] for row in connection.exec_driver_sql("SELECT data FROM events"))
    assert "旧消息" not in "".join(texts) and "新消息" in "".join(texts) and '"lapse"' in texts[0]
