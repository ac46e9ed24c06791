"""Labelled lead records with the noise real channels add, for the lead-matching benchmark.

People are drawn from the scenario's names (Arabic names with their Latin spellings, expatriate
names by origin); each leaves one to five records across HubSpot forms, Crisp chats and
WhatsApp. The noise: phone spellings (+971, 00971, 0, trunk zero kept, WhatsApp ids), email
case and spaces, transliterations (Mohammed, Muhammad), case, typos in names, emails and
numbers, word order, first names alone, missing fields, and relatives sharing a family phone.
One name word in ten is spelled in a way the matcher's table of spellings does not hold (`ou`
as `u`, `kh` as `k`, ...), so the score is measured on spellings it has never seen.
A record has at least one of email and phone: a chat that gave neither is not a lead.
Every record carries the id of the person it came from: the truth the scores are measured on.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ez_pipelines.leads.names import CANONICAL
from ez_pipelines.sandbox.scenario_names import (
    ARABIC_FAMILY,
    ARABIC_FEMALE,
    ARABIC_MALE,
    EMAIL_DOMAINS,
    EXPAT_ORIGINS,
    UAE_MOBILE_PREFIXES,
)

RECORDS_PER_PERSON = (1, 2, 3, 4, 5)
RECORDS_WEIGHTS = (35, 30, 20, 10, 5)
SOURCES = ("hubspot", "crisp", "whatsapp")
FAMILY_PHONE_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class LabelledRecord:
    id: int
    person: int
    source: str
    name: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True, slots=True)
class _Person:
    given: tuple[str, ...]
    """Spellings of the given name; the first is the usual one."""
    family: tuple[str, ...]
    email: str | None
    mobile: tuple[str, str] | None
    """(prefix, subscriber) of a UAE mobile number."""


class _People:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.numbers: set[str] = set()
        self.emails: set[str] = set()
        self.origins = [o for o in EXPAT_ORIGINS]
        self.weights = [o.weight for o in EXPAT_ORIGINS]

    def person(self, relative_of: _Person | None) -> _Person:
        rng = self.rng
        if rng.random() < 0.55:
            pool = ARABIC_MALE if rng.random() < 0.55 else ARABIC_FEMALE
            given, family = rng.choice(pool)[0], rng.choice(ARABIC_FAMILY)[0]
        else:
            origin = rng.choices(self.origins, self.weights)[0]
            given = (rng.choice(origin.male + origin.female),)
            family = (rng.choice(origin.family),)
        mobile = self._mobile() if rng.random() < 0.97 else None
        if relative_of is not None:
            family, mobile = relative_of.family, relative_of.mobile
        email = self._email(given[0], family[0]) if rng.random() < 0.9 else None
        if email is None and mobile is None:
            mobile = self._mobile()
        return _Person(given, family, email, mobile)

    def _mobile(self) -> tuple[str, str]:
        while True:
            prefix = self.rng.choice(UAE_MOBILE_PREFIXES)
            subscriber = f"{self.rng.randrange(10**7):07d}"
            if prefix + subscriber not in self.numbers:
                self.numbers.add(prefix + subscriber)
                return prefix, subscriber

    def _email(self, given: str, family: str) -> str:
        rng = self.rng
        g = "".join(c for c in given.lower() if c.isalnum())
        f = "".join(c for c in family.lower() if c.isalnum())
        local = rng.choice((f"{g}.{f}", f"{g}{f}", f"{g}_{f}", f"{g[0]}.{f}"))
        local += str(rng.randrange(1, 10_000))
        address = f"{local}@{rng.choice(EMAIL_DOMAINS)}"
        while address in self.emails:
            address = f"{local}{rng.randrange(10)}@{address.split('@')[1]}"
        self.emails.add(address)
        return address


# Ways one Arabic sound is written in Latin letters that the matcher's table of spellings does
# not list, applied to a word at random: spellings the matcher has never seen.
_HELD_OUT_RULES = (
    ("ou", "u"), ("oo", "u"), ("ee", "i"), ("ai", "ay"), ("ei", "ey"), ("kh", "k"),
    ("sh", "ch"), ("q", "k"), ("dh", "z"), ("mm", "m"), ("ss", "s"), ("a", "e"),
)  # fmt: skip
HELD_OUT_SHARE = 0.1


def _held_out(rng: random.Random, word: str) -> str:
    """Another Latin spelling of `word`, one the matcher's table does not hold; or `word`."""
    rules = [(old, new) for old, new in _HELD_OUT_RULES if old in word.lower()[1:]]
    for old, new in rng.sample(rules, len(rules)):
        at = word.lower().find(old, 1)
        spelling = word[:at] + new + word[at + len(old) :]
        if spelling.lower() not in CANONICAL:
            return spelling
    return word


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.random()
    if kind < 0.4:
        return text[:i] + text[i + 1 :]
    if kind < 0.7:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice("aeiournst") + text[i + 1 :]


def _phone(rng: random.Random, mobile: tuple[str, str], source: str) -> str:
    prefix, sub = mobile
    if rng.random() < 0.01:
        digit = rng.randrange(len(sub))
        sub = sub[:digit] + str((int(sub[digit]) + 1) % 10) + sub[digit + 1 :]
    if source == "whatsapp":
        return f"971{prefix}{sub}"
    return rng.choice(
        (
            f"+971 {prefix} {sub[:3]} {sub[3:]}",
            f"0{prefix} {sub[:3]} {sub[3:]}",
            f"00971 {prefix} {sub[:3]} {sub[3:]}",
            f"+971 0{prefix} {sub[:3]} {sub[3:]}",
            f"971{prefix}{sub}",
            f"00971{prefix}{sub}",
            f"0{prefix}-{sub[:3]}-{sub[3:]}",
        )
    )


def _email(rng: random.Random, email: str) -> str:
    if rng.random() < 0.02:
        local, _, domain = email.partition("@")
        email = f"{_typo(rng, local)}@{domain}"
    style = rng.random()
    if style < 0.1:
        email = email.upper()
    elif style < 0.25:
        local, _, domain = email.partition("@")
        email = f"{local.title()}@{domain}"
    return email + (" " if rng.random() < 0.05 else "")


def _name(rng: random.Random, person: _Person, source: str) -> str | None:
    given, family = rng.choice(person.given), rng.choice(person.family)
    if rng.random() < 0.5:
        given, family = person.given[0], person.family[0]
    if rng.random() < HELD_OUT_SHARE:
        given = _held_out(rng, given)
    if rng.random() < HELD_OUT_SHARE:
        family = _held_out(rng, family)
    missing, given_only = {"hubspot": (0.0, 0.05), "crisp": (0.4, 0.5), "whatsapp": (0.05, 0.4)}[
        source
    ]
    roll = rng.random()
    if roll < missing:
        return None
    words = [given] if roll < missing + (1 - missing) * given_only else [given, family]
    if len(words) == 2 and rng.random() < 0.02:
        words.reverse()
    name = " ".join(words)
    if rng.random() < 0.04:
        name = _typo(rng, name)
    case = rng.random()
    return name.upper() if case < 0.08 else name.lower() if case < 0.25 else name


def _record(rng: random.Random, record_id: int, person_id: int, person: _Person) -> LabelledRecord:
    source = rng.choices(SOURCES, (35, 35, 30))[0]
    email_share, phone_share = {
        # The form asks for both; the chat's bot asks for both, and most visitors answer.
        "hubspot": (1.0, 0.95),
        "crisp": (0.85, 0.75),
        "whatsapp": (0.0, 1.0),
    }[source]
    email = _email(rng, person.email) if person.email and rng.random() < email_share else None
    phone = (
        _phone(rng, person.mobile, source) if person.mobile and rng.random() < phone_share else None
    )
    if email is None and phone is None:
        # A chat that never gave an email or a number is no lead: it is not recorded.
        return _record(rng, record_id, person_id, person)
    return LabelledRecord(record_id, person_id, source, _name(rng, person, source), email, phone)


def generate(count: int, seed: int) -> list[LabelledRecord]:
    """`count` records of however many people it takes, in shuffled order."""
    rng = random.Random(seed)
    people = _People(rng)
    records: list[LabelledRecord] = []
    previous: _Person | None = None
    person_id = 0
    while len(records) < count:
        related = previous is not None and rng.random() < FAMILY_PHONE_SHARE
        person = people.person(previous if related else None)
        for _ in range(rng.choices(RECORDS_PER_PERSON, RECORDS_WEIGHTS)[0]):
            records.append(_record(rng, 0, person_id, person))
        previous, person_id = person, person_id + 1
    records = records[:count]
    rng.shuffle(records)
    return [
        LabelledRecord(i + 1, r.person, r.source, r.name, r.email, r.phone)
        for i, r in enumerate(records)
    ]
