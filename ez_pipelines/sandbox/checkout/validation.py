"""Request bodies of the payments API, checked as Checkout.com checks them.

A body that breaks the spec's rules is refused with 422 and the codes of every problem found
(`amount_invalid`, `currency_required`...), Checkout.com's `ValidationError`. Rules come from
the NAS OpenAPI schemas `PaymentRequest`, `CaptureRequest`, `RefundRequest` and `VoidRequest`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

REFERENCE_MAX = 50  # PaymentRequest.reference maxLength
_CURRENCY = re.compile(r"^[A-Z]{3}$")
# The spec's source ids are `src_` plus 26 characters; the stand-in accepts any word after the
# prefix so a test can name its outcome (`src_decline_visa`).
_SOURCE_ID = re.compile(r"^src_\w+$")
_TOKEN = re.compile(r"^tok_\w+$")
_PRIMITIVE = (str, int, float, bool, type(None))


class Invalid(Exception):
    """The body breaks the schema; `codes` are the `error_codes` of the 422 answer."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(", ".join(codes))
        self.codes = codes


@dataclass(frozen=True)
class PaymentRequest:
    amount: int
    currency: str
    source: dict[str, str]
    reference: str | None = None
    capture: bool = True
    customer: dict[str, Any] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def source_ref(self) -> str:
        """The card on file or the token: what decides the stand-in's outcome."""
        return self.source.get("id") or self.source.get("token") or ""


@dataclass(frozen=True)
class ActionRequest:
    """A capture, refund or void: the amount is absent for "everything available"."""

    amount: int | None = None
    reference: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def payment_request(body: Any) -> PaymentRequest:
    document = _object(body)
    codes: list[str] = []
    amount = _amount(document, codes, required=True)
    currency = _currency(document.get("currency"), codes)
    source = _source(document.get("source"), codes)
    reference = _reference(document, codes)
    capture = document.get("capture", True)
    if not isinstance(capture, bool):
        codes.append("capture_invalid")
    customer = document.get("customer")
    if customer is not None and not isinstance(customer, dict):
        codes.append("customer_invalid")
    metadata = _metadata(document, codes)
    if codes:
        raise Invalid(codes)
    assert amount is not None
    return PaymentRequest(
        amount=amount,
        currency=currency,
        source=source,
        reference=reference,
        capture=bool(capture),
        customer=customer,
        metadata=metadata,
    )


def action_request(body: Any, *, with_amount: bool, capture: bool = False) -> ActionRequest:
    document = _object(body)
    codes: list[str] = []
    amount = _amount(document, codes, required=False) if with_amount else None
    reference = _reference(document, codes)
    metadata = _metadata(document, codes)
    if capture and document.get("capture_type", "Final") not in ("Final", "NonFinal"):
        codes.append("capture_type_invalid")
    if codes:
        raise Invalid(codes)
    return ActionRequest(amount=amount, reference=reference, metadata=metadata)


def _object(body: Any) -> dict[str, Any]:
    # Captures, refunds and voids may be sent without a body at all.
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise Invalid(["request_body_invalid"])
    return body


def _amount(document: dict[str, Any], codes: list[str], *, required: bool) -> int | None:
    if "amount" not in document or document["amount"] is None:
        if required:
            codes.append("amount_required")
        return None
    amount = document["amount"]
    # Minor units are integers; a float such as 150.0 is refused rather than truncated.
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        codes.append("amount_invalid")
        return None
    return amount


def _currency(value: Any, codes: list[str]) -> str:
    if value is None:
        codes.append("currency_required")
        return ""
    if not isinstance(value, str) or not _CURRENCY.match(value):
        codes.append("currency_invalid")
        return ""
    return value


def _source(value: Any, codes: list[str]) -> dict[str, str]:
    if value is None:
        codes.append("payment_source_required")
        return {}
    if not isinstance(value, dict):
        codes.append("source_invalid")
        return {}
    kind = value.get("type")
    if kind == "id" and isinstance(value.get("id"), str) and _SOURCE_ID.match(value["id"]):
        return {"type": "id", "id": value["id"]}
    if kind == "token" and isinstance(value.get("token"), str) and _TOKEN.match(value["token"]):
        return {"type": "token", "token": value["token"]}
    codes.append("source_invalid")
    return {}


def _reference(document: dict[str, Any], codes: list[str]) -> str | None:
    reference = document.get("reference")
    if reference is None:
        return None
    if not isinstance(reference, str) or len(reference) > REFERENCE_MAX:
        codes.append("reference_invalid")
        return None
    return reference


def _metadata(document: dict[str, Any], codes: list[str]) -> dict[str, Any]:
    metadata = document.get("metadata")
    if metadata is None:
        return {}
    # The spec allows one level of primitives only.
    if not isinstance(metadata, dict) or not all(
        isinstance(v, _PRIMITIVE) for v in metadata.values()
    ):
        codes.append("metadata_invalid")
        return {}
    return metadata
