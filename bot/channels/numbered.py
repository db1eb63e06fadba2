"""Buttons as numbered text options, for channels that can only show text.

WeChat passive replies, the terminal and the hotline-style menu cannot show buttons, so the
options are printed as "回复1 …" lines and a bare number typed next picks from the LAST options
shown to that user. "0" and "菜单" always open the main menu.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

MENU_PAYLOAD = "/help"
MENU_WORDS = frozenset({"0", "菜单", "主菜单", "目录"})
_BARE_NUMBER = re.compile(r"^\s*(\d{1,2})\s*$")


def render_buttons(buttons: Iterable[dict]) -> str:
    """'回复1 查余额' lines for a list of Rasa buttons."""
    return "\n".join(f"回复{index} {button.get('title', '')}" for index, button in enumerate(buttons, start=1))


def render_message_texts(messages: Iterable[dict]) -> tuple[str, list[dict]]:
    """Joins bot messages into one text and returns the buttons of the last message that had any."""
    parts: list[str] = []
    buttons: list[dict] = []
    for message in messages:
        if message.get("text"):
            parts.append(message["text"])
        if message.get("buttons"):
            buttons = list(message["buttons"])
            parts.append(render_buttons(buttons))
    return "\n".join(parts), buttons


@dataclass
class NumberedChoices:
    """Remembers, per user, the options last shown so that '2' means the second one (the most
    recently active `max_users`; older users' options are forgotten)."""

    last_options: OrderedDict[str, list[dict]] = field(default_factory=OrderedDict)
    max_users: int = 10_000

    def remember(self, user_id: str, buttons: list[dict]) -> None:
        if buttons:
            self.last_options[user_id] = buttons
            self.last_options.move_to_end(user_id)
            while len(self.last_options) > self.max_users:
                self.last_options.popitem(last=False)

    def resolve(self, user_id: str, text: str) -> str:
        """Turns a bare number or a menu word into the payload it stands for."""
        stripped = text.strip()
        if stripped in MENU_WORDS:
            return MENU_PAYLOAD
        match = _BARE_NUMBER.match(stripped)
        options = self.last_options.get(user_id, [])
        if match and 1 <= int(match.group(1)) <= len(options):
            return options[int(match.group(1)) - 1].get("payload") or text
        return text
