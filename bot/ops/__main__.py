"""Command line for operators.

    python -m bot.ops add-operator NAME      # asks for the password twice (or reads OPS_PASSWORD)
    python -m bot.ops retention [--days N]   # anonymise conversation text older than N days (RETENTION_DAYS, 180)
    python -m bot.ops export [--operator NAME]  # write the labelled review items to review/<time>/
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from bot.ops import auth, export, retention
from bot.records.audit import record_operator_action
from bot.records.db import session_scope


def add_operator(name: str) -> int:
    password = os.environ.get("OPS_PASSWORD") or getpass.getpass("密码：")
    if not os.environ.get("OPS_PASSWORD") and getpass.getpass("再输一次：") != password:
        print("两次输入的密码不一致", file=sys.stderr)
        return 1
    try:
        with session_scope() as session:
            auth.add_operator(session, name, password)
    except ValueError as problem:
        print(problem, file=sys.stderr)
        return 1
    print(f"操作员 {name} 已保存")
    return 0


def run_export(operator: str) -> int:
    with session_scope() as session:
        done = export.export_labelled(session, operator)
        if done is not None:
            record_operator_action(session, operator, f"export_review {done.name} ({done.items})")
    print(f"已导出 {done.items} 条到 {done.folder}" if done else "没有待导出的已标注问题")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.ops", description="医保助手运营工具")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("add-operator").add_argument("name")
    keep = commands.add_parser("retention")
    keep.add_argument("--days", type=int, help=f"default: RETENTION_DAYS or {retention.DEFAULT_RETENTION_DAYS}")
    commands.add_parser("export").add_argument("--operator", default=getpass.getuser())
    args = parser.parse_args(argv)
    if args.command == "add-operator":
        return add_operator(args.name)
    if args.command == "export":
        return run_export(args.operator)
    report = retention.run(args.days)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
