"""Alembic environment: the URL comes from the Config (set by bot.records.migrate) or DATABASE_URL."""

from __future__ import annotations

from alembic import context

from bot.records.db import database_url, get_engine
from bot.records.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or database_url()


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # render_as_batch lets later ALTERs work on SQLite, which cannot alter columns in place.
    with get_engine(_url()).connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
