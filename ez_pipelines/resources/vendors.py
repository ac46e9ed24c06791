"""Vendor adapters as Dagster resources. Secrets arrive through `EnvVar` (see definitions.py)."""

import dagster as dg

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

    def client(self) -> NetSuiteClient:
        timeout = (self.connect_timeout_s, self.read_timeout_s)
        return NetSuiteClient(self.settings(), timeout=timeout)

    def customers(self, client: NetSuiteClient) -> NetSuiteCustomers:
        return NetSuiteCustomers(client, subsidiary_id=self.subsidiary_id)


class HubSpotResource(dg.ConfigurableResource):
    base_url: str
    token: str
    burst: int = 190
    window_s: float = 10.0
    id_property: str = "ez_customer_id"
    connect_timeout_s: float = 3.05
    read_timeout_s: float = 30.0

    def settings(self) -> HubSpotSettings:
        return HubSpotSettings(
            base_url=self.base_url.rstrip("/"),
            token=self.token,
            burst=self.burst,
            window_s=self.window_s,
            id_property=self.id_property,
        )

    def client(self) -> HubSpotClient:
        timeout = (self.connect_timeout_s, self.read_timeout_s)
        return HubSpotClient(self.settings(), timeout=timeout)

    def contacts(self, client: HubSpotClient) -> HubSpotContacts:
        return HubSpotContacts(client)
