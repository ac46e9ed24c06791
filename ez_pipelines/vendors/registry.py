"""Every outbound projection, built from settings, for the command line's syncs and dry runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ez_pipelines.outbox.projection import Projection
from ez_pipelines.settings import Settings
from ez_pipelines.vendors.hubspot.client import HubSpotClient
from ez_pipelines.vendors.hubspot.sync import HubSpotContacts
from ez_pipelines.vendors.netsuite.client import NetSuiteClient
from ez_pipelines.vendors.netsuite.sync import NetSuiteCustomers

SYSTEMS = ("netsuite", "hubspot")


@contextmanager
def open_projections(settings: Settings) -> Iterator[dict[str, Projection]]:
    """The projections by system, with their clients closed afterwards."""
    netsuite = NetSuiteClient(settings.netsuite, timeout=settings.timeout)
    hubspot = HubSpotClient(settings.hubspot, timeout=settings.timeout)
    try:
        yield {
            "netsuite": NetSuiteCustomers(netsuite, subsidiary_id=settings.netsuite.subsidiary_id),
            "hubspot": HubSpotContacts(hubspot),
        }
    finally:
        netsuite.close()
        hubspot.close()
