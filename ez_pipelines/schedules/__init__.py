"""Dagster schedules. Outbound syncs are started by the outbox sensor, not by a schedule."""
