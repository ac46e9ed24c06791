"""Prospects reaching us through forms, chats and WhatsApp: the leads side of a scenario.

Deterministic from its seed. Each prospect uses one to three channels and is written the way
each channel writes people: a form with a carefully typed email in any case, a chat where the
visitor types the email or number into a message, WhatsApp where the sender id is the number
and the name is whatever the profile shows, often spelled another way. Some prospects share a
family phone with a relative: two people the matcher must not merge on its own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ez_pipelines.canonical.contact_points import parse_channel_phone
from ez_pipelines.leads.names import CANONICAL
from ez_pipelines.sandbox.scenario_people import PeopleGenerator, Profile, recase

_SPELLINGS: dict[str, list[str]] = {}
for _spelling, _canonical in CANONICAL.items():
    _SPELLINGS.setdefault(_canonical, []).append(_spelling)


@dataclass(frozen=True)
class FormSubmission:
    email: str
    firstname: str
    lastname: str
    phone: str


@dataclass(frozen=True)
class ChatMessage:
    session_id: str
    fingerprint: int
    nickname: str
    text: str


@dataclass(frozen=True)
class WhatsAppMessage:
    message_id: str
    wa_id: str
    name: str | None
    text: str


@dataclass(frozen=True)
class LeadTraffic:
    prospects: int
    forms: tuple[FormSubmission, ...]
    chats: tuple[ChatMessage, ...]
    whatsapp: tuple[WhatsAppMessage, ...]

    @property
    def touches(self) -> int:
        return len(self.forms) + len(self.chats) + len(self.whatsapp)


def generate_leads(
    seed: int, prospects: int, *, avoid: frozenset[str] = frozenset()
) -> LeadTraffic:
    """`prospects` people; `avoid` holds email keys and E.164 numbers of existing customers,
    whom no prospect shares."""
    rng = random.Random(seed)
    people = PeopleGenerator(rng)
    forms: list[FormSubmission] = []
    chats: list[ChatMessage] = []
    messages: list[WhatsAppMessage] = []
    made = 0
    previous: Profile | None = None
    while made < prospects:
        profile = people.customer(f"P-{made:05d}")
        if not _usable(profile, avoid):
            continue
        if previous is not None and rng.random() < 0.05:
            # A relative writing from the family's phone under their own name.
            relative = people.family_member(f"P-{made:05d}", previous)
            profile = Profile(
                relative.customer, relative.family_alternatives, previous.phone_spellings,
                relative.email_latin, relative.relatives,
            )  # fmt: skip
        channels = [c for c in ("form", "chat", "whatsapp") if rng.random() < 0.55] or ["chat"]
        if "form" in channels:
            forms.append(_form(rng, profile))
        if "chat" in channels:
            chats.extend(_chat(rng, profile, made))
        if "whatsapp" in channels:
            messages.extend(_whatsapp(rng, profile, made))
        previous, made = profile, made + 1
    return LeadTraffic(prospects, tuple(forms), tuple(chats), tuple(messages))


def _usable(profile: Profile, avoid: frozenset[str]) -> bool:
    customer = profile.customer
    if not customer.email or not profile.phone_spellings:
        return False
    phone = parse_channel_phone(profile.phone_spellings[0], "AE")
    if phone.status != "valid":
        return False  # a tourist's number: leads here are people living in the UAE
    return customer.email.strip().casefold() not in avoid and phone.e164 not in avoid


def _variant(rng: random.Random, name: str) -> str:
    """The same name as another person might spell it: Mohammed, Muhammad, Mohamed."""
    words = []
    for word in name.split():
        canonical = CANONICAL.get(word.casefold())
        spellings = _SPELLINGS.get(canonical or "", [])
        words.append(rng.choice(spellings).capitalize() if spellings else word)
    return " ".join(words)


def _form(rng: random.Random, profile: Profile) -> FormSubmission:
    customer = profile.customer
    email = recase(customer.email or "", rng) if rng.random() < 0.4 else (customer.email or "")
    return FormSubmission(
        email=email + (" " if rng.random() < 0.1 else ""),
        firstname=customer.given_name,
        lastname=customer.family_name,
        phone=rng.choice(profile.phone_spellings),
    )


def _chat(rng: random.Random, profile: Profile, index: int) -> list[ChatMessage]:
    customer = profile.customer
    session = f"session_{rng.getrandbits(64):016x}"
    nickname = customer.given_name if rng.random() < 0.6 else f"visitor{rng.randrange(10**6)}"
    lines = ["Hi, is a 4x4 available next weekend?"]
    if rng.random() < 0.7:
        lines.append(f"my email is {(customer.email or '').strip().lower()}")
    if rng.random() < 0.6 or len(lines) == 1:
        lines.append(f"call me on {rng.choice(profile.phone_spellings)}")
    return [ChatMessage(session, index * 100 + n, nickname, text) for n, text in enumerate(lines)]


def _whatsapp(rng: random.Random, profile: Profile, index: int) -> list[WhatsAppMessage]:
    phone = parse_channel_phone(profile.phone_spellings[0], "AE")
    wa_id = (phone.e164 or "").lstrip("+")
    customer = profile.customer
    name: str | None = _variant(rng, f"{customer.given_name} {customer.family_name}")
    if rng.random() < 0.3:
        name = _variant(rng, customer.given_name)
    if rng.random() < 0.1:
        name = None
    texts = ["Salam, price for a Patrol per week?", "And with a driver?"][: rng.randint(1, 2)]
    return [
        WhatsAppMessage(f"wamid.{index:05d}.{n}.{rng.getrandbits(48):012x}", wa_id, name, text)
        for n, text in enumerate(texts)
    ]
