"""Agent console for 转人工 tickets: `python -m bot.handoff.console` (needs `make serve` running for resume).

Commands: 「列表」/ls, 「查看 N」/show N, 「回复 N 文字」/reply N text, 「关闭 N」/close N, 「退出」/quit.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TextIO

from bot.handoff import desk as handoff_desk
from bot.records import handoff
from bot.records.db import session_scope

HELP = "命令：ls 列出工单 | show N 查看 | reply N 内容 回复用户 | close N 结束并恢复机器人 | quit 退出"
ALIASES = {"列表": "ls", "查看": "show", "回复": "reply", "关闭": "close", "退出": "quit", "帮助": "help"}


class Console:
    def __init__(self, agent: str, conversations: handoff_desk.RasaConversations,
                 deliver: handoff_desk.Deliver = handoff_desk.deliver_to_channel,
                 out: TextIO = sys.stdout) -> None:
        self.agent, self.conversations, self.deliver, self.out = agent, conversations, deliver, out

    def say(self, text: str) -> None:
        print(text, file=self.out)

    def run_command(self, line: str) -> bool:
        """Runs one command line; False when the console should stop."""
        parts = line.strip().split(maxsplit=2)
        if not parts:
            return True
        command = ALIASES.get(parts[0], parts[0].lower())
        handlers: dict[str, Callable[[list[str]], None]] = {
            "ls": self.list_tickets, "show": self.show, "reply": self.reply, "close": self.close,
            "help": lambda _: self.say(HELP)}
        if command == "quit":
            return False
        handler = handlers.get(command)
        if handler is None:
            self.say(f"未知命令。{HELP}")
            return True
        try:
            handler(parts[1:])
        except (LookupError, ValueError) as problem:
            self.say(f"无法完成：{problem}")
        except OSError as problem:
            self.say(f"连接 Rasa 服务失败（{problem}），请确认 make serve 正在运行。")
        return True

    def list_tickets(self, _: list[str]) -> None:
        with session_scope() as session:
            tickets = handoff.open_tickets(session)
        if not tickets:
            self.say("当前没有待处理的工单。")
        for t in tickets:
            self.say(f"#{t.id} [{t.channel}] {t.created_at:%m-%d %H:%M} 原因：{t.reason[:40]}")

    def show(self, args: list[str]) -> None:
        ticket_id = _ticket_id(args)
        with session_scope() as session:
            ticket = handoff.ticket(session, ticket_id)
        if ticket is None:
            raise LookupError(f"工单 {ticket_id} 不存在")
        self.say(f"工单 #{ticket.id}（{ticket.status}）渠道 {ticket.channel}，原因：{ticket.reason}")
        for item in ticket.transcript:
            self.say(f"  {'用户' if item['sender'] == 'user' else '助手'}：{item['text']}")
        if ticket.status == "open":
            for text in self.conversations.messages_since_pause(ticket.channel_user_id):
                self.say(f"  用户（转人工后）：{text}")
        for r in ticket.agent_replies:
            self.say(f"  坐席 {r['agent']}：{r['text']}")

    def reply(self, args: list[str]) -> None:
        if len(args) < 2 or not args[1].strip():
            raise ValueError("用法：reply 工单号 回复内容")
        sent = handoff_desk.reply(_ticket_id(args), self.agent, args[1].strip(), self.deliver)
        self.say("已发送。" if sent else "已记录，但渠道未能送达（检查公众号/企业微信的 AppSecret 配置）。")

    def close(self, args: list[str]) -> None:
        handoff_desk.close(_ticket_id(args), self.conversations, self.deliver)
        self.say("工单已关闭，机器人已恢复为该用户服务。")


def _ticket_id(args: list[str]) -> int:
    if not args or not args[0].lstrip("#").isdigit():
        raise ValueError("请给出工单号，例如 show 3")
    return int(args[0].lstrip("#"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="医保助手人工坐席控制台")
    parser.add_argument("--agent", default="坐席", help="回复时显示的坐席名")
    parser.add_argument("--rasa-url", default=handoff_desk.RasaConversations.base_url)
    args = parser.parse_args(argv)
    console = Console(args.agent, handoff_desk.RasaConversations(base_url=args.rasa_url))
    console.say(HELP)
    console.list_tickets([])
    while True:
        try:
            line = input("坐席> ")
        except (EOFError, KeyboardInterrupt):
            console.say("")
            return 0
        if not console.run_command(line):
            return 0


if __name__ == "__main__":
    sys.exit(main())
