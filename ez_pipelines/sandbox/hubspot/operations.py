"""What each CRM v3 contacts operation does to a stand-in's store, and what it answers.

Each operation is a plain function from the request's parts to (status, body), run on the
event loop with no await inside, so one request's writes never interleave with another's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ez_pipelines.sandbox.hubspot import bodies
from ez_pipelines.sandbox.hubspot.bodies import Body
from ez_pipelines.sandbox.hubspot.search import DEFAULT_PROPERTIES, BadSearch, parse_search
from ez_pipelines.sandbox.hubspot.store import (
    ContactStore,
    EmailTaken,
    InvalidProperties,
    StoredContact,
    UniqueValueTaken,
    contact_json,
)

MAX_BATCH_INPUTS = 100
NOT_FOUND = "No contact has this id; it may have been deleted or merged."

Answer = tuple[int, Body | None]


class BadRequest(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.body = bodies.error_body(message, "VALIDATION_ERROR")


@dataclass(frozen=True)
class Call:
    body: Any = None
    contact_id: str = ""
    query: Mapping[str, list[str]] = field(default_factory=dict)

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def listed(self, name: str) -> list[str]:
        """A list parameter, given repeated or comma-separated."""
        return [part for value in self.query.get(name, ()) for part in value.split(",") if part]


Operation = Callable[[ContactStore, Call], Answer]
WriteRefusal = EmailTaken | UniqueValueTaken | InvalidProperties


def _refusal(err: WriteRefusal) -> tuple[int, str, str, list[Body]]:
    if isinstance(err, EmailTaken):
        return 409, bodies.exists_message(err.existing_id), "CONFLICT", []
    if isinstance(err, UniqueValueTaken):
        return 409, bodies.unique_message(err.name, err.holder_id), "CONFLICT", []
    return 400, bodies.validation_message(err), "VALIDATION_ERROR", bodies.validation_details(err)


def _refused(err: WriteRefusal) -> Answer:
    status, message, category, details = _refusal(err)
    return status, bodies.error_body(message, category, errors=details)


def _input_refused(err: WriteRefusal, input_id: str) -> Body:
    _, message, category, details = _refusal(err)
    return bodies.input_error(message, category, input_id, errors=details)


def _properties(holder: Any) -> dict[str, Any]:
    properties = holder.get("properties", {}) if isinstance(holder, Mapping) else None
    if not isinstance(properties, Mapping):
        raise BadRequest("properties must be an object of property names to values")
    return dict(properties)


def _find(store: ContactStore, value: str, id_property: str | None) -> StoredContact | None:
    try:
        return store.find(value, id_property=id_property)
    except ValueError as err:
        raise BadRequest(f"idProperty {id_property} is not a unique property: {err}") from err


def _not_found() -> Answer:
    return 404, bodies.error_body("resource not found", "OBJECT_NOT_FOUND")


def create(store: ContactStore, call: Call) -> Answer:
    try:
        contact = store.create(_properties(call.body))
    except (EmailTaken, UniqueValueTaken, InvalidProperties) as err:
        return _refused(err)
    return 201, contact.as_json()


def read(store: ContactStore, call: Call) -> Answer:
    contact = _find(store, call.contact_id, call.param("idProperty"))
    if contact is None:
        return _not_found()
    return 200, contact.as_json(DEFAULT_PROPERTIES | set(call.listed("properties")))


def update(store: ContactStore, call: Call) -> Answer:
    contact = _find(store, call.contact_id, call.param("idProperty"))
    if contact is None:
        return _not_found()
    try:
        store.update(contact, _properties(call.body))
    except (EmailTaken, UniqueValueTaken, InvalidProperties) as err:
        return _refused(err)
    return 200, contact.as_json()


def archive(store: ContactStore, call: Call) -> Answer:
    contact = _find(store, call.contact_id, None)
    if contact is None:
        return _not_found()
    store.archive(contact)
    return 204, None


def merge(store: ContactStore, call: Call) -> Answer:
    """`POST .../contacts/merge`: the primary absorbs the other, whose id is gone afterwards, so
    merging it again answers not found."""
    body = call.body if isinstance(call.body, Mapping) else {}
    primary_id, merged_id = body.get("primaryObjectId"), body.get("objectIdToMerge")
    if primary_id in (None, "") or merged_id in (None, ""):
        raise BadRequest("primaryObjectId and objectIdToMerge are required")
    if str(primary_id) == str(merged_id):
        raise BadRequest("A contact cannot be merged with itself")
    primary, merged = store.find(str(primary_id)), store.find(str(merged_id))
    if primary is None or merged is None:
        return 404, bodies.error_body(NOT_FOUND, "OBJECT_NOT_FOUND")
    return 200, store.merge(primary, merged).as_json()


def _inputs(body: Any) -> list[Mapping[str, Any]]:
    inputs = body.get("inputs") if isinstance(body, Mapping) else None
    if not isinstance(inputs, list) or not inputs:
        raise BadRequest("inputs must be a non-empty list")
    if len(inputs) > MAX_BATCH_INPUTS:
        raise BadRequest(f"Batch of {len(inputs)} inputs exceeds the limit of {MAX_BATCH_INPUTS}")
    if not all(isinstance(i, Mapping) and isinstance(i.get("id"), str) and i["id"] for i in inputs):
        raise BadRequest("every input needs a string id")
    repeated = sorted(key for key, n in Counter(i["id"] for i in inputs).items() if n > 1)
    if repeated:
        raise BadRequest(f"Duplicate IDs found in batch input: {repeated}. IDs must be unique")
    return inputs


def batch_upsert(store: ContactStore, call: Call) -> Answer:
    inputs = _inputs(call.body)
    unique = {"email", store.id_property}
    if any(i.get("idProperty") not in unique for i in inputs):
        raise BadRequest(f"idProperty must be a unique property: one of {sorted(unique)}")
    started = store.clock.now()
    results, errors = [], []
    for item in inputs:
        value, id_property = item["id"], item["idProperty"]
        properties = _properties(item)
        try:
            existing = store.find(value, id_property=id_property)
            if existing is None:
                contact, new = store.create({**properties, id_property: value}), True
            else:
                contact, new = store.update(existing, properties), False
        except (EmailTaken, UniqueValueTaken, InvalidProperties) as err:
            errors.append(_input_refused(err, value))
            continue
        results.append({**contact.as_json(), "new": new})
    return bodies.batch_body(results, errors, started, store.clock.now())


def batch_update(store: ContactStore, call: Call) -> Answer:
    inputs = _inputs(call.body)
    started = store.clock.now()
    results, errors = [], []
    for item in inputs:
        properties = _properties(item)
        contact = _find(store, item["id"], item.get("idProperty"))
        if contact is None:
            errors.append(bodies.input_error(NOT_FOUND, "OBJECT_NOT_FOUND", item["id"]))
            continue
        try:
            store.update(contact, properties)
        except (EmailTaken, UniqueValueTaken, InvalidProperties) as err:
            errors.append(_input_refused(err, item["id"]))
            continue
        results.append(contact.as_json())
    return bodies.batch_body(results, errors, started, store.clock.now())


def batch_read(store: ContactStore, call: Call) -> Answer:
    inputs = _inputs(call.body)
    id_property = call.body.get("idProperty")
    requested = call.body.get("properties") or []
    shown = DEFAULT_PROPERTIES | {str(p) for p in requested if isinstance(p, str)}
    started = store.clock.now()
    results, errors = [], []
    for item in inputs:
        contact = _find(store, item["id"], id_property)
        if contact is None:
            errors.append(bodies.input_error(NOT_FOUND, "OBJECT_NOT_FOUND", item["id"]))
        else:
            results.append(contact.as_json(shown))
    return bodies.batch_body(results, errors, started, store.clock.now())


def search(store: ContactStore, call: Call, *, lag_s: float) -> Answer:
    if not isinstance(call.body, Mapping):
        raise BadRequest("the search request must be a JSON object")
    try:
        request = parse_search(call.body)
    except BadSearch as err:
        raise BadRequest(str(err)) from err
    matches = [
        (contact, version)
        for contact, version in store.searchable(lag_s)
        if request.matches({**version.properties, "hs_object_id": contact.id})
    ]
    matches.sort(key=lambda match: int(match[0].id))
    end = request.offset + request.limit
    body: Body = {
        "total": len(matches),
        "results": [
            contact_json(c.id, v.properties, c.created_at, v.at, request.properties)
            for c, v in matches[request.offset : end]
        ],
    }
    if end < len(matches):
        body["paging"] = {"next": {"after": str(end)}}
    return 200, body


BATCH_OPERATIONS: dict[str, Operation] = {
    "upsert": batch_upsert,
    "update": batch_update,
    "read": batch_read,
}
