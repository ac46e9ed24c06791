"""Small builders shared by the outbox tests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ez_pipelines.canonical.customers import CustomerInput, upsert_customer
from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Customer
from ez_pipelines.outbox.tables import OutboxRow


def add_customers(db: Database, count: int, now: datetime, *, prefix: str = "C") -> list[str]:
    ids = [f"{prefix}-{i:04d}" for i in range(count)]
    with db.write() as session:
        for i, customer_id in enumerate(ids):
            upsert_customer(
                session,
                CustomerInput(customer_id, "Layla", f"Haddad{i}", f"layla{i}@example.test"),
                now=now,
            )
    return ids


def _change(db: Database, customer_id: str, now: datetime, **changes: str) -> None:
    with db.write() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        fields = {
            "id": customer.id,
            "given_name": customer.given_name,
            "family_name": customer.family_name,
            "email": customer.email,
            "phone": customer.phone,
            "country": customer.country,
            "loyalty_tier": customer.loyalty_tier,
        }
        upsert_customer(session, CustomerInput(**{**fields, **changes}), now=now)


def rename(db: Database, customer_id: str, family_name: str, now: datetime) -> None:
    _change(db, customer_id, now, family_name=family_name)


def change_loyalty_tier(db: Database, customer_id: str, tier: str, now: datetime) -> None:
    """A canonical change that no vendor payload carries."""
    _change(db, customer_id, now, loyalty_tier=tier)


def outbox_rows(db: Database, system: str = "netsuite") -> list[OutboxRow]:
    with db.read() as session:
        query = select(OutboxRow).where(OutboxRow.system == system).order_by(OutboxRow.id)
        return list(session.scalars(query))
