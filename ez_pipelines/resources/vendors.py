"""Vendor adapters as Dagster resources. Secrets arrive through `EnvVar` (see definitions.py)."""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from ez_pipelines.outbox.projection import Projection
from ez_pipelines.settings import CheckoutSettings, HubSpotSettings, NetSuiteSettings
from ez_pipelines.vendors.checkout.client import CheckoutClient
from ez_pipelines.vendors.checkout.sync import CheckoutPayments, CheckoutRefunds
from ez_pipelines.vendors.hubspot.client import HubSpotClient
from ez_pipelines.vendors.hubspot.lead_sync import HubSpotLeadContacts
from ez_pipelines.vendors.hubspot.sync import HubSpotContacts
from ez_pipelines.vendors.netsuite.client import NetSuiteClient
from ez_pipelines.vendors.netsuite.contract_finance import FinanceRefs
from ez_pipelines.vendors.netsuite.sync import NetSuiteCustomers, NetSuitePaymentActions
from ez_pipelines.vendors.netsuite.sync_finance import FINANCE_PROJECTIONS


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
    deferred_revenue_account: str = "2410"
    rental_revenue_account: str = "4010"
    rental_item: str = "101"
    charge_item: str = "102"
    vat_item: str = "103"

    def finance_refs(self) -> FinanceRefs:
        return FinanceRefs(
            deferred_revenue_account=self.deferred_revenue_account,
            rental_revenue_account=self.rental_revenue_account,
            rental_item=self.rental_item,
            charge_item=self.charge_item,
            vat_item=self.vat_item,
        )

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
    def client(self) -> Iterator[NetSuiteClient]:
        timeout = (self.connect_timeout_s, self.read_timeout_s)
        with NetSuiteClient(self.settings(), timeout=timeout) as client:
            yield client

    @contextmanager
    def open_projection(self, entity: str) -> Iterator[Projection]:
        with self.client() as client:
            if entity == "customer":
                yield NetSuiteCustomers(client, subsidiary_id=self.subsidiary_id)
            elif entity == "payment_action":
                yield NetSuitePaymentActions(client, subsidiary_id=self.subsidiary_id)
            elif entity in FINANCE_PROJECTIONS:
                projection = FINANCE_PROJECTIONS[entity]
                yield projection(client, subsidiary_id=self.subsidiary_id, refs=self.finance_refs())
            else:
                raise KeyError(f"no NetSuite projection of {entity}")


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
        projections = {"customer": HubSpotContacts, "lead": HubSpotLeadContacts}
        if entity not in projections:
            raise KeyError(f"no HubSpot projection of {entity}")
        timeout = (self.connect_timeout_s, self.read_timeout_s)
        with HubSpotClient(self.settings(), timeout=timeout) as client:
            yield projections[entity](client)


class CheckoutResource(dg.ConfigurableResource):
    base_url: str
    secret_key: str
    poll_after_s: float = 600.0
    key_lifetime_s: float = 86_400.0
    connect_timeout_s: float = 3.05
    read_timeout_s: float = 30.0

    def settings(self) -> CheckoutSettings:
        # The webhook key belongs to the receiver, never to a Dagster run.
        return CheckoutSettings(
            base_url=self.base_url.rstrip("/"),
            secret_key=self.secret_key,
            webhook_secret="",
            poll_after_s=self.poll_after_s,
            key_lifetime_s=self.key_lifetime_s,
        )

    @contextmanager
    def client(self) -> Iterator[CheckoutClient]:
        timeout = (self.connect_timeout_s, self.read_timeout_s)
        with CheckoutClient(self.settings(), timeout=timeout) as client:
            yield client

    @contextmanager
    def open_projection(self, entity: str) -> Iterator[Projection]:
        with self.client() as client:
            if entity == "payment":
                yield CheckoutPayments(client)
            elif entity == "refund":
                yield CheckoutRefunds(client)
            else:
                raise KeyError(f"no Checkout.com projection of {entity}")
