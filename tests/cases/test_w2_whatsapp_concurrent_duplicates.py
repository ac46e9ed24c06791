"""Concurrent duplicate deliveries on WhatsApp: the identical signed message webhook (message
id `wamid.TEST1`, sender `971501234567`) posted 5 times at the same moment. Every request gets
2xx; exactly one stored event, one lead, one downstream sync. The dedupe is the inbox's unique
constraint with insert-or-ignore, over real HTTP on both backends."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Lead
from ez_pipelines.clock import ManualClock
from ez_pipelines.inbox.tables import InboxEvent
from ez_pipelines.leads.capture import capture_leads
from ez_pipelines.leads.unify import unify_leads
from ez_pipelines.ops.web import create_ops_app
from ez_pipelines.outbox.tables import OutboxRow
from ez_pipelines.sandbox.server import BackgroundServer
from tests.ops import lead_deliveries as d

MESSAGE = d.whatsapp_message("wamid.TEST1", "971501234567", "Omar Haddad", "Is the Patrol free?")


@pytest.fixture
def receiver(db: Database, clock: ManualClock, tmp_path: Path) -> Iterator[BackgroundServer]:
    app = create_ops_app(d.settings_for(tmp_path), db, clock=clock)
    with BackgroundServer(app) as server:
        yield server
    app.state.writer.close()


def test_five_simultaneous_deliveries_make_one_event_one_lead_one_sync(
    receiver: BackgroundServer, db: Database, clock: ManualClock
) -> None:
    start = threading.Barrier(5)

    def deliver(_: int) -> requests.Response:
        start.wait(timeout=10)
        return requests.post(
            f"{receiver.base_url}/webhooks/whatsapp",
            data=MESSAGE,
            headers=d.whatsapp_headers(MESSAGE),
            timeout=(2.0, 10.0),
        )

    with ThreadPoolExecutor(max_workers=5) as pool:
        responses = list(pool.map(deliver, range(5)))

    assert [r.status_code for r in responses] == [200] * 5
    assert sorted(r.json()["stored"] for r in responses) == [0, 0, 0, 0, 1]

    capture_leads(db, "whatsapp", region="AE", now=clock.now())
    unify_leads(db, now=clock.now())
    unify_leads(db, now=clock.now())

    with db.read() as session:
        events = session.scalars(select(InboxEvent.event_id)).all()
        leads = session.execute(select(Lead.source_ref, Lead.phone, Lead.full_name)).all()
        syncs = session.execute(select(OutboxRow.system, OutboxRow.entity)).all()
    assert events == ["wamid.TEST1"]
    assert [tuple(lead) for lead in leads] == [("971501234567", "+971501234567", "Omar Haddad")]
    assert [tuple(sync) for sync in syncs] == [("hubspot", "lead")]
