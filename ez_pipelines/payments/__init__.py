"""Payments: the state machine fed by webhooks and polls, processing, polling, reconciliation."""
