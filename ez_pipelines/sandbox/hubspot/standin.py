"""A local HubSpot: the CRM v3 contacts API as HubSpot documents it, with its limits and lags.

Mounted at `/hubspot`, so an adapter reaches it by base URL alone. It checks the bearer token,
counts requests in HubSpot's rolling ten-second window (search is exempt, as in HubSpot), and
lets search trail writes by `search_lag_s`. Every answer carries the `X-HubSpot-RateLimit-*`
headers. Faults roll once per request: an error or a timeout strikes before any write; a
timeout after commit writes, then hangs, then answers.
"""

from __future__ import annotations

import hmac
import json
from collections import deque
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from ez_pipelines.clock import SYSTEM_CLOCK, Clock
from ez_pipelines.sandbox.faults import Fault
from ez_pipelines.sandbox.hubspot import bodies, operations
from ez_pipelines.sandbox.hubspot.forms import APP_ID, Forms
from ez_pipelines.sandbox.hubspot.operations import Answer, BadRequest, Call, Operation
from ez_pipelines.sandbox.hubspot.store import ContactStore
from ez_pipelines.sandbox.standin import StandIn
from ez_pipelines.settings import Settings

CONTACTS = "/crm/v3/objects/contacts"
FORMS = "/submissions/v3/integration/submit"
DEFAULT_SEARCH_LAG_S = 3.0
DEFAULT_BURST = 190
DEFAULT_WINDOW_S = 10.0
JOURNAL_LIMIT = 1000
_FORM_KNOBS = {
    "webhook_url": ("deliveries", "url"),
    "webhook_duplicate_rate": ("deliveries", "duplicate_rate"),
    "client_secret": ("forms", "client_secret"),
}


class HubSpotStandIn(StandIn):
    """HubSpot contacts for the sandbox. Settings: `search_lag_s`, `burst`, `window_s`,
    `id_property` (the portal's unique property for our ids) and `rate_limited_for_s`, which
    answers 429 to every request for that many seconds from when it is set.
    """

    name = "hubspot"

    def __init__(self, *, token: str | None = None, clock: Clock = SYSTEM_CLOCK) -> None:
        super().__init__()
        settings = Settings.from_env().hubspot
        self.token = settings.token if token is None else token
        self.clock = clock
        self._default_id_property = settings.key_property
        self.journal: deque[dict[str, Any]] = deque(maxlen=JOURNAL_LIMIT)
        self._start_fresh()

        add = self.router.add_api_route
        add(CONTACTS, self._create, methods=["POST"])
        add(f"{CONTACTS}/search", self._search, methods=["POST"])
        add(f"{CONTACTS}/merge", self._merge, methods=["POST"])
        add(CONTACTS + "/batch/{operation}", self._batch, methods=["POST"])
        add(CONTACTS + "/{contact_id}", self._read, methods=["GET"])
        add(CONTACTS + "/{contact_id}", self._update, methods=["PATCH"])
        add(CONTACTS + "/{contact_id}", self._archive, methods=["DELETE"])
        add(FORMS + "/{portal_id}/{form_guid}", self._submit_form, methods=["POST"])

    def _start_fresh(self) -> None:
        self.store = ContactStore(id_property=self._default_id_property, clock=self.clock)
        self.forms = Forms()
        self.search_lag_s = DEFAULT_SEARCH_LAG_S
        self.burst = DEFAULT_BURST
        self.window_s = DEFAULT_WINDOW_S
        self._rate_limited_for_s = 0.0
        self._rate_limited_until = float("-inf")
        self._window: deque[float] = deque()

    @property
    def id_property(self) -> str:
        return self.store.id_property

    @id_property.setter
    def id_property(self, name: str) -> None:
        self.store.change_id_property(name)

    @property
    def rate_limited_for_s(self) -> float:
        return self._rate_limited_for_s

    @rate_limited_for_s.setter
    def rate_limited_for_s(self, seconds: float) -> None:
        self._rate_limited_for_s = seconds
        self._rate_limited_until = self.clock.monotonic() + seconds

    def settings(self) -> dict[str, Any]:
        return {
            "search_lag_s": self.search_lag_s,
            "burst": self.burst,
            "window_s": self.window_s,
            "id_property": self.id_property,
            "rate_limited_for_s": self.rate_limited_for_s,
            "webhook_url": self.forms.deliveries.url,
            "client_secret": self.forms.client_secret,
            "webhook_duplicate_rate": self.forms.deliveries.duplicate_rate,
        }

    def configure(self, settings: dict[str, Any]) -> dict[str, Any]:
        # The forms' webhook knobs live on the forms; the rest are the stand-in's own.
        forms = {k: settings.pop(k) for k in list(settings) if k in _FORM_KNOBS}
        for knob, value in forms.items():
            target, attribute = _FORM_KNOBS[knob]
            holder = self.forms.deliveries if target == "deliveries" else self.forms
            setattr(holder, attribute, type(getattr(holder, attribute))(value))
        return super().configure(settings)

    def inspect(self) -> dict[str, Any]:
        contacts = [c.as_json() for c in self.store.contacts.values()]
        live = sum(1 for c in self.store.contacts.values() if not c.archived)
        return {
            "contacts": contacts,
            "counts": {"contacts": live, "archived": len(contacts) - live},
            "requests": list(self.journal),
            "form_submissions": self.forms.submissions,
        }

    def reset(self) -> None:
        """Back to a new portal: no contacts, default settings, an empty rate window."""
        super().reset()
        self.journal.clear()
        self._start_fresh()

    async def _submit_form(self, request: Request, portal_id: str, form_guid: str) -> Response:
        # A visitor's browser, not our adapter: no token, no rate limit, no injected faults.
        async with self.tracked("form_submission"):
            status, payload = await self.forms.submit(
                self.store, _json_or_none(await request.body())
            )
            return JSONResponse(payload, status_code=status)

    async def _create(self, request: Request) -> Response:
        return await self._serve(request, "create", operations.create)

    async def _read(self, request: Request, contact_id: str) -> Response:
        return await self._serve(request, "read", operations.read, contact_id)

    async def _update(self, request: Request, contact_id: str) -> Response:
        return await self._serve(request, "update", operations.update, contact_id)

    async def _archive(self, request: Request, contact_id: str) -> Response:
        return await self._serve(request, "archive", operations.archive, contact_id)

    async def _merge(self, request: Request) -> Response:
        return await self._serve(request, "merge", operations.merge)

    async def _batch(self, request: Request, operation: str) -> Response:
        action = operations.BATCH_OPERATIONS.get(operation)
        if action is None:
            return JSONResponse(bodies.error_body("Not found", "OBJECT_NOT_FOUND"), 404)
        return await self._serve(request, f"batch_{operation}", action)

    async def _search(self, request: Request) -> Response:
        def search(store: ContactStore, call: Call) -> Answer:
            return operations.search(store, call, lag_s=self.search_lag_s)

        return await self._serve(request, "search", search, counted=False)

    async def _serve(
        self,
        request: Request,
        operation: str,
        action: Operation,
        contact_id: str = "",
        *,
        counted: bool = True,
    ) -> Response:
        async with self.tracked(operation):
            raw = await request.body()
            body = _json_or_none(raw)
            self._record(request, body)
            status, payload = await self._answer(request, raw, body, action, contact_id, counted)
            if self.store.changes:
                # Our token is the app's own: its writes come back to it as its own.
                changes, self.store.changes = self.store.changes, []
                self.forms.notify_later(changes, source="INTEGRATION", source_id=str(APP_ID))
            self.responses[status] += 1
            headers = self._limit_headers()
            if payload is None:
                return Response(status_code=status, headers=headers)
            return JSONResponse(payload, status_code=status, headers=headers)

    async def _answer(
        self,
        request: Request,
        raw: bytes,
        body: Any,
        action: Operation,
        contact_id: str,
        counted: bool,
    ) -> Answer:
        refusal = self._refuse_credentials(request)
        if refusal is not None:
            return 401, bodies.error_body(refusal, "INVALID_AUTHENTICATION")
        if self._over_limit(counted):
            return 429, bodies.rate_limit_body()

        await self.faults.delay()
        fault = self.faults.roll()
        if fault is Fault.ERROR:
            status = self.faults.rng.choice((502, 503))
            return status, bodies.error_body("The service is temporarily unavailable", "ERROR")
        if fault is Fault.TIMEOUT:
            await self.faults.hang()
            return 504, bodies.error_body("The request timed out", "ERROR")

        if raw and body is None:
            return 400, bodies.error_body("Invalid input JSON", "VALIDATION_ERROR")
        query = {key: request.query_params.getlist(key) for key in request.query_params}
        try:
            answer = action(self.store, Call(body, contact_id, query))
        except BadRequest as err:
            answer = 400, err.body

        if fault is Fault.TIMEOUT_AFTER_COMMIT:
            await self.faults.hang()
        return answer

    def _refuse_credentials(self, request: Request) -> str | None:
        header = request.headers.get("authorization")
        if not header:
            return "Authentication credentials not found."
        scheme, _, credential = header.partition(" ")
        valid = scheme.lower() == "bearer" and hmac.compare_digest(
            credential.strip().encode(), self.token.encode()
        )
        return None if valid else "The access token is not valid."

    def _over_limit(self, counted: bool) -> bool:
        now = self.clock.monotonic()
        if now < self._rate_limited_until:
            return True
        if not counted:
            return False
        self._forget_before(now)
        if len(self._window) >= self.burst:
            return True
        self._window.append(now)
        return False

    def _forget_before(self, now: float) -> None:
        while self._window and self._window[0] <= now - self.window_s:
            self._window.popleft()

    def _limit_headers(self) -> dict[str, str]:
        now = self.clock.monotonic()
        self._forget_before(now)
        remaining = 0 if now < self._rate_limited_until else self.burst - len(self._window)
        return {
            "X-HubSpot-RateLimit-Max": str(self.burst),
            "X-HubSpot-RateLimit-Remaining": str(max(remaining, 0)),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(self.window_s * 1000)),
        }

    def _record(self, request: Request, body: Any) -> None:
        """Keep what arrived, for tests to check request shapes; never the credential itself."""
        scheme = request.headers.get("authorization", "").partition(" ")[0]
        self.journal.append(
            {
                "method": request.method,
                "path": request.url.path.removeprefix(f"/{self.name}"),
                "query": {k: request.query_params.getlist(k) for k in request.query_params},
                "body": body,
                "auth_scheme": scheme or None,
            }
        )


def _json_or_none(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None
