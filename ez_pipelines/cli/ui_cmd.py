"""`ez-pipelines ui`: the Dagster UI on this project, with the sandbox running beside it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from ez_pipelines.cli.root import main, settings_of
from ez_pipelines.sandbox.app import create_app
from ez_pipelines.sandbox.server import BackgroundServer

WORKSPACE = Path(__file__).resolve().parents[2] / "workspace.yaml"


@main.command("ui")
@click.option("--port", type=int, default=3000, show_default=True)
@click.option("--no-sandbox", is_flag=True, help="Do not start the sandbox stand-ins.")
@click.pass_context
def ui_command(ctx: click.Context, port: int, no_sandbox: bool) -> None:
    """Open the Dagster UI (dagster dev) on the same store and Dagster storage as the demo."""
    settings = settings_of(ctx)
    dagster_home = Path(os.environ.setdefault("DAGSTER_HOME", str(settings.home / "dagster")))
    dagster_home.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "dagster", "dev", "-w", str(WORKSPACE), "-p", str(port)]
    if no_sandbox:
        subprocess.run(command, check=False)
        return
    with BackgroundServer(create_app(), port=settings.sandbox_port) as sandbox:
        click.echo(f"sandbox stand-ins at {sandbox.base_url}")
        subprocess.run(command, check=False)
