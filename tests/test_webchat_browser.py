"""The web chat page in headless Chromium (Debian's chromium; .ci/run installs it): send, read, screenshot."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.support.assistant import ROOT
from tests.support.calendar import paid_cells_of_continuous_payer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOT = ROOT / "results" / "webchat.png"
# Without the background-networking flags Chromium keeps calling Google services this network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# `make test-dates` moves the clock with libfaketime (LD_PRELOAD); Chromium hangs under it, and the
# dates under test live in the servers, so the browser runs on the real clock.
BROWSER_ENV = {key: value for key, value in os.environ.items() if not key.startswith(("LD_PRELOAD", "FAKETIME"))}

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (apt-get install chromium)")


def test_chat_page_answers_in_the_browser(rasa_server, pinned_today) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                                             env=BROWSER_ENV)
        # bypass_csp: Playwright's wait_for_function evaluates strings in the page, which the page's CSP
        # (no 'unsafe-eval', tests/test_attacks.py checks it) rightly forbids to the page's own scripts.
        page = browser.new_page(viewport={"width": 420, "height": 800}, bypass_csp=True)
        page.goto(f"{rasa_server}/chat")
        assert page.title() == "医保助手"
        bot_bubbles = page.locator(".row.bot .bubble")
        before = bot_bubbles.count()
        page.fill("#input", "我的医保断缴了怎么办")
        page.click("#send")
        page.wait_for_function(f"document.querySelectorAll('.row.bot .bubble').length > {before}", timeout=20000)
        reply = bot_bubbles.nth(before).inner_text()
        assert "断缴" in reply and "依据" in reply
        assert page.locator(".row.user .bubble").last.inner_text() == "我的医保断缴了怎么办"

        page.fill("#input", "菜单")
        page.click("#send")
        page.wait_for_selector(".chips button, .chips .chip", timeout=20000)
        assert page.locator("#chips").inner_text().count("转人工") == 1
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(237, 237, 237)"  # WeChat's #EDEDED
        own = page.evaluate("getComputedStyle(document.querySelector('.row.user .bubble')).backgroundColor")
        assert own == "rgb(149, 236, 105)"  # the green right bubble #95EC69

        def send(text: str) -> str:
            count = bot_bubbles.count()
            page.fill("#input", text)
            page.click("#send")
            page.wait_for_function(f"document.querySelectorAll('.row.bot .bubble').length > {count}",
                                   timeout=20000)
            page.wait_for_timeout(300)  # the rest of the reply set
            return "\n".join(bot_bubbles.nth(i).inner_text() for i in range(count, bot_bubbles.count()))

        for text in ("验证身份", "张伟", "4567"):
            send(text)
        assert "验证成功" in send("420102198506120310")
        send("我的缴费记录")
        # the month grid as coloured cells: every collected month of the shown years, whatever the day
        assert page.locator(".bubble .cell.paid").count() == paid_cells_of_continuous_payer(pinned_today)
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=False)
        browser.close()
    assert SCREENSHOT.stat().st_size > 10_000
