"""Money, percentages and dates as the spec holds them (A-1).

Pure functions only: no I/O. Every amount inside claimledger is an integer number of
cents; percentages are basis points; dates are days since 1970-01-01.
"""
from __future__ import annotations

import datetime as _dt
import re

CENT_UNITS = 10_000
"""Settlement-token units per cent: the token has 6 decimals (A-1.1)."""

BPS_DENOMINATOR = 10_000
_EPOCH = _dt.date(1970, 1, 1)
_DOLLARS = re.compile(r"^(-?)(\d+)(?:\.(\d{1,2}))?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FormatError(ValueError):
    """A value that does not have the form the spec requires."""


MAX_AMOUNT_DIGITS = 30  # far past any limit (R-4: 10^12 cents), far short of int()'s 4,300


def _shown(value, limit: int = 40) -> str:
    """``value`` as a message quotes it: repr, at most ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def parse_cents(text: str | float | int) -> int:
    """Decimal dollars with at most two decimals -> integer cents (A-1.1).

    Numbers from YAML arrive as floats; they are formatted back to the shortest repr
    first so that ``92.1`` means 92.10 and ``0.125`` is refused, never rounded.
    """
    if isinstance(text, bool):
        raise FormatError(f"not an amount: {text!r}")
    if isinstance(text, float):
        text = repr(text)
    match = _DOLLARS.match(str(text).strip())
    if not match:
        raise FormatError(f"not an amount with at most two decimals: {_shown(text)}")
    sign, whole, frac = match.groups()
    if len(whole) > MAX_AMOUNT_DIGITS:  # int() of a 10 MB digit string is refused by Python itself
        raise FormatError(f"amount has {len(whole)} digits before the point: {_shown(text)}")
    cents = int(whole) * 100 + int((frac or "").ljust(2, "0"))
    return -cents if sign else cents


def parse_bps(text: str | float | int) -> int:
    """A percentage with at most two decimals -> basis points (A-1.2)."""
    try:
        bps = parse_cents(text)
    except FormatError:
        raise FormatError(f"not a percentage with at most two decimals: {_shown(text)}") from None
    if not 0 <= bps <= BPS_DENOMINATOR:
        raise FormatError(f"percentage out of range 0..100: {text!r}")
    return bps


def share(amount_cents: int, bps: int) -> int:
    """``floor((amount * bps + 5000) / 10000)``: half-up to the cent (A-1.2)."""
    return (amount_cents * bps + BPS_DENOMINATOR // 2) // BPS_DENOMINATOR


def format_cents(cents: int) -> str:
    """Integer cents -> dollars with two decimals; zero is always ``0.00``."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


def parse_day(text: str) -> int:
    """ISO ``YYYY-MM-DD`` -> days since 1970-01-01 (A-1.3)."""
    text = str(text).strip()
    if not _ISO_DATE.match(text):
        raise FormatError(f"not an ISO date YYYY-MM-DD: {_shown(text)}")
    try:
        day = _dt.date.fromisoformat(text)
    except ValueError:
        raise FormatError(f"not a calendar date: {text!r}") from None
    return (day - _EPOCH).days


def format_day(day: int) -> str:
    """Days since 1970-01-01 -> ISO date."""
    return (_EPOCH + _dt.timedelta(days=day)).isoformat()


def year_of(day: int) -> int:
    """The plan year of a date of service: its calendar year (A-1.3)."""
    return (_EPOCH + _dt.timedelta(days=day)).year
