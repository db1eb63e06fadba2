"""Read-only queries over one person's records, addressed by the opaque person ref.

Every result carries `subject` (whose data: ref + name) and `as_of` (the date the answer is true
for) so a reply can say both. Nothing here checks who is asking: callers check with
`bot.records.family.can_read` and write an audit row with `bot.records.audit.record_access`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.privacy import mask_id
from bot.records.clock import now as china_now
from bot.records.clock import today as china_today
from bot.records.models import (
    AccountTransaction,
    ChronicQualification,
    Claim,
    Contribution,
    Enrolment,
    Person,
    PersonalAccount,
    RemoteCareFiling,
    TransferApplication,
)

ENDED_STATUSES = frozenset({"终止参保", "已转出"})
RETIRED_STATUS = "退休"
TRANSFER_STAGES = ("已提交转移申请", "转入地已受理", "转出地审核中", "转出地已办结", "转入地已接续")
DEFAULT_CONSUMPTION_DAYS = 30


class UnknownPerson(LookupError):
    """The ref matches nobody (stale slot or a programming error): never shown to users as data."""


@dataclass(frozen=True)
class Subject:
    """Whose data: the opaque ref, the name (mask it for display) and the masked ID number."""

    ref: str
    name: str
    id_masked: str


@dataclass(frozen=True)
class Balance:
    subject: Subject
    has_account: bool  # 居民医保 has no personal account
    balance: Decimal | None
    as_of: datetime  # the account's update time, or now when there is no account
    last_credit_amount: Decimal | None
    last_credit_on: date | None
    insurance_type: str | None


@dataclass(frozen=True)
class YearTotal:
    year: int
    months_paid: int
    personal: Decimal
    employer: Decimal
    back_paid_months: int

    @property
    def total(self) -> Decimal:
        return self.personal + self.employer


@dataclass(frozen=True)
class ContributionHistory:
    subject: Subject
    as_of: date
    insurance_type: str | None
    region: str | None
    status: str | None
    paid_months: list[date]  # sorted, first day of each paid month (input for bot.rules.lapse)
    back_paid_months: list[date]
    years: list[YearTotal]  # oldest first
    total_months_paid: int

    @property
    def retired(self) -> bool:
        return self.status == RETIRED_STATUS

    @property
    def years_and_months_paid(self) -> tuple[int, int]:
        return divmod(self.total_months_paid, 12)

    @property
    def last_paid_month(self) -> date | None:
        return self.paid_months[-1] if self.paid_months else None


@dataclass(frozen=True)
class EnrolmentView:
    insurance_type: str
    region: str
    employer: str | None
    start_month: date
    end_month: date | None
    status: str

    @property
    def current(self) -> bool:
        return self.status not in ENDED_STATUSES


@dataclass(frozen=True)
class InsuredLocations:
    subject: Subject
    as_of: date
    hukou_region: str
    current: list[EnrolmentView]
    past: list[EnrolmentView]


@dataclass(frozen=True)
class TransactionView:
    occurred_at: datetime
    institution: str
    amount: Decimal  # negative = spent from the account
    kind: str


@dataclass(frozen=True)
class Consumption:
    subject: Subject
    start: date
    end: date
    as_of: date
    items: list[TransactionView]  # spending only, newest first
    total_spent: Decimal
    total_credited: Decimal


@dataclass(frozen=True)
class FilingView:
    filing_type: str
    destination: str
    filed_on: date
    valid_from: date
    valid_to: date | None
    status: str  # 有效 / 已过期 / 未生效 / 已撤销


@dataclass(frozen=True)
class Filings:
    subject: Subject
    as_of: date
    items: list[FilingView]

    @property
    def active(self) -> list[FilingView]:
        return [item for item in self.items if item.status == "有效"]


@dataclass(frozen=True)
class QualificationView:
    disease: str
    institution: str | None
    valid_from: date
    valid_to: date | None
    active: bool


@dataclass(frozen=True)
class ChronicQualifications:
    subject: Subject
    as_of: date
    items: list[QualificationView]


@dataclass(frozen=True)
class StageView:
    stage: str
    on: date


@dataclass(frozen=True)
class TransferView:
    from_region: str
    to_region: str
    submitted_on: date
    stage: str
    stages: list[StageView]
    next_stage: str | None  # None when finished

    @property
    def finished(self) -> bool:
        return self.next_stage is None


@dataclass(frozen=True)
class Transfers:
    subject: Subject
    as_of: date
    items: list[TransferView]


@dataclass(frozen=True)
class ClaimView:
    claim_no: str
    kind: str
    submitted_on: date
    amount: Decimal
    stage: str  # 已受理 / 审核中 / 已支付 / 未通过
    stage_on: date
    paid_amount: Decimal | None
    reject_reason: str | None


@dataclass(frozen=True)
class Claims:
    subject: Subject
    as_of: date
    items: list[ClaimView]  # newest first


# ---------------------------------------------------------------- person

def person_by_ref(session: Session, ref: str) -> Person:
    person = session.execute(select(Person).where(Person.ref == ref)).scalar_one_or_none()
    if person is None:
        raise UnknownPerson("no person with this ref")
    return person


def subject(session: Session, ref: str) -> Subject:
    return _subject(person_by_ref(session, ref))


def _subject(person: Person) -> Subject:
    return Subject(ref=person.ref, name=person.name, id_masked=mask_id(person.id_number))


def _enrolments(session: Session, person_id: int) -> list[Enrolment]:
    query = select(Enrolment).where(Enrolment.person_id == person_id).order_by(Enrolment.start_month)
    return list(session.execute(query).scalars())


def _current_enrolment(session: Session, person_id: int) -> Enrolment | None:
    enrolments = _enrolments(session, person_id)
    current = [e for e in enrolments if e.status not in ENDED_STATUSES]
    return (current or enrolments or [None])[-1]


# ---------------------------------------------------------------- balance

def balance(session: Session, ref: str) -> Balance:
    person = person_by_ref(session, ref)
    account = session.execute(select(PersonalAccount).where(PersonalAccount.person_id == person.id)).scalar()
    enrolment = _current_enrolment(session, person.id)
    kind = enrolment.insurance_type if enrolment else None
    if account is None:
        return Balance(_subject(person), False, None, china_now(), None, None, kind)
    credit = _last_credit(session, person.id)
    return Balance(_subject(person), True, account.balance, account.updated_at,
                   credit.amount if credit else None, credit.occurred_at.date() if credit else None, kind)


def _last_credit(session: Session, person_id: int) -> AccountTransaction | None:
    query = (select(AccountTransaction)
             .where(AccountTransaction.person_id == person_id, AccountTransaction.amount > 0)
             .order_by(AccountTransaction.occurred_at.desc()).limit(1))
    return session.execute(query).scalar()


# ---------------------------------------------------------------- contributions

def contribution_history(session: Session, ref: str, as_of: date | None = None) -> ContributionHistory:
    """All paid months up to as_of's month (a prepaid future month of 居民医保 counts as paid)."""
    person = person_by_ref(session, ref)
    as_of = as_of or china_today()
    rows = _contributions(session, person.id)
    enrolment = _current_enrolment(session, person.id)
    paid = sorted({row.month for row in rows})
    back = sorted({row.month for row in rows if row.back_payment})
    return ContributionHistory(
        subject=_subject(person), as_of=as_of,
        insurance_type=enrolment.insurance_type if enrolment else None,
        region=enrolment.region if enrolment else None, status=enrolment.status if enrolment else None,
        paid_months=paid, back_paid_months=back, years=_year_totals(rows),
        total_months_paid=len([m for m in paid if m <= as_of]))


def _contributions(session: Session, person_id: int) -> list[Contribution]:
    query = select(Contribution).where(Contribution.person_id == person_id).order_by(Contribution.month)
    return list(session.execute(query).scalars())


def _year_totals(rows: list[Contribution]) -> list[YearTotal]:
    years: dict[int, list[Contribution]] = {}
    for row in rows:
        years.setdefault(row.month.year, []).append(row)
    return [YearTotal(year=year, months_paid=len({r.month for r in items}),
                      personal=sum((r.personal_part for r in items), Decimal("0.00")),
                      employer=sum((r.employer_part for r in items), Decimal("0.00")),
                      back_paid_months=len({r.month for r in items if r.back_payment}))
            for year, items in sorted(years.items())]


# ---------------------------------------------------------------- 参保地

def insured_locations(session: Session, ref: str, as_of: date | None = None) -> InsuredLocations:
    person = person_by_ref(session, ref)
    views = [_enrolment_view(e) for e in _enrolments(session, person.id)]
    return InsuredLocations(subject=_subject(person), as_of=as_of or china_today(),
                            hukou_region=person.hukou_region,
                            current=[v for v in views if v.current], past=[v for v in views if not v.current])


def _enrolment_view(enrolment: Enrolment) -> EnrolmentView:
    return EnrolmentView(enrolment.insurance_type, enrolment.region, enrolment.employer,
                         enrolment.start_month, enrolment.end_month, enrolment.status)


# ---------------------------------------------------------------- consumption

def consumption(session: Session, ref: str, start: date | None = None, end: date | None = None,
                as_of: date | None = None) -> Consumption:
    """Account spending from start to end inclusive; default the last 30 days up to as_of."""
    person = person_by_ref(session, ref)
    as_of = as_of or china_today()
    end = min(end or as_of, as_of)
    start = start or end - timedelta(days=DEFAULT_CONSUMPTION_DAYS - 1)
    rows = _transactions(session, person.id, start, end)
    spent = [_transaction_view(r) for r in rows if r.amount < 0]
    return Consumption(subject=_subject(person), start=start, end=end, as_of=as_of,
                       items=spent, total_spent=-sum((t.amount for t in spent), Decimal("0.00")),
                       total_credited=sum((r.amount for r in rows if r.amount > 0), Decimal("0.00")))


def _transactions(session: Session, person_id: int, start: date, end: date) -> list[AccountTransaction]:
    query = (select(AccountTransaction)
             .where(AccountTransaction.person_id == person_id,
                    AccountTransaction.occurred_at >= datetime.combine(start, datetime.min.time()),
                    AccountTransaction.occurred_at < datetime.combine(end + timedelta(days=1), datetime.min.time()))
             .order_by(AccountTransaction.occurred_at.desc()))
    return list(session.execute(query).scalars())


def _transaction_view(row: AccountTransaction) -> TransactionView:
    return TransactionView(row.occurred_at, row.institution, row.amount, row.kind)


# ---------------------------------------------------------------- filings, chronic, transfers, claims

def remote_care_filings(session: Session, ref: str, as_of: date | None = None) -> Filings:
    person = person_by_ref(session, ref)
    as_of = as_of or china_today()
    query = (select(RemoteCareFiling).where(RemoteCareFiling.person_id == person.id)
             .order_by(RemoteCareFiling.valid_from.desc()))
    items = [FilingView(f.filing_type, f.destination, f.filed_on, f.valid_from, f.valid_to, _filing_status(f, as_of))
             for f in session.execute(query).scalars()]
    return Filings(_subject(person), as_of, items)


def _filing_status(filing: RemoteCareFiling, as_of: date) -> str:
    if filing.status == "已撤销":
        return "已撤销"
    if filing.valid_from > as_of:
        return "未生效"
    return "已过期" if filing.valid_to is not None and filing.valid_to < as_of else "有效"


def chronic_qualifications(session: Session, ref: str, as_of: date | None = None) -> ChronicQualifications:
    person = person_by_ref(session, ref)
    as_of = as_of or china_today()
    query = (select(ChronicQualification).where(ChronicQualification.person_id == person.id)
             .order_by(ChronicQualification.valid_from))
    items = [QualificationView(q.disease, q.institution, q.valid_from, q.valid_to,
                               q.valid_from <= as_of and (q.valid_to is None or q.valid_to >= as_of))
             for q in session.execute(query).scalars()]
    return ChronicQualifications(_subject(person), as_of, items)


def transfers(session: Session, ref: str, as_of: date | None = None) -> Transfers:
    person = person_by_ref(session, ref)
    query = (select(TransferApplication).where(TransferApplication.person_id == person.id)
             .order_by(TransferApplication.submitted_on.desc()))
    items = [_transfer_view(t) for t in session.execute(query).scalars()]
    return Transfers(_subject(person), as_of or china_today(), items)


def _transfer_view(application: TransferApplication) -> TransferView:
    stages = [StageView(s["stage"], date.fromisoformat(s["date"])) for s in application.stage_dates]
    return TransferView(application.from_region, application.to_region, application.submitted_on,
                        application.stage, stages, _next_stage(application.stage))


def _next_stage(stage: str) -> str | None:
    if stage not in TRANSFER_STAGES:
        return None
    position = TRANSFER_STAGES.index(stage)
    return TRANSFER_STAGES[position + 1] if position + 1 < len(TRANSFER_STAGES) else None


def claims(session: Session, ref: str, as_of: date | None = None) -> Claims:
    person = person_by_ref(session, ref)
    query = select(Claim).where(Claim.person_id == person.id).order_by(Claim.submitted_on.desc())
    items = [ClaimView(c.claim_no, c.kind, c.submitted_on, c.amount, c.stage, c.stage_on, c.paid_amount,
                       c.reject_reason) for c in session.execute(query).scalars()]
    return Claims(_subject(person), as_of or china_today(), items)
