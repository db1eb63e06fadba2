"""Audit rows for every access, and hand-off tickets stored with identifiers masked."""

from __future__ import annotations

from sqlalchemy import select

from bot.privacy import contains_identifier
from bot.records import handoff
from bot.records.audit import accesses_to, record_access
from bot.records.models import AccessAudit
from tests.records.conftest import NOW


def test_one_audit_row_per_access_with_actor_and_subject(session, ref_of) -> None:
    parent, child = ref_of("liu_jianguo"), ref_of("liu_xiaoyu")
    before = len(accesses_to(session, child))
    record_access(session, parent, child, "query_balance", "wechat", "openid-9", now=NOW)
    records = accesses_to(session, child)
    assert len(records) == before + 1
    last = records[-1]
    assert (last.actor_ref, last.subject_ref, last.what, last.channel, last.accessed_at) == (
        parent, child, "query_balance", "wechat", NOW)


def test_audit_rows_hold_no_identifiers(session, ref_of) -> None:
    record_access(session, ref_of("sun_li"), ref_of("sun_li"), "query_claims", "rest", now=NOW)
    rows = session.execute(select(AccessAudit)).scalars()
    assert not any(contains_identifier(str(vars(row))) for row in rows)


def test_handoff_ticket_masks_transcript_and_replies(session) -> None:
    transcript = [{"sender": "user", "text": "我身份证420102198506120310 电话13871234567"},
                  {"sender": "bot", "text": "正在为您转人工"}]
    ticket_id = handoff.open_ticket(session, "wechat", "openid-h", "用户要求人工，手机13871234567", transcript, now=NOW)
    handoff.add_agent_reply(session, ticket_id, "坐席01", "已回电13871234567", now=NOW)
    ticket = next(t for t in handoff.open_tickets(session) if t.id == ticket_id)
    assert not contains_identifier(str(ticket))
    assert "4201**********0310" in ticket.transcript[0]["text"] and ticket.status == "open"
    handoff.close_ticket(session, ticket_id, now=NOW)
    assert ticket_id not in [t.id for t in handoff.open_tickets(session)]
