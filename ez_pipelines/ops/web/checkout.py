"""Receiving Checkout.com webhooks: verify the raw bytes, parse, store once, answer at once.

Processing happens later, from the inbox. The receiver's only promise is that an event it
answered 2xx for is stored, and that nothing it refused is.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ez_pipelines.clock import Clock
from ez_pipelines.inbox.store import record_event
from ez_pipelines.ops.inbound import DUPLICATE, REJECTED, tally_delivery
from ez_pipelines.ops.web.intake import WebhookRefused
from ez_pipelines.ops.web.writer import StoreWriter
from ez_pipelines.vendors.checkout.events import CheckoutEvent, MalformedEvent, parse_event

logger = logging.getLogger(__name__)

SYSTEM = "checkout"
SIGNATURE_HEADER = "Cko-Signature"
# The inbox's column widths: a longer id or type is not a Checkout.com event, and refusing it
# here keeps PostgreSQL from failing the insert with a 500.
MAX_EVENT_ID = 128
MAX_EVENT_TYPE = 64


def signature_of(secret: str, raw: bytes) -> str:
    """The `Cko-Signature` Checkout.com sends: hex HMAC-SHA256 of the exact body bytes."""
    return hmac.new(secret.encode("utf-8"), raw, hashlib.sha256).hexdigest()


def signature_matches(secret: str, raw: bytes, header: str) -> bool:
    """Constant-time comparison; hex digits may come in either case."""
    provided = header.strip().lower().encode("utf-8", errors="replace")
    return hmac.compare_digest(signature_of(secret, raw).encode("ascii"), provided)


@dataclass(frozen=True)
class Receipt:
    """What the receiver did with a delivery it accepted."""

    stored: bool
    event_id: str
    event_type: str
    known: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "status": "stored" if self.stored else "duplicate",
            "event_id": self.event_id,
            "type": self.event_type,
            "known": self.known,
        }


class CheckoutReceiver:
    def __init__(self, *, secret: str, writer: StoreWriter, clock: Clock) -> None:
        self._secret = secret
        self._writer = writer
        self._clock = clock

    async def receive(self, raw: bytes, signature: str | None) -> Receipt:
        """Store the delivery in `raw` once; raises WebhookRefused for anything not to store."""
        if not signature:
            raise WebhookRefused(401, f"no {SIGNATURE_HEADER} header", len(raw))
        if not signature_matches(self._secret, raw, signature):
            raise WebhookRefused(401, f"{SIGNATURE_HEADER} does not match the body", len(raw))

        event = _parse(raw)
        status = "received" if event.is_known else "unknown"
        record = partial(
            _record_or_tally_duplicate,
            system=SYSTEM,
            event_id=event.id,
            event_type=event.type,
            occurred_at=event.occurred_at,
            body=raw,
            received_at=self._clock.now(),
            status=status,
        )
        try:
            stored = await self._writer.write(record)
        except SQLAlchemyError as err:
            # Checkout.com sends again after a 5xx, so the event is not lost. The error's text
            # can quote the body among the statement's parameters: only its kind is logged.
            reason = f"the inbox is unavailable ({type(err).__name__}); send again later"
            raise WebhookRefused(503, reason, len(raw)) from None

        if not stored:
            logger.info(
                "checkout event %s (%s) is a duplicate; kept the first", event.id, event.type
            )
        elif not event.is_known:
            logger.warning(
                "checkout event %s has unknown type %s; stored as unknown (%d bytes)",
                event.id,
                event.type,
                len(raw),
            )
        else:
            logger.debug("checkout event %s (%s) stored, %d bytes", event.id, event.type, len(raw))
        return Receipt(
            stored=stored, event_id=event.id, event_type=event.type, known=event.is_known
        )

    async def tally_refusal(self) -> None:
        """Count a refused delivery: it leaves no inbox row, and health reports it."""
        at = self._clock.now()
        try:
            await self._writer.write(
                partial(tally_delivery, system=SYSTEM, outcome=REJECTED, at=at)
            )
        except SQLAlchemyError as err:
            logger.warning("refused checkout delivery not counted: %s", type(err).__name__)


def _record_or_tally_duplicate(session: Session, **event: Any) -> bool:
    """Store the event, or count the delivery as a duplicate in the same transaction."""
    stored = record_event(session, **event)
    if not stored:
        tally_delivery(session, system=event["system"], outcome=DUPLICATE, at=event["received_at"])
    return stored


def _parse(raw: bytes) -> CheckoutEvent:
    try:
        event = parse_event(raw)
    except MalformedEvent as err:
        raise WebhookRefused(400, str(err), len(raw)) from None
    except RecursionError:
        raise WebhookRefused(400, "body is nested too deeply to read", len(raw)) from None
    except OverflowError:
        # An instant whose offset moves it outside the years a datetime can hold.
        raise WebhookRefused(400, "event time is out of range", len(raw)) from None

    for name, value, limit in (
        ("id", event.id, MAX_EVENT_ID),
        ("type", event.type, MAX_EVENT_TYPE),
    ):
        if len(value) > limit:
            raise WebhookRefused(400, f"event {name} is longer than {limit} characters", len(raw))
        # Control characters and lone surrogates cannot be stored as text on every backend.
        if not value.isprintable():
            raise WebhookRefused(400, f"event {name} has unprintable characters", len(raw))
    return event
