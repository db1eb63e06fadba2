"""Access audit: one row each time someone's personal data is shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from bot.records.clock import now as china_now
from bot.records.models import AccessAudit, Person
from bot.records.queries import person_by_ref


@dataclass(frozen=True)
class AccessRecord:
    actor_ref: str | None
    subject_ref: str | None
    what: str
    channel: str
    accessed_at: datetime


def record_access(session: Session, actor_ref: str, subject_ref: str, what: str, channel: str,
                  channel_user_id: str | None = None, now: datetime | None = None) -> None:
    """Writes one audit row: who (actor) saw whose (subject) data, what, where and when."""
    actor, subject = person_by_ref(session, actor_ref), person_by_ref(session, subject_ref)
    session.add(AccessAudit(actor_id=actor.id, subject_id=subject.id, what=what, channel=channel,
                            channel_user_id=channel_user_id, accessed_at=now or china_now()))
    session.flush()


def accesses_to(session: Session, subject_ref: str) -> list[AccessRecord]:
    """Every recorded access to this person's data, oldest first."""
    subject = person_by_ref(session, subject_ref)
    actor_person, subject_person = aliased(Person), aliased(Person)
    query = (select(AccessAudit, actor_person.ref, subject_person.ref)
             .outerjoin(actor_person, actor_person.id == AccessAudit.actor_id)
             .outerjoin(subject_person, subject_person.id == AccessAudit.subject_id)
             .where(AccessAudit.subject_id == subject.id).order_by(AccessAudit.accessed_at, AccessAudit.id))
    return [AccessRecord(actor, subj, row.what, row.channel, row.accessed_at)
            for row, actor, subj in session.execute(query)]


def record_operator_action(session: Session, operator: str, what: str, now: datetime | None = None) -> None:
    """One audit row for something an operator did at /ops (an export, a download): who and what.
    Operators are not persons of the records, so actor and subject stay empty and the operator's
    name is kept as the channel user ("operator:<name>")."""
    session.add(AccessAudit(actor_id=None, subject_id=None, what=what[:40], channel="ops",
                            channel_user_id=f"operator:{operator}"[:128], accessed_at=now or china_now()))
    session.flush()


def operator_actions(session: Session) -> list[AccessRecord]:
    """Every audited operator action, oldest first (channel_user_id names the operator)."""
    query = select(AccessAudit).where(AccessAudit.channel == "ops").order_by(AccessAudit.accessed_at, AccessAudit.id)
    return [AccessRecord(row.channel_user_id, None, row.what, row.channel, row.accessed_at)
            for row in session.execute(query).scalars()]
