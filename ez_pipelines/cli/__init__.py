"""The `ez-pipelines` command line. Each module registers its commands on `main`."""

from ez_pipelines.cli import (  # noqa: F401 - importing registers the commands
    deadletter,
    demo_cmd,
    imports,
    migrate_cmd,
    review_cmd,
    sandbox_cmd,
    sandbox_serve,
    seed,
    serve_cmd,
    sync_cmd,
    ui_cmd,
)
from ez_pipelines.cli.root import main

__all__ = ["main"]
