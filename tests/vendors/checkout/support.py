"""What the Checkout.com tests share: settings, a scripted transport, canonical rows.

`ScriptedCheckout` is a transport adapter: `requests` hands it each prepared request and it
answers from a handler function, the way httpx's MockTransport works. Nothing inside the client
is patched; the client's own session sends through it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from sqlalchemy import select

from ez_pipelines.canonical.bookings import BookingInput, upsert_booking
from ez_pipelines.canonical.customers import CustomerInput, upsert_customer
from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import ExternalRef
from ez_pipelines.canonical.payments import PaymentInput, request_payment, request_refund
from ez_pipelines.clock import SYSTEM_CLOCK, Clock
from ez_pipelines.outbox.tables import OutboxRow
from ez_pipelines.settings import CheckoutSettings, Settings
from ez_pipelines.vendors.checkout.client import CheckoutClient
from ez_pipelines.vendors.http import Timeout

FAKE_BASE = "https://checkout.test"
QUICK: Timeout = (1.0, 2.0)
PAY_ID = "pay_mbabizu24mvu3mela5njyhpit4"
ACT_ID = "act_fd3h6evhpn3uxdoqbuu3lqnqbm"
CARD = "src_nwd3m4in3hkuddfpjsaevunhdy"
PICKUP = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: Mapping[str, str]
    body: Any


Answer = tuple[int, Any] | tuple[int, Any, Mapping[str, str]]
Handler = Callable[[Seen], Answer]


class ScriptedCheckout(BaseAdapter):
    """Answers each request with `handler(seen)`: (status, JSON body[, headers])."""

    def __init__(self, handler: Handler) -> None:
        super().__init__()
        self.handler = handler
        self.seen: list[Seen] = []

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        raw = request.body or b""
        body = json.loads(raw) if raw else None
        seen = Seen(str(request.method), request.path_url, dict(request.headers), body)
        self.seen.append(seen)
        status, answer, *rest = self.handler(seen)
        response = requests.Response()
        response.status_code = status
        response._content = b"" if answer is None else json.dumps(answer).encode()
        response.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
        if rest:
            response.headers.update(rest[0])
        response.request = request
        response.url = str(request.url)
        return response

    def close(self) -> None:
        pass


def checkout_settings(base_url: str = FAKE_BASE, **changes: Any) -> CheckoutSettings:
    return replace(Settings.from_env().checkout, base_url=base_url, **changes)


def scripted_client(
    handler: Handler, *, clock: Clock = SYSTEM_CLOCK, **limits: int
) -> tuple[CheckoutClient, ScriptedCheckout]:
    client = CheckoutClient(checkout_settings(), timeout=QUICK, clock=clock, **limits)
    transport = ScriptedCheckout(handler)
    client.http.session.mount(FAKE_BASE, transport)
    return client, transport


def payment_answer(reference: str, *, status: str = "Authorized", pay_id: str = PAY_ID) -> Any:
    """A 201 body of POST /payments, shaped as the NAS spec's example."""
    return {
        "id": pay_id,
        "action_id": ACT_ID,
        "amount": 45000,
        "currency": "AED",
        "approved": status != "Declined",
        "status": status,
        "response_code": "10000" if status != "Declined" else "20005",
        "response_summary": "Approved",
        "processed_on": "2026-11-02T08:00:01.5Z",
        "reference": reference,
        "_links": {"self": {"href": f"{FAKE_BASE}/payments/{pay_id}"}},
    }


def add_booking(
    db: Database,
    booking_id: str = "BK-1",
    customer_id: str = "CUS-1",
    *,
    now: datetime | None = None,
) -> None:
    now = now or datetime.now(UTC)
    with db.write() as session:
        upsert_customer(
            session,
            CustomerInput(customer_id, "Layla", "Haddad", "layla@example.com", "+971501234567"),
            now=now,
        )
        session.flush()
        upsert_booking(
            session,
            BookingInput(
                booking_id,
                customer_id,
                None,
                pickup_at=PICKUP,
                return_due_at=PICKUP + timedelta(days=3),
                rental_amount_minor=45000,
                currency="AED",
            ),
            now=now,
        )


def add_payment(
    db: Database,
    payment_id: str = "PAY-1",
    *,
    booking_id: str = "BK-1",
    amount_minor: int = 45000,
    source_ref: str = CARD,
    now: datetime | None = None,
) -> None:
    with db.write() as session:
        request_payment(
            session,
            PaymentInput(payment_id, booking_id, amount_minor, "AED", source_ref),
            now=now or datetime.now(UTC),
        )


def add_refund(
    db: Database,
    refund_id: str = "RF-1",
    *,
    payment_id: str = "PAY-1",
    amount_minor: int = 5000,
    now: datetime | None = None,
) -> None:
    with db.write() as session:
        request_refund(
            session,
            refund_id=refund_id,
            payment_id=payment_id,
            amount_minor=amount_minor,
            reason="fuel charge reversed",
            now=now or datetime.now(UTC),
        )


def outbox_row(db: Database, entity: str, record_id: str) -> OutboxRow:
    """The newest Checkout.com outbox row of the record."""
    with db.read() as session:
        return session.scalars(
            select(OutboxRow)
            .where(
                OutboxRow.system == "checkout",
                OutboxRow.entity == entity,
                OutboxRow.record_id == record_id,
            )
            .order_by(OutboxRow.id.desc())
        ).first() or _missing(entity, record_id)


def external_ref(db: Database, entity: str, record_id: str) -> ExternalRef | None:
    with db.read() as session:
        return session.get(ExternalRef, (entity, record_id, "checkout"))


def _missing(entity: str, record_id: str) -> OutboxRow:
    raise AssertionError(f"no checkout outbox row for {entity} {record_id}")
