"""Family authorisations (亲情账户): which members' records a verified person may read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.records.clock import now as china_now
from bot.records.models import FamilyAuthorisation, Person
from bot.records.queries import person_by_ref

# What a user may say -> the stored relations it can mean (stored = member's relation to the owner).
RELATION_WORDS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("孩子", "小孩", "子女", "娃", "孩"), frozenset({"儿子", "女儿"})),
    **dict.fromkeys(("儿子", "儿"), frozenset({"儿子"})),
    **dict.fromkeys(("女儿", "闺女", "女"), frozenset({"女儿"})),
    **dict.fromkeys(("父亲", "爸爸", "老爸", "爸", "父"), frozenset({"父亲"})),
    **dict.fromkeys(("母亲", "妈妈", "老妈", "妈", "母"), frozenset({"母亲"})),
    **dict.fromkeys(("父母", "爸妈", "老人"), frozenset({"父亲", "母亲"})),
    **dict.fromkeys(("配偶", "老婆", "老公", "爱人", "丈夫", "妻子", "媳妇"), frozenset({"配偶"})),
    **dict.fromkeys(("爷爷", "外公", "姥爷"), frozenset({"祖父", "外祖父"})),
    **dict.fromkeys(("奶奶", "外婆", "姥姥"), frozenset({"祖母", "外祖母"})),
}


@dataclass(frozen=True)
class FamilyMember:
    person_ref: str
    name: str
    relation: str  # the member's relation to the owner, e.g. 女儿
    granted_at: datetime


def relations_for(word: str) -> frozenset[str]:
    """Stored relations a spoken word can mean; the word itself when it is already a stored value."""
    word = (word or "").strip().removeprefix("我").removeprefix("的")
    return RELATION_WORDS.get(word, frozenset({word}) if word else frozenset())


def list_members(session: Session, owner_ref: str, now: datetime | None = None) -> list[FamilyMember]:
    """Members whose records the owner may read right now."""
    owner = person_by_ref(session, owner_ref)
    query = (select(FamilyAuthorisation, Person)
             .join(Person, Person.id == FamilyAuthorisation.member_id)
             .where(FamilyAuthorisation.owner_id == owner.id, _active(now or china_now()))
             .order_by(FamilyAuthorisation.granted_at))
    return [FamilyMember(member.ref, member.name, link.relation, link.granted_at)
            for link, member in session.execute(query)]


def find_member(session: Session, owner_ref: str, relation_word: str,
                now: datetime | None = None) -> FamilyMember | None:
    """The authorised member the word refers to (孩子 -> 儿子/女儿); None when there is none."""
    wanted = relations_for(relation_word)
    matches = [m for m in list_members(session, owner_ref, now) if m.relation in wanted]
    return matches[0] if matches else None


def can_read(session: Session, actor_ref: str, subject_ref: str, now: datetime | None = None) -> bool:
    """A person may read their own records, and a member's with an active authorisation."""
    if actor_ref == subject_ref:
        return True
    return any(m.person_ref == subject_ref for m in list_members(session, actor_ref, now))


def grant(session: Session, owner_ref: str, member_ref: str, relation: str,
          now: datetime | None = None) -> None:
    owner, member = person_by_ref(session, owner_ref), person_by_ref(session, member_ref)
    session.add(FamilyAuthorisation(owner_id=owner.id, member_id=member.id, relation=relation,
                                    granted_at=now or china_now()))
    session.flush()


def revoke(session: Session, owner_ref: str, member_ref: str, now: datetime | None = None) -> int:
    """Ends every active authorisation owner -> member; returns how many ended."""
    owner, member = person_by_ref(session, owner_ref), person_by_ref(session, member_ref)
    when = now or china_now()
    query = select(FamilyAuthorisation).where(FamilyAuthorisation.owner_id == owner.id,
                                              FamilyAuthorisation.member_id == member.id, _active(when))
    links = list(session.execute(query).scalars())
    for link in links:
        link.revoked_at = when
    session.flush()
    return len(links)


def _active(now: datetime):
    return (FamilyAuthorisation.granted_at <= now) & (
        FamilyAuthorisation.revoked_at.is_(None) | (FamilyAuthorisation.revoked_at > now))
