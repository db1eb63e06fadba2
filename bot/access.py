"""The one way to personal data: who asks → whose data → may they → read → audit.

Actions hand in the asking conversation (`Asker`: the server-made conversation id and the value of
slot person_ref) and get reply material back; they open no database session and write no audit row
themselves. Every function here is synchronous (actions run it in a worker thread) and takes `now`
so that tests pin the clock.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from bot.identity import ChannelUser, binding_max_age, issue_token, person_from_token
from bot.personal_topics import TOPICS
from bot.records import audit, family, handoff, queries, verification
from bot.records.clock import now as china_now
from bot.records.db import session_scope
from bot.replies import response_text

logger = logging.getLogger(__name__)
T = TypeVar("T")
CHANNEL_NAMES = {"wechat": "微信", "wecom": "企业微信"}
API_SECRET_OF_CHANNEL = {"wechat": "WECHAT_APP_SECRET", "wecom": "WECOM_SECRET"}
MAX_REMINDED = 3  # a person has one or two accounts; more bindings are told about through the newest


@dataclass(frozen=True)
class Asker:
    """The conversation asking: its server-made id and what slot person_ref holds."""

    who: ChannelUser
    token: str | None = None

    @classmethod
    def of(cls, conversation_id: str, token: str | None = None) -> Asker:
        return cls(ChannelUser.parse(conversation_id), token)


@dataclass(frozen=True)
class PersonalAnswer:
    text: str | None = None
    unverified: bool = False
    not_authorised_relation: str | None = None
    unknown_person: bool = False
    token: str | None = None  # for slot person_ref: the conversation's own, or one its binding earned


@dataclass(frozen=True)
class VerifyOutcome:
    status: str  # ok / invalid_id / mismatch / locked
    message: str
    token: str | None = None
    locked_minutes: int = 0
    notified: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def person_of(session: Session, asker: Asker, now: datetime) -> str | None:
    """The verified person: a token this conversation earned, else a live WeChat/WeCom binding."""
    ref = person_from_token(asker.token, asker.who, now)
    if ref or not asker.who.can_bind:
        return ref
    return verification.bound_person(session, asker.who.channel, asker.who.user_id,
                                     not_before=now - binding_max_age())


def is_verified(asker: Asker, now: datetime | None = None) -> bool:
    with session_scope() as session:
        return person_of(session, asker, now or china_now()) is not None


def read_personal(asker: Asker, topic: str, relation: str | None = None, period: str | None = None,
                  now: datetime | None = None) -> PersonalAnswer:
    """One personal question answered (or refused), with one audit row when data is shown."""
    reader = TOPICS[topic]
    now = now or china_now()
    with session_scope() as session:
        actor = person_of(session, asker, now)
        if actor is None:
            return PersonalAnswer(unverified=True)
        token = token_for(asker, actor, now)
        try:
            subject, shown_relation = actor, None
            if relation:
                member = family.find_member(session, actor, relation)
                if member is None:
                    return PersonalAnswer(not_authorised_relation=relation, token=token)
                subject, shown_relation = member.person_ref, member.relation
            if not family.can_read(session, actor, subject):
                return PersonalAnswer(not_authorised_relation=relation or "该家属", token=token)
            text = reader.read(session, subject, shown_relation, period)
        except queries.UnknownPerson:
            return PersonalAnswer(unknown_person=True)
        _audit(session, asker, actor, subject, reader.what, now)
        return PersonalAnswer(text=text, token=token)


def token_for(asker: Asker, person_ref: str, now: datetime) -> str:
    """The slot value that says "verified" in this conversation: its own token while valid, else (a
    WeChat/WeCom binding answered) a new one, so the dialogue sees a bound user as verified."""
    if person_from_token(asker.token, asker.who, now) == person_ref:
        return asker.token or ""
    return issue_token(person_ref, asker.who, now)


def read_own(asker: Asker, what: str, read: Callable[[Session, str], T], now: datetime | None = None) -> T | None:
    """The asker's own records through `read` (audited as `what`); None when not verified."""
    with session_scope() as session:
        actor = person_of(session, asker, now or china_now())
        if actor is None:
            return None
        try:
            value = read(session, actor)
        except queries.UnknownPerson:
            return None
        _audit(session, asker, actor, actor, what, now)
        return value


def _audit(session: Session, asker: Asker, actor: str, subject: str, what: str, now: datetime | None) -> None:
    audit.record_access(session, actor, subject, what, asker.who.channel, asker.who.user_id, now=now)


# ---------------------------------------------------------------- verification and bindings

Notify = Callable[[str, str, str], bool]  # (channel, user id, text) -> delivered


def verify(asker: Asker, name: str, id_number: str, phone_last4: str, now: datetime | None = None,
           notify: Notify | None = None) -> VerifyOutcome:
    """Checks the answers; on success returns the token for slot person_ref and binds WeChat/WeCom."""
    now = now or china_now()
    who = asker.who
    with session_scope() as session:
        result = verification.verify(session, name, id_number, phone_last4, who.channel, who.user_id, now)
        if not result.ok:
            return VerifyOutcome(result.status, result.message, locked_minutes=result.locked_minutes)
        others: list[tuple[str, str]] = []
        if who.can_bind:
            others = verification.other_bindings(session, result.person_ref, who.channel, who.user_id,
                                                 limit=MAX_REMINDED)
            verification.bind(session, who.channel, who.user_id, result.person_ref, now)
    notified = _tell_other_bindings(others, who, notify)
    return VerifyOutcome("ok", result.message, token=issue_token(result.person_ref, who, now), notified=notified)


def _tell_other_bindings(others: list[tuple[str, str]], who: ChannelUser, notify: Notify | None) -> list[str]:
    """A new binding is announced to the person's (most recent) other bound accounts: a stolen
    identity shows. Sent in the background: the customer-service API is a network call per account,
    and the verified user's answer must not wait for it. `notify` (tests) sends synchronously."""
    text = response_text("utter_new_binding_notice", channel=CHANNEL_NAMES.get(who.channel, who.channel))
    if notify is not None:
        return [f"{c}:{u}" for c, u in others if _send(notify, c, u, text)]
    for channel, user_id in others:
        _REMINDERS.submit(_send, _deliver, channel, user_id, text)
    return [f"{c}:{u}" for c, u in others]


def _send(notify: Notify, channel: str, user_id: str, text: str) -> bool:
    try:
        return bool(notify(channel, user_id, text))
    except Exception:  # noqa: BLE001 - a failed reminder must not undo the verification
        logger.warning("new-binding reminder could not be delivered on %s", channel)
        return False


def _deliver(channel: str, user_id: str, text: str) -> bool:
    if not os.environ.get(API_SECRET_OF_CHANNEL.get(channel, ""), "").strip():
        return False  # no customer-service API configured: nothing to send with, nothing to import
    from bot.handoff.desk import deliver_to_channel  # imports the channels (and Rasa): only when needed

    return deliver_to_channel(channel, user_id, text)


_REMINDERS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="binding-reminder")


def locked_minutes(asker: Asker, now: datetime | None = None) -> int:
    with session_scope() as session:
        return verification.locked_minutes(session, asker.who.channel, asker.who.user_id, now)


def unbind(asker: Asker) -> bool:
    """Removes this WeChat/WeCom user's binding; True when there was one."""
    with session_scope() as session:
        return verification.unbind(session, asker.who.channel, asker.who.user_id)


def open_ticket(asker: Asker, reason: str, transcript: list[dict[str, str]]) -> int:
    """转人工: the ticket is keyed by the conversation id, so the desk can resume exactly it."""
    with session_scope() as session:
        return handoff.open_ticket(session, asker.who.channel, asker.who.conversation_id, reason, transcript)
