"""Contract v1 for leads: how a unified lead reads as a HubSpot contact.

A lead is keyed like a customer: by its email key, or by its own id when it has no email. A lead
who booked is that customer: it takes the customer's key, so both write one contact, and it
leaves names, phone and lifecycle stage to the customer projection, sending only what the lead
adds: the conversations it came from. Conversation ids travel in custom contact properties the
portal must define (single-line text): `ez_lead_id`, `ez_crisp_sessions`, `ez_whatsapp_ids`.
"""

from __future__ import annotations

from collections.abc import Sequence

from ez_pipelines.canonical.models import Customer
from ez_pipelines.leads.tables import UnifiedLead
from ez_pipelines.vendors.hubspot.contract_v1 import contact_key

CONTRACT_VERSION = "v1"
LEAD_KEY_PREFIX = "lead:"
LEAD_PROPERTIES = ("ez_lead_id", "ez_crisp_sessions", "ez_whatsapp_ids")
LIFECYCLE_STAGE = "lead"
# HubSpot's own separator for multiple values in one property.
SEPARATOR = ";"


def lead_contact_key(lead: UnifiedLead, customer: Customer | None) -> str:
    if customer is not None:
        return contact_key(customer)
    return lead.email_key or f"{LEAD_KEY_PREFIX}{lead.id}"


def lead_properties(
    lead: UnifiedLead,
    *,
    customer: Customer | None,
    crisp_sessions: Sequence[str],
    whatsapp_ids: Sequence[str],
    key_property: str,
) -> dict[str, str]:
    properties = {
        key_property: lead_contact_key(lead, customer),
        "ez_lead_id": lead.id,
        "ez_crisp_sessions": SEPARATOR.join(sorted(crisp_sessions)),
        "ez_whatsapp_ids": SEPARATOR.join(sorted(whatsapp_ids)),
    }
    if customer is not None:
        return properties
    given, _, family = (lead.full_name or "").partition(" ")
    return {
        **properties,
        "email": lead.email or "",
        "firstname": given,
        "lastname": family,
        "phone": lead.phone or "",
        "lifecyclestage": LIFECYCLE_STAGE,
    }
