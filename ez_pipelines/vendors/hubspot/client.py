"""HubSpot's CRM v3 contacts API: one session, a bearer token, our rate limit before every call.

Answers are parsed here into `models` values and `errors` types; nothing past this module sees
HubSpot's JSON. Batch calls never raise for their inputs: each input gets a result or an error.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any
from urllib.parse import quote

from ez_pipelines.clock import SYSTEM_CLOCK, Clock
from ez_pipelines.outbox.errors import Retryable, SyncError
from ez_pipelines.settings import HubSpotSettings
from ez_pipelines.vendors.http import Timeout, VendorSession, retry_after_s
from ez_pipelines.vendors.hubspot.batch import pair_answer, whole_batch_error
from ez_pipelines.vendors.hubspot.errors import (
    error_for_status,
    parse_error_body,
    rate_limit_interval_s,
)
from ez_pipelines.vendors.hubspot.models import (
    BatchOutcome,
    Contact,
    MalformedAnswer,
    ResultT,
    UpdateInput,
    UpsertedContact,
    UpsertInput,
)
from ez_pipelines.vendors.ratelimit import RollingWindowLimiter

log = logging.getLogger(__name__)

CONTACTS = "/crm/v3/objects/contacts"
# The API reference sets no maximum; HubSpot's guides and community answers give 100 inputs per
# batch request, so no request of ours carries more.
MAX_BATCH_INPUTS = 100
DEFAULT_PROPERTIES = ("email", "firstname", "lastname", "phone", "country", "lifecyclestage")


class HubSpotClient:
    """The contacts endpoints a sync needs, paced by a rolling-window limiter.

    Share one client (or one `limiter`) between threads that use the same token: HubSpot counts
    the burst limit per app, not per connection.
    """

    def __init__(
        self,
        settings: HubSpotSettings,
        *,
        timeout: Timeout,
        clock: Clock = SYSTEM_CLOCK,
        limiter: RollingWindowLimiter | None = None,
    ) -> None:
        self.settings = settings
        self.http = VendorSession(vendor="hubspot", timeout=timeout)
        self.http.session.headers["Authorization"] = f"Bearer {settings.token}"
        self.limiter = limiter or RollingWindowLimiter(
            settings.burst, settings.window_s, clock=clock
        )

    def batch_upsert(self, inputs: Sequence[UpsertInput]) -> BatchOutcome[UpsertedContact]:
        """Create or update contacts found by our id in the unique id property; keyed by our id."""
        key_property = self.settings.key_property
        bodies = [
            (
                item.id,
                {"id": item.id, "idProperty": key_property, "properties": dict(item.properties)},
            )
            for item in inputs
        ]

        def our_id(result: UpsertedContact) -> str | None:
            return result.contact.properties.get(key_property)

        return self._batch("upsert", bodies, UpsertedContact.from_json, our_id)

    def batch_update(self, inputs: Sequence[UpdateInput]) -> BatchOutcome[Contact]:
        """Update contacts by HubSpot id; keyed by HubSpot id."""
        bodies = [
            (item.contact_id, {"id": item.contact_id, "properties": dict(item.properties)})
            for item in inputs
        ]
        return self._batch("update", bodies, Contact.from_json, lambda contact: contact.id)

    def update_contact(
        self, contact_id: str, properties: Mapping[str, str], *, id_property: str | None = None
    ) -> Contact:
        params = {"idProperty": id_property} if id_property else None
        answer = self._call(
            "PATCH", _contact_path(contact_id), json={"properties": dict(properties)}, params=params
        )
        return Contact.from_json(answer)

    def get_contact(
        self,
        contact_id: str,
        *,
        id_property: str | None = None,
        properties: Sequence[str] = DEFAULT_PROPERTIES,
    ) -> Contact:
        params = {"properties": ",".join(properties)}
        if id_property:
            params["idProperty"] = id_property
        return Contact.from_json(self._call("GET", _contact_path(contact_id), params=params))

    def archive_contact(self, contact_id: str) -> None:
        """Archive (HubSpot's delete, restorable for 90 days) a contact."""
        self._call("DELETE", _contact_path(contact_id))

    def merge_contacts(self, primary_id: str, merged_id: str) -> Contact:
        """Merge contact `merged_id` into `primary_id`, which keeps its id; the other id is gone
        afterwards, so HubSpot refuses a second merge of the same two."""
        body = {"primaryObjectId": primary_id, "objectIdToMerge": merged_id}
        return Contact.from_json(self._call("POST", f"{CONTACTS}/merge", json=body))

    def create_contact(self, properties: Mapping[str, str]) -> Contact:
        """A plain create, answered 409 when the email exists; syncs upsert instead."""
        return Contact.from_json(
            self._call("POST", CONTACTS, json={"properties": dict(properties)})
        )

    def search_by_email(
        self, email: str, *, properties: Sequence[str] = DEFAULT_PROPERTIES, limit: int = 10
    ) -> list[Contact]:
        """Contacts whose email equals `email`, as HubSpot's search index saw them.

        The index trails writes by seconds or more: a contact written just now may be missing,
        so an empty answer never proves that a contact does not exist.
        """
        body = {
            "filterGroups": [
                {"filters": [{"propertyName": "email", "operator": "EQ", "value": email}]}
            ],
            "properties": list(properties),
            "limit": limit,
        }
        answer = self._call("POST", f"{CONTACTS}/search", json=body)
        if not isinstance(answer, Mapping) or not isinstance(answer.get("results"), list):
            raise MalformedAnswer("hubspot search answered without a results list")
        return [Contact.from_json(raw) for raw in answer["results"]]

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> HubSpotClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _batch(
        self,
        operation: str,
        bodies: Sequence[tuple[str, dict[str, Any]]],
        parse: Callable[[object], ResultT],
        key_of: Callable[[ResultT], str | None],
    ) -> BatchOutcome[ResultT]:
        repeated = sorted(key for key, count in Counter(k for k, _ in bodies).items() if count > 1)
        if repeated:
            raise ValueError(f"batch {operation} repeats inputs {repeated}; HubSpot refuses those")

        results: dict[str, ResultT | SyncError] = {}
        halted: SyncError | None = None
        requests = 0
        for start in range(0, len(bodies), MAX_BATCH_INPUTS):
            chunk = bodies[start : start + MAX_BATCH_INPUTS]
            keys = [key for key, _ in chunk]
            if halted is not None:
                # More requests while HubSpot refuses or fails would only deepen the refusal.
                results.update(dict.fromkeys(keys, halted))
                continue
            requests += 1
            try:
                answer = self._call(
                    "POST", f"{CONTACTS}/batch/{operation}", json={"inputs": [b for _, b in chunk]}
                )
                paired = pair_answer(keys, answer, parse, key_of)
                results.update(paired)
            except SyncError as err:
                error = whole_batch_error(err, len(chunk))
                results.update(dict.fromkeys(keys, error))
                if isinstance(error, Retryable):
                    halted = error

        failed = sum(1 for result in results.values() if isinstance(result, SyncError))
        log.info(
            "hubspot batch %s inputs=%d requests=%d ok=%d failed=%d",
            operation,
            len(bodies),
            requests,
            len(results) - failed,
            failed,
        )
        return BatchOutcome(results, requests)

    def _call(
        self,
        method: str,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> Any:
        self.limiter.acquire()
        response = self.http.request(
            method, f"{self.settings.base_url}{path}", json=json, params=params
        )
        if response.status_code >= 400:
            try:
                raw: object = response.json()
            except ValueError:
                raw = response.text
            body = parse_error_body(raw)
            log.info(
                "hubspot %s %s -> %d %s",
                method,
                _loggable(path, params),
                response.status_code,
                body.policy_name or body.category or "",
            )
            raise error_for_status(
                response.status_code,
                body,
                retry_after_s=retry_after_s(response),
                interval_s=rate_limit_interval_s(response.headers),
                default_window_s=self.settings.window_s,
            )
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as err:
            raise MalformedAnswer(
                f"hubspot {method} {_loggable(path, params)} answered HTTP "
                f"{response.status_code} with a body that is not JSON"
            ) from err


def _contact_path(contact_id: str) -> str:
    # `@` may stay literal in a path segment, which keeps an email recognisable to log masking.
    return f"{CONTACTS}/{quote(contact_id, safe='@')}"


def _loggable(path: str, params: Mapping[str, str] | None) -> str:
    """The path as a log may show it: a lookup by email carries the email as its last part."""
    id_property = (params or {}).get("idProperty")
    if id_property:
        return f"{path.rsplit('/', 1)[0]}/<{id_property}>"
    return path
