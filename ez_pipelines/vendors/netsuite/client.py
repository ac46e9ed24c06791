"""The SuiteTalk REST record client: upsert by external id, read, create.

Every request is signed with token-based authentication and passes through one semaphore of
`max_in_flight` slots, so any number of threads sharing a client stay under the account's
concurrency limit (which counts every integration of the account, so ours takes a share of it).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import requests

from ez_pipelines.settings import NetSuiteSettings
from ez_pipelines.vendors.http import ResponseTimedOut, Timeout, VendorSession
from ez_pipelines.vendors.netsuite.auth import token_auth
from ez_pipelines.vendors.netsuite.errors import (
    InvalidExternalId,
    NetSuiteUnexpectedAnswer,
    error_from_response,
)

# External ids may hold letters, digits, `_` and `-`; anything else breaks NetSuite's parsing
# of `eid:` references (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/
# section_156334828635.html).
_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_INTERNAL_ID = re.compile(r"^[0-9]+$")
_RECORD_TYPE = re.compile(r"^[A-Za-z]+$")

JsonObject = dict[str, Any]


def external_ref(external_id: str) -> str:
    """The `eid:` reference of an external id, refused when NetSuite would misread it."""
    if not _EXTERNAL_ID.match(external_id):
        raise InvalidExternalId(
            f"external id {external_id!r} must be letters, digits, '_' or '-' (1-255 long)"
        )
    return f"eid:{external_id}"


def _check_ref(ref: str) -> str:
    if ref.startswith("eid:"):
        return external_ref(ref[4:])
    if not _INTERNAL_ID.match(ref):
        raise InvalidExternalId(f"{ref!r} is neither an internal id nor an eid: reference")
    return ref


def _check_record_type(record_type: str) -> str:
    if not _RECORD_TYPE.match(record_type):
        raise ValueError(f"{record_type!r} is not a NetSuite record type name")
    return record_type


class NetSuiteClient:
    def __init__(self, settings: NetSuiteSettings, *, timeout: Timeout) -> None:
        if settings.max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self.settings = settings
        self._records_url = f"{settings.base_url.rstrip('/')}/record/v1"
        self._auth = token_auth(settings)
        self._http = VendorSession(
            vendor="netsuite", timeout=timeout, pool_size=settings.max_in_flight
        )
        self._slots = threading.BoundedSemaphore(settings.max_in_flight)

    @property
    def max_in_flight(self) -> int:
        return self.settings.max_in_flight

    def upsert(self, record_type: str, external_id: str, body: Mapping[str, Any]) -> str:
        """Create or update the record keyed by `external_id`; returns its internal id.

        Sending the same upsert again leaves NetSuite as it was, so this is the one write the
        outbox may repeat after a timeout whose outcome is unknown.
        """
        ref = external_ref(external_id)
        response = self._send("PUT", record_type, ref, body=body)
        internal_id = _internal_id_from(response, record_type)
        if internal_id is not None:
            return internal_id

        record = self.get(record_type, ref)
        if record is None or not isinstance(record.get("id"), str):
            raise NetSuiteUnexpectedAnswer(
                f"netsuite PUT {record_type}: accepted {ref} but it cannot be read back yet",
                http_status=response.status_code,
            )
        return str(record["id"])

    def get(self, record_type: str, ref: str) -> JsonObject | None:
        """The record at `ref` (an internal id or `eid:...`), or None when there is none."""
        response = self._send("GET", record_type, _check_ref(ref), missing_ok=True)
        if response.status_code == 404:
            return None
        try:
            record = response.json()
        except ValueError:
            record = None
        if not isinstance(record, dict):
            raise NetSuiteUnexpectedAnswer(
                f"netsuite GET {record_type}: the answer is not a JSON object",
                http_status=response.status_code,
            )
        return record

    def delete(self, record_type: str, ref: str) -> bool:
        """Delete the record at `ref`; False when NetSuite holds none there, so deleting again
        after a lost answer is as good as deleting once."""
        response = self._send("DELETE", record_type, _check_ref(ref), missing_ok=True)
        return response.status_code != 404

    def create(self, record_type: str, body: Mapping[str, Any]) -> str:
        """Insert a new record; returns its internal id.

        A retried create makes a second record: syncs use `upsert`. This exists for records
        that have no id of ours to key on.
        """
        response = self._send("POST", record_type, None, body=body)
        internal_id = _internal_id_from(response, record_type)
        if internal_id is None:
            raise NetSuiteUnexpectedAnswer(
                f"netsuite POST {record_type}: created, but no record location came back",
                http_status=response.status_code,
            )
        return internal_id

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> NetSuiteClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _release_slot_later(self) -> None:
        """NetSuite keeps working on a request we stopped waiting for, and counts it against the
        account's concurrency limit until it ends: its slot stays taken for one more read timeout,
        so our next requests do not run into the limit."""
        timer = threading.Timer(self._http.timeout[1], self._slots.release)
        timer.daemon = True
        timer.start()

    def _send(
        self,
        method: str,
        record_type: str,
        ref: str | None,
        *,
        body: Mapping[str, Any] | None = None,
        missing_ok: bool = False,
    ) -> requests.Response:
        url = f"{self._records_url}/{_check_record_type(record_type)}"
        if ref is not None:
            url = f"{url}/{ref}"
        self._slots.acquire()
        try:
            response = self._http.request(
                method,
                url,
                json=dict(body) if body is not None else None,
                auth=self._auth,
                headers={"Accept": "application/json"},
            )
        except ResponseTimedOut:
            self._release_slot_later()
            raise
        except BaseException:
            self._slots.release()
            raise
        self._slots.release()
        if response.ok or (missing_ok and response.status_code == 404):
            return response
        raise error_from_response(response, operation=f"{method} {record_type}")


def _internal_id_from(response: requests.Response, record_type: str) -> str | None:
    """The internal id at the end of the `Location` of a record NetSuite created or updated."""
    location = response.headers.get("Location")
    if not location:
        return None
    pattern = rf"/record/v1/{re.escape(record_type)}/([0-9]+)/?$"
    match = re.search(pattern, urlsplit(location).path, flags=re.IGNORECASE)
    return match.group(1) if match else None
