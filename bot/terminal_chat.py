"""Interactive Chinese chat in the terminal (`make chat`).

Runs the trained model in-process with the project's endpoints (action server, SQL tracker
store). Buttons are shown as numbered options; typing the number picks one. Ctrl-D or /stop ends.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
from pathlib import Path

from bot import log_redaction
from bot.channels.numbered import NumberedChoices, render_message_texts
from bot.replies import response_text

SENDER_ID = "terminal-user"
STOP_WORDS = frozenset({"/stop", "/quit", "/exit"})


async def _load_agent(model: str):
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints

    return await load_agent(model_path=model, endpoints=AvailableEndpoints.read_endpoints("endpoints.yml"))


def _read_line() -> str | None:
    try:
        return input("您：")
    except EOFError:
        return None


async def chat(model: str, sender_id: str = SENDER_ID) -> None:
    agent = await _load_agent(model)
    choices = NumberedChoices()
    print("医保助手：您好！请问有什么医保问题？（回复「菜单」查看功能）")
    while True:
        line = await asyncio.get_running_loop().run_in_executor(None, _read_line)
        if line is None or line.strip() in STOP_WORDS:
            print("\n医保助手：再见，祝您健康！")
            return
        if not line.strip():
            continue
        replies = await agent.handle_text(choices.resolve(sender_id, line), sender_id=sender_id)
        text, buttons = render_message_texts(replies or [])
        choices.remember(sender_id, buttons)
        print(f"医保助手：{text or response_text('utter_busy')}")


def configure_logging(log_file: Path, level: int = logging.WARNING) -> None:
    """The chat window shows the conversation only. Rasa 3.6 logs every parse (with the raw text, an
    ID number typed during verification included) and every slot at DEBUG through structlog, which
    prints to the terminal unless configured; jieba adds its own console handler. Everything goes to
    `log_file` instead, at WARNING, through the same redaction as the servers' logs."""
    import jieba
    from rasa.utils.log_utils import configure_structlog

    log_file.parent.mkdir(parents=True, exist_ok=True)
    log_redaction.install()
    logging.basicConfig(filename=log_file, level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s",
                        force=True)
    configure_structlog(level)  # its basicConfig is a no-op now: output goes to the file
    jieba.setLogLevel(level)
    logging.captureWarnings(True)  # library deprecation warnings too


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--sender", default=os.environ.get("CHAT_SENDER_ID", SENDER_ID))
    parser.add_argument("--log-file", type=Path, default=Path(os.environ.get("LOG_DIR", "logs")) / "chat.log")
    args = parser.parse_args()
    configure_logging(args.log_file)
    asyncio.run(chat(args.model, args.sender))


if __name__ == "__main__":
    main()
