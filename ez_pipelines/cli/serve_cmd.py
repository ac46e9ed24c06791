"""`ez-pipelines serve`: the ops web service (webhooks in, liveness) in the foreground."""

from __future__ import annotations

import gc
import logging

import click
import uvicorn

from ez_pipelines.cli.root import main, open_db, settings_of
from ez_pipelines.ops.web import create_ops_app

logger = logging.getLogger(__name__)


@main.command("serve")
@click.option("--host", help="Address to listen on. Default: EZ_SERVE_HOST (127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on. Default: EZ_SERVE_PORT (8780).")
@click.pass_context
def serve_command(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve webhooks (POST /webhooks/checkout) and liveness (GET /healthz) until interrupted."""
    settings = settings_of(ctx)
    db = open_db(ctx)
    host = host or settings.serve.host
    port = settings.serve.port if port is None else port
    app = create_ops_app(settings, db)
    # Everything loaded so far lives as long as the process. Frozen, it is left out of the
    # collector's full passes, which would otherwise stall every request for tens of ms.
    gc.collect()
    gc.freeze()

    logger.info("ops service listening on http://%s:%d (webhooks under /webhooks)", host, port)
    try:
        # log_config=None keeps the masked handlers configured by the command group.
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=5,
        )
    finally:
        db.dispose()
