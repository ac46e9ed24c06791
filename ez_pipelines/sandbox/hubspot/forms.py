"""HubSpot forms in the stand-in: a visitor's submission makes or updates the contact, and
HubSpot's contact webhooks tell the app about it.

`POST /hubspot/submissions/v3/integration/submit/{portal_id}/{form_guid}` takes the Forms API's
`{"fields": [{"name", "value"}]}`. The contact is found by email (case-insensitively) or created;
then one delivery carries `contact.creation` (for a new contact) and a `contact.propertyChange`
per property that changed, signed with signature v3 over the URL the webhook is sent to. Writes
through the API are told the same way, after the answer, marked as the app's own
(`changeSource` `INTEGRATION`, `sourceId` the app's id).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from typing import Any

from ez_pipelines.sandbox.hubspot.store import Change, ContactStore, InvalidProperties
from ez_pipelines.sandbox.leads.delivery import Deliveries

PORTAL_ID = 62515
APP_ID = 54321
FORM_FIELDS = frozenset({"email", "firstname", "lastname", "phone"})


class Forms:
    def __init__(self) -> None:
        self.deliveries = Deliveries()
        self.client_secret = ""
        self.submissions = 0
        self._next_event = 1
        self._pending: set[asyncio.Task[None]] = set()

    async def submit(self, store: ContactStore, body: Any) -> tuple[int, dict[str, Any]]:
        fields = body.get("fields") if isinstance(body, dict) else None
        if not isinstance(fields, list):
            return 400, {"status": "error", "message": "fields must be a list"}
        values = {
            str(f.get("name")): str(f.get("value") or "").strip()
            for f in fields
            if isinstance(f, dict) and f.get("name") in FORM_FIELDS
        }
        values = {name: value for name, value in values.items() if value}
        if not values.get("email"):
            return 400, {"status": "error", "message": "a form needs an email"}

        contact = store.find(values["email"], id_property="email")
        created = contact is None
        changed = (
            values
            if created
            else {
                k: v
                for k, v in values.items()
                if contact.properties.get(k) != v  # type: ignore[union-attr]
            }
        )
        try:
            if contact is None:
                contact = store.create({**values, "lifecyclestage": "lead"})
            elif changed:
                store.update(contact, changed)
        except InvalidProperties as err:
            return 400, {"status": "error", "message": str(err.problems[0].message)}
        finally:
            # The form tells of its own write, as a form's, below.
            store.changes.clear()
        self.submissions += 1
        await self.notify([Change(contact.id, created, changed)], source="FORM")
        return 200, {"inlineMessage": "Thanks for submitting the form."}

    def notify_later(self, changes: list[Change], *, source: str, source_id: str) -> None:
        """Tell the subscriber of writes after answering the writer, as HubSpot does."""
        task = asyncio.get_running_loop().create_task(
            self.notify(changes, source=source, source_id=source_id)
        )
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def notify(
        self, changes: list[Change], *, source: str, source_id: str | None = None
    ) -> None:
        now_ms = int(time.time() * 1000)
        events = []
        for change in changes:
            made = {"changeSource": source, **({"sourceId": source_id} if source_id else {})}
            if change.created:
                events.append(
                    {**self._event("contact.creation", change.contact_id, now_ms), **made}
                )
            for name, value in change.properties.items():
                event = self._event("contact.propertyChange", change.contact_id, now_ms)
                events.append({**event, **made, "propertyName": name, "propertyValue": value})
        if not events:
            return
        raw = json.dumps(events, separators=(",", ":")).encode()
        url = self.deliveries.url
        signed = b"POST" + url.encode() + raw + str(now_ms).encode()
        signature = base64.b64encode(
            hmac.new(self.client_secret.encode(), signed, hashlib.sha256).digest()
        ).decode()
        headers = {
            "Content-Type": "application/json",
            "X-HubSpot-Signature-v3": signature,
            "X-HubSpot-Request-Timestamp": str(now_ms),
        }
        await self.deliveries.send(raw, headers)

    def _event(self, kind: str, contact_id: str, now_ms: int) -> dict[str, Any]:
        event = {
            "eventId": self._next_event,
            "subscriptionId": 12345,
            "portalId": PORTAL_ID,
            "appId": APP_ID,
            "occurredAt": now_ms,
            "subscriptionType": kind,
            "attemptNumber": 0,
            "objectId": int(contact_id),
        }
        self._next_event += 1
        return event
