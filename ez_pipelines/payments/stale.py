"""Payments that have stayed unsettled too long: what the pending check lists."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Payment
from ez_pipelines.payments.state import UNSETTLED


def pending_too_long(db: Database, *, now: datetime, older_than_s: float) -> list[str]:
    """Our ids of the payments unsettled since before `older_than_s` ago, oldest first."""
    cutoff = now - timedelta(seconds=older_than_s)
    with db.read() as session:
        return list(
            session.scalars(
                select(Payment.id)
                .where(Payment.status.in_(UNSETTLED), Payment.created_at <= cutoff)
                .order_by(Payment.created_at)
            )
        )
