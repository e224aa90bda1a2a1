"""Helpers shared by the contract tests: exact revert strings, claim and plan calldata, and
reading the engine's events back. No rule arithmetic lives here: expected amounts are
written out in the tests, computed by hand from docs/ADJUDICATION.md."""
from __future__ import annotations

from enum import IntEnum

from claimledger import chain
from tests.conftest import NPI_IN, NPI_OUT, OPEN_ENDED, carc, claim, day  # noqa: F401 (re-exported)

ZERO32 = b"\0" * 32
ADMIN_ROLE = ZERO32  # AccessControl's DEFAULT_ADMIN_ROLE
CENT = 10_000  # settlement-token units per cent
YEAR = 2026

# examples/basic providers (all but NPI_OUT in network)
NPI_IMAGING = 1659478212
NPI_ORTHO = 1982734650
NPI_UNKNOWN = 1111111111  # 10 digits, never registered

# examples/basic families
FAMILY = {"M100": "S100", "M101": "S100", "M102": "S100", "M200": "S200", "M300": "S300"}  # M102: added by tests


class Status(IntEnum):
    """IClaimsEngine.LineStatus."""

    NONE = 0
    APPROVED = 1
    DENIED = 2
    PENDED = 3
    REVERSED = 4


class State(IntEnum):
    """IClaimsEngine.ClaimState."""

    NONE = 0
    ACTIVE = 1
    REVERSED = 2
    VOID = 3


class Reason(IntEnum):
    """IClaimsEngine.RejectReason (A-3)."""

    NONE = 0
    BAD_FREQUENCY = 1
    NO_LINES = 2
    TOO_MANY_LINES = 3
    TOO_MANY_DIAGNOSES = 4
    UNITS_NOT_POSITIVE = 5
    BILLED_NOT_POSITIVE = 6
    SERVICE_AFTER_RECEIVED = 7
    ORIGINAL_MISSING = 8
    ORIGINAL_GIVEN = 9
    REUSED_CLAIM_ID = 10
    ORIGINAL_UNKNOWN = 11
    ORIGINAL_REVERSED = 12
    ORIGINAL_IS_VOID = 13
    OTHER_MEMBER = 14
    OTHER_PROVIDER = 15
    NO_DIAGNOSES = 16
    TOO_MANY_UNITS = 17
    BILLED_TOO_LARGE = 18
    ORIGINAL_NOT_SUPPLIED = 19


class Lookup(IntEnum):
    """IAuthorizationRegistry.Lookup (R-5)."""

    NONE = 0
    EXHAUSTED = 1
    FOUND = 2


# ------------------------------------------------------------------------------ encodings


def cid(text: str) -> bytes:
    """The on-chain id (keccak) of a claim, member, family, plan or authorization id."""
    return chain.to_id(text)


def b8(text: str) -> bytes:
    return chain.to_bytes8(text)


def b16(text: str) -> bytes:
    return chain.to_bytes16(text)


# ------------------------------------------------------------------------------ reverts


def _fmt(value) -> str:
    if isinstance(value, (bytes, bytearray)):
        return str(bytes(value))
    if hasattr(value, "address"):  # brownie Account or Contract
        return value.address.lower()
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return value.lower()
    if isinstance(value, IntEnum):
        return str(int(value))
    return str(value)


def err(name: str, *args) -> str:
    """The revert message brownie 1.22 decodes a custom error to: ``Name: arg1, arg2`` with
    bytesN as Python bytes literals, addresses lower-case, enums as integers."""
    return f"{name}: {', '.join(_fmt(a) for a in args)}"


def role_id(name: str) -> bytes:
    return ADMIN_ROLE if name == "DEFAULT_ADMIN" else chain.ROLES[name]


def unauthorized(account, role_name: str) -> str:
    """OpenZeppelin 5 AccessControlUnauthorizedAccount(account, role)."""
    return err("AccessControlUnauthorizedAccount", account, role_id(role_name))


def rejected(claim_id: str, reason: Reason) -> str:
    return err("ClaimRejected", cid(claim_id), reason)


# ------------------------------------------------------------------------------ claims


def make_claim(claim_id="CX1", lines=None, **kw) -> tuple:
    """conftest.claim, but an explicit empty `lines` list stays empty (A-3 "no lines")."""
    if lines is not None and len(lines) == 0:
        c = list(claim(claim_id, **kw))
        c[7] = []
        return tuple(c)
    return claim(claim_id, lines=lines, **kw)


def replacement(claim_id, original, **kw) -> tuple:
    return claim(claim_id, frequency=7, original=original, **kw)


def void(claim_id, original, **kw) -> tuple:
    return claim(claim_id, frequency=8, original=original, **kw)


def submit(engine, biller, *claims):
    """One claim through submitClaim, several through submitClaims; replacements and voids
    carry the content of the claim they name (R-17)."""
    originals = originals_for(engine, *claims)
    if len(claims) == 1:
        return engine.submitClaim(claims[0], originals, {"from": biller})
    return engine.submitClaims(list(claims), originals, {"from": biller})


def originals_for(engine, *claims) -> list:
    """The ``originals`` a submission of ``claims`` carries (R-17): the content of each claim
    their corrections name, from the claims themselves, else as recorded on chain."""
    named = {bytes(c[2]) for c in claims if c[1] != 1 and any(c[2])}
    in_call = {bytes(c[0]): c for c in claims}
    originals = [in_call[k] if k in in_call else recorded_by_key(engine, k) for k in sorted(named)]
    return [o for o in originals if o is not None]


def recorded(engine, claim_id: str) -> tuple:
    """The claim recorded under ``claim_id``, read back from the chain as the review commands
    do (reviews and appeals supply it again: R-13, R-17)."""
    found = recorded_by_key(engine, cid(claim_id))
    assert found is not None, f"{claim_id} was never recorded"
    return found


def recorded_by_key(engine, key: bytes) -> tuple | None:
    from brownie import web3

    return chain.recorded_claim_input(chain.Deployment(web3, {"ClaimsEngine": engine.address}), key)


# ------------------------------------------------------------------------------ events


def names(tx) -> list[str]:
    """Event names of a transaction in log order (all contracts)."""
    return [e.name for e in tx.events]


def events(tx, name: str) -> list:
    return list(tx.events[name]) if name in tx.events else []


def only(tx, name: str):
    found = events(tx, name)
    assert len(found) == 1, f"expected one {name}, got {len(found)}: {names(tx)}"
    return found[0]


def lines(tx) -> list:
    return events(tx, "LineAdjudicated")


def line_of(tx):
    """The single LineAdjudicated event of a transaction."""
    return only(tx, "LineAdjudicated")


def assert_line(ev, claim_id: str, number: int, status: Status, *, code: str = "", billed=None,
                allowed=0, deductible=0, copay=0, coinsurance=0, plan_version=None):
    """Checks every field of a LineAdjudicated event (or LineReversed, minus status)."""
    assert bytes(ev["claimId"]) == cid(claim_id)
    assert ev["line"] == number
    if "status" in ev:
        assert ev["status"] == status, f"status {ev['status']} != {status!r} (carc {carc(ev)!r})"
    assert carc(ev) == code
    if billed is not None:
        assert ev["billed"] == billed
    assert (ev["allowed"], ev["deductible"], ev["copay"], ev["coinsurance"]) == (
        allowed, deductible, copay, coinsurance)
    if plan_version is not None:
        assert ev["planVersion"] == plan_version


def assert_denied(tx_or_event, claim_id: str, code: str, billed: int, number: int = 1):
    """A-4: a denied line has allowed = member share = paid = 0 and its CARC."""
    ev = line_of(tx_or_event) if hasattr(tx_or_event, "events") else tx_or_event
    assert_line(ev, claim_id, number, Status.DENIED, code=code, billed=billed)


def assert_approved(tx_or_event, claim_id: str, *, billed: int, allowed: int, deductible=0, copay=0,
                    coinsurance=0, number: int = 1):
    ev = line_of(tx_or_event) if hasattr(tx_or_event, "events") else tx_or_event
    assert_line(ev, claim_id, number, Status.APPROVED, billed=billed, allowed=allowed,
                deductible=deductible, copay=copay, coinsurance=coinsurance)


def accrued(tx) -> list[tuple[int, bytes, int]]:
    """(npi, claimId, amount) of every Accrued event."""
    return [(e["npi"], bytes(e["claimId"]), e["amount"]) for e in events(tx, "Accrued")]


def recouped(tx) -> list[tuple[int, bytes, int]]:
    return [(e["npi"], bytes(e["claimId"]), e["amount"]) for e in events(tx, "Recouped")]


# ------------------------------------------------------------------------------ state reads


def accumulators(members, member: str, year: int = YEAR, family: str | None = None):
    """((deductibleMet, oopMet) individual, (deductibleMet, oopMet) family) in cents."""
    ind, fam = members.accumulators(cid(member), cid(family or FAMILY[member]), year)
    return tuple(ind), tuple(fam)


def auth_used(authorizations, auth_id: str) -> int:
    return authorizations.authorization(cid(auth_id))[5]


def pending(engine) -> set[tuple[bytes, int]]:
    """The review queue as a set of (claimId, line) (its order is not part of the spec)."""
    return {(bytes(c), n) for c, n in pending_in_order(engine)}


def pending_in_order(engine, page: int = 2) -> list[tuple[bytes, int]]:
    """Every pending line in the order it was pended, read two at a time (to cross pages)."""
    out, cursor = [], 0
    while True:
        refs, cursor = engine.pendingPage(cursor, page)
        out += [(bytes(c), n) for c, n in refs]
        if cursor == 0:
            return out


def line_status(engine, claim_id: str, number: int = 1) -> int:
    return engine.line(cid(claim_id), number)[0]


def claim_state(engine, claim_id: str) -> int:
    return engine.claim(cid(claim_id))[0]


# ------------------------------------------------------------------------------ plans

TERM_FIELDS = ("deductibleIndividual", "deductibleFamily", "oopMaxIndividual", "oopMaxFamily",
               "coinsuranceBps", "outOfNetworkCoinsuranceBps", "outOfNetworkCovered",
               "timelyFilingDays", "hasPendThreshold", "pendAbove")
TERM_DEFAULTS = dict(zip(TERM_FIELDS, (500_00, 1000_00, 2000_00, 4000_00, 2000, 4000, True, 180, False, 0)))


def terms(**overrides) -> tuple:
    """An IPlanRegistry.PlanTerms tuple (GOLD-like defaults)."""
    unknown = set(overrides) - set(TERM_FIELDS)
    assert not unknown, unknown
    values = {**TERM_DEFAULTS, **overrides}
    return tuple(values[f] for f in TERM_FIELDS)


def fee(allowed: int, category="office_visit", *, prior_auth=False, review=False, max_units_per_day=0,
        annual_limit=0, dx=(), listed=True) -> tuple:
    """An IPlanRegistry.FeeEntry tuple; allowed in cents per unit."""
    return (listed, allowed, b16(category) if isinstance(category, str) else category, prior_auth, review,
            max_units_per_day, annual_limit, [b8(p) for p in dx])


def create_plan(plans, manager, plan_id: str, *, effective_from=0, plan_terms=None, fees=None,
                copays=None, seal=True, content_hash=b"\x11" * 32) -> int:
    """Creates (and by default seals) a plan version; returns its 1-based number."""
    pid = cid(plan_id)
    plans.createVersion(pid, plan_id, effective_from, plan_terms or terms(), {"from": manager})
    version = plans.versionCount(pid)
    if copays:
        cats = list(copays)
        plans.setCopays(pid, version, [b16(c) for c in cats], [copays[c] for c in cats], {"from": manager})
    if fees:
        codes = list(fees)
        plans.setFees(pid, version, [b8(c) for c in codes], [fees[c] for c in codes], {"from": manager})
    if seal:
        plans.sealVersion(pid, version, content_hash, {"from": manager})
    return version


def member_record(family: str, plan_id: str, start: str | int, end: str | int | None = None) -> tuple:
    """An IMemberRegistry.Member tuple."""
    s = day(start) if isinstance(start, str) else start
    e = OPEN_ENDED if end is None else (day(end) if isinstance(end, str) else end)
    return (True, cid(family), cid(plan_id), s, e)


def enroll(members, manager, member_id: str, family: str, plan_id: str, start="2026-01-01", end=None):
    return members.enroll([cid(member_id)], [member_record(family, plan_id, start, end)], {"from": manager})


def authorization(member: str, code: str, units: int, start: str, end: str) -> tuple:
    """An IAuthorizationRegistry.Authorization tuple (used = 0)."""
    return (cid(member), b8(code), day(start), day(end), units, 0)
