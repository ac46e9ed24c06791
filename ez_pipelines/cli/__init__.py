"""The `ez-pipelines` command line. Each module registers its commands on `main`."""

from ez_pipelines.cli import deadletter, migrate_cmd  # noqa: F401 - registers commands
from ez_pipelines.cli.root import main

__all__ = ["main"]
