"""What each personal question reads from the records and how the answer is worded.

A reader gets an open session, the subject's ref, the relation shown in the reply (「您女儿」) and
the period the user named; it returns the reply text. bot/access.py decides who may call it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.periods import parse_period
from bot.records import queries, report
from bot.records.clock import today

Reader = Callable[[Session, str, "str | None", "str | None"], str]


@dataclass(frozen=True)
class Topic:
    what: str  # the audit log's description of what was shown
    read: Reader


def _balance(session: Session, ref: str, relation: str | None, period_text: str | None) -> str:
    return report.format_balance(queries.balance(session, ref), relation)


def _payment_records(session: Session, ref: str, relation: str | None, period_text: str | None) -> str:
    period = parse_period(period_text, today())
    months = 12
    if period:  # 「最近两年的缴费记录」 widens the grid, up to five years
        months = max(12, min(60, (today().year - period.start.year) * 12 + today().month - period.start.month + 1))
    return report.format_payment_records(queries.contribution_history(session, ref), relation, months=months)


def _insured_location(session: Session, ref: str, relation: str | None, period_text: str | None) -> str:
    return report.format_insured_location(queries.insured_locations(session, ref), relation)


def _consumption(session: Session, ref: str, relation: str | None, period_text: str | None) -> str:
    period = parse_period(period_text, today())
    start, end = (period.start, period.end) if period else (None, None)
    return report.format_consumption(queries.consumption(session, ref, start, end), relation)


def _filings(session: Session, ref: str, relation: str | None, period_text: str | None) -> str:
    return report.format_filings(queries.remote_care_filings(session, ref), relation)


def _chronic(session: Session, ref: str, relation: str | None, period_text: str | None) -> str:
    return report.format_chronic(queries.chronic_qualifications(session, ref), relation)


def _claims(session: Session, ref: str, relation: str | None, period_text: str | None) -> str:
    return report.format_claims(queries.claims(session, ref), relation)


def _transfers(session: Session, ref: str, relation: str | None, period_text: str | None) -> str:
    return report.format_transfers(queries.transfers(session, ref), relation)


TOPICS: dict[str, Topic] = {
    "query_balance": Topic("个人账户余额", _balance),
    "query_payment_records": Topic("缴费记录", _payment_records),
    "query_insured_location": Topic("参保地", _insured_location),
    "query_consumption": Topic("消费明细", _consumption),
    "remote_care": Topic("异地就医备案", _filings),
    "chronic_disease": Topic("门诊慢特病资格", _chronic),
    "claim_process": Topic("报销进度", _claims),
    "transfer": Topic("转移接续进度", _transfers),
}
