"""The ops web service: inbound webhooks, the health pages and metrics, the lead review page,
and the liveness probe."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import SYSTEM_CLOCK, Clock
from ez_pipelines.ops.thresholds import Thresholds
from ez_pipelines.ops.web.checkout import CheckoutReceiver
from ez_pipelines.ops.web.guard import ActionGuard
from ez_pipelines.ops.web.lead_hooks import LeadHooks
from ez_pipelines.ops.web.lead_routes import lead_router
from ez_pipelines.ops.web.nav import add_page_link
from ez_pipelines.ops.web.pages import pages_router
from ez_pipelines.ops.web.prometheus import metrics_router
from ez_pipelines.ops.web.review_page import review_router
from ez_pipelines.ops.web.webhooks import webhook_router
from ez_pipelines.ops.web.writer import StoreWriter
from ez_pipelines.settings import Settings


class Liveness(BaseModel):
    status: str


def create_ops_app(settings: Settings, db: Database, *, clock: Clock = SYSTEM_CLOCK) -> FastAPI:
    """The service `ez-pipelines serve` runs; `clock` stamps when each event was received."""
    writer = StoreWriter(db)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        writer.close()

    app = FastAPI(title="ez-pipelines ops", version="1", lifespan=lifespan)
    app.state.writer = writer
    checkout = CheckoutReceiver(secret=settings.checkout.webhook_secret, writer=writer, clock=clock)
    app.include_router(
        webhook_router(checkout=checkout, max_bytes=settings.serve.webhook_max_bytes)
    )
    hooks = LeadHooks(settings=settings.leads, writer=writer, clock=clock)
    app.include_router(lead_router(hooks=hooks, max_bytes=settings.serve.webhook_max_bytes))
    guard = ActionGuard(settings.serve.ops_token)
    app.include_router(review_router(db, clock=clock, guard=guard))
    add_page_link("Review queue", "/review")
    thresholds = Thresholds.from_settings(settings.health)
    app.state.thresholds = thresholds
    app.include_router(pages_router(db, thresholds=thresholds, clock=clock, guard=guard))
    app.include_router(metrics_router(db, thresholds=thresholds, clock=clock))

    @app.get("/healthz", summary="Liveness", tags=["health"], responses={200: {"model": Liveness}})
    async def healthz() -> JSONResponse:
        """Liveness: the process answers. Touches no database."""
        return JSONResponse({"status": "ok"})

    return app
