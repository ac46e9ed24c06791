"""Unified leads to HubSpot contacts: the customers' projection, fed with leads.

Pushing works exactly as for customers (batch upsert on our unique key, adopting a contact that
already holds the email). Two things are added: a lead who became a customer never clears what
the customer projection writes; and a lead that came in through a HubSpot form already
has a contact, made by the form; before our first sync of it, the lead is written onto that
contact by its HubSpot id rather than upserted beside it, so the person keeps one contact. A lead
absorbed into an older one is sent too: its contact is merged into the older lead's (lead_merge).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.models import Customer, Lead
from ez_pipelines.leads.tables import UnifiedLead
from ez_pipelines.outbox.projection import Outbound, Payload
from ez_pipelines.vendors.hubspot.client import HubSpotClient
from ez_pipelines.vendors.hubspot.lead_contract import CONTRACT_VERSION, lead_properties
from ez_pipelines.vendors.hubspot.lead_merge import (
    MERGED_INTO,
    Retired,
    merge_retired,
    retired_leads,
)
from ez_pipelines.vendors.hubspot.sync import HubSpotContacts, Result

# Stands for "the contact a form made": any key other than the lead's makes the push update
# that contact in place, by its id.
FORM_CONTACT = "hubspot-form"


class HubSpotLeadContacts(HubSpotContacts):
    entity = "lead"
    contract_version = CONTRACT_VERSION

    def __init__(self, client: HubSpotClient) -> None:
        super().__init__(client)
        self._form_contacts: dict[str, str] = {}
        self._retired: dict[str, Retired] = {}

    def build(self, session: Session, record_ids: Sequence[str]) -> dict[str, Payload]:
        leads = list(session.scalars(select(UnifiedLead).where(UnifiedLead.id.in_(record_ids))))
        members = session.execute(
            select(Lead.person_id, Lead.source, Lead.source_ref).where(
                Lead.person_id.in_(record_ids)
            )
        ).all()
        refs: dict[tuple[str, str], list[str]] = {}
        for person, source, ref in members:
            refs.setdefault((str(person), source), []).append(ref)
        customer_ids = [lead.customer_id for lead in leads if lead.customer_id]
        customers = {
            c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(customer_ids)))
        }
        payloads: dict[str, Payload] = {}
        for lead in leads:
            payloads[lead.id] = lead_properties(
                lead,
                customer=customers.get(lead.customer_id or ""),
                crisp_sessions=refs.get((lead.id, "crisp"), []),
                whatsapp_ids=refs.get((lead.id, "whatsapp"), []),
                key_property=self.key_property,
            )
            if lead.hubspot_contact_id:
                self._form_contacts[lead.id] = lead.hubspot_contact_id
        gone = [record_id for record_id in record_ids if record_id not in payloads]
        for record_id, retired in retired_leads(session, gone).items():
            self._retired[record_id] = retired
            payloads[record_id] = {MERGED_INTO: retired.survivor}
        return payloads

    def push(self, items: Sequence[Outbound]) -> Mapping[str, Result]:
        """Live leads first, so a retired lead's contact merges into where its survivor is now."""
        live = [self._prepared(item) for item in items if item.record_id not in self._retired]
        results = dict(super().push(live))
        merging = [item for item in items if item.record_id in self._retired]
        results.update(merge_retired(self.client, merging, self._retired, results))
        return results

    # TODO(HubSpot contact merge wired into the projection): a lead without email that books
    # moves its contact onto the customer's key; if the customer's own sync made a contact under
    # that key first, the move is refused as a conflict and waits in the dead letters for a
    # person to merge the two contacts.
    def _prepared(self, item: Outbound) -> Outbound:
        # A lead who became a customer stops sending names, phone and stage; those are the
        # customer projection's now, and must not be cleared as values we no longer hold.
        previous = item.previous_payload
        if previous is not None:
            item = replace(
                item, previous_payload={k: v for k, v in previous.items() if k in item.payload}
            )
        form_contact = self._form_contacts.get(item.record_id)
        if item.vendor_id is not None or form_contact is None:
            return item
        return replace(item, vendor_id=form_contact, vendor_key=FORM_CONTACT)
