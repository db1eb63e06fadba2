"""Family authorisations (亲情账户): who may read whose records."""

from __future__ import annotations

from datetime import timedelta

from bot.records import family
from tests.records.conftest import NOW


def test_parent_with_authorisation_can_read_child(session, ref_of) -> None:
    assert family.can_read(session, ref_of("liu_jianguo"), ref_of("liu_xiaoyu"), NOW)


def test_authorisation_is_one_way(session, ref_of) -> None:
    assert not family.can_read(session, ref_of("liu_xiaoyu"), ref_of("liu_jianguo"), NOW)


def test_stranger_cannot_read_and_everyone_reads_themselves(session, ref_of) -> None:
    assert not family.can_read(session, ref_of("zhang_wei"), ref_of("liu_xiaoyu"), NOW)
    assert family.can_read(session, ref_of("zhang_wei"), ref_of("zhang_wei"), NOW)


def test_spoken_relation_words_find_the_member(session, ref_of) -> None:
    for word in ("孩子", "我女儿", "我的孩子", "闺女", "女儿"):
        member = family.find_member(session, ref_of("liu_jianguo"), word, NOW)
        assert member is not None and member.person_ref == ref_of("liu_xiaoyu") and member.relation == "女儿"
    assert family.find_member(session, ref_of("liu_jianguo"), "儿子", NOW) is None
    assert family.find_member(session, ref_of("zhang_wei"), "妈妈", NOW) is None


def test_list_members_shows_active_authorisations(session, ref_of) -> None:
    members = family.list_members(session, ref_of("liu_jianguo"), NOW)
    assert [(m.name, m.relation) for m in members] == [("刘小雨", "女儿")]
    assert family.list_members(session, ref_of("zhang_wei"), NOW) == []


def test_revoked_and_future_grants_do_not_count(session, ref_of) -> None:
    owner, member = ref_of("zhang_wei"), ref_of("zhao_min")
    family.grant(session, owner, member, "配偶", now=NOW)
    assert not family.can_read(session, owner, member, NOW - timedelta(days=1))
    assert family.can_read(session, owner, member, NOW + timedelta(hours=1))
    assert family.find_member(session, owner, "老婆", NOW + timedelta(hours=1)).person_ref == member
    assert family.revoke(session, owner, member, now=NOW + timedelta(days=1)) == 1
    assert not family.can_read(session, owner, member, NOW + timedelta(days=2))
    assert family.can_read(session, owner, member, NOW + timedelta(hours=2))  # the past stays as it was
