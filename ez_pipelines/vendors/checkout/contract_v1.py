"""Contract v1: our payments and refunds as Checkout.com requests. Pure mapping, no I/O."""

from __future__ import annotations

from typing import Any

from ez_pipelines.canonical.models import Booking, Customer, Payment, RefundRequest
from ez_pipelines.vendors.checkout.models import CustomerRequest, PaymentRequest

CONTRACT_VERSION = "v1"


def payment_request(
    payment: Payment, booking: Booking | None, customer: Customer | None
) -> PaymentRequest:
    """The body of POST /payments for `payment`, charged to the customer's card on file.

    A payment without a card on file gets no `source`: the projection refuses it by name
    rather than sending a request Checkout.com would refuse.
    """
    request = PaymentRequest(
        amount=payment.amount_minor,
        currency=payment.currency,
        # How a webhook that arrives before we stored Checkout.com's id finds its payment.
        reference=payment.id,
        # The rental is charged in full at once; there is nothing to capture later by hand.
        capture=True,
    )
    if payment.source_ref:
        request["source"] = {"type": "id", "id": payment.source_ref}
    who = _customer(customer)
    if who:
        request["customer"] = who
    if booking is not None:
        request["metadata"] = {"booking_id": booking.id}
    return request


def refund_request(refund: RefundRequest, provider_payment_id: str | None) -> dict[str, Any]:
    """Where the refund goes and what it asks for: `payment_id` names the Checkout.com payment
    (None while Checkout.com has not told us its id), `body` is the body of the POST."""
    return {
        "payment_id": provider_payment_id,
        "body": {"amount": refund.amount_minor, "reference": refund.id},
    }


def _customer(customer: Customer | None) -> CustomerRequest:
    if customer is None:
        return {}
    who = CustomerRequest()
    if customer.email:
        who["email"] = customer.email
    if customer.full_name:
        who["name"] = customer.full_name
    return who
