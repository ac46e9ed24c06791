"""The lead channel stand-ins send what their vendors send, signed so that our receiver accepts
it, duplicates included; a small scenario ends in one lead per prospect's records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.demo.leads_demo import configure_channels, send_traffic
from ez_pipelines.inbox.tables import InboxEvent
from ez_pipelines.leads.capture import LEAD_SYSTEMS, capture_leads
from ez_pipelines.leads.unify import unify_leads
from ez_pipelines.ops.web import create_ops_app
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.scenario_leads import generate_leads
from ez_pipelines.sandbox.server import BackgroundServer
from tests.ops.lead_deliveries import settings_for


@pytest.fixture
def receiver(sqlite_db: Database, tmp_path: Path) -> Iterator[BackgroundServer]:
    app = create_ops_app(settings_for(tmp_path), sqlite_db)
    with BackgroundServer(app) as server:
        yield server
    app.state.writer.close()


def test_every_channel_delivers_signed_webhooks_the_receiver_stores_once(
    sandbox_client: SandboxClient,
    receiver: BackgroundServer,
    sqlite_db: Database,
    tmp_path: Path,
) -> None:
    configure_channels(sandbox_client, settings_for(tmp_path), receiver.base_url)
    traffic = generate_leads(11, 25)

    answers = send_traffic(sandbox_client.base_url, traffic)

    assert set(answers) == {200}
    for channel in ("crisp", "whatsapp"):
        sent = sandbox_client.stats(channel)["webhooks"]
        assert sent.get("status_401", 0) == 0 and sent["status_200"] >= sent["deliveries"]
    with sqlite_db.read() as session:
        stored = dict(
            session.execute(
                select(InboxEvent.system, func.count()).group_by(InboxEvent.system)
            ).all()
        )
    assert stored["crisp"] == len(traffic.chats)
    assert stored["whatsapp"] == len(traffic.whatsapp)
    assert stored["hubspot"] >= 2 * len(traffic.forms)  # creation and its properties

    now = SYSTEM_CLOCK.now()
    for system in LEAD_SYSTEMS:
        assert capture_leads(sqlite_db, system, region="AE", now=now).failed == 0
    report = unify_leads(sqlite_db, now=now)
    assert report.unified < report.records
    assert report.auto_merged > 0
