"""Identity verification (name + ID number + last 4 phone digits), lockout, and channel bindings.

- The ID number is checked (length, format, birth date, GB 11643 check digit) before any lookup.
- An unknown person and a wrong name/phone get the same result (no enumeration).
- Five failed attempts by one channel user lock verification for 30 minutes, and ten failed attempts
  for one ID number from any number of channel users lock that number for 30 minutes: a REST or web
  client picks its own sender id, and the 4-digit phone code must not be guessable by changing it.
  One user alone always meets their own lock first. The ID-number lock applies to well-formed
  numbers whether or not the person exists, so it reveals nothing.
- Locks of an ID number escalate (30 min → 2 h → 24 h). So that nobody can keep a person locked out
  by failing on purpose, the ID-number lock does not stop a channel user the person verified from
  before (a binding, or an earlier success): their own 5-failure lock still applies.
- On success only the opaque `Person.ref` leaves this module; typed values are never stored.
"""

from __future__ import annotations

import hmac
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from bot.identity import hmac_hex
from bot.records.clock import now as china_now
from bot.records.models import ChannelBinding, Person, VerificationAttempt
from bot.records.queries import person_by_ref

MAX_FAILURES = 5
ID_NUMBER_MAX_FAILURES = 10
LOCK_MINUTES = 30
# An ID number's successive locks within FAILURE_MEMORY last longer each time, and the last lasts a
# day: at most 3 x 10 wrong codes per ID number per ~26 hours from any number of senders, instead
# of ~480 a day with a fixed 30-minute lock (half of all 4-digit codes in ~half a year, not 10 days).
ID_NUMBER_LOCK_STEPS = (timedelta(minutes=30), timedelta(hours=2), timedelta(hours=24))
FAILURE_MEMORY = timedelta(hours=24)  # failures older than this no longer count towards a lock
FAILED = ("invalid_id", "mismatch")
# Failures per ID number are kept as attempts of this pseudo channel, keyed by a digest of the number.
ID_NUMBER_CHANNEL = "id_number"
LIMITS = {ID_NUMBER_CHANNEL: ID_NUMBER_MAX_FAILURES}

MSG_OK = "身份验证成功。"
MSG_MISMATCH = "您提供的姓名、身份证号或手机号后4位与登记信息不一致，请核对后重试。"
MSG_LOCKED = "验证失败次数过多，身份验证已暂停，请{minutes}分钟后再试。"


@dataclass(frozen=True)
class VerificationResult:
    status: str  # ok / invalid_id / mismatch / locked
    message: str  # Chinese text a user may see
    person_ref: str | None = None  # only when ok
    locked_minutes: int = 0  # minutes until verification is possible again (locked)
    attempts_left: int = MAX_FAILURES

    @property
    def ok(self) -> bool:
        return self.status == "ok"


# ---------------------------------------------------------------- ID number check

def normalise_id_number(value: str) -> str:
    """Full-width digits/letters to ASCII, spaces and dashes removed, trailing x upper-cased."""
    text = unicodedata.normalize("NFKC", value or "")
    return re.sub(r"[\s\-]", "", text).upper()


def id_number_problem(id_number: str) -> str | None:
    """None when the number is well-formed, else a Chinese explanation ending in 。"""
    number = normalise_id_number(id_number)
    if len(number) != 18:
        return f"身份证号应为18位，您输入的是{len(number)}位。"
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return "身份证号前17位应为数字，最后一位是数字或字母X。"
    birth = _birth_date_problem(number)
    if birth:
        return birth
    if number[17] != ric.calc_check_digit(number):
        return "最后一位校验码不对，可能有数字输错了。"
    return None


def _birth_date_problem(number: str) -> str | None:
    # Birth place is not checked: python-stdnum's county table rejects valid numbers of older people.
    text = number[6:14]
    try:
        born = ric.get_birth_date(number)
    except ValidationError:
        return f"第7到14位应是出生日期，「{text}」不是有效日期。"
    if born > china_now().date() or born.year < 1900:
        return f"第7到14位应是出生日期，「{text}」不在合理范围内。"
    return None


# ---------------------------------------------------------------- verify

def verify(session: Session, name: str, id_number: str, phone_last4: str, channel: str,
           channel_user_id: str, now: datetime | None = None) -> VerificationResult:
    """Checks the three answers against the records; records the attempt (never the answers)."""
    now = now or china_now()
    minutes = locked_minutes(session, channel, channel_user_id, now)
    if minutes:
        _record(session, channel, channel_user_id, now, "locked")
        return VerificationResult("locked", MSG_LOCKED.format(minutes=minutes), locked_minutes=minutes,
                                  attempts_left=0)
    problem = id_number_problem(id_number)
    number_key = None if problem else id_number_key(id_number)
    minutes = locked_minutes(session, ID_NUMBER_CHANNEL, number_key, now) if number_key else 0
    if minutes and _known_user(session, id_number, channel, channel_user_id):
        minutes = 0  # the person's own WeChat (or a sender they verified from) is not locked out
    if minutes:
        _record(session, channel, channel_user_id, now, "locked")
        return VerificationResult("locked", MSG_LOCKED.format(minutes=minutes), locked_minutes=minutes,
                                  attempts_left=0)
    person = None if problem else _matching_person(session, name, id_number, phone_last4)
    status = "invalid_id" if problem else ("ok" if person else "mismatch")
    _record(session, channel, channel_user_id, now, status, person)
    if number_key:
        _record(session, ID_NUMBER_CHANNEL, number_key, now, status, person)
    return _result(session, status, problem, person, channel, channel_user_id, now, number_key)


def id_number_key(id_number: str) -> str:
    """A keyed digest that identifies a well-formed ID number in the attempts table without storing
    it. Keyed (HMAC with the server's secret): a plain hash of one of ~10^11 valid numbers is
    reversed by trying them all."""
    return hmac_hex("id-number", normalise_id_number(id_number))


def _result(session: Session, status: str, problem: str | None, person: Person | None, channel: str,
            channel_user_id: str, now: datetime, number_key: str | None = None) -> VerificationResult:
    if person is not None:
        return VerificationResult("ok", MSG_OK, person_ref=person.ref)
    minutes = max(locked_minutes(session, channel, channel_user_id, now),
                  locked_minutes(session, ID_NUMBER_CHANNEL, number_key, now) if number_key else 0)
    if minutes:  # this failure was the fifth (of this channel user or for this ID number)
        return VerificationResult("locked", MSG_LOCKED.format(minutes=minutes), locked_minutes=minutes,
                                  attempts_left=0)
    left = MAX_FAILURES - _failure_run(session, channel, channel_user_id, now)[0]
    if number_key:
        left = min(left, ID_NUMBER_MAX_FAILURES - _failure_run(session, ID_NUMBER_CHANNEL, number_key, now)[0])
    message = f"身份证号有误：{problem}" if problem else MSG_MISMATCH
    return VerificationResult(status, message, attempts_left=left)


def _known_user(session: Session, id_number: str, channel: str, channel_user_id: str) -> bool:
    """True when this channel user was bound to, or once verified as, the person with this number."""
    person_id = session.execute(select(Person.id).where(Person.id_number == normalise_id_number(id_number))
                                ).scalar_one_or_none()
    if person_id is None:
        return False
    bound = select(ChannelBinding.id).where(ChannelBinding.person_id == person_id, ChannelBinding.channel == channel,
                                            ChannelBinding.channel_user_id == channel_user_id)
    verified = select(VerificationAttempt.id).where(
        VerificationAttempt.person_id == person_id, VerificationAttempt.outcome == "ok",
        VerificationAttempt.channel == channel, VerificationAttempt.channel_user_id == channel_user_id)
    return session.execute(bound.union_all(verified).limit(1)).first() is not None


def _matching_person(session: Session, name: str, id_number: str, phone_last4: str) -> Person | None:
    number = normalise_id_number(id_number)
    person = session.execute(select(Person).where(Person.id_number == number)).scalar_one_or_none()
    # Compare every field even when the person is unknown, so both paths do the same work.
    stored_name, stored_phone = (person.name, person.phone) if person else ("\0", "\0\0\0\0")
    same_name = hmac.compare_digest(_clean_name(stored_name).encode(), _clean_name(name).encode())
    same_phone = hmac.compare_digest(stored_phone[-4:].encode(), _digits(phone_last4)[-4:].encode())
    return person if person is not None and same_name and same_phone else None


def _clean_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", name or "")
    return re.sub(r"[\s·•.]", "", text)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text or ""))


def _record(session: Session, channel: str, channel_user_id: str, now: datetime, outcome: str,
            person: Person | None = None) -> None:
    session.add(VerificationAttempt(channel=channel, channel_user_id=channel_user_id, attempted_at=now,
                                    outcome=outcome, person_id=person.id if person else None))
    session.flush()


# ---------------------------------------------------------------- lockout

def locked_minutes(session: Session, channel: str, channel_user_id: str, now: datetime | None = None) -> int:
    """Whole minutes (rounded up) until this channel user may verify again; 0 when not locked."""
    now = now or china_now()
    _count, locked_until = _failure_run(session, channel, channel_user_id, now)
    if locked_until is None or locked_until <= now:
        return 0
    return math.ceil((locked_until - now).total_seconds() / 60)


def _failure_run(session: Session, channel: str, channel_user_id: str,
                 now: datetime) -> tuple[int, datetime | None]:
    """(failures counting towards the next lock, end of the latest lock) from recent attempts.
    A success resets the count; so does the end of a lock."""
    count, locked_until, locks = 0, None, 0
    for attempt in _recent_attempts(session, channel, channel_user_id, now):
        if locked_until is not None and attempt.attempted_at >= locked_until:
            count, locked_until = 0, None
        if attempt.outcome == "ok":
            count = 0
        elif attempt.outcome in FAILED and locked_until is None:
            count += 1
            if count >= LIMITS.get(channel, MAX_FAILURES):
                locked_until = attempt.attempted_at + _lock_length(channel, locks)
                locks += 1
    if locked_until is not None and locked_until <= now:
        count, locked_until = 0, locked_until
    return count, locked_until


def _lock_length(channel: str, earlier_locks: int) -> timedelta:
    if channel != ID_NUMBER_CHANNEL:
        return timedelta(minutes=LOCK_MINUTES)
    return ID_NUMBER_LOCK_STEPS[min(earlier_locks, len(ID_NUMBER_LOCK_STEPS) - 1)]


def _recent_attempts(session: Session, channel: str, channel_user_id: str,
                     now: datetime) -> list[VerificationAttempt]:
    query = (select(VerificationAttempt)
             .where(VerificationAttempt.channel == channel, VerificationAttempt.channel_user_id == channel_user_id,
                    VerificationAttempt.attempted_at > now - FAILURE_MEMORY, VerificationAttempt.attempted_at <= now)
             .order_by(VerificationAttempt.attempted_at, VerificationAttempt.id))
    return list(session.execute(query).scalars())


# ---------------------------------------------------------------- bindings

def bind(session: Session, channel: str, channel_user_id: str, person_ref: str,
         now: datetime | None = None) -> None:
    """Binds the channel user to the person (replacing an earlier binding of that user)."""
    person = person_by_ref(session, person_ref)
    binding = _binding(session, channel, channel_user_id)
    if binding is None:
        binding = ChannelBinding(channel=channel, channel_user_id=channel_user_id)
        session.add(binding)
    binding.person_id = person.id
    binding.bound_at = now or china_now()
    session.flush()


def unbind(session: Session, channel: str, channel_user_id: str) -> bool:
    """Removes the binding; True when there was one."""
    result = session.execute(delete(ChannelBinding).where(ChannelBinding.channel == channel,
                                                          ChannelBinding.channel_user_id == channel_user_id))
    return bool(result.rowcount)


def bound_person(session: Session, channel: str, channel_user_id: str,
                 not_before: datetime | None = None) -> str | None:
    """The opaque ref of the person bound to this channel user, or None. A binding made before
    `not_before` has expired: the user verifies again (the caller passes now - the binding lifetime)."""
    binding = _binding(session, channel, channel_user_id)
    if binding is None or (not_before is not None and binding.bound_at < not_before):
        return None
    return session.execute(select(Person.ref).where(Person.id == binding.person_id)).scalar_one()


def other_bindings(session: Session, person_ref: str, channel: str, channel_user_id: str,
                   limit: int = 3) -> list[tuple[str, str]]:
    """(channel, user id) of the person's most recent bindings other than this one."""
    person = person_by_ref(session, person_ref)
    query = (select(ChannelBinding.channel, ChannelBinding.channel_user_id)
             .where(ChannelBinding.person_id == person.id)
             .where((ChannelBinding.channel != channel) | (ChannelBinding.channel_user_id != channel_user_id))
             .order_by(ChannelBinding.bound_at.desc(), ChannelBinding.id.desc()).limit(limit))
    return [(c, u) for c, u in session.execute(query)]


def _binding(session: Session, channel: str, channel_user_id: str) -> ChannelBinding | None:
    query = select(ChannelBinding).where(ChannelBinding.channel == channel,
                                         ChannelBinding.channel_user_id == channel_user_id)
    return session.execute(query).scalar_one_or_none()
