"""What the HubSpot tests share: settings and a client pointed at a sandbox, customers, rows."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import select

from ez_pipelines.canonical.customers import CustomerInput, upsert_customer
from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import ExternalRef
from ez_pipelines.clock import SYSTEM_CLOCK, Clock
from ez_pipelines.outbox.backoff import RetryPolicy
from ez_pipelines.outbox.dispatcher import Dispatcher
from ez_pipelines.outbox.tables import OutboxAttempt, OutboxRow
from ez_pipelines.settings import HubSpotSettings, Settings
from ez_pipelines.vendors.http import Timeout
from ez_pipelines.vendors.hubspot.client import HubSpotClient
from ez_pipelines.vendors.hubspot.sync import HubSpotContacts

FAST_RETRY = RetryPolicy(base_s=0.1, cap_s=0.5)
# Generous enough for a loaded CI machine; the timeout tests pass their own, shorter one.
QUICK_TIMEOUT: Timeout = (2.0, 10.0)


def hubspot_settings(sandbox_url: str, **changes: object) -> HubSpotSettings:
    base = Settings.from_env().hubspot
    return replace(base, base_url=f"{sandbox_url}/hubspot", **changes)


def hubspot_client(
    sandbox_url: str,
    *,
    timeout: Timeout = QUICK_TIMEOUT,
    clock: Clock = SYSTEM_CLOCK,
    **changes: object,
) -> HubSpotClient:
    return HubSpotClient(hubspot_settings(sandbox_url, **changes), timeout=timeout, clock=clock)


def hubspot_dispatcher(
    db: Database, client: HubSpotClient, *, policy: RetryPolicy = FAST_RETRY, batch_size: int = 100
) -> Dispatcher:
    return Dispatcher(
        db,
        HubSpotContacts(client),
        policy=policy,
        clock=SYSTEM_CLOCK,
        rng=random.Random(7),
        batch_size=batch_size,
        lease_s=30.0,
    )


def add_customer(
    db: Database,
    record_id: str,
    email: str | None,
    *,
    given: str = "Sara",
    family: str = "Q",
    phone: str | None = "+971501234567",
) -> None:
    """Create or change a customer (the same id again is a change)."""
    with db.write() as session:
        upsert_customer(
            session,
            CustomerInput(
                id=record_id,
                given_name=given,
                family_name=family,
                email=email,
                phone=phone,
                country="AE",
            ),
            now=datetime.now(UTC),
        )


def hubspot_rows(db: Database) -> dict[str, OutboxRow]:
    """The newest outbox row of each record queued for HubSpot."""
    with db.read() as session:
        rows = session.scalars(
            select(OutboxRow).where(OutboxRow.system == "hubspot").order_by(OutboxRow.id)
        )
        return {row.record_id: row for row in rows}


def hubspot_attempts(db: Database, outbox_id: int) -> list[OutboxAttempt]:
    with db.read() as session:
        return list(
            session.scalars(
                select(OutboxAttempt)
                .where(OutboxAttempt.outbox_id == outbox_id)
                .order_by(OutboxAttempt.attempt)
            )
        )


def hubspot_ids(db: Database) -> dict[str, str]:
    """Our customer id -> the HubSpot contact id our side stored for it."""
    with db.read() as session:
        refs = session.scalars(select(ExternalRef).where(ExternalRef.system == "hubspot"))
        return {ref.record_id: ref.vendor_id for ref in refs}
