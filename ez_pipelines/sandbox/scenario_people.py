"""Customers as a rental desk in Dubai meets them: many spellings, many ways to write a number."""

from __future__ import annotations

import dataclasses
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from ez_pipelines.canonical.customers import CustomerInput
from ez_pipelines.sandbox.scenario_names import (
    ARABIC_FAMILY,
    ARABIC_FEMALE,
    ARABIC_MALE,
    EMAIL_DOMAINS,
    EXPAT_ORIGINS,
    GULF_VISITOR,
    LOYALTY_TIERS,
    UAE_MOBILE_PREFIXES,
    ArabicName,
    Origin,
)

# One UAE mobile number, written each way it reaches us: from forms, chats, WhatsApp ids and
# people typing it by hand. All of them mean +971 5X XXX XXXX.
UAE_SPELLINGS: tuple[Callable[[str, str], str], ...] = (
    lambda p, s: f"+971 {p} {s[:3]} {s[3:]}",
    lambda p, s: f"0{p} {s[:3]} {s[3:]}",
    lambda p, s: f"00971 {p} {s[:3]} {s[3:]}",
    lambda p, s: f"+971 0{p} {s[:3]} {s[3:]}",
    lambda p, s: f"971{p}{s}",
    lambda p, s: f"00971{p}{s}",
)


@dataclass(frozen=True)
class Profile:
    """A generated customer, and what a later profile update may plausibly change."""

    customer: CustomerInput
    family_alternatives: tuple[str, ...]
    phone_spellings: tuple[str, ...]
    """Every spelling of the customer's number, the current one included; empty without one."""
    email_latin: tuple[str, str]
    relatives: tuple[str, ...]
    """Given names a relative booking under the same family name might carry."""


class PeopleGenerator:
    """Draws customers from one seeded generator, keeping phones and email keys unique."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.phones: set[str] = set()
        self.email_keys: set[str] = set()
        self.uae_phones_written = 0

    def customer(self, customer_id: str) -> Profile:
        rng = self.rng
        if rng.random() < 0.55:
            profile = self._arab(customer_id, visitor=rng.random() < 0.04)
        else:
            origin = rng.choices(EXPAT_ORIGINS, weights=[o.weight for o in EXPAT_ORIGINS])[0]
            profile = self._expat(customer_id, origin, tourist=rng.random() < 0.07)
        if rng.random() < 0.03:
            profile = _without(profile, email=True)
        if rng.random() < 0.02:
            profile = _without(profile, phone=True)
        return profile

    def family_member(self, customer_id: str, of: Profile) -> Profile:
        """Someone booking under a relative's address, typed in a different letter case."""
        given = self.rng.choice([n for n in of.relatives if n != of.customer.given_name])
        shared = recase(of.customer.email or "", self.rng)
        phone = self._uae_phone()
        customer = CustomerInput(
            id=customer_id,
            given_name=given,
            family_name=of.customer.family_name,
            email=shared,
            phone=phone[0],
            country=of.customer.country,
            loyalty_tier="standard",
        )
        latin = (given, of.email_latin[1])
        return dataclasses.replace(of, customer=customer, phone_spellings=phone, email_latin=latin)

    def new_phone(self) -> str:
        return self._uae_phone()[0]

    def _arab(self, customer_id: str, *, visitor: bool) -> Profile:
        rng = self.rng
        given_name = rng.choice(ARABIC_MALE if rng.random() < 0.55 else ARABIC_FEMALE)
        if given_name in ARABIC_MALE and rng.random() < 0.2:
            given_name = ARABIC_MALE[0]  # Mohammed, by far the most common name of all
        family_name = rng.choice(ARABIC_FAMILY)
        given, family = self._spelling(given_name), self._spelling(family_name)
        latin = (given, family)
        alternatives = tuple(s for s in family_name[0] if s != family)
        relatives = tuple(n[0][0] for n in ARABIC_MALE + ARABIC_FEMALE)
        if rng.random() < 0.1:
            given, family = given_name[1], family_name[1]
            alternatives = family_name[0]
            relatives = tuple(n[1] for n in ARABIC_MALE + ARABIC_FEMALE)
        if not alternatives:
            alternatives = (f"{family} {rng.choice(ARABIC_FAMILY)[0][0]}",)
        phones = self._foreign_phone(GULF_VISITOR) if visitor else self._uae_phone()
        country = GULF_VISITOR.country if visitor else "AE"
        names = (given, family)
        return self._profile(customer_id, latin, names, alternatives, phones, country, relatives)

    def _expat(self, customer_id: str, origin: Origin, *, tourist: bool) -> Profile:
        rng = self.rng
        female = rng.random() < 0.5
        given = rng.choice(origin.female if female else origin.male)
        family = rng.choice(origin.family)
        if female and origin.country == "RU" and family.endswith("v"):
            family += "a"  # Russian family names take the feminine form.
        other = rng.choice([f for f in origin.family if not family.startswith(f)])
        phones = self._foreign_phone(origin) if tourist else self._uae_phone()
        country = origin.country if tourist else "AE"
        names, relatives = (given, family), origin.male + origin.female
        alternatives = (f"{family}-{other}",)
        return self._profile(customer_id, names, names, alternatives, phones, country, relatives)

    def _profile(
        self,
        customer_id: str,
        latin: tuple[str, str],
        names: tuple[str, str],
        alternatives: tuple[str, ...],
        phones: tuple[str, ...],
        country: str,
        relatives: tuple[str, ...],
    ) -> Profile:
        rng = self.rng
        tier = rng.choices(LOYALTY_TIERS, weights=(80, 12, 6, 2))[0]
        customer = CustomerInput(
            id=customer_id,
            given_name=names[0],
            family_name=names[1],
            email=self._email(latin),
            phone=phones[0],
            # Half the records leave the country to be read from the phone number.
            country=country if rng.random() < 0.5 else None,
            loyalty_tier=tier,
        )
        return Profile(customer, alternatives, phones, latin, relatives)

    def _spelling(self, name: ArabicName) -> str:
        spellings = name[0]
        return spellings[0] if self.rng.random() < 0.5 else self.rng.choice(spellings)

    def _uae_phone(self) -> tuple[str, ...]:
        """Spellings of a fresh UAE mobile number, the one to write first."""
        rng = self.rng
        while True:
            prefix = rng.choice(UAE_MOBILE_PREFIXES)
            subscriber = f"{rng.randrange(10**7):07d}"
            if prefix + subscriber not in self.phones:
                break
        self.phones.add(prefix + subscriber)
        spellings = [spell(prefix, subscriber) for spell in UAE_SPELLINGS]
        # The first numbers take each spelling in turn, so even a small month has all of them.
        if self.uae_phones_written < len(spellings):
            first = self.uae_phones_written
        else:
            first = rng.choices(range(len(spellings)), weights=(30, 25, 12, 8, 15, 10))[0]
        self.uae_phones_written += 1
        return (spellings[first], *spellings[:first], *spellings[first + 1 :])

    def _foreign_phone(self, origin: Origin) -> tuple[str, ...]:
        rng = self.rng
        while True:
            prefix = rng.choice(origin.mobile_prefixes)
            rest = "".join(str(rng.randrange(10)) for _ in range(origin.subscriber_digits))
            if origin.dial_code + prefix + rest not in self.phones:
                break
        self.phones.add(origin.dial_code + prefix + rest)
        spaced, compact = f"{origin.dial_code} {prefix} {rest}", f"{origin.dial_code}{prefix}{rest}"
        return (spaced, compact) if rng.random() < 0.6 else (compact, spaced)

    def _email(self, latin: tuple[str, str]) -> str:
        rng = self.rng
        given, family = _ascii_slug(latin[0]), _ascii_slug(latin[1])
        local = rng.choice(
            (f"{given}.{family}", f"{given}{family}", f"{given}_{family}", f"{given[0]}.{family}")
        )
        if rng.random() < 0.3:
            local += str(rng.randrange(1, 100))
        domain = rng.choice(EMAIL_DOMAINS)
        while f"{local}@{domain}" in self.email_keys:
            local += str(rng.randrange(10))
        self.email_keys.add(f"{local}@{domain}")
        return _vary_case_and_space(f"{local}@{domain}", rng)


def recase(email: str, rng: random.Random) -> str:
    """The same address in a different letter case."""
    local, _, domain = email.strip().partition("@")
    candidates = (
        email.strip().upper(),
        f"{local.capitalize()}@{domain.upper()}",
        email.strip().lower(),
        f"{local.title()}@{domain}",
    )
    return rng.choice([c for c in candidates if c != email.strip()])


def _vary_case_and_space(email: str, rng: random.Random) -> str:
    local, _, domain = email.partition("@")
    style = rng.choices(("lower", "title", "domain", "upper"), weights=(65, 15, 12, 8))[0]
    if style == "title":
        email = f"{'.'.join(p.capitalize() for p in local.split('.'))}@{domain.capitalize()}"
    elif style == "domain":
        email = f"{local}@{domain.upper()}"
    elif style == "upper":
        email = email.upper()
    if rng.random() < 0.06:
        email = rng.choice((f" {email}", f"{email} ", f"  {email}\t"))
    return email


def _ascii_slug(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed.lower() if c.isascii() and c.isalnum())


def _without(profile: Profile, *, email: bool = False, phone: bool = False) -> Profile:
    customer = profile.customer
    if email:
        customer = dataclasses.replace(customer, email=None)
    if phone:
        customer = dataclasses.replace(customer, phone=None)
        profile = dataclasses.replace(profile, phone_spellings=())
    return dataclasses.replace(profile, customer=customer)
