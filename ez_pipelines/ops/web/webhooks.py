"""The webhook routes of the ops service, one per sending system."""

from __future__ import annotations

import logging
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from ez_pipelines.ops.web.checkout import (
    MAX_EVENT_ID,
    MAX_EVENT_TYPE,
    SIGNATURE_HEADER,
    CheckoutReceiver,
)
from ez_pipelines.ops.web.intake import WebhookRefused, read_body

logger = logging.getLogger(__name__)


class WebhookReceipt(BaseModel):
    status: Literal["stored", "duplicate"] = Field(
        description="`duplicate`: the event was stored by an earlier delivery; nothing changed."
    )
    event_id: str
    type: str = Field(description="The event type, cancellations spelled `payment_canceled`.")
    known: bool = Field(description="False for a type no processor reads yet; stored anyway.")


class WebhookError(BaseModel):
    detail: str


_CHECKOUT_BODY: dict[str, Any] = {
    "required": True,
    "description": "The event exactly as Checkout.com sent it; the signature covers these bytes.",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["id", "type"],
                "properties": {
                    "id": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": MAX_EVENT_ID,
                        "description": "Event id, `evt_...`; deliveries sharing it are one event.",
                    },
                    "type": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": MAX_EVENT_TYPE,
                        "description": "Event type; unknown types are stored as `unknown`.",
                    },
                    "version": {"type": "string"},
                    "created_on": {"type": "string", "description": "When, older envelope."},
                    "timestamp": {"type": "string", "description": "When, NAS envelope."},
                    "data": {"type": "object"},
                },
            }
        }
    },
}
_CHECKOUT_SIGNATURE: dict[str, Any] = {
    "name": SIGNATURE_HEADER,
    "in": "header",
    "required": True,
    "description": "Hex HMAC-SHA256 of the raw body with the workflow's signature key.",
    "schema": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"},
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": WebhookReceipt, "description": "Stored now, or already stored before."},
    400: {"model": WebhookError, "description": "Signed, but not a Checkout.com event."},
    401: {"model": WebhookError, "description": "Signature missing or not matching the body."},
    413: {"model": WebhookError, "description": "Body over the size limit."},
    503: {"model": WebhookError, "description": "Not stored now; the sender should retry."},
}


def webhook_router(*, checkout: CheckoutReceiver, max_bytes: int) -> APIRouter:
    router = APIRouter(prefix="/webhooks", tags=["webhooks"])

    @router.post(
        "/checkout",
        summary="Receive a Checkout.com event",
        responses=_RESPONSES,
        openapi_extra={"requestBody": _CHECKOUT_BODY, "parameters": [_CHECKOUT_SIGNATURE]},
    )
    async def checkout_webhook(request: Request) -> JSONResponse:
        """Verify, store once in the inbox, and answer; processing happens later."""
        try:
            raw = await read_body(request, max_bytes)
            receipt = await checkout.receive(raw, request.headers.get(SIGNATURE_HEADER))
        except WebhookRefused as refusal:
            if refusal.status_code < 500:
                await checkout.tally_refusal()
            return refused("checkout", refusal)
        return JSONResponse(receipt.as_json())

    return router


def refused(system: str, refusal: WebhookRefused) -> JSONResponse:
    logger.log(
        logging.ERROR if refusal.status_code >= 500 else logging.WARNING,
        "webhook rejected system=%s status=%d reason=%s bytes=%d",
        system,
        refusal.status_code,
        refusal.reason,
        refusal.size,
    )
    return JSONResponse({"detail": refusal.reason}, status_code=refusal.status_code)
