"""The webhook routes lead channels deliver to: HubSpot, Crisp and WhatsApp (via BotSpace)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from ez_pipelines.ops.web.intake import WebhookRefused, read_body
from ez_pipelines.ops.web.lead_hooks import LeadHooks
from ez_pipelines.ops.web.webhooks import WebhookError, refused
from ez_pipelines.vendors.crisp import webhooks as crisp
from ez_pipelines.vendors.hubspot import webhooks as hubspot
from ez_pipelines.vendors.whatsapp import webhooks as whatsapp

_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Every event stored now, or already stored before."},
    400: {"model": WebhookError, "description": "Proven, but not a delivery we can read."},
    401: {"model": WebhookError, "description": "Signature, timestamp or URL key not valid."},
    413: {"model": WebhookError, "description": "Body over the size limit."},
    503: {"model": WebhookError, "description": "Not stored now; the sender should retry."},
}


def lead_router(*, hooks: LeadHooks, max_bytes: int) -> APIRouter:
    router = APIRouter(prefix="/webhooks", tags=["webhooks"])

    @router.post("/hubspot", summary="Receive HubSpot contact events", responses=_RESPONSES)
    async def hubspot_webhook(request: Request) -> JSONResponse:
        """Signature v3 over method, URI, body and timestamp; each event stored once."""
        try:
            raw = await read_body(request, max_bytes)
            receipt = await hooks.hubspot(
                raw,
                method=request.method,
                uri=_signed_uri(request, hooks.settings.public_base_url),
                timestamp=request.headers.get(hubspot.TIMESTAMP_HEADER),
                signature=request.headers.get(hubspot.SIGNATURE_HEADER),
            )
        except WebhookRefused as refusal:
            return await _refused(hooks, "hubspot", refusal)
        return JSONResponse(receipt.as_json())

    @router.post("/crisp", summary="Receive a Crisp web hook", responses=_RESPONSES)
    async def crisp_webhook(request: Request) -> JSONResponse:
        """Plugin hooks are signed; website hooks carry the secret `key` in their URL."""
        try:
            raw = await read_body(request, max_bytes)
            receipt = await hooks.crisp(
                raw,
                key=request.query_params.get("key"),
                timestamp=request.headers.get(crisp.TIMESTAMP_HEADER),
                signature=request.headers.get(crisp.SIGNATURE_HEADER),
            )
        except WebhookRefused as refusal:
            return await _refused(hooks, "crisp", refusal)
        return JSONResponse(receipt.as_json())

    @router.get("/whatsapp", summary="Answer WhatsApp's subscription challenge")
    async def whatsapp_challenge(request: Request) -> Response:
        """Echoes `hub.challenge` when `hub.verify_token` is ours; 403 otherwise."""
        params = dict(request.query_params)
        answer = whatsapp.challenge_answer(params, hooks.settings.whatsapp_verify_token)
        if answer is None:
            return PlainTextResponse("verify token does not match", status_code=403)
        return PlainTextResponse(answer)

    @router.post("/whatsapp", summary="Receive WhatsApp messages", responses=_RESPONSES)
    async def whatsapp_webhook(request: Request) -> JSONResponse:
        """`X-Hub-Signature-256` over the raw bytes; each message stored once by its wamid."""
        try:
            raw = await read_body(request, max_bytes)
            receipt = await hooks.whatsapp(
                raw, signature=request.headers.get(whatsapp.SIGNATURE_HEADER)
            )
        except WebhookRefused as refusal:
            return await _refused(hooks, "whatsapp", refusal)
        return JSONResponse(receipt.as_json())

    return router


async def _refused(hooks: LeadHooks, system: str, refusal: WebhookRefused) -> JSONResponse:
    if refusal.status_code < 500:
        await hooks.tally_refusal(system)
    return refused(system, refusal)


def _signed_uri(request: Request, public_base_url: str) -> str:
    """The URI HubSpot signed: the one it called, which behind a proxy is the public URL."""
    if not public_base_url:
        return str(request.url)
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{public_base_url}{request.url.path}{query}"
