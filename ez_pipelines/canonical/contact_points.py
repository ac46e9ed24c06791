"""Phone numbers and email addresses, checked by the libraries that know their rules."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email


class InvalidContactPoint(ValueError):
    pass


@dataclass(frozen=True)
class Phone:
    e164: str
    region: str | None


@dataclass(frozen=True)
class Email:
    display: str
    """As typed, trimmed: what a person sees."""
    key: str
    """Trimmed and casefolded: what records are matched and made unique on."""


def parse_phone(raw: str, default_region: str) -> Phone:
    """Parse `raw` as typed, reading numbers without a country code as `default_region`'s.

    The default region comes from where the number was captured (a channel, an import), never
    from the server's locale. Numbers that do not parse into a valid number are refused.
    """
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as err:
        raise InvalidContactPoint(f"phone {mask_phone(raw)} does not parse: {err}") from err
    if not phonenumbers.is_valid_number(number):
        raise InvalidContactPoint(f"phone {mask_phone(raw)} is not a valid number")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Phone(e164=e164, region=phonenumbers.region_code_for_number(number))


@dataclass(frozen=True)
class ChannelPhone:
    """A number as a lead channel captured it, and whether it may identify a person."""

    raw: str
    e164: str | None
    """Set only for a valid number in the channel's region: the only numbers matched on."""
    status: str
    """`valid`, `invalid` (does not parse into a real number) or `other_region`."""
    candidate: str | None = None
    """What the number parsed into when it is not to be trusted: shown to a reviewer only."""


def parse_channel_phone(raw: str, region: str, *, international: bool = False) -> ChannelPhone:
    """Read a number the way the channel that captured it writes numbers.

    `region` is where the channel expects its people (the UAE site's chat: AE); `international`
    channels (WhatsApp sender ids) always carry the country code, without its plus. A number
    that is not valid, or is valid in another region than the channel's, is never used to tell
    who someone is: a wrong default region turns `00971...` into a valid-looking foreign number.
    """
    text = raw.strip()
    if international and text and text[0].isdigit() and not text.startswith("00"):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return ChannelPhone(raw, None, "invalid")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not phonenumbers.is_valid_number(number):
        return ChannelPhone(raw, None, "invalid", e164)
    if phonenumbers.region_code_for_number(number) != region:
        return ChannelPhone(raw, None, "other_region", e164)
    return ChannelPhone(raw, e164, "valid")


def parse_email(raw: str) -> Email:
    display = raw.strip()
    # Case never decides whether an ASCII address is valid: `Sara.Q@Example.COM` and
    # `sara.q@example.com` are checked once between them.
    refusal = _email_refusal(display.lower() if display.isascii() else display)
    if refusal:
        raise InvalidContactPoint(f"email {mask_email(display)} is not valid: {refusal}")
    return Email(display=display, key=display.casefold())


@lru_cache(maxsize=100_000)
def _email_refusal(address: str) -> str | None:
    try:
        # `.test` (RFC 2606) is allowed so sandbox and test data can never reach a real mailbox.
        validate_email(address, check_deliverability=False, test_environment=True)
    except EmailNotValidError as err:
        return str(err)
    return None


def mask_phone(raw: str) -> str:
    """Keep the last two digits: enough to tell numbers apart in a log, not to call anyone."""
    digits = [c for c in raw if c.isdigit()]
    return "*" * max(len(digits) - 2, 0) + "".join(digits[-2:])


def mask_email(raw: str) -> str:
    local, _, domain = raw.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"
