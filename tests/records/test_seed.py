"""Demo data: the personas file itself, and seeding that is idempotent and reproducible."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from stdnum.cn import ric

from bot.records import db
from bot.records.migrate import upgrade
from bot.records.models import (
    AccountTransaction,
    ChannelBinding,
    Claim,
    Contribution,
    Enrolment,
    FamilyAuthorisation,
    Person,
    PersonalAccount,
)
from bot.records.seed import load_personas, seed
from bot.records.verification import bind, bound_person, id_number_problem
from tests.records.conftest import TODAY

STORY_WORDS = ["连续缴费", "断缴2个月", "断缴5个月", "居民医保", "转移", "备案有效", "已过期", "慢特病",
               "审核中", "已支付", "未通过", "授权"]


def _dump(url: str) -> list[tuple]:
    """Every seeded business row, without surrogate ids and refs (those differ between databases)."""
    with db.session_scope(url) as session:
        people = {p.id: p.id_number for p in session.execute(select(Person)).scalars()}
        contributions = [(people[c.person_id], c.month, c.base, c.personal_part, c.employer_part, c.paid_at,
                          c.back_payment) for c in session.execute(select(Contribution)).scalars()]
        moves = [(people[t.person_id], t.occurred_at, t.institution, t.amount, t.kind)
                 for t in session.execute(select(AccountTransaction)).scalars()]
        accounts = [(people[a.person_id], a.balance) for a in session.execute(select(PersonalAccount)).scalars()]
        claims = [(people[c.person_id], c.kind, c.amount, c.stage) for c in session.execute(select(Claim)).scalars()]
    return sorted(contributions) + sorted(moves) + sorted(accounts) + sorted(claims)


def _counts(url: str) -> dict[str, int]:
    tables = (Person, Enrolment, Contribution, AccountTransaction, FamilyAuthorisation, Claim)
    with db.session_scope(url) as session:
        return {t.__tablename__: session.execute(select(func.count()).select_from(t)).scalar_one() for t in tables}


def test_personas_file_has_at_least_eight_people_with_valid_ids() -> None:
    personas = load_personas().personas
    assert len(personas) >= 8
    for persona in personas:
        assert ric.is_valid(persona["id_number"]), persona["name"]
        assert id_number_problem(persona["id_number"]) is None
        assert len(str(persona["phone"])) == 11
    assert len({p["id_number"] for p in personas}) == len(personas)


def test_personas_tell_every_story_the_issue_lists() -> None:
    stories = " ".join(p["story"] for p in load_personas().personas)
    missing = [word for word in STORY_WORDS if word not in stories]
    assert missing == []


def test_only_the_authorised_parent_mentions_authorisation() -> None:
    # The conversation tests pick "the persona that mentions 授权" as the parent and any other as a stranger.
    mentions = [p["key"] for p in load_personas().personas if "授权" in json.dumps(p, ensure_ascii=False)]
    assert mentions == ["liu_jianguo"]


def test_seeding_twice_changes_nothing_and_keeps_refs_and_bindings(migrated_url) -> None:
    with db.session_scope(migrated_url) as session:
        seed(session, TODAY)
    with db.session_scope(migrated_url) as session:
        ref = session.execute(select(Person.ref).order_by(Person.id)).scalars().first()
        bind(session, "wechat", "openid-1", ref)
    before, counts = _dump(migrated_url), _counts(migrated_url)
    with db.session_scope(migrated_url) as session:
        seed(session, TODAY)
    assert _dump(migrated_url) == before and _counts(migrated_url) == counts
    with db.session_scope(migrated_url) as session:
        assert bound_person(session, "wechat", "openid-1") == ref
        assert session.execute(select(func.count()).select_from(ChannelBinding)).scalar_one() == 1


def test_seeding_is_reproducible_across_databases(databases) -> None:
    first, second = databases.new(), databases.new()
    for url in (first, second):
        upgrade(url)
        with db.session_scope(url) as session:
            seed(session, TODAY)
    assert _dump(first) == _dump(second)
    assert len(_dump(first)) > 500


def test_contributions_run_up_to_today(session, personas) -> None:
    number = personas["zhang_wei"]["id_number"]
    latest = session.execute(select(func.max(Contribution.month)).join(Person, Person.id == Contribution.person_id)
                             .where(Person.id_number == number)).scalar_one()
    assert latest == date(TODAY.year, TODAY.month, 1)


def test_balance_equals_opening_plus_transactions(session, personas) -> None:
    person = session.execute(select(Person).where(Person.id_number == personas["sun_li"]["id_number"])).scalar_one()
    moved = session.execute(select(func.sum(AccountTransaction.amount))
                            .where(AccountTransaction.person_id == person.id)).scalar_one()
    balance = session.execute(select(PersonalAccount.balance).where(PersonalAccount.person_id == person.id)).scalar_one()
    opening = Decimal(str(personas["sun_li"]["account"]["opening_balance"]))
    assert balance == (moved + opening).quantize(Decimal("0.01"))
    assert balance > 0
