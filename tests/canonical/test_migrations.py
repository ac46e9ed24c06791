"""The Alembic history builds exactly the schema the models describe, on both backends."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ez_pipelines.canonical import migrate
from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.schema import metadata


def test_migrated_database_matches_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)

    assert differences == []


def test_database_is_at_the_newest_migration(db: Database) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    assert migrate.current_revision(url) == migrate.head_revision()


def test_open_outbox_rows_are_unique_per_record_in_the_database_itself(db: Database) -> None:
    index = next(
        i
        for i in sa.inspect(db.engine).get_indexes("outbox")
        if i["name"] == "uq_outbox_open_record"
    )

    assert index["unique"]
    assert index["column_names"] == ["system", "entity", "record_id"]
