"""Contact events HubSpot sends about our own writes never come back as leads: an event whose
change came through the API from the app that subscribes is dropped at capture."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Lead
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.demo.leads_demo import configure_channels
from ez_pipelines.inbox.tables import InboxEvent
from ez_pipelines.leads.capture import capture_leads, read_hubspot
from ez_pipelines.ops.web import create_ops_app
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.server import BackgroundServer
from ez_pipelines.settings import HubSpotSettings
from ez_pipelines.vendors.hubspot.client import HubSpotClient
from tests.ops.lead_deliveries import compact, settings_for


@pytest.fixture
def receiver(sqlite_db: Database, tmp_path: Path) -> Iterator[BackgroundServer]:
    app = create_ops_app(settings_for(tmp_path), sqlite_db)
    with BackgroundServer(app) as server:
        yield server
    app.state.writer.close()


def stored_hubspot_events(db: Database, at_least: int, wait_s: float = 5.0) -> int:
    """The stand-in delivers after it answers, as HubSpot does: wait for the deliveries."""
    deadline = time.monotonic() + wait_s
    while True:
        with db.read() as session:
            count = session.scalar(
                select(func.count()).select_from(InboxEvent).where(InboxEvent.system == "hubspot")
            )
        if int(count or 0) >= at_least or time.monotonic() > deadline:
            return int(count or 0)
        time.sleep(0.05)


def test_our_own_api_writes_come_back_as_events_and_are_dropped(
    sandbox_client: SandboxClient, receiver: BackgroundServer, sqlite_db: Database, tmp_path: Path
) -> None:
    configure_channels(sandbox_client, settings_for(tmp_path), receiver.base_url)
    settings = HubSpotSettings(
        f"{sandbox_client.base_url}/hubspot", "ez-sandbox-hubspot-token", 190, 10.0,
        "ez_contact_key",
    )  # fmt: skip
    with HubSpotClient(settings, timeout=(2.0, 5.0)) as client:
        made = client.create_contact({"email": "lead@example.test", "firstname": "Omar"})
        client.update_contact(made.id, {"phone": "+971501234567"})

    # A creation and two property changes for the create, one for the update.
    assert stored_hubspot_events(sqlite_db, at_least=4) >= 4
    report = capture_leads(sqlite_db, "hubspot", region="AE", now=SYSTEM_CLOCK.now())

    assert (report.failed, report.records_touched) == (0, 0)
    assert report.processed >= 4
    with sqlite_db.read() as session:
        assert session.scalar(select(func.count()).select_from(Lead)) == 0


@pytest.mark.parametrize(
    ("change_source", "source_id", "kept"),
    [
        ("INTEGRATION", "54321", False),  # our app wrote it
        ("API", "54321", False),
        ("INTEGRATION", "99999", True),  # another app's write: a lead like any
        ("FORM", None, True),
        ("CRM_UI", "userId:7", True),
    ],
)
def test_only_events_from_the_subscribing_apps_own_writes_are_dropped(
    change_source: str, source_id: str | None, kept: bool
) -> None:
    event = {"eventId": 1, "subscriptionType": "contact.propertyChange", "objectId": 1001,
             "propertyName": "email", "propertyValue": "a@example.test", "appId": 54321,
             "changeSource": change_source, "sourceId": source_id}  # fmt: skip

    assert bool(read_hubspot(compact(event), "AE")) is kept
