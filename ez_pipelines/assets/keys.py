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

INTEGRATION_HEALTH = dg.AssetKey(["ops", "integration_health"])
