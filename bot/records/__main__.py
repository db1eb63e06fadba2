"""Command line for the records store.

    python -m bot.records migrate            # alembic upgrade head on DATABASE_URL (default var/yibao.db)
    python -m bot.records seed [--today D]   # (re)build the demo persons from data/demo/personas.yml
    python -m bot.records personas           # list the demo persons (masked) and their stories
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from bot.privacy import mask_id, mask_phone
from bot.records import migrate as migrations
from bot.records import seed as seeding
from bot.records.clock import today as china_today
from bot.records.db import database_url, session_scope


def migrate(url: str | None = None) -> None:
    migrations.upgrade(url)


def seed(url: str | None = None, today: date | None = None) -> seeding.SeedReport:
    with session_scope(url) as session:
        return seeding.seed(session, today or china_today())


def _print_personas() -> None:
    for persona in seeding.load_personas().personas:
        print(f"{persona['name']}  {mask_id(persona['id_number'])}  {mask_phone(str(persona['phone']))}  "
              f"{persona['story']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.records", description="医保助手 records store")
    parser.add_argument("command", choices=["migrate", "seed", "personas"])
    parser.add_argument("--url", help="SQLAlchemy URL (default: DATABASE_URL or sqlite var/yibao.db)")
    parser.add_argument("--today", type=date.fromisoformat, help="seed as of this date (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    if args.command == "migrate":
        migrate(args.url)
        print(f"migrated {_safe(database_url(args.url))} to head")
    elif args.command == "seed":
        report = seed(args.url, args.today)
        print(f"seeded {report.persons} demo persons into {_safe(database_url(args.url))}")
    else:
        _print_personas()
    return 0


def _safe(url: str) -> str:
    # Never print a password that may be in DATABASE_URL.
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    sys.exit(main())
