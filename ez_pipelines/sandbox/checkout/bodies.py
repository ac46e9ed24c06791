"""The JSON a Checkout.com stand-in answers, shaped as the NAS OpenAPI spec shows it.

Responses follow the OpenAPI schemas `PaymentResponse`, `PaymentAcceptedResponse`,
`PaymentDetails`, `PaymentAction` and the `...AcceptedResponse` of captures, refunds and voids.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ez_pipelines.sandbox.checkout.ids import instant
from ez_pipelines.sandbox.checkout.ledger import Action, Payment

Body = dict[str, Any]
RISK = {"flagged": False}


def link(href: str) -> Body:
    return {"href": href}


def payment_links(base: str, payment: Payment) -> Body:
    """`self` and `actions` always; the others while the payment's balances allow them."""
    href = f"{base}/payments/{payment.id}"
    links = {"self": link(href), "actions": link(f"{href}/actions")}
    balances = payment.balances()
    if balances["available_to_void"]:
        links["void"] = link(f"{href}/voids")
    if balances["available_to_capture"]:
        links["capture"] = link(f"{href}/captures")
    if balances["available_to_refund"]:
        links["refund"] = link(f"{href}/refunds")
    return links


def payment_response(base: str, payment: Payment, authorization: Action) -> Body:
    """The 201 answer to POST /payments: the authorization's outcome."""
    code, summary = authorization.response
    body: Body = {
        "id": payment.id,
        "action_id": authorization.id,
        "amount": authorization.amount,
        "currency": payment.request.currency,
        "approved": authorization.approved,
        "status": "Authorized" if authorization.approved else "Declined",
        "response_code": code,
        "response_summary": summary,
        "balances": payment.balances(),
        "risk": RISK,
        "source": source(payment),
        "processed_on": instant(_when(authorization)),
        "_links": payment_links(base, payment),
    }
    if payment.request.reference is not None:
        body["reference"] = payment.request.reference
    if authorization.approved:
        body["auth_code"] = auth_code(authorization)
    if payment.request.customer is not None:
        body["customer"] = payment.request.customer
    return body


def pending_response(base: str, payment: Payment) -> Body:
    """The 202 answer to POST /payments when the outcome comes later."""
    body: Body = {
        "id": payment.id,
        "status": "Pending",
        "_links": {"self": link(f"{base}/payments/{payment.id}")},
    }
    if payment.request.reference is not None:
        body["reference"] = payment.request.reference
    return body


def payment_details(base: str, payment: Payment) -> Body:
    """GET /payments/{id}."""
    body: Body = {
        "id": payment.id,
        "requested_on": instant(payment.requested_on),
        "source": source(payment),
        "amount": payment.request.amount,
        "currency": payment.request.currency,
        "payment_type": "Regular",
        "status": payment.status,
        "approved": payment.approved,
        "balances": payment.balances(),
        "risk": RISK,
        "metadata": payment.request.metadata,
        "_links": payment_links(base, payment),
    }
    if payment.request.reference is not None:
        body["reference"] = payment.request.reference
    if payment.request.customer is not None:
        body["customer"] = payment.request.customer
    return body


def action_body(action: Action) -> Body:
    """One entry of GET /payments/{id}/actions."""
    code, summary = action.response
    body: Body = {
        "id": action.id,
        "type": action.type,
        "processed_on": instant(_when(action)),
        "amount": action.amount,
        "approved": action.approved,
        "response_code": code,
        "response_summary": summary,
    }
    if action.type == "Authorization" and action.approved:
        body["auth_code"] = auth_code(action)
    if action.reference is not None:
        body["reference"] = action.reference
    if action.metadata:
        body["metadata"] = action.metadata
    return body


def accepted_body(base: str, payment: Payment, action: Action) -> Body:
    """The 202 answer to a capture, refund or void."""
    body: Body = {
        "action_id": action.id,
        "_links": {"payment": link(f"{base}/payments/{payment.id}")},
    }
    if action.reference is not None:
        body["reference"] = action.reference
    return body


def payment_truth(payment: Payment) -> Body:
    """What the stand-in holds about a payment, for `inspect()`: actions oldest first."""
    return {
        "id": payment.id,
        "status": payment.status,
        "approved": payment.approved,
        "amount": payment.request.amount,
        "currency": payment.request.currency,
        "reference": payment.request.reference,
        "requested_on": instant(payment.requested_on),
        "balances": payment.balances(),
        "actions": [action_body(a) for a in payment.actions],
        "scheduled": [{"id": a.id, "type": a.type, "amount": a.amount} for a in payment.scheduled],
    }


def error_body(request_id: str, error_type: str, codes: tuple[str, ...] | list[str]) -> Body:
    return {"request_id": request_id, "error_type": error_type, "error_codes": list(codes)}


def source(payment: Payment) -> Body:
    return {"id": payment.source_id, "type": "card"}


def auth_code(action: Action) -> str:
    # Six digits, as acquirers issue them; derived from the action id so it never changes.
    return f"{int.from_bytes(action.id.encode(), 'big') % 1_000_000:06d}"


def _when(action: Action) -> datetime:
    if action.processed_on is None:
        raise ValueError(f"action {action.id} has not been processed")
    return action.processed_on
