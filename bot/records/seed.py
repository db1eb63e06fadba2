"""Builds the demo records from data/demo/personas.yml (`python -m bot.records seed`).

Idempotent: persons are matched by ID number and keep their opaque ref (so bindings survive); all
their records are rebuilt. Reproducible: the noise comes from Faker zh_CN seeded per persona, and
every date is relative to `today`, so the same file and the same day give the same rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from faker import Faker
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from stdnum.cn import ric

from bot.records.clock import add_months
from bot.records.models import (
    AccountTransaction,
    ChronicQualification,
    Claim,
    Contribution,
    Enrolment,
    FamilyAuthorisation,
    Person,
    PersonalAccount,
    RemoteCareFiling,
    TransferApplication,
)

PERSONAS_PATH = Path(__file__).resolve().parents[2] / "data" / "demo" / "personas.yml"
CENT = Decimal("0.01")
PERSON_TABLES = (AccountTransaction, PersonalAccount, Contribution, Enrolment, RemoteCareFiling,
                 ChronicQualification, TransferApplication, Claim)


@dataclass
class DemoData:
    raw: dict[str, Any]

    @property
    def personas(self) -> list[dict[str, Any]]:
        return self.raw["personas"]

    @property
    def rates(self) -> dict[str, Any]:
        return self.raw["rates"]


@dataclass
class SeedReport:
    persons: int = 0
    rows: dict[str, int] = field(default_factory=dict)


def load_personas(path: Path | None = None) -> DemoData:
    return DemoData(yaml.safe_load((path or PERSONAS_PATH).read_text(encoding="utf-8")))


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def seed(session: Session, today: date, data: DemoData | None = None) -> SeedReport:
    """Creates or rebuilds every demo person's records as of `today`."""
    data = data or load_personas()
    report = SeedReport()
    persons: dict[str, Person] = {}
    for index, persona in enumerate(data.personas):
        faker = Faker("zh_CN")
        faker.seed_instance(int(data.raw["faker_seed"]) + index)
        persons[persona["key"]] = _seed_person(session, persona, data, today, faker)
        report.persons += 1
    _seed_family(session, data, persons, today)
    session.flush()
    return report


def _seed_person(session: Session, persona: dict, data: DemoData, today: date, faker: Faker) -> Person:
    person = _upsert_person(session, persona, today)
    for table in PERSON_TABLES:
        session.execute(delete(table).where(table.person_id == person.id))
    for spec in persona.get("enrolments", []):
        _add_enrolment(session, person, spec, data, today)
    if "account" in persona:
        _add_account(session, person, persona, data, today, faker)
    _add_filings(session, person, persona.get("filings", []), today)
    _add_chronic(session, person, persona.get("chronic", []), today)
    _add_transfers(session, person, persona.get("transfers", []), today)
    _add_claims(session, person, persona.get("claims", []), today)
    return person


def _upsert_person(session: Session, persona: dict, today: date) -> Person:
    id_number = ric.validate(persona["id_number"])
    person = session.execute(select(Person).where(Person.id_number == id_number)).scalar_one_or_none()
    if person is None:
        person = Person(id_number=id_number, created_at=datetime.combine(today, time()))
        session.add(person)
    person.name = persona["name"]
    person.phone = str(persona["phone"])
    person.birth_date = ric.get_birth_date(id_number)
    person.gender = "男" if int(id_number[16]) % 2 else "女"
    person.hukou_region = persona["hukou_region"]
    session.flush()
    return person


# ---------------------------------------------------------------- enrolments and contributions

def _add_enrolment(session: Session, person: Person, spec: dict, data: DemoData, today: date) -> None:
    if spec["type"] == "居民":
        _add_resident(session, person, spec, data, today)
    else:
        _add_employee(session, person, spec, data, today)


def _add_employee(session: Session, person: Person, spec: dict, data: DemoData, today: date) -> None:
    this_month = today.replace(day=1)
    end = add_months(this_month, -spec["to"]) if spec.get("to") is not None else None
    enrolment = Enrolment(person_id=person.id, insurance_type="职工", region=spec["region"],
                          employer=spec.get("employer"), start_month=add_months(this_month, -spec["from"]),
                          end_month=end, status=spec["status"])
    session.add(enrolment)
    session.flush()
    last_paid = end or _last_collected_month(today, data)
    back_paid = {add_months(this_month, -m) for m in spec.get("back_paid", [])}
    month = enrolment.start_month
    while month <= last_paid:
        session.add(_employee_contribution(enrolment, month, spec, data, month in back_paid))
        month = add_months(month, 1)


def _last_collected_month(today: date, data: DemoData) -> date:
    this_month = today.replace(day=1)
    return this_month if today.day >= int(data.raw["collection_day"]) else add_months(this_month, -1)


def _employee_contribution(enrolment: Enrolment, month: date, spec: dict, data: DemoData,
                           back_payment: bool) -> Contribution:
    base = money(spec["base"])
    flexible = spec.get("employer") is None
    rates = data.rates["flexible" if flexible else "employee"]
    paid_at = add_months(month, 3) + timedelta(days=9) if back_payment else month.replace(day=15)
    return Contribution(person_id=enrolment.person_id, enrolment_id=enrolment.id, month=month, base=base,
                        employer_part=money(0 if flexible else base * Decimal(str(rates["employer"]))),
                        personal_part=money(base * Decimal(str(rates["personal"]))),
                        paid_by="个人" if flexible else "单位", paid_at=paid_at, back_payment=back_payment)


def _add_resident(session: Session, person: Person, spec: dict, data: DemoData, today: date) -> None:
    first_year = today.year - spec["from_years_ago"]
    enrolment = Enrolment(person_id=person.id, insurance_type="居民", region=spec["region"], employer=None,
                          start_month=date(first_year, 1, 1), end_month=None, status=spec["status"])
    session.add(enrolment)
    session.flush()
    gaps = {today.year - years for years in spec.get("gap_years_ago", [])}
    for year in range(first_year, today.year + 1):
        if year not in gaps:
            session.add_all(_resident_year(enrolment, year, data))


def _resident_year(enrolment: Enrolment, year: int, data: DemoData) -> list[Contribution]:
    """One annual payment (collected the previous autumn) spread over the 12 covered months."""
    fees = data.rates["resident_annual_fee"]
    annual = money(fees.get(year, fees[max(fees)]))
    monthly = (annual / 12).quantize(CENT)
    parts = [monthly] * 11 + [annual - monthly * 11]
    paid_at = date(year - 1, 10, 20)
    return [Contribution(person_id=enrolment.person_id, enrolment_id=enrolment.id, month=date(year, m, 1),
                         base=annual, employer_part=money(0), personal_part=parts[m - 1], paid_by="个人",
                         paid_at=paid_at, back_payment=False) for m in range(1, 13)]


# ---------------------------------------------------------------- personal account

def _add_account(session: Session, person: Person, persona: dict, data: DemoData, today: date,
                 faker: Faker) -> None:
    spec = persona["account"]
    balance = money(spec["opening_balance"])
    start = add_months(today.replace(day=1), -int(data.raw["history_months"]))
    credit = _monthly_credit(persona, spec, data)
    places = _institutions(persona, data)
    month = start
    while month <= today:
        for row in _month_transactions(person, month, today, credit, balance, places, faker):
            balance += row.amount
            session.add(row)
        month = add_months(month, 1)
    # The nightly extract: the balance is as of today 00:00, transactions are all before today.
    session.add(PersonalAccount(person_id=person.id, balance=balance, updated_at=datetime.combine(today, time())))


def _monthly_credit(persona: dict, spec: dict, data: DemoData) -> Decimal:
    if "monthly_credit" in spec:
        return money(spec["monthly_credit"])
    current = persona["enrolments"][-1]
    if current.get("to") is not None:  # not paying now: nothing is credited
        return money(0)
    kind = "flexible" if current.get("employer") is None else "employee"
    return money(Decimal(str(current["base"])) * Decimal(str(data.rates[kind]["account_credit"])))


def _institutions(persona: dict, data: DemoData) -> dict[str, list[str]]:
    region = persona.get("lives_in") or _home_region(persona)
    return data.raw["institutions"].get(region) or next(iter(data.raw["institutions"].values()))


def _home_region(persona: dict) -> str:
    filings = [f for f in persona.get("filings", []) if f.get("valid_to_days_ago") is None]
    return filings[0]["destination"] if filings else persona["enrolments"][-1]["region"]


def _month_transactions(person: Person, month: date, today: date, credit: Decimal, balance: Decimal,
                        places: dict[str, list[str]], faker: Faker) -> list[AccountTransaction]:
    """A credit on the 20th (when one is due) and 1-3 purchases, all before today."""
    rows: list[AccountTransaction] = []
    credit_day = datetime.combine(month.replace(day=20), time(2, 0))
    if credit > 0 and credit_day.date() < today:
        rows.append(AccountTransaction(person_id=person.id, occurred_at=credit_day, institution="医保个人账户",
                                       amount=credit, kind="划入"))
        balance += credit
    for _ in range(faker.random.randint(1, 3)):
        spend = _purchase(person, month, today, balance, places, faker)
        if spend is not None:
            rows.append(spend)
            balance += spend.amount
    return sorted(rows, key=lambda row: row.occurred_at)


def _purchase(person: Person, month: date, today: date, balance: Decimal, places: dict[str, list[str]],
              faker: Faker) -> AccountTransaction | None:
    rng: random.Random = faker.random
    day = month + timedelta(days=rng.randint(0, 27))
    amount = money(rng.uniform(6, 120))
    if day >= today or amount > balance:
        return None
    at_pharmacy = rng.random() < 0.6
    name = rng.choice(places["pharmacies" if at_pharmacy else "hospitals"])
    if at_pharmacy:
        name = f"{name}（{faker.street_name()}店）"
    occurred = datetime.combine(day, time(rng.randint(8, 20), rng.randint(0, 59)))
    return AccountTransaction(person_id=person.id, occurred_at=occurred, institution=name, amount=-amount,
                              kind="药店购药" if at_pharmacy else "门诊")


# ---------------------------------------------------------------- filings, chronic, transfers, claims

def _days_ago(today: date, days: int | None) -> date | None:
    return None if days is None else today - timedelta(days=days)


def _add_filings(session: Session, person: Person, specs: list[dict], today: date) -> None:
    for spec in specs:
        session.add(RemoteCareFiling(
            person_id=person.id, filing_type=spec["type"], destination=spec["destination"],
            filed_on=_days_ago(today, spec["filed_days_ago"]), status="已备案",
            valid_from=_days_ago(today, spec["valid_from_days_ago"]),
            valid_to=_days_ago(today, spec.get("valid_to_days_ago"))))


def _add_chronic(session: Session, person: Person, specs: list[dict], today: date) -> None:
    for spec in specs:
        valid_to = today + timedelta(days=spec["valid_to_in_days"]) if "valid_to_in_days" in spec else None
        session.add(ChronicQualification(person_id=person.id, disease=spec["disease"],
                                         institution=spec.get("institution"), valid_to=valid_to,
                                         valid_from=_days_ago(today, spec["valid_from_days_ago"])))


def _add_transfers(session: Session, person: Person, specs: list[dict], today: date) -> None:
    for spec in specs:
        stages = [{"stage": s["stage"], "date": _days_ago(today, s["days_ago"]).isoformat()}
                  for s in spec["stages"]]
        session.add(TransferApplication(person_id=person.id, from_region=spec["from_region"],
                                        to_region=spec["to_region"], stage=stages[-1]["stage"],
                                        submitted_on=date.fromisoformat(stages[0]["date"]), stage_dates=stages))


def _add_claims(session: Session, person: Person, specs: list[dict], today: date) -> None:
    for number, spec in enumerate(specs, start=1):
        submitted = _days_ago(today, spec["submitted_days_ago"])
        paid = spec.get("paid_amount")
        session.add(Claim(person_id=person.id, claim_no=f"BX{submitted:%Y%m%d}{person.id:04d}{number:02d}",
                          kind=spec["kind"], submitted_on=submitted, amount=money(spec["amount"]),
                          stage=spec["stage"], stage_on=_days_ago(today, spec["stage_days_ago"]),
                          paid_amount=money(paid) if paid is not None else None,
                          reject_reason=spec.get("reject_reason")))


# ---------------------------------------------------------------- family

def _seed_family(session: Session, data: DemoData, persons: dict[str, Person], today: date) -> None:
    owner_ids = [persons[p["key"]].id for p in data.personas]
    session.execute(delete(FamilyAuthorisation).where(FamilyAuthorisation.owner_id.in_(owner_ids)))
    for persona in data.personas:
        for link in persona.get("family", []):
            granted = datetime.combine(_days_ago(today, link["granted_days_ago"]), time(10, 0))
            session.add(FamilyAuthorisation(owner_id=persons[persona["key"]].id,
                                            member_id=persons[link["member"]].id,
                                            relation=link["relation"], granted_at=granted))
