"""Numbers work on every text channel: over REST (and so on the web page), 「菜单」 then a number picks
the option shown, and 「1」 after a short answer opens its details."""

from __future__ import annotations

from tests.support.server import say


def test_menu_then_a_number_answers_that_topic_over_rest(rasa_server) -> None:
    menu, _ = say(rasa_server, "numbers-1", "菜单")
    assert "回复数字" in menu  # the options come as buttons (chips on the page, 回复N on WeChat)
    reply, _ = say(rasa_server, "numbers-1", "3")  # the third option: 断缴怎么办
    assert "断缴" in reply and "您是想问" not in reply and "请选一项" not in reply


def test_one_after_a_short_answer_gives_its_details_over_rest(rasa_server) -> None:
    short, _ = say(rasa_server, "numbers-2", "医保卡里的钱能取出来吗")
    assert short.startswith("不能")
    details, _ = say(rasa_server, "numbers-2", "1")
    assert "依据" in details and details != short


def test_a_number_with_nothing_shown_is_just_text(rasa_server) -> None:
    reply, _ = say(rasa_server, "numbers-3", "7")
    assert reply  # answered politely, not an error
