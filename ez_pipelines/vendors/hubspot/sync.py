"""Customers to HubSpot contacts: the HubSpot projection the outbox drives.

A contact is keyed by the customer's contact key (the email key, or the customer id for a
customer without email; see contract_v1), held in our unique contact property. Every write is
keyed so that repeating it changes nothing more, and nothing here searches before writing:
HubSpot's search index trails writes, so "not found" from a search does not mean "absent".

- Records sharing a key within one push are sent once, as the last of them; the others are
  "linked" to the same contact. Across pushes the last writer's names and phone win.
- A record whose key changed, alone on its contact, moves the contact: it is updated in place by
  HubSpot id, so the person keeps one contact. A record that shared its contact with others is
  upserted under its new key instead, and the outbox queues the others again so the old contact
  ends holding their state.
- An upsert or move refused because the email belongs to an existing contact adopts that contact
  when it carries no key of ours, or carries the same key; a contact keyed to one of our other
  customers is never taken over: merging two people is a person's call, so that is a permanent
  error naming both.
- An empty value is sent only to clear a value we sent before.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.models import Customer
from ez_pipelines.outbox.errors import Permanent, SyncError
from ez_pipelines.outbox.projection import Outbound, Outcome, Payload, Pushed
from ez_pipelines.vendors.hubspot.client import HubSpotClient
from ez_pipelines.vendors.hubspot.contract_v1 import CONTRACT_VERSION, contact_properties
from ez_pipelines.vendors.hubspot.errors import ContactExists, ContactNotFound
from ez_pipelines.vendors.hubspot.models import UpdateInput, UpsertInput

log = logging.getLogger(__name__)

Result = Pushed | SyncError


@dataclass(frozen=True)
class _Contact:
    """The records of one push that HubSpot holds as one contact: those sharing a key."""

    key: str
    members: tuple[Outbound, ...]

    @property
    def sent(self) -> Outbound:
        """The record whose state is written; the last one in the push wins."""
        return self.members[-1]

    @property
    def moves_alone(self) -> bool:
        """The record changed key and nobody else of ours is on its contact."""
        sent = self.sent
        return (
            sent.vendor_id is not None
            and sent.vendor_key not in (None, self.key)
            and not sent.siblings
        )

    def properties(self) -> dict[str, str]:
        """What to write: our values, and empties only where we sent a value before."""
        previous = self.sent.previous_payload or {}
        written = {name: str(value) for name, value in self.sent.payload.items() if value}
        for name, value in previous.items():
            if value and not self.sent.payload.get(name):
                written[name] = ""
        return written


@dataclass
class _Round:
    """One push's bookkeeping: each contact's result, and the contacts refused for email."""

    results: dict[str, Result] = field(default_factory=dict)
    taken: dict[str, tuple[_Contact, str | None]] = field(default_factory=dict)
    """By the HubSpot id holding the email: the contact refused, and the contact it left."""

    def settle(self, contact: _Contact, result: Result) -> None:
        self.results[contact.sent.record_id] = result


class HubSpotContacts:
    system = "hubspot"
    entity = "customer"
    contract_version = CONTRACT_VERSION

    def __init__(self, client: HubSpotClient) -> None:
        self.client = client
        self.key_property = client.settings.key_property

    def build(self, session: Session, record_ids: Sequence[str]) -> dict[str, Payload]:
        customers = session.scalars(select(Customer).where(Customer.id.in_(record_ids)))
        return {c.id: contact_properties(c, key_property=self.key_property) for c in customers}

    def push(self, items: Sequence[Outbound]) -> Mapping[str, Result]:
        contacts = _by_key(items, self.key_property)
        moving = [c for c in contacts if c.moves_alone]
        upserting = [c for c in contacts if not c.moves_alone]

        round_ = _Round()
        stale = self._move(moving, round_)
        self._upsert(upserting + stale, round_)
        adopted = self._adopt(round_)

        log.info(
            "hubspot push records=%d contacts=%d moved=%d upserted=%d adopted=%d failed=%d",
            len(items),
            len(contacts),
            len(moving) - len(stale),
            len(upserting) + len(stale),
            adopted,
            sum(1 for result in round_.results.values() if isinstance(result, SyncError)),
        )
        return _spread(contacts, round_.results)

    def _move(self, contacts: list[_Contact], round_: _Round) -> list[_Contact]:
        """Update each contact in place by its HubSpot id; returns those HubSpot no longer has."""
        if not contacts:
            return []
        by_id = {str(c.sent.vendor_id): c for c in contacts}
        outcome = self.client.batch_update(
            [UpdateInput(hubspot_id, c.properties()) for hubspot_id, c in by_id.items()]
        )
        stale = []
        for hubspot_id, contact in by_id.items():
            result = outcome.results[hubspot_id]
            if isinstance(result, ContactNotFound):
                stale.append(contact)
            elif isinstance(result, ContactExists) and result.existing_id:
                round_.taken.setdefault(result.existing_id, (contact, hubspot_id))
            elif isinstance(result, SyncError):
                round_.settle(contact, result)
            else:
                round_.settle(contact, Pushed(result.id, "updated", contact.key))
        return stale

    def _upsert(self, contacts: list[_Contact], round_: _Round) -> None:
        if not contacts:
            return
        outcome = self.client.batch_upsert([UpsertInput(c.key, c.properties()) for c in contacts])
        for contact in contacts:
            result = outcome.results[contact.key]
            if isinstance(result, ContactExists) and result.existing_id:
                round_.taken.setdefault(result.existing_id, (contact, None))
            elif isinstance(result, SyncError):
                round_.settle(contact, result)
            else:
                made: Outcome = "created" if result.new else "updated"
                round_.settle(contact, Pushed(result.contact.id, made, contact.key))

    def _adopt(self, round_: _Round) -> int:
        """Write our properties onto the contacts that already held the emails, when they are
        free to take; a contact we moved away from is archived, since only we used it."""
        adoptable = {}
        for hubspot_id, (contact, left) in round_.taken.items():
            refusal = self._refusal_to_adopt(hubspot_id, contact)
            if refusal is not None:
                round_.settle(contact, refusal)
            else:
                adoptable[hubspot_id] = (contact, left)
        if not adoptable:
            return 0

        outcome = self.client.batch_update(
            [UpdateInput(hubspot_id, c.properties()) for hubspot_id, (c, _) in adoptable.items()]
        )
        for hubspot_id, (contact, left) in adoptable.items():
            result = outcome.results[hubspot_id]
            if isinstance(result, SyncError):
                round_.settle(contact, result)
                continue
            round_.settle(contact, Pushed(result.id, "updated", contact.key))
            if left is not None:
                self._archive_left_behind(left, contact)
        return len(adoptable)

    def _refusal_to_adopt(self, hubspot_id: str, contact: _Contact) -> SyncError | None:
        try:
            holder = self.client.get_contact(hubspot_id, properties=(self.key_property, "email"))
        except SyncError as err:
            return err
        held_key = (holder.properties.get(self.key_property) or "").strip()
        if held_key in ("", contact.key):
            return None
        return Permanent(
            f"hubspot contact {hubspot_id} holds the email of {contact.sent.record_id} but "
            f"belongs to our contact key {held_key!r}: merge the two contacts in HubSpot, or "
            "correct the email, then retry this dead letter"
        )

    def _archive_left_behind(self, left: str, contact: _Contact) -> None:
        try:
            self.client.archive_contact(left)
        except SyncError as err:
            # The record is already mapped to its new contact; an old one left behind is
            # untidy, not wrong, and a person can archive it.
            log.warning(
                "hubspot contact %s left behind by record %s could not be archived: %s",
                left,
                contact.sent.record_id,
                type(err).__name__,
            )


def _by_key(items: Sequence[Outbound], key_property: str) -> list[_Contact]:
    groups: dict[str, list[Outbound]] = {}
    for item in items:
        groups.setdefault(str(item.payload[key_property]), []).append(item)
    return [_Contact(key, tuple(members)) for key, members in groups.items()]


def _spread(contacts: Sequence[_Contact], results: Mapping[str, Result]) -> dict[str, Result]:
    """Give every record its contact's result; the records not sent are linked to it."""
    spread: dict[str, Result] = {}
    for contact in contacts:
        sent = contact.sent.record_id
        result = results.get(sent)
        if result is None:
            result = SyncError(f"hubspot push gave no result for {sent}")
        for member in contact.members:
            if member.record_id == sent or isinstance(result, SyncError):
                spread[member.record_id] = result
            else:
                spread[member.record_id] = Pushed(result.vendor_id, "linked", contact.key)
    return spread
