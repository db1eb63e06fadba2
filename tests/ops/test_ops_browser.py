"""Issue 14's acceptance in headless Chromium: an operator logs in, the dashboard shows the numbers of a
scripted set of conversations, an answer is rated in the chat, a queued question is labelled and
exported. Screenshots go to results/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import yaml

from bot.handoff import desk as handoff_desk
from bot.ops.chat import THANKS_SURVEY
from bot.records import handoff
from bot.records.audit import operator_actions
from bot.records.db import session_scope
from tests.ops.stack import OPERATOR, PASSWORD, rest, start_stack
from tests.support.assistant import ROOT
from tests.test_webchat_browser import BROWSER_ENV, CHROMIUM, CHROMIUM_ARGS

RESULTS = ROOT / "results"
# What the scripted users send over REST, and how each reply shows what happened to it.
SCRIPT = [("u1", "我的医保断缴了怎么办"), ("u1", "异地就医怎么备案"), ("u2", "医保卡丢了怎么办"),
          ("u2", "今天天气怎么样"), ("u3", "咨询一下"), ("u3", "帮我推荐股票"), ("u4", "你好"),
          ("u5", "住院押金能用医保卡交吗"), ("u5", "转人工")]
CLARIFY_MARK, REFUSE_MARK, HANDOFF_MARK = "请选一项", "超出了我的服务范围", "工单号"
WEB_QUESTION = "医保卡丢了怎么办"

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def stack(trained_model, tmp_path_factory):
    started = start_stack(trained_model, tmp_path_factory.mktemp("ops_browser"))
    yield started
    started.close()


def _replies(stack) -> dict[str, int]:
    """Sends the script; counts the outcomes the users saw."""
    seen = {"clarified": 0, "refused": 0, "handoff": 0}
    for sender, text in SCRIPT:
        reply = "\n".join(m.get("text", "") for m in rest(stack.url, sender, text))
        for outcome, mark in (("clarified", CLARIFY_MARK), ("refused", REFUSE_MARK), ("handoff", HANDOFF_MARK)):
            seen[outcome] += mark in reply
    return seen


def _card(page, key: str) -> str:
    return page.locator(f"#card-{key} .value").inner_text()


def test_operator_sees_rates_labels_and_exports(stack) -> None:
    from playwright.sync_api import sync_playwright

    seen = _replies(stack)
    assert seen["refused"] == 2 and seen["handoff"] == 1 and seen["clarified"] >= 1
    _agent_answers_and_closes(stack, "rest:u5")
    assert rest(stack.url, "u5", "5")[0]["text"] == THANKS_SURVEY  # 满意度, not a message for the bot
    RESULTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                                             env=BROWSER_ENV)
        page = browser.new_page(viewport={"width": 420, "height": 800}, bypass_csp=True)
        _rate_an_answer(page, stack.url)
        page.set_viewport_size({"width": 1100, "height": 1000})
        _log_in(page, stack.url)
        _check_dashboard(page, seen)
        _label_and_export(page, stack)
        browser.close()
    with session_scope(stack.records_url) as session:
        assert [a.what.split()[0] for a in operator_actions(session)] == ["export_review", "download"]
        assert {a.actor_ref for a in operator_actions(session)} == {f"operator:{OPERATOR}"}


def _agent_answers_and_closes(stack, conversation: str) -> None:
    with session_scope(stack.records_url) as session:
        [ticket] = [t.id for t in handoff.tickets_of(session, conversation)]
    with _database(stack.records_url):
        handoff_desk.reply(ticket, "坐席", "您好，押金一般不能用医保卡交。", deliver=lambda *sent: True)
        handoff_desk.close(ticket, handoff_desk.RasaConversations(base_url=stack.url), deliver=lambda *sent: True)


@contextmanager
def _database(url: str) -> Iterator[None]:
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    try:
        yield
    finally:
        os.environ.pop("DATABASE_URL") if previous is None else os.environ.__setitem__("DATABASE_URL", previous)


def _rate_an_answer(page, url: str) -> None:
    page.goto(f"{url}/chat")
    page.fill("#input", WEB_QUESTION)
    page.click("#send")
    page.wait_for_selector(".rating .rate.down", timeout=20000)
    assert "转人工" in page.locator("#chips").inner_text() and "没帮到我" not in page.locator("#chips").inner_text()
    page.click(".rating .rate.down")
    page.wait_for_selector(".rating .reason", timeout=10000)
    page.fill(".rating .reason", "我想知道补办要多少钱")
    page.click(".rating .send-reason")
    page.wait_for_function("document.querySelector('.rating').textContent.includes('已记下')", timeout=10000)
    page.screenshot(path=str(RESULTS / "ops-chat-rating.png"))


def _log_in(page, url: str) -> None:
    page.goto(f"{url}/ops")
    assert page.url.endswith("/ops/login")  # no session: the login page
    page.fill("input[name=name]", OPERATOR)
    page.fill("input[name=password]", "wrong password!")
    page.click("#login")
    page.wait_for_selector(".error", timeout=10000)
    assert page.locator(".error").inner_text() == "用户名或密码错误"
    page.fill("input[name=name]", OPERATOR)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login")
    page.wait_for_selector("#card-messages", timeout=10000)


def _check_dashboard(page, seen: dict[str, int]) -> None:
    total = len(SCRIPT) + 1  # the script over REST and the web page's question
    assert _card(page, "messages") == str(total)
    assert _card(page, "clarify_rate") == f"{seen['clarified'] / total * 100:.1f}%"
    assert _card(page, "refuse_rate") == f"{seen['refused'] / total * 100:.1f}%"
    assert _card(page, "handoff_rate").startswith(f"{seen['handoff'] / total * 100:.1f}%")
    assert _card(page, "helpful") == "有帮助 0 · 没帮到 1"
    assert _card(page, "wait") == "0.0 分钟"  # the agent answered at once (the clock is pinned)
    assert _card(page, "satisfaction") == "5.00 / 5（1 份）"
    assert _card(page, "p95").endswith(" ms")
    legend = page.locator(".legend").inner_text()
    assert f"REST {len(SCRIPT)}" in legend and "网页 1" in legend
    assert page.locator("#per-day rect").count() == 2  # today: one bar part per channel
    intents = page.locator("#top-intents").inner_text()
    assert "card_service\t2" in intents and "lapse\t1" in intents and "remote_care\t1" in intents
    unanswered = page.locator("#unanswered").inner_text()
    assert "咨询一下" in unanswered and WEB_QUESTION in unanswered and "你好" not in unanswered
    page.screenshot(path=str(RESULTS / "ops-dashboard.png"), full_page=True)


def _label_and_export(page, stack) -> None:
    page.click("text=待审问题")
    page.wait_for_selector("#queue")
    queue_text = page.locator("#queue").inner_text()
    assert "咨询一下" in queue_text and "用户说没帮到" in queue_text and "你好" not in queue_text
    handed_over = page.locator("#queue tr", has_text="转人工").first.inner_text()
    assert "住院押金能用医保卡交吗" in handed_over  # what was asked before 「转人工」, not 「转人工」 itself
    row = page.locator("#queue tr", has_text="咨询一下")
    row.locator("select[name=intent]").select_option("query_channels")
    row.locator("button[type=submit]").click()
    page.wait_for_selector("text=已保存标注")
    row = page.locator("#queue tr", has_text=WEB_QUESTION)
    row.locator("input[name=faq_key]").fill("card_service/lost_card")
    row.locator("button[type=submit]").click()
    page.wait_for_selector("text=已保存标注")
    assert "咨询一下" not in page.locator("#queue").inner_text()
    page.screenshot(path=str(RESULTS / "ops-review.png"), full_page=True)
    page.click("#export")
    page.wait_for_selector("#exported")
    page.screenshot(path=str(RESULTS / "ops-export.png"), full_page=True)
    with page.expect_download() as download:
        page.click("a[href$='/nlu.yml']")
    nlu = yaml.safe_load(open(download.value.path(), encoding="utf-8").read())
    examples = {block["intent"]: block["examples"] for block in nlu["nlu"]}
    assert examples == {"card_service": f"- {WEB_QUESTION}\n", "query_channels": "- 咨询一下\n"}
    [folder] = list(stack.export_dir.iterdir())
    assert yaml.safe_load((folder / "faq.yml").read_text(encoding="utf-8"))["questions_for_entries"] == {
        "card_service/lost_card": [WEB_QUESTION]}
