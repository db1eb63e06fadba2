"""Alembic: an empty database upgrades to head, the migrations match the models, and downgrade works."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot.records.db import get_engine
from bot.records.migrate import alembic_config, current_revision, downgrade, upgrade
from bot.records.models import Base

EXPECTED_TABLES = {
    "persons", "enrolments", "contributions", "personal_accounts", "account_transactions",
    "remote_care_filings", "chronic_qualifications", "transfer_applications", "claims",
    "family_authorisations", "channel_bindings", "verification_attempts", "access_audit", "handoff_tickets",
}


def _tables(url: str) -> set[str]:
    return set(inspect(get_engine(url)).get_table_names())


def test_empty_database_upgrades_to_head(empty_url) -> None:
    assert not _tables(empty_url) & EXPECTED_TABLES
    upgrade(empty_url)
    head = ScriptDirectory.from_config(alembic_config(empty_url)).get_current_head()
    assert current_revision(empty_url) == head
    assert EXPECTED_TABLES <= _tables(empty_url)


def test_migrations_match_the_models(migrated_url) -> None:
    with get_engine(migrated_url).connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_downgrade_to_base_and_upgrade_again(migrated_url) -> None:
    downgrade(migrated_url, "base")
    assert not _tables(migrated_url) & EXPECTED_TABLES
    upgrade(migrated_url)
    assert EXPECTED_TABLES <= _tables(migrated_url)
