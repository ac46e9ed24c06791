"""Every outbound projection, built from settings, for the command line's syncs and dry runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from ez_pipelines.outbox.projection import Projection
from ez_pipelines.settings import Settings
from ez_pipelines.vendors.checkout.client import CheckoutClient
from ez_pipelines.vendors.checkout.sync import CheckoutPayments, CheckoutRefunds
from ez_pipelines.vendors.hubspot.client import HubSpotClient
from ez_pipelines.vendors.hubspot.lead_sync import HubSpotLeadContacts
from ez_pipelines.vendors.hubspot.sync import HubSpotContacts
from ez_pipelines.vendors.netsuite.client import NetSuiteClient
from ez_pipelines.vendors.netsuite.contract_finance import FinanceRefs
from ez_pipelines.vendors.netsuite.sync import NetSuiteCustomers, NetSuitePaymentActions
from ez_pipelines.vendors.netsuite.sync_finance import FINANCE_PROJECTIONS

SYSTEMS = ("netsuite", "hubspot", "checkout")


@contextmanager
def open_projections(settings: Settings) -> Iterator[list[Projection]]:
    """Every projection, in the order a full sync runs them (customers before the payments
    that need them), with their clients closed afterwards."""
    with ExitStack() as stack:
        netsuite = stack.enter_context(NetSuiteClient(settings.netsuite, timeout=settings.timeout))
        hubspot = stack.enter_context(HubSpotClient(settings.hubspot, timeout=settings.timeout))
        checkout = stack.enter_context(CheckoutClient(settings.checkout, timeout=settings.timeout))
        subsidiary = settings.netsuite.subsidiary_id
        refs = finance_refs(settings)
        yield [
            NetSuiteCustomers(netsuite, subsidiary_id=subsidiary),
            HubSpotContacts(hubspot),
            HubSpotLeadContacts(hubspot),
            CheckoutPayments(checkout),
            CheckoutRefunds(checkout),
            NetSuitePaymentActions(netsuite, subsidiary_id=subsidiary),
            *(
                projection(netsuite, subsidiary_id=subsidiary, refs=refs)
                for projection in FINANCE_PROJECTIONS.values()
            ),
        ]


def finance_refs(settings: Settings) -> FinanceRefs:
    finance = settings.finance
    return FinanceRefs(
        deferred_revenue_account=finance.deferred_revenue_account,
        rental_revenue_account=finance.rental_revenue_account,
        rental_item=finance.rental_item,
        charge_item=finance.charge_item,
        vat_item=finance.vat_item,
    )
