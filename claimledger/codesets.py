"""Diagnosis code sets by date of service (A-10.1), and how a diagnosis goes on chain.

HIPAA names ICD-10-CM for services on or after 2015-10-01 and ICD-9-CM before. In
``claims.csv`` and in ``dx_prefixes`` an ICD-9-CM code carries the prefix ``ICD9:``
(``ICD9:034.0``); an ICD-10-CM code is written as it is (``J06.9``). On chain a code is
``bytes8``, ASCII left-aligned and zero-padded, and an ICD-9-CM code is ``#`` followed by the
code (``#034.0``): no ICD-10 code starts with ``#``, so the engine's bytewise prefix match
(A-4.7) never matches a code of one set with a prefix of the other (ICD-9 E-codes such as
``E849`` and ICD-10 chapter E codes such as ``E11`` share their first letter). The reference
model matches the same chain form, so both agree by construction.
"""
from __future__ import annotations

import enum
import re

from .money import parse_day

ICD9_PREFIX = "ICD9:"
CHAIN_ICD9_MARK = "#"
CHAIN_CODE_BYTES = 8
ICD10_START = parse_day("2015-10-01")  # the HIPAA compliance date of ICD-10-CM
ICD10_FORMAT = re.compile(r"^[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?$")
# ICD-9-CM diagnoses: 001-999 with up to two decimals, V01-V91 with up to two, E000-E999 with one
ICD9_FORMAT = re.compile(r"^(?:\d{3}(?:\.\d{1,2})?|V\d{2}(?:\.\d{1,2})?|E\d{3}(?:\.\d)?)$")
ICD10_PREFIX_FORMAT = re.compile(r"^[A-Z][0-9A-Z.]{0,7}$")
ICD9_PREFIX_FORMAT = re.compile(r"^[0-9VE][0-9.]{0,6}$")


class CodeSet(str, enum.Enum):
    ICD9 = "ICD-9-CM"
    ICD10 = "ICD-10-CM"


def code_set_of(code: str) -> CodeSet:
    """The code set a ``claims.csv`` / ``dx_prefixes`` code is written in."""
    return CodeSet.ICD9 if code.startswith(ICD9_PREFIX) else CodeSet.ICD10


def code_set_for(day: int) -> CodeSet:
    """The code set HIPAA requires for a date of service (days since 1970-01-01)."""
    return CodeSet.ICD10 if day >= ICD10_START else CodeSet.ICD9


def chain_text(code: str) -> str:
    """The ASCII that goes on chain for a diagnosis or a ``dx_prefixes`` entry."""
    if code.startswith(ICD9_PREFIX):
        return CHAIN_ICD9_MARK + code[len(ICD9_PREFIX):]
    return code


def diagnosis_bytes(code: str) -> bytes:
    """``bytes8`` of a diagnosis or a ``dx_prefixes`` entry: ASCII left-aligned, zero-padded,
    an ICD-9-CM code as ``#`` + code. Raises ValueError for more than 8 bytes."""
    raw = chain_text(code).encode("ascii")
    if len(raw) > CHAIN_CODE_BYTES:
        raise ValueError(f"diagnosis {code!r} is longer than {CHAIN_CODE_BYTES} bytes on chain")
    return raw.ljust(CHAIN_CODE_BYTES, b"\0")


def matches_prefix(code: str, prefix: str) -> bool:
    """A-4.7 for one diagnosis and one ``dx_prefixes`` entry: bytewise, as the engine does,
    so an ICD-9 code never matches an ICD-10 prefix and back (A-10.1)."""
    return chain_text(code).startswith(chain_text(prefix))


def diagnosis_error(code: str) -> str | None:
    """Why ``code`` is not a diagnosis as ``claims.csv`` writes it (R-4, A-10.1), or None."""
    if code.startswith(ICD9_PREFIX):
        if not ICD9_FORMAT.match(code[len(ICD9_PREFIX):]):
            return f"not an ICD-9-CM code: {code}"
        return None
    if not ICD10_FORMAT.match(code):
        return f"not an ICD-10 code: {code}"
    return None


def prefix_error(prefix: str) -> str | None:
    """Why ``prefix`` is not a ``dx_prefixes`` entry (ICD-10 or ``ICD9:`` + ICD-9), or None."""
    if prefix.startswith(ICD9_PREFIX):
        ok = ICD9_PREFIX_FORMAT.match(prefix[len(ICD9_PREFIX):])
    else:
        ok = ICD10_PREFIX_FORMAT.match(prefix)
    return None if ok else f"{prefix!r} is not an ICD-10 prefix nor ICD9: + an ICD-9-CM prefix"


def code_set_error(diagnoses: tuple[str, ...], service_days: list[int]) -> str | None:
    """A-10.1, R-18: every diagnosis of a claim is of the code set that every line's date of
    service requires. Returns the reason of the record error on ``diagnoses``, or None."""
    sets = {code_set_of(d) for d in diagnoses}
    if not sets or not service_days:
        return None
    if len(sets) > 1:
        return "ICD-9-CM and ICD-10-CM codes in one claim"
    required = {code_set_for(day) for day in service_days}
    if len(required) > 1:
        return ("service dates on both sides of 2015-10-01 in one claim: "
                "split it by code set (ICD-9-CM before, ICD-10-CM from that day)")
    (used,), (needed,) = sets, required
    if used != needed:
        first = diagnoses[0]
        return f"{first} is {used.value} but the date of service requires {needed.value}"
    return None


def to_claim_code(code_set: CodeSet, code: str) -> str:
    """A code read from X12/FHIR as ``claims.csv`` writes it (``ICD9:`` + code for ICD-9-CM)."""
    return ICD9_PREFIX + code if code_set == CodeSet.ICD9 else code


def dotted_icd9(code: str) -> str:
    """An ICD-9-CM code as X12 sends it (no dot) -> dotted: after the 3rd character, or the
    4th for E-codes (``0340`` -> ``034.0``, ``E8490`` -> ``E849.0``, ``V7231`` -> ``V72.31``)."""
    code = code.strip().upper()
    if "." in code:
        return code
    cut = 4 if code.startswith("E") else 3
    return code if len(code) <= cut else f"{code[:cut]}.{code[cut:]}"


def undotted(code: str) -> str:
    """A claims.csv diagnosis as X12 sends it: without the ``ICD9:`` prefix and the dot."""
    return code.removeprefix(ICD9_PREFIX).replace(".", "")
