"""Customers to HubSpot contacts: the HubSpot projection the outbox drives.

Every write is keyed so that repeating it changes nothing more: by HubSpot id when an earlier
sync learnt it, otherwise a batch upsert on our id in a unique contact property. Nothing here
searches before writing: HubSpot's search index trails writes, so "not found" from a search
does not mean "absent", and a create that follows it duplicates or fails.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.models import Customer
from ez_pipelines.outbox.errors import Conflict, SyncError
from ez_pipelines.outbox.projection import Outbound, Outcome, Payload, Pushed
from ez_pipelines.vendors.hubspot.client import HubSpotClient
from ez_pipelines.vendors.hubspot.contract_v1 import CONTRACT_VERSION, contact_properties
from ez_pipelines.vendors.hubspot.errors import ContactExists, ContactNotFound
from ez_pipelines.vendors.hubspot.models import UpdateInput, UpsertInput

log = logging.getLogger(__name__)

Result = Pushed | SyncError


@dataclass(frozen=True)
class _Contact:
    """The records of one push that HubSpot holds as one contact: those sharing an email."""

    members: tuple[Outbound, ...]

    @property
    def sent(self) -> Outbound:
        """The record whose state is written; the last one in the push wins."""
        return self.members[-1]

    @property
    def known_id(self) -> str | None:
        if self.sent.vendor_id is not None:
            return self.sent.vendor_id
        return next((m.vendor_id for m in self.members if m.vendor_id is not None), None)

    def properties(self) -> dict[str, str]:
        return {name: str(value) for name, value in self.sent.payload.items()}


class HubSpotContacts:
    """Our customers as HubSpot contacts, each carrying our id in the unique id property.

    HubSpot holds one contact per email address, compared without regard to case, while two of
    our customers may share one (a couple's booking address, a company's). Such customers become
    one HubSpot contact: within a push they are sent once, as the last of them in the push, and
    every other is mapped to the same contact with outcome "linked"; across pushes, whichever
    syncs last writes its names, phone and id property over the other's. Both keep the contact's
    id, so a change to either updates that one contact. Last write wins.

    An upsert refused because the email belongs to a contact without our id (one a web form or a
    person created) adopts that contact: it is updated with our properties, id included, and the
    record maps to it. A known HubSpot id that HubSpot no longer has falls back to the upsert.
    """

    system = "hubspot"
    entity = "customer"
    contract_version = CONTRACT_VERSION

    def __init__(self, client: HubSpotClient) -> None:
        self.client = client
        self.id_property = client.settings.id_property

    def build(self, session: Session, record_ids: Sequence[str]) -> dict[str, Payload]:
        customers = session.scalars(select(Customer).where(Customer.id.in_(record_ids)))
        return {c.id: contact_properties(c, id_property=self.id_property) for c in customers}

    def push(self, items: Sequence[Outbound]) -> Mapping[str, Result]:
        contacts = _by_email(items)
        by_known_id: dict[str, _Contact] = {}
        to_upsert: list[_Contact] = []
        for contact in contacts:
            known = contact.known_id
            # Two contacts sent to one HubSpot id in one batch would be refused together.
            if known is not None and known not in by_known_id:
                by_known_id[known] = contact
            else:
                to_upsert.append(contact)

        results: dict[str, Result] = {}
        stale = self._update_known(by_known_id, results)
        conflicts = self._upsert(to_upsert + stale, results)
        self._adopt(conflicts, results)

        log.info(
            "hubspot push records=%d contacts=%d by_id=%d stale_ids=%d upserted=%d adopted=%d "
            "failed=%d",
            len(items),
            len(contacts),
            len(by_known_id),
            len(stale),
            len(to_upsert) + len(stale),
            len(conflicts),
            sum(1 for result in results.values() if isinstance(result, SyncError)),
        )
        return _spread(contacts, results)

    def _update_known(
        self, known: dict[str, _Contact], results: dict[str, Result]
    ) -> list[_Contact]:
        """Update by HubSpot id; returns the contacts whose id HubSpot no longer has."""
        if not known:
            return []
        outcome = self.client.batch_update(
            [UpdateInput(hubspot_id, c.properties()) for hubspot_id, c in known.items()]
        )
        stale = []
        for hubspot_id, contact in known.items():
            result = outcome.results[hubspot_id]
            if isinstance(result, ContactNotFound):
                stale.append(contact)
            elif isinstance(result, SyncError):
                results[contact.sent.record_id] = result
            else:
                results[contact.sent.record_id] = Pushed(result.id, "updated")
        return stale

    def _upsert(self, contacts: list[_Contact], results: dict[str, Result]) -> dict[str, _Contact]:
        """Upsert on our id; returns, by existing HubSpot id, the contacts refused for email."""
        if not contacts:
            return {}
        outcome = self.client.batch_upsert(
            [UpsertInput(c.sent.record_id, c.properties()) for c in contacts]
        )
        conflicts: dict[str, _Contact] = {}
        for contact in contacts:
            record_id = contact.sent.record_id
            result = outcome.results[record_id]
            if isinstance(result, ContactExists) and result.existing_id not in conflicts:
                conflicts[result.existing_id] = contact
            elif isinstance(result, SyncError):
                results[record_id] = result
            else:
                made: Outcome = "created" if result.new else "updated"
                results[record_id] = Pushed(result.contact.id, made)
        return conflicts

    def _adopt(self, conflicts: dict[str, _Contact], results: dict[str, Result]) -> None:
        """Write our properties, id included, onto the contacts that already held the emails.

        One batch update for all of them rather than one PATCH each: a first sync into a portal
        that forms have filled can meet hundreds of these at once.
        """
        if not conflicts:
            return
        outcome = self.client.batch_update(
            [UpdateInput(hubspot_id, c.properties()) for hubspot_id, c in conflicts.items()]
        )
        for hubspot_id, contact in conflicts.items():
            result = outcome.results[hubspot_id]
            if isinstance(result, ContactNotFound):
                # Deleted or merged between the two calls; the next try's upsert settles it.
                results[contact.sent.record_id] = Conflict(
                    f"hubspot contact {hubspot_id} held the email, then was gone: {result}",
                    http_status=result.http_status,
                )
            elif isinstance(result, SyncError):
                results[contact.sent.record_id] = result
            else:
                results[contact.sent.record_id] = Pushed(result.id, "updated")


def _email_key(item: Outbound) -> str | None:
    email = str(item.payload.get("email") or "").strip().casefold()
    return email or None


def _by_email(items: Sequence[Outbound]) -> list[_Contact]:
    """Group the records HubSpot would hold as one contact; records without email stand alone."""
    groups: dict[str, list[Outbound]] = {}
    for item in items:
        key = _email_key(item)
        groups.setdefault(f"email:{key}" if key else f"record:{item.record_id}", []).append(item)
    return [_Contact(tuple(members)) for members in groups.values()]


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
                spread[member.record_id] = Pushed(result.vendor_id, "linked")
    return spread
