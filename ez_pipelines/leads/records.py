"""Channel records as the matcher reads them, and a unified lead's fields read off its records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ez_pipelines.canonical.models import Lead
from ez_pipelines.leads.matching import MatchRecord

# The national part of a number, enough to see that two spellings may be one number even when
# one of them could not be trusted as written.
PHONE_DIGITS = 9
# Which channel's values win when records disagree: a form is typed with care, a chat less so,
# and a WhatsApp profile name is whatever the person chose to show.
SOURCE_RANK = {"hubspot": 0, "crisp": 1, "whatsapp": 2}


def phone_digits(lead: Lead) -> str | None:
    digits = "".join(c for c in (lead.phone or lead.phone_raw or "") if c.isdigit())
    return digits[-PHONE_DIGITS:] if len(digits) >= PHONE_DIGITS else None


def match_record(lead: Lead) -> MatchRecord:
    return MatchRecord(
        lead.id,
        {
            "email": lead.email_key,
            "phone": lead.phone,
            "phone_digits": phone_digits(lead),
            "name": lead.full_name,
        },
    )


@dataclass(frozen=True)
class Person:
    """What one cluster of channel records says about the person behind them."""

    id: str
    full_name: str | None
    email: str | None
    email_key: str | None
    phone: str | None
    hubspot_contact_id: str | None
    crisp_sessions: tuple[str, ...]
    whatsapp_ids: tuple[str, ...]
    record_ids: tuple[int, ...]


PERSON_PREFIX = "LD-"


def person_id(first_record: int) -> str:
    """Named after its first record: the same records give the same id on every run."""
    return f"{PERSON_PREFIX}{first_record:08d}"


def first_record_of(lead_id: str) -> int | None:
    """The record a lead is named after; None for an id that is not a lead's."""
    number = lead_id.removeprefix(PERSON_PREFIX)
    return int(number) if lead_id.startswith(PERSON_PREFIX) and number.isdigit() else None


def person_of(records: Sequence[Lead]) -> Person:
    """Each field from the best-ranked record that has it (then the earliest)."""
    ranked = sorted(records, key=lambda r: (SOURCE_RANK.get(r.source, 9), r.id))

    def first(attribute: str) -> str | None:
        return next((getattr(r, attribute) for r in ranked if getattr(r, attribute)), None)

    # The fullest name: a form's `Sara Qasim` over a chat's `sara`.
    names = [r.full_name.strip() for r in ranked if r.full_name and r.full_name.strip()]
    name = max(names, key=lambda n: len(n.split())) if names else None
    with_email = next((r for r in ranked if r.email_key), None)
    refs = {
        source: sorted(r.source_ref for r in records if r.source == source)
        for source in SOURCE_RANK
    }
    return Person(
        id=person_id(min(r.id for r in records)),
        full_name=name,
        email=with_email.email if with_email else None,
        email_key=with_email.email_key if with_email else None,
        phone=first("phone"),
        hubspot_contact_id=refs["hubspot"][0] if refs["hubspot"] else None,
        crisp_sessions=tuple(refs["crisp"]),
        whatsapp_ids=tuple(refs["whatsapp"]),
        record_ids=tuple(sorted(r.id for r in records)),
    )
