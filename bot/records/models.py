"""SQLAlchemy 1.4 declarative models (used with 2.0-style `select()`).

Datetimes are naive Beijing time (see clock.py); money is Numeric(12, 2); months are the first day of
the month. Persons are referred to outside this package only by `Person.ref`, an opaque random token.
"""

from __future__ import annotations

import secrets

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

# Named constraints so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
Base = declarative_base(metadata=MetaData(naming_convention=NAMING))
Money = Numeric(12, 2)


def new_person_ref() -> str:
    return secrets.token_hex(16)


def _person_fk(nullable: bool = False) -> Column:
    return Column(Integer, ForeignKey("persons.id", ondelete="CASCADE"), nullable=nullable, index=True)


class Person(Base):
    __tablename__ = "persons"
    id = Column(Integer, primary_key=True)
    ref = Column(String(32), nullable=False, unique=True, default=new_person_ref)
    name = Column(String(50), nullable=False)
    id_number = Column(String(18), nullable=False, unique=True)
    phone = Column(String(20), nullable=False)
    gender = Column(String(2), nullable=False)  # 男 / 女
    birth_date = Column(Date, nullable=False)
    hukou_region = Column(String(50), nullable=False)
    created_at = Column(DateTime, nullable=False)

    enrolments = relationship("Enrolment", back_populates="person", passive_deletes=True)
    account = relationship("PersonalAccount", back_populates="person", uselist=False, passive_deletes=True)


class Enrolment(Base):
    __tablename__ = "enrolments"
    id = Column(Integer, primary_key=True)
    person_id = _person_fk()
    insurance_type = Column(String(10), nullable=False)  # 职工 / 居民
    region = Column(String(50), nullable=False)  # 参保地, e.g. 湖北省武汉市
    employer = Column(String(100))  # None for 居民 and 灵活就业
    start_month = Column(Date, nullable=False)
    end_month = Column(Date)  # last covered month; None while ongoing
    status = Column(String(10), nullable=False)  # 参保缴费 / 暂停缴费 / 终止参保 / 转出中 / 已转出

    person = relationship("Person", back_populates="enrolments")


class Contribution(Base):
    __tablename__ = "contributions"
    __table_args__ = (UniqueConstraint("enrolment_id", "month"),)
    id = Column(Integer, primary_key=True)
    person_id = _person_fk()
    enrolment_id = Column(Integer, ForeignKey("enrolments.id", ondelete="CASCADE"), nullable=False, index=True)
    month = Column(Date, nullable=False)  # the covered month (first day)
    base = Column(Money, nullable=False)  # 缴费基数 (居民: the annual fee)
    employer_part = Column(Money, nullable=False)
    personal_part = Column(Money, nullable=False)
    paid_by = Column(String(10), nullable=False)  # 单位 / 个人
    paid_at = Column(Date, nullable=False)
    back_payment = Column(Boolean, nullable=False, default=False)  # 补缴


class PersonalAccount(Base):
    __tablename__ = "personal_accounts"
    id = Column(Integer, primary_key=True)
    person_id = Column(Integer, ForeignKey("persons.id", ondelete="CASCADE"), nullable=False, unique=True)
    balance = Column(Money, nullable=False)
    updated_at = Column(DateTime, nullable=False)  # as-of time of the balance

    person = relationship("Person", back_populates="account")


class AccountTransaction(Base):
    __tablename__ = "account_transactions"
    __table_args__ = (Index("ix_account_transactions_person_time", "person_id", "occurred_at"),)
    id = Column(Integer, primary_key=True)
    person_id = Column(Integer, ForeignKey("persons.id", ondelete="CASCADE"), nullable=False)
    occurred_at = Column(DateTime, nullable=False)
    institution = Column(String(100), nullable=False)
    amount = Column(Money, nullable=False)  # + credited to the account, − spent
    kind = Column(String(20), nullable=False)  # 划入 / 门诊 / 药店购药 / 住院 / 家庭共济


class RemoteCareFiling(Base):
    __tablename__ = "remote_care_filings"
    id = Column(Integer, primary_key=True)
    person_id = _person_fk()
    filing_type = Column(String(20), nullable=False)  # 异地长期居住 / 常驻异地工作 / 异地转诊 / 临时外出就医
    destination = Column(String(50), nullable=False)
    filed_on = Column(Date, nullable=False)
    valid_from = Column(Date, nullable=False)
    valid_to = Column(Date)  # None = 长期有效
    status = Column(String(10), nullable=False)  # 已备案 / 已撤销 (已过期 is derived from valid_to)


class ChronicQualification(Base):
    __tablename__ = "chronic_qualifications"
    id = Column(Integer, primary_key=True)
    person_id = _person_fk()
    disease = Column(String(50), nullable=False)
    institution = Column(String(100))  # 定点治疗机构
    valid_from = Column(Date, nullable=False)
    valid_to = Column(Date)


class TransferApplication(Base):
    __tablename__ = "transfer_applications"
    id = Column(Integer, primary_key=True)
    person_id = _person_fk()
    from_region = Column(String(50), nullable=False)
    to_region = Column(String(50), nullable=False)
    submitted_on = Column(Date, nullable=False)
    stage = Column(String(20), nullable=False)  # the latest stage reached
    stage_dates = Column(JSON, nullable=False)  # [{"stage": "...", "date": "YYYY-MM-DD"}, ...] in order


class Claim(Base):
    __tablename__ = "claims"
    id = Column(Integer, primary_key=True)
    person_id = _person_fk()
    claim_no = Column(String(30), nullable=False, unique=True)
    kind = Column(String(20), nullable=False)  # 零星报销 / 异地就医手工报销 / 生育津贴
    submitted_on = Column(Date, nullable=False)
    amount = Column(Money, nullable=False)  # 申报金额
    stage = Column(String(10), nullable=False)  # 已受理 / 审核中 / 已支付 / 未通过
    stage_on = Column(Date, nullable=False)
    paid_amount = Column(Money)
    reject_reason = Column(String(200))


class FamilyAuthorisation(Base):
    """Owner may read member's records (亲情账户). `relation` is the member's relation to the owner."""

    __tablename__ = "family_authorisations"
    id = Column(Integer, primary_key=True)
    owner_id = Column(Integer, ForeignKey("persons.id", ondelete="CASCADE"), nullable=False, index=True)
    member_id = Column(Integer, ForeignKey("persons.id", ondelete="CASCADE"), nullable=False, index=True)
    relation = Column(String(10), nullable=False)  # 儿子 / 女儿 / 父亲 / 母亲 / 配偶 / ...
    granted_at = Column(DateTime, nullable=False)
    revoked_at = Column(DateTime)


class ChannelBinding(Base):
    __tablename__ = "channel_bindings"
    __table_args__ = (UniqueConstraint("channel", "channel_user_id"),)
    id = Column(Integer, primary_key=True)
    channel = Column(String(30), nullable=False)
    channel_user_id = Column(String(128), nullable=False)
    person_id = _person_fk()
    bound_at = Column(DateTime, nullable=False)


class VerificationAttempt(Base):
    """One row per verify() call; the typed name, ID number and phone are never stored."""

    __tablename__ = "verification_attempts"
    __table_args__ = (Index("ix_verification_attempts_user_time", "channel", "channel_user_id", "attempted_at"),)
    id = Column(Integer, primary_key=True)
    channel = Column(String(30), nullable=False)
    channel_user_id = Column(String(128), nullable=False)
    attempted_at = Column(DateTime, nullable=False)
    outcome = Column(String(12), nullable=False)  # ok / invalid_id / mismatch / locked
    person_id = Column(Integer, ForeignKey("persons.id", ondelete="SET NULL"))  # set only when ok


class AccessAudit(Base):
    __tablename__ = "access_audit"
    id = Column(Integer, primary_key=True)
    actor_id = Column(Integer, ForeignKey("persons.id", ondelete="SET NULL"), index=True)
    subject_id = Column(Integer, ForeignKey("persons.id", ondelete="SET NULL"), index=True)
    what = Column(String(40), nullable=False)  # e.g. query_balance
    channel = Column(String(30), nullable=False)
    channel_user_id = Column(String(128))
    accessed_at = Column(DateTime, nullable=False)


class HandoffTicket(Base):
    """A conversation handed to a human agent; the transcript is stored with identifiers masked."""

    __tablename__ = "handoff_tickets"
    id = Column(Integer, primary_key=True)
    channel = Column(String(30), nullable=False)
    channel_user_id = Column(String(128), nullable=False, index=True)
    reason = Column(Text, nullable=False)
    transcript = Column(JSON, nullable=False)  # [{"sender": "user"|"bot", "text": "..."}]
    status = Column(String(10), nullable=False, default="open")  # open / closed
    created_at = Column(DateTime, nullable=False)
    closed_at = Column(DateTime)
    agent_replies = Column(JSON, nullable=False)  # [{"at": iso, "agent": "...", "text": "..."}]


# ---------------------------------------------------------------- operators (bot/ops)
# Nothing below names a person: no conversation id, OpenID or unredacted text. Question texts are
# redacted (bot.privacy.redact_text) and cleared by the retention job (bot/ops/retention.py).


class OpsTurn(Base):
    """One user message and what the assistant did with it (written by the channel, bot/ops/turns.py)."""

    __tablename__ = "ops_turns"
    id = Column(String(32), primary_key=True)  # random; the web page rates an answer by it
    at = Column(DateTime, nullable=False, index=True)
    channel = Column(String(20), nullable=False)  # web / rest / wechat / wecom
    intent = Column(String(40))  # the model's top intent (nlu_fallback skipped)
    confidence = Column(Float)
    faq_key = Column(String(100))  # data/faq entry answered, e.g. lapse/resident_lapse_consequence
    outcome = Column(String(16), nullable=False)  # answered / clarified / refused / redirected / handoff / other
    reply_ms = Column(Integer)  # message in → reply out, measured at the channel
    question = Column(Text)  # redacted; NULL after the retention period


class OpsFeedback(Base):
    """A rating of one answer: +1 (helped) or -1 (did not), with an optional redacted reason."""

    __tablename__ = "ops_feedback"
    id = Column(Integer, primary_key=True)
    turn_id = Column(String(32), ForeignKey("ops_turns.id", ondelete="CASCADE"), nullable=False, index=True)
    rating = Column(Integer, nullable=False)
    reason = Column(Text)
    at = Column(DateTime, nullable=False, index=True)


class OpsSurvey(Base):
    """满意度 1–5 asked when a 转人工 ticket closes; score stays NULL until the user answers."""

    __tablename__ = "ops_surveys"
    ticket_id = Column(Integer, ForeignKey("handoff_tickets.id", ondelete="CASCADE"), primary_key=True)
    asked_at = Column(DateTime, nullable=False, index=True)
    score = Column(Integer)
    answered_at = Column(DateTime)


class OpsReviewItem(Base):
    """A question an operator should look at, and the label they gave it."""

    __tablename__ = "ops_review_items"
    id = Column(Integer, primary_key=True)
    turn_id = Column(String(32), ForeignKey("ops_turns.id", ondelete="SET NULL"), index=True)
    at = Column(DateTime, nullable=False, index=True)
    reason = Column(String(16), nullable=False)  # low_confidence / clarified / refused / unhelpful / handoff
    question = Column(Text)  # redacted; unlabelled items lose it after the retention period
    predicted_intent = Column(String(40))
    confidence = Column(Float)
    status = Column(String(10), nullable=False, default="open")  # open / labelled / exported
    label_intent = Column(String(40))
    label_faq_key = Column(String(100))
    new_answer_needed = Column(Boolean, nullable=False, default=False)
    labelled_by = Column(String(60))
    labelled_at = Column(DateTime)
    exported_at = Column(DateTime)


class Operator(Base):
    """Someone who may open /ops; the password is stored as a salted scrypt hash (bot/ops/auth.py)."""

    __tablename__ = "ops_operators"
    id = Column(Integer, primary_key=True)
    name = Column(String(60), nullable=False, unique=True)
    password_hash = Column(String(200), nullable=False)
    created_at = Column(DateTime, nullable=False)
    disabled = Column(Boolean, nullable=False, default=False)
