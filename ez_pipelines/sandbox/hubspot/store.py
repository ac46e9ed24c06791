"""The contacts a HubSpot stand-in holds, with HubSpot's uniqueness rules and a lagging index.

A portal holds one contact per email, compared without regard to case, and one per value of each
unique property. Search reads an index that trails writes: every write is kept as a version, and
search sees a contact as its newest version that is at least `lag_s` old.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ez_pipelines.clock import Clock

FIRST_ID = 1001
STANDARD_PROPERTIES = frozenset(
    {
        "email",
        "firstname",
        "lastname",
        "phone",
        "mobilephone",
        "country",
        "city",
        "company",
        "jobtitle",
        "website",
        "lifecyclestage",
        "hs_lead_status",
    }
)
# Custom properties this portal defines, as a production portal must before leads are synced.
PORTAL_CUSTOM_PROPERTIES = frozenset({"ez_lead_id", "ez_crisp_sessions", "ez_whatsapp_ids"})
# HubSpot keeps these itself: a merge lists the ids it absorbed and the emails they held.
MERGED_IDS = "hs_merged_object_ids"
ADDITIONAL_EMAILS = "hs_additional_emails"
READ_ONLY_PROPERTIES = frozenset(
    {"hs_object_id", "createdate", "lastmodifieddate", MERGED_IDS, ADDITIONAL_EMAILS}
)
LIFECYCLE_STAGES = frozenset(
    {
        "subscriber",
        "lead",
        "marketingqualifiedlead",
        "salesqualifiedlead",
        "opportunity",
        "customer",
        "evangelist",
        "other",
    }
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email_key(email: str) -> str:
    return email.strip().casefold()


def timestamp(instant: datetime) -> str:
    return instant.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class EmailTaken(Exception):
    def __init__(self, existing_id: str) -> None:
        super().__init__(existing_id)
        self.existing_id = existing_id


class UniqueValueTaken(Exception):
    def __init__(self, name: str, holder_id: str) -> None:
        super().__init__(name, holder_id)
        self.name = name
        self.holder_id = holder_id


@dataclass(frozen=True)
class PropertyProblem:
    name: str
    code: str
    message: str


class InvalidProperties(Exception):
    def __init__(self, problems: list[PropertyProblem]) -> None:
        super().__init__(problems)
        self.problems = problems


@dataclass(frozen=True)
class Change:
    """One write, as HubSpot's contact webhooks tell it: made, and which properties changed."""

    contact_id: str
    created: bool
    properties: Mapping[str, str]


@dataclass(frozen=True)
class Version:
    at: datetime
    properties: Mapping[str, str]
    archived: bool


@dataclass
class StoredContact:
    id: str
    properties: dict[str, str]
    created_at: datetime
    updated_at: datetime
    archived: bool = False
    versions: list[Version] = field(default_factory=list)

    def as_json(self, only: frozenset[str] | None = None) -> dict[str, object]:
        return contact_json(
            self.id, self.properties, self.created_at, self.updated_at, only, self.archived
        )


def contact_json(
    contact_id: str,
    properties: Mapping[str, str],
    created_at: datetime,
    updated_at: datetime,
    only: frozenset[str] | None = None,
    archived: bool = False,
) -> dict[str, object]:
    shown = {
        **properties,
        "hs_object_id": contact_id,
        "createdate": timestamp(created_at),
        "lastmodifieddate": timestamp(updated_at),
    }
    if only is not None:
        shown = {name: value for name, value in shown.items() if name in only}
    return {
        "id": contact_id,
        "properties": shown,
        "createdAt": timestamp(created_at),
        "updatedAt": timestamp(updated_at),
        "archived": archived,
    }


class ContactStore:
    def __init__(self, *, id_property: str, clock: Clock) -> None:
        self.clock = clock
        self.id_property = id_property
        self.contacts: dict[str, StoredContact] = {}
        self._by_email: dict[str, str] = {}
        self._by_id_property: dict[str, str] = {}
        self._next_id = FIRST_ID
        self.changes: list[Change] = []
        """Writes not yet told to the webhook subscriber, oldest first."""

    def change_id_property(self, name: str) -> None:
        index: dict[str, str] = {}
        for contact in self.live():
            value = contact.properties.get(name)
            if value is not None and index.setdefault(value, contact.id) != contact.id:
                raise ValueError(f"contacts {index[value]} and {contact.id} share a {name} value")
        self.id_property, self._by_id_property = name, index

    def live(self) -> list[StoredContact]:
        return [c for c in self.contacts.values() if not c.archived]

    def find(self, value: str, *, id_property: str | None = None) -> StoredContact | None:
        """A live contact by HubSpot id, or by `email` or the unique property when named."""
        if id_property in (None, "hs_object_id"):
            contact_id: str | None = value
        elif id_property == "email":
            contact_id = self._by_email.get(email_key(value))
        elif id_property == self.id_property:
            contact_id = self._by_id_property.get(value)
        else:
            raise ValueError(f"{id_property} is not a unique property")
        contact = self.contacts.get(contact_id) if contact_id else None
        return contact if contact is not None and not contact.archived else None

    def create(self, properties: Mapping[str, object]) -> StoredContact:
        values = self._validated(properties)
        self._check_unique(values, None)
        now = self.clock.now()
        contact = StoredContact(str(self._next_id), {}, now, now)
        self._next_id += 1
        self.contacts[contact.id] = contact
        self._write(contact, values, now, created=True)
        return contact

    def update(self, contact: StoredContact, properties: Mapping[str, object]) -> StoredContact:
        values = self._validated(properties)
        self._check_unique(values, contact.id)
        self._write(contact, values, self.clock.now())
        return contact

    def archive(self, contact: StoredContact) -> None:
        self._unindex(contact)
        contact.archived = True
        contact.updated_at = self.clock.now()
        contact.versions.append(Version(contact.updated_at, dict(contact.properties), True))

    def merge(self, primary: StoredContact, merged: StoredContact) -> StoredContact:
        """Merge `merged` into `primary`, as HubSpot does: the primary keeps its id and its
        values, takes the values only the other held, and answers to the other's email too;
        the other id is gone."""
        taken = {k: v for k, v in merged.properties.items() if k not in primary.properties}
        other_email = merged.properties.get("email")
        self._unindex(merged)
        merged.archived = True
        merged.updated_at = self.clock.now()
        merged.versions.append(Version(merged.updated_at, dict(merged.properties), True))

        values = dict(taken)
        ids = [*_listed(primary.properties.get(MERGED_IDS)), merged.id]
        values[MERGED_IDS] = ";".join(ids)
        if other_email and "email" not in taken:
            emails = [*_listed(primary.properties.get(ADDITIONAL_EMAILS)), other_email]
            values[ADDITIONAL_EMAILS] = ";".join(emails)
        self._write(primary, values, self.clock.now(), told=False)
        return primary

    def searchable(self, lag_s: float) -> list[tuple[StoredContact, Version]]:
        """Each contact as the search index sees it: its newest version at least `lag_s` old."""
        cutoff = self.clock.now() - timedelta(seconds=lag_s)
        seen = []
        for contact in self.contacts.values():
            visible = [v for v in contact.versions if v.at <= cutoff]
            if visible and not visible[-1].archived:
                seen.append((contact, visible[-1]))
        return seen

    def _validated(self, properties: Mapping[str, object]) -> dict[str, str]:
        problems, values = [], {}
        for name, raw in properties.items():
            value = "" if raw is None else str(raw)
            if name in READ_ONLY_PROPERTIES:
                problems.append(PropertyProblem(name, "READ_ONLY_VALUE", f"{name} is read-only"))
            elif name not in STANDARD_PROPERTIES | PORTAL_CUSTOM_PROPERTIES and (
                name != self.id_property
            ):
                problems.append(
                    PropertyProblem(
                        name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist'
                    )
                )
            elif name == "email" and value and not _EMAIL.match(value.strip()):
                problems.append(PropertyProblem(name, "INVALID_EMAIL", "Email address is invalid"))
            elif name == "lifecyclestage" and value and value not in LIFECYCLE_STAGES:
                problems.append(
                    PropertyProblem(name, "INVALID_OPTION", f"{value!r} is not a lifecycle stage")
                )
            else:
                values[name] = value.strip() if name == "email" else value
        if problems:
            raise InvalidProperties(problems)
        return values

    def _check_unique(self, values: Mapping[str, str], contact_id: str | None) -> None:
        email = values.get("email")
        if email:
            holder = self._by_email.get(email_key(email))
            if holder is not None and holder != contact_id:
                raise EmailTaken(holder)
        unique = values.get(self.id_property)
        if unique:
            holder = self._by_id_property.get(unique)
            if holder is not None and holder != contact_id:
                raise UniqueValueTaken(self.id_property, holder)

    def _write(
        self,
        contact: StoredContact,
        values: Mapping[str, str],
        now: datetime,
        *,
        created: bool = False,
        told: bool = True,
    ) -> None:
        changed = {k: v for k, v in values.items() if contact.properties.get(k, "") != v}
        if told and (created or changed):
            self.changes.append(Change(contact.id, created, changed))
        self._unindex(contact)
        for name, value in values.items():
            # An empty string clears a property, as it does in HubSpot.
            if value:
                contact.properties[name] = value
            else:
                contact.properties.pop(name, None)
        self._index(contact)
        contact.updated_at = now
        contact.versions.append(Version(now, dict(contact.properties), False))

    def _index(self, contact: StoredContact) -> None:
        if email := contact.properties.get("email"):
            self._by_email[email_key(email)] = contact.id
        for other in _listed(contact.properties.get(ADDITIONAL_EMAILS)):
            self._by_email[email_key(other)] = contact.id
        if unique := contact.properties.get(self.id_property):
            self._by_id_property[unique] = contact.id

    def _unindex(self, contact: StoredContact) -> None:
        if email := contact.properties.get("email"):
            self._by_email.pop(email_key(email), None)
        for other in _listed(contact.properties.get(ADDITIONAL_EMAILS)):
            self._by_email.pop(email_key(other), None)
        if unique := contact.properties.get(self.id_property):
            self._by_id_property.pop(unique, None)


def _listed(value: str | None) -> list[str]:
    """A multi-value property: HubSpot separates the values with semicolons."""
    return [part for part in (value or "").split(";") if part]
