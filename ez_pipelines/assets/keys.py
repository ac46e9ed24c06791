"""Every asset key of the platform, in one place the other asset modules import from."""

import dagster as dg

CUSTOMERS = dg.AssetKey(["canonical", "customers"])
BOOKINGS = dg.AssetKey(["canonical", "bookings"])
PAYMENTS = dg.AssetKey(["canonical", "payments"])

NETSUITE_CUSTOMERS = dg.AssetKey(["netsuite", "customers"])
NETSUITE_PAYMENT_ACTIONS = dg.AssetKey(["netsuite", "payment_actions"])
HUBSPOT_CONTACTS = dg.AssetKey(["hubspot", "contacts"])
CHECKOUT_PAYMENTS = dg.AssetKey(["checkout", "payments"])
CHECKOUT_REFUNDS = dg.AssetKey(["checkout", "refunds"])
CHECKOUT_EVENTS = dg.AssetKey(["checkout", "events"])
PAYMENT_POLLS = dg.AssetKey(["checkout", "payment_polls"])
RECONCILIATION = dg.AssetKey(["payments", "reconciliation"])

LEADS_RAW = {
    "hubspot": dg.AssetKey(["leads", "raw_hubspot"]),
    "crisp": dg.AssetKey(["leads", "raw_crisp"]),
    "whatsapp": dg.AssetKey(["leads", "raw_whatsapp"]),
}
LEADS_UNIFIED = dg.AssetKey(["leads", "unified"])
HUBSPOT_LEAD_CONTACTS = dg.AssetKey(["hubspot", "lead_contacts"])
FINANCE_DOCUMENTS = dg.AssetKey(["finance", "invoices"])
REVENUE_JOURNALS = dg.AssetKey(["finance", "revenue_journals"])
DEFERRED_REVENUE = dg.AssetKey(["finance", "deferred_revenue"])
PARALLEL_RUN = dg.AssetKey(["finance", "parallel_run"])
NETSUITE_INVOICES = dg.AssetKey(["netsuite", "invoices"])
NETSUITE_CREDIT_MEMOS = dg.AssetKey(["netsuite", "credit_memos"])
NETSUITE_REVENUE_JOURNALS = dg.AssetKey(["netsuite", "revenue_journals"])
INTEGRATION_HEALTH = dg.AssetKey(["ops", "integration_health"])
