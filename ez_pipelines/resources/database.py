"""The canonical store as a Dagster resource."""

from functools import cached_property

import dagster as dg

from ez_pipelines.canonical.db import Database


class DatabaseResource(dg.ConfigurableResource):
    """SQLAlchemy URL of the canonical store (SQLite by default, PostgreSQL in production)."""

    url: str

    @cached_property
    def _database(self) -> Database:
        return Database.from_url(self.url)

    def database(self) -> Database:
        return self._database
