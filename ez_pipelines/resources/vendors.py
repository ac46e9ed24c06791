"""Vendor adapters as Dagster resources. Secrets arrive through `EnvVar` (see definitions.py)."""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from ez_pipelines.outbox.projection import Projection
from ez_pipelines.settings import HubSpotSettings, NetSuiteSettings
from ez_pipelines.vendors.hubspot.client import HubSpotClient
from ez_pipelines.vendors.hubspot.sync import HubSpotContacts
from ez_pipelines.vendors.netsuite.client import NetSuiteClient
from ez_pipelines.vendors.netsuite.sync import NetSuiteCustomers


class NetSuiteResource(dg.ConfigurableResource):
    base_url: str
    account_id: str
    consumer_key: str
    consumer_secret: str
    token_id: str
    token_secret: str
    subsidiary_id: str = "1"
    max_in_flight: int = 5
    connect_timeout_s: float = 3.05
    read_timeout_s: float = 30.0

    def settings(self) -> NetSuiteSettings:
        return NetSuiteSettings(
            base_url=self.base_url.rstrip("/"),
            account_id=self.account_id,
            consumer_key=self.consumer_key,
            consumer_secret=self.consumer_secret,
            token_id=self.token_id,
            token_secret=self.token_secret,
            subsidiary_id=self.subsidiary_id,
            max_in_flight=self.max_in_flight,
        )

    @contextmanager
    def open_projection(self, entity: str) -> Iterator[Projection]:
        if entity != "customer":
            raise KeyError(f"no NetSuite projection of {entity}")
        timeout = (self.connect_timeout_s, self.read_timeout_s)
        with NetSuiteClient(self.settings(), timeout=timeout) as client:
            yield NetSuiteCustomers(client, subsidiary_id=self.subsidiary_id)


class HubSpotResource(dg.ConfigurableResource):
    base_url: str
    token: str
    burst: int = 190
    window_s: float = 10.0
    key_property: str = "ez_contact_key"
    connect_timeout_s: float = 3.05
    read_timeout_s: float = 30.0

    def settings(self) -> HubSpotSettings:
        return HubSpotSettings(
            base_url=self.base_url.rstrip("/"),
            token=self.token,
            burst=self.burst,
            window_s=self.window_s,
            key_property=self.key_property,
        )

    @contextmanager
    def open_projection(self, entity: str) -> Iterator[Projection]:
        if entity != "customer":
            raise KeyError(f"no HubSpot projection of {entity}")
        timeout = (self.connect_timeout_s, self.read_timeout_s)
        with HubSpotClient(self.settings(), timeout=timeout) as client:
            yield HubSpotContacts(client)
