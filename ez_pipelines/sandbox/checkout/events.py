"""Webhook events of the Checkout.com stand-in, in the NAS envelope of the shipped samples.

Each event type carries the `data` keys its NAS sample carries, no more: a pending step has no
response code, a decline and a pending refund have no balances. Amounts are the action's, in
minor units; `reference` is the payment's.
"""

from __future__ import annotations

from datetime import datetime

from ez_pipelines.sandbox.checkout.bodies import RISK, Body, auth_code, link, source
from ez_pipelines.sandbox.checkout.ids import instant
from ez_pipelines.sandbox.checkout.ledger import Action, Payment

EVENT_VERSION = "1.0.29"
# The `data` keys of each event type beyond `id`, `amount`, `currency` and `processed_on`.
_EVENT_KEYS = {
    "payment_pending": ("reference", "metadata"),
    "payment_approved": (
        "action_id",
        "reference",
        "response_code",
        "response_summary",
        "auth_code",
        "payment_type",
        "source",
        "customer",
        "balances",
        "metadata",
        "risk",
    ),
    "payment_declined": (
        "action_id",
        "reference",
        "response_code",
        "response_summary",
        "payment_type",
        "source",
        "customer",
        "metadata",
        "risk",
    ),
    "payment_capture_pending": ("action_id", "reference", "metadata"),
    "payment_captured": (
        "action_id",
        "reference",
        "response_code",
        "response_summary",
        "balances",
        "metadata",
        "event_links",
    ),
    "payment_refund_pending": ("action_id",),
    "payment_refunded": (
        "action_id",
        "reference",
        "response_code",
        "response_summary",
        "balances",
        "metadata",
    ),
    "payment_voided": (
        "action_id",
        "reference",
        "response_code",
        "response_summary",
        "balances",
        "metadata",
    ),
}


def event(
    base: str,
    event_id: str,
    event_type: str,
    created_on: datetime,
    payment: Payment,
    action: Action | None,
) -> Body:
    """A webhook event in the NAS envelope of the shipped samples."""
    subject = action or Action("", "Authorization", payment.request.amount)
    code, summary = subject.response
    href = f"{base}/payments/{payment.id}"
    every: Body = {
        "action_id": subject.id,
        "reference": payment.request.reference,
        "response_code": code,
        "response_summary": summary,
        "auth_code": auth_code(subject),
        "payment_type": "Regular",
        "source": source(payment),
        "customer": payment.request.customer,
        "balances": payment.balances(),
        "metadata": payment.request.metadata,
        "risk": RISK,
        "event_links": {"payment": href, "payment_actions": f"{href}/actions"},
    }
    data: Body = {
        "id": payment.id,
        "amount": subject.amount,
        "currency": payment.request.currency,
        "processed_on": instant(subject.processed_on or payment.requested_on),
    }
    data.update({k: every[k] for k in _EVENT_KEYS[event_type] if every[k] is not None})
    return {
        "id": event_id,
        "type": event_type,
        "version": EVENT_VERSION,
        "created_on": instant(created_on),
        "data": data,
        "_links": {
            "self": link(f"{base}/events/{event_id}"),
            "subject": link(f"{base}/workflows/events/subject/{payment.id}"),
        },
    }
