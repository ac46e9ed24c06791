"""`ez-pipelines sandbox serve`: every vendor stand-in on one loopback port."""

from __future__ import annotations

import click

from ez_pipelines.cli.root import settings_of
from ez_pipelines.cli.sandbox_cmd import sandbox
from ez_pipelines.sandbox.app import create_app
from ez_pipelines.sandbox.server import serve_forever


@sandbox.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="A loopback address.")
@click.option("--port", type=int, help="Default: EZ_SANDBOX_PORT (8790).")
@click.option("--quiet", is_flag=True, help="Log warnings only, no access log.")
@click.pass_context
def serve_command(ctx: click.Context, host: str, port: int | None, quiet: bool) -> None:
    """Serve the NetSuite and HubSpot stand-ins until interrupted.

    Vendors live under /netsuite and /hubspot; /_sandbox sets faults and lists what each holds.
    """
    try:
        serve_forever(
            create_app(), host=host, port=port or settings_of(ctx).sandbox_port, quiet=quiet
        )
    except ValueError as err:
        raise click.ClickException(str(err)) from err
