"""Money as an integer count of minor units plus an ISO 4217 code. Never a float."""

from __future__ import annotations

import re
from decimal import Decimal

# Minor-unit exponents (ISO 4217) of the currencies the business takes.
EXPONENTS: dict[str, int] = {
    "AED": 2,
    "SAR": 2,
    "QAR": 2,
    "OMR": 3,
    "BHD": 3,
    "KWD": 3,
    "JOD": 3,
    "EGP": 2,
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "INR": 2,
}


class InvalidAmount(ValueError):
    pass


# Plain decimal notation only: no exponents, separators, signs other than a leading minus, or
# digits of other scripts. "1e5" is not how anyone writes a rental price.
AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
# Amounts are stored as 64-bit integers of minor units.
MAX_MINOR = 2**63 - 1


def exponent(currency: str) -> int:
    try:
        return EXPONENTS[currency.upper()]
    except KeyError:
        raise InvalidAmount(f"currency {currency!r} is not one we take") from None


def to_minor(amount: str | Decimal, currency: str, *, allow_negative: bool = False) -> int:
    """Parse a decimal amount in major units ("150.00") into minor units (15000).

    More decimal places than the currency has is an error, not a rounding: money is exact.
    """
    text = str(amount).strip()
    if not AMOUNT.fullmatch(text) or len(text) > 40:
        raise InvalidAmount(f"amount {text[:40]!r} is not a plain decimal number like 150.00")
    value = Decimal(text)
    if value < 0 and not allow_negative:
        raise InvalidAmount(f"amount {text} is negative")
    scaled = value.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise InvalidAmount(f"amount {text} has more decimals than {currency} allows")
    minor = int(scaled)
    if abs(minor) > MAX_MINOR:
        raise InvalidAmount(f"amount {text} is too large to store")
    return minor


def to_major(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-exponent(currency))


def format_money(minor: int, currency: str) -> str:
    places = exponent(currency)
    return f"{to_major(minor, currency):.{places}f} {currency.upper()}"
