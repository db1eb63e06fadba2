"""Identity verification: ID checks, no enumeration, lockout with an injected clock, and bindings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.records import verification as v
from bot.records.models import VerificationAttempt
from tests.records.conftest import NOW

ZHANG = ("张伟", "420102198506120310", "4567")


@pytest.fixture(autouse=True)
def forget_failures_per_id_number(seeded_url):
    """The seeded database is shared: one test's failures for an ID number must not lock the next."""
    yield
    from sqlalchemy import delete

    from bot.records import db
    with db.session_scope(seeded_url) as cleanup:
        cleanup.execute(delete(VerificationAttempt).where(VerificationAttempt.channel == v.ID_NUMBER_CHANNEL))


def _verify(session, channel_user, answers=ZHANG, now=NOW, channel="rest"):
    return v.verify(session, *answers, channel=channel, channel_user_id=channel_user, now=now)


def test_correct_answers_verify_and_return_an_opaque_ref(session, channel_user, ref_of) -> None:
    result = _verify(session, channel_user)
    assert result.ok and result.status == "ok"
    assert result.person_ref == ref_of("zhang_wei")
    assert ZHANG[1] not in result.person_ref and len(result.person_ref) == 32


def test_spaces_fullwidth_digits_and_lowercase_x_are_accepted(session, channel_user) -> None:
    result = _verify(session, channel_user, ("周桂兰", "420100 19580311 042x", "６７８９"))
    assert result.ok


@pytest.mark.parametrize(("number", "reason"), [
    ("42010219850612031", "应为18位，您输入的是17位"),
    ("4201021985061203101", "应为18位，您输入的是19位"),
    ("42010219851332031X", "出生日期"),
    ("420102198506120311", "校验码"),
    ("4201021985061203A0", "前17位应为数字"),
])
def test_invalid_id_numbers_are_explained_before_any_lookup(session, channel_user, number, reason) -> None:
    assert reason in v.id_number_problem(number)
    result = _verify(session, channel_user, ("张伟", number, "4567"))
    assert result.status == "invalid_id" and reason in result.message and result.person_ref is None


def test_id_number_problem_accepts_valid_numbers_of_older_people() -> None:
    assert v.id_number_problem("42010019580311042X") is None


def test_unknown_person_wrong_name_and_wrong_phone_get_the_same_answer(session) -> None:
    unknown = _verify(session, "enum-1", ("王不存在", "11010519491231002X", "4567"))
    wrong_name = _verify(session, "enum-2", ("张伟伟", ZHANG[1], "4567"))
    wrong_phone = _verify(session, "enum-3", ("张伟", ZHANG[1], "0000"))
    assert unknown.status == wrong_name.status == wrong_phone.status == "mismatch"
    assert unknown == wrong_name == wrong_phone
    assert "不一致" in unknown.message


def test_ten_failures_for_one_id_number_from_rotating_users_lock_it(session) -> None:
    wrong = ("张伟", ZHANG[1], "0000")
    results = [_verify(session, f"rotating-{i}", wrong, NOW + timedelta(seconds=i)) for i in range(10)]
    assert [r.status for r in results] == ["mismatch"] * 9 + ["locked"]
    right = _verify(session, "rotating-new", ZHANG, NOW + timedelta(minutes=1))
    assert right.status == "locked" and right.person_ref is None
    unknown = [_verify(session, f"unknown-{i}", ("王不存在", "11010519491231002X", "0000"), NOW + timedelta(seconds=i))
               for i in range(10)]
    assert unknown[-1].status == "locked", "an unknown number locks the same way: the lock reveals nothing"
    assert _verify(session, "rotating-new", ZHANG, NOW + timedelta(minutes=31)).status == "ok"


def test_five_failures_lock_for_thirty_minutes_even_for_correct_answers(session, channel_user) -> None:
    wrong = ("李四", ZHANG[1], "4567")
    results = [_verify(session, channel_user, wrong, NOW + timedelta(seconds=i)) for i in range(5)]
    assert [r.attempts_left for r in results[:4]] == [4, 3, 2, 1]
    assert results[4].status == "locked" and results[4].locked_minutes == 30
    later = _verify(session, channel_user, ZHANG, NOW + timedelta(minutes=10, seconds=4))  # 10 min after the 5th
    assert later.status == "locked" and later.person_ref is None and later.locked_minutes == 20
    assert "暂停" in later.message


def test_lock_ends_after_thirty_minutes_and_the_count_starts_again(session, channel_user) -> None:
    for i in range(5):
        _verify(session, channel_user, ("李四", ZHANG[1], "4567"), NOW + timedelta(seconds=i))
    assert v.locked_minutes(session, "rest", channel_user, NOW + timedelta(minutes=29, seconds=5)) == 1
    assert v.locked_minutes(session, "rest", channel_user, NOW + timedelta(minutes=30, seconds=5)) == 0
    after = _verify(session, channel_user, ("李四", ZHANG[1], "4567"), NOW + timedelta(minutes=31))
    assert after.status == "mismatch" and after.attempts_left == 4
    assert _verify(session, channel_user, ZHANG, NOW + timedelta(minutes=32)).ok


def test_lock_is_per_channel_user(session, channel_user) -> None:
    for i in range(5):
        _verify(session, channel_user, ("李四", ZHANG[1], "4567"), NOW + timedelta(seconds=i))
    assert _verify(session, channel_user + "-other", ZHANG, NOW + timedelta(minutes=1)).ok
    assert _verify(session, channel_user, ZHANG, NOW + timedelta(minutes=1), channel="wechat").ok


def test_success_resets_the_failure_count(session, channel_user) -> None:
    for i in range(4):
        _verify(session, channel_user, ("李四", ZHANG[1], "4567"), NOW + timedelta(seconds=i))
    assert _verify(session, channel_user, ZHANG, NOW + timedelta(seconds=5)).ok
    again = _verify(session, channel_user, ("李四", ZHANG[1], "4567"), NOW + timedelta(seconds=6))
    assert again.status == "mismatch" and again.attempts_left == 4


def test_attempts_store_no_typed_answers(session, channel_user) -> None:
    _verify(session, channel_user, ("李四", ZHANG[1], "4567"))
    rows = session.execute(select(VerificationAttempt).where(VerificationAttempt.channel_user_id == channel_user))
    stored = " ".join(str(vars(row)) for row in rows.scalars())
    assert "李四" not in stored and ZHANG[1] not in stored and "mismatch" in stored


def test_bind_lookup_rebind_and_unbind(session, channel_user, ref_of) -> None:
    assert v.bound_person(session, "wechat", channel_user) is None
    v.bind(session, "wechat", channel_user, ref_of("zhang_wei"), now=NOW)
    assert v.bound_person(session, "wechat", channel_user) == ref_of("zhang_wei")
    assert v.bound_person(session, "wecom", channel_user) is None
    v.bind(session, "wechat", channel_user, ref_of("li_na"), now=NOW)
    assert v.bound_person(session, "wechat", channel_user) == ref_of("li_na")
    assert v.unbind(session, "wechat", channel_user) is True
    assert v.bound_person(session, "wechat", channel_user) is None
    assert v.unbind(session, "wechat", channel_user) is False


def test_id_number_locks_escalate_to_a_day(session) -> None:
    wrong, at = ("张伟", ZHANG[1], "0000"), NOW
    lengths = []
    for lock in range(3):
        for i in range(10):
            result = _verify(session, f"escalate-{lock}-{i}", wrong, at + timedelta(seconds=i))
        assert result.status == "locked"
        lengths.append(result.locked_minutes)
        at += timedelta(minutes=result.locked_minutes, seconds=30)
    assert lengths == [30, 120, 24 * 60]  # 30 guesses, then a day: about 30 a day instead of ~480


def test_id_number_lock_does_not_lock_out_the_persons_own_wechat(session) -> None:
    assert _verify(session, "o-owner-lock", channel="wechat").ok  # the owner verified here before
    for i in range(10):
        _verify(session, f"griefer-{i}", ("张伟", ZHANG[1], "0000"), NOW + timedelta(minutes=1, seconds=i))
    assert _verify(session, "griefer-new", ZHANG, NOW + timedelta(minutes=2)).status == "locked"
    assert _verify(session, "o-owner-lock", ZHANG, NOW + timedelta(minutes=2), channel="wechat").ok
