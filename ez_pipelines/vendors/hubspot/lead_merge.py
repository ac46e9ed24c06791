"""A lead absorbed into an older one: its HubSpot contact merged into the older lead's contact.

A unification that joins two leads retires the newer one. A contact our sync made or took for
it must not linger beside the older lead's, or sales sees one person twice: HubSpot's merge
folds it into the older lead's contact, which keeps its id, its values and both emails. A merge
is safe to repeat: when HubSpot no longer knows the retired contact, the older contact's list of
merged ids tells whether this merge is what took it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.models import ExternalRef, Lead
from ez_pipelines.leads.records import first_record_of
from ez_pipelines.outbox.errors import Retryable, SyncError
from ez_pipelines.outbox.projection import Outbound, Pushed
from ez_pipelines.vendors.hubspot.client import HubSpotClient

MERGED_INTO = "merged_into"
# HubSpot's read-only list of the contact ids a contact absorbed, semicolon-separated.
MERGED_IDS = "hs_merged_object_ids"


@dataclass(frozen=True)
class Retired:
    lead_id: str
    survivor: str
    """The lead that now holds the retired lead's first record."""
    survivor_contact: str | None
    """The survivor's HubSpot contact, as of its last sync; None before its first."""


def retired_leads(session: Session, lead_ids: Sequence[str]) -> dict[str, Retired]:
    """Of `lead_ids` (none of them a live lead), each that another lead absorbed."""
    firsts = {lead_id: first_record_of(lead_id) for lead_id in lead_ids}
    holders = dict(
        session.execute(
            select(Lead.id, Lead.person_id).where(
                Lead.id.in_([n for n in firsts.values() if n is not None]),
                Lead.person_id.is_not(None),
            )
        ).all()
    )
    survivors = {lead_id: str(holders[n]) for lead_id, n in firsts.items() if n in holders}
    contacts = dict(
        session.execute(
            select(ExternalRef.record_id, ExternalRef.vendor_id).where(
                ExternalRef.system == "hubspot",
                ExternalRef.record_type == "lead",
                ExternalRef.record_id.in_(set(survivors.values())),
            )
        ).all()
    )
    return {
        lead_id: Retired(lead_id, survivor, contacts.get(survivor))
        for lead_id, survivor in survivors.items()
    }


def merge_retired(
    client: HubSpotClient,
    items: Sequence[Outbound],
    retired: Mapping[str, Retired],
    pushed_now: Mapping[str, Pushed | SyncError],
) -> dict[str, Pushed | SyncError]:
    """Merge each retired lead's contact into its survivor's; `pushed_now` holds what this push
    just wrote for survivors, which may have moved to another contact."""
    results: dict[str, Pushed | SyncError] = {}
    for item in items:
        lead = retired[item.record_id]
        just = pushed_now.get(lead.survivor)
        primary = just.vendor_id if isinstance(just, Pushed) else lead.survivor_contact
        own = item.vendor_id
        if own is None or own == primary:
            # Nothing of its own at HubSpot: it never got there, or the survivor took it over.
            results[item.record_id] = Pushed(primary or "", "linked", released=True)
        elif primary is None:
            results[item.record_id] = Retryable(
                f"hubspot contact {own} of retired lead {lead.lead_id} waits for lead "
                f"{lead.survivor} to reach HubSpot, to be merged into its contact"
            )
        else:
            results[item.record_id] = _merge(client, primary, own)
    return results


def _merge(client: HubSpotClient, primary: str, own: str) -> Pushed | SyncError:
    try:
        client.merge_contacts(primary, own)
    except Retryable as err:
        return err
    except SyncError as err:
        if not _already_merged(client, primary, own):
            return err
    return Pushed(primary, "linked", released=True)


def _already_merged(client: HubSpotClient, primary: str, own: str) -> bool:
    try:
        contact = client.get_contact(primary, properties=(MERGED_IDS,))
    except SyncError:
        return False
    return own in (contact.properties.get(MERGED_IDS) or "").split(";")
