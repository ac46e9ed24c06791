"""Receiving lead webhooks: HubSpot contact events, Crisp chat messages, WhatsApp messages.

Each receiver checks its sender's proof over the raw bytes, parses, and stores every event of
the delivery once in the inbox (insert-or-ignore on (system, event id)), all in one
transaction, before answering. Turning events into lead records happens later, from the inbox.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ez_pipelines.clock import Clock
from ez_pipelines.inbox.store import record_event
from ez_pipelines.ops.inbound import DUPLICATE, REJECTED, tally_delivery
from ez_pipelines.ops.web.intake import WebhookRefused
from ez_pipelines.ops.web.writer import StoreWriter
from ez_pipelines.settings import LeadsSettings
from ez_pipelines.vendors.crisp import webhooks as crisp
from ez_pipelines.vendors.hubspot import webhooks as hubspot
from ez_pipelines.vendors.whatsapp import webhooks as whatsapp

logger = logging.getLogger(__name__)

MAX_EVENT_ID = 128


@dataclass(frozen=True)
class InboundEvent:
    event_id: str
    event_type: str
    occurred_at: datetime | None
    body: bytes
    known: bool


@dataclass(frozen=True)
class DeliveryReceipt:
    system: str
    stored: int
    duplicates: int

    def as_json(self) -> dict[str, object]:
        return {"system": self.system, "stored": self.stored, "duplicates": self.duplicates}


class LeadHooks:
    """The three lead receivers, sharing the inbox writer and the clock."""

    def __init__(self, *, settings: LeadsSettings, writer: StoreWriter, clock: Clock) -> None:
        self.settings = settings
        self._writer = writer
        self._clock = clock

    async def hubspot(
        self, raw: bytes, *, method: str, uri: str, timestamp: str | None, signature: str | None
    ) -> DeliveryReceipt:
        if not signature or not timestamp:
            raise WebhookRefused(401, f"no {hubspot.SIGNATURE_HEADER} or timestamp", len(raw))
        refusal = hubspot.verify_v3(
            self.settings.hubspot_client_secret,
            method=method,
            uri=uri,
            body=raw,
            timestamp=timestamp,
            signature=signature,
            now=self._clock.now(),
        )
        if refusal:
            raise WebhookRefused(401, refusal, len(raw))
        try:
            events = hubspot.parse_delivery(raw)
        except hubspot.MalformedDelivery as err:
            raise WebhookRefused(400, str(err), len(raw)) from None
        inbound = [
            InboundEvent(e.event_id, e.type, e.occurred_at, e.as_json(), e.is_known) for e in events
        ]
        return await self._store("hubspot", inbound, len(raw))

    async def crisp(
        self, raw: bytes, *, key: str | None, timestamp: str | None, signature: str | None
    ) -> DeliveryReceipt:
        if signature:
            refusal = crisp.verify(
                self.settings.crisp_signing_secret,
                timestamp=timestamp or "",
                body=raw,
                signature=signature,
                now=self._clock.now(),
                max_age_s=self.settings.crisp_max_age_s,
            )
            if refusal:
                raise WebhookRefused(401, refusal, len(raw))
        elif not crisp.key_matches(self.settings.crisp_hook_key, key):
            raise WebhookRefused(401, "unsigned hook without the URL key", len(raw))
        try:
            message = crisp.parse_hook(raw)
        except crisp.MalformedHook as err:
            raise WebhookRefused(400, str(err), len(raw)) from None
        event = InboundEvent(message.event_id, message.event, None, raw, message.is_known)
        return await self._store("crisp", [event], len(raw))

    async def whatsapp(self, raw: bytes, *, signature: str | None) -> DeliveryReceipt:
        if not signature:
            raise WebhookRefused(401, f"no {whatsapp.SIGNATURE_HEADER} header", len(raw))
        if not whatsapp.signature_matches(self.settings.whatsapp_app_secret, raw, signature):
            raise WebhookRefused(401, f"{whatsapp.SIGNATURE_HEADER} does not match", len(raw))
        try:
            messages = whatsapp.parse_delivery(raw)
        except whatsapp.MalformedDelivery as err:
            raise WebhookRefused(400, str(err), len(raw)) from None
        inbound = [
            InboundEvent(m.message_id, "message", m.sent_at, m.as_json(), True) for m in messages
        ]
        return await self._store("whatsapp", inbound, len(raw))

    async def _store(
        self, system: str, events: Sequence[InboundEvent], size: int
    ) -> DeliveryReceipt:
        for event in events:
            if len(event.event_id) > MAX_EVENT_ID or not event.event_id.isprintable():
                raise WebhookRefused(400, "an event id is too long or unprintable", size)
        received_at = self._clock.now()

        def store_all(session: Session) -> int:
            stored = 0
            for event in events:
                if record_event(
                    session,
                    system=system,
                    event_id=event.event_id,
                    event_type=event.event_type[:64],
                    occurred_at=event.occurred_at,
                    body=event.body,
                    received_at=received_at,
                    status="received" if event.known else "unknown",
                ):
                    stored += 1
                else:
                    # Counted in the same transaction: health reports duplicates per system.
                    tally_delivery(session, system=system, outcome=DUPLICATE, at=received_at)
            return stored

        try:
            stored = await self._writer.write(store_all) if events else 0
        except SQLAlchemyError as err:
            reason = f"the inbox is unavailable ({type(err).__name__}); send again later"
            raise WebhookRefused(503, reason, size) from None
        logger.info(
            "%s delivery: %d events, %d stored, %d duplicates",
            system,
            len(events),
            stored,
            len(events) - stored,
        )
        return DeliveryReceipt(system, stored, len(events) - stored)

    async def tally_refusal(self, system: str) -> None:
        """Count a refused delivery of `system`: it leaves no inbox row, and health reports it."""
        at = self._clock.now()
        try:
            await self._writer.write(
                partial(tally_delivery, system=system, outcome=REJECTED, at=at)
            )
        except SQLAlchemyError as err:
            logger.warning("refused %s delivery not counted: %s", system, type(err).__name__)
