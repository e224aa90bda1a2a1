"""Helpers shared by the contract tests: exact revert strings, packed claims and plan calldata,
and reading the engine's events and views back. No rule arithmetic lives here: expected amounts
are written out in the tests, computed by hand from docs/ADJUDICATION.md."""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from claimledger import chain
from claimledger.events import LINE_STATUS, LineWords
from tests.conftest import NPI_IN, NPI_OUT, OPEN_ENDED, UNKEYED, claim, day  # noqa: F401 (re-exported)

ZERO32 = b"\0" * 32
ADMIN_ROLE = ZERO32  # AccessControl's DEFAULT_ADMIN_ROLE
CENT = 10_000  # settlement-token units per cent
YEAR = 2026

# examples/basic providers (all but NPI_OUT in network)
NPI_IMAGING = 1659478212
NPI_ORTHO = 1982734650
NPI_UNKNOWN = 1111111111  # 10 digits, never registered


class Status(IntEnum):
    """IClaimTypes.LineStatus."""

    NONE = 0
    APPROVED = 1
    DENIED = 2
    PENDED = 3
    REVERSED = 4


class State(IntEnum):
    """IClaimTypes.ClaimState."""

    NONE = 0
    ACTIVE = 1
    REVERSED = 2
    VOID = 3


class Reason(IntEnum):
    """IClaimTypes.RejectReason (A-3)."""

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
    OTHER_PAYER_INVALID = 20
    RECEIVED_DATE_OUT_OF_RANGE = 21


class Lookup(IntEnum):
    """IClaimTypes.Lookup (R-5)."""

    NONE = 0
    EXHAUSTED = 1
    FOUND = 2


class Appeal(IntEnum):
    """IClaimTypes.AppealState (R-13)."""

    NONE = 0
    OPEN = 1
    UPHELD = 2
    OVERTURNED = 3


# ------------------------------------------------------------------------------ encodings


def cid(text: str) -> bytes:
    """The on-chain id (keccak) of a claim, member, family, plan or authorization id."""
    return chain.to_id(text)


def b8(text: str) -> bytes:
    return chain.to_bytes8(text)


def b16(text: str) -> bytes:
    return chain.to_bytes16(text)


def text8(raw) -> str:
    """A bytes8 code (CARC, procedure code) as text."""
    return bytes(raw).rstrip(b"\0").decode()


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


def replacement(claim_id, original, **kw) -> bytes:
    return claim(claim_id, frequency=7, original=original, **kw)


def void(claim_id, original, **kw) -> bytes:
    return claim(claim_id, frequency=8, original=original, **kw)


def key_of(packed: bytes) -> bytes:
    """The claim id key a packed claim starts with."""
    return bytes(packed[:32])


def _named_original(packed: bytes) -> bytes | None:
    """The key of the claim a packed correction names (flags bit 0), else None."""
    return bytes(packed[80:112]) if packed[77] & 1 else None


def submit(engine, biller, *claims):
    """One claim through submitClaim, several through submitClaims; corrections carry the
    content of the claim they name (R-17), from the call itself or as recorded on chain."""
    originals = originals_for(engine, *claims)
    if len(claims) == 1:
        return engine.submitClaim(claims[0], originals, {"from": biller})
    return engine.submitClaims(b"".join(claims), originals, {"from": biller})


def originals_for(engine, *claims) -> bytes:
    """The packed ``originals`` a submission of ``claims`` carries (R-17): the content of each
    claim their corrections name, taken from the claims themselves, else read back from the
    chain (as claimledger's replay and review commands do)."""
    in_call = {key_of(c): c for c in claims}
    named = [k for k in dict.fromkeys(_named_original(c) for c in claims if c[76] != 1) if k is not None]
    found = [in_call.get(k) or recorded_by_key(engine, k) for k in named]
    return b"".join(f for f in found if f is not None)


def recorded(engine, claim_id: str) -> bytes:
    """The claim recorded under ``claim_id``, read back from the transaction that submitted it."""
    found = recorded_by_key(engine, cid(claim_id))
    assert found is not None, f"{claim_id} was never recorded"
    return found


def recorded_by_key(engine, key: bytes) -> bytes | None:
    from brownie import web3

    from claimledger.recorded import recorded_claim

    return recorded_claim(chain.Deployment(web3, {"ClaimsEngine": engine.address}, pseudonyms=UNKEYED), key)


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


@dataclass(frozen=True)
class Outcome:
    """One line of a line-carrying event: the claim it belongs to and its words unpacked."""

    claim: bytes
    words: LineWords

    def __getattr__(self, name):
        return getattr(self.words, name)


def _pairs(values) -> list:
    return [(values[i], values[i + 1]) for i in range(0, len(values), 2)]


def outcomes(tx) -> list[Outcome]:
    """Every line outcome the transaction reports, in log order: the lines of each
    ClaimAccepted, and each LineAdjudicated (review and appeal decisions)."""
    out = []
    for e in tx.events:
        if e.name == "ClaimAccepted":
            out += [Outcome(bytes(e["claimId"]), LineWords.unpack(a, b)) for a, b in _pairs(e["lines"])]
        elif e.name == "LineAdjudicated":
            out.append(Outcome(bytes(e["claimId"]), LineWords.unpack(e["line"], e["amounts"])))
    return out


def reversals(tx) -> list[Outcome]:
    """The lines every ClaimReversed of the transaction takes back, as they were."""
    return [Outcome(bytes(e["claimId"]), LineWords.unpack(a, b))
            for e in events(tx, "ClaimReversed") for a, b in _pairs(e["lines"])]


def outcome(tx) -> Outcome:
    """The single line outcome of a transaction."""
    found = outcomes(tx)
    assert len(found) == 1, f"expected one line outcome, got {len(found)}: {names(tx)}"
    return found[0]


def statuses(tx) -> list[Status]:
    return [status_of(o) for o in outcomes(tx)]


def status_of(o: Outcome) -> Status:
    return Status(next(k for k, v in LINE_STATUS.items() if v == o.words.status))


def assert_line(o: Outcome, claim_id: str, number: int, status: Status, *, code: str = "", billed=None,
                allowed=0, deductible=0, copay=0, coinsurance=0, paid=None, plan_version=None):
    """Checks every field of a line's event words. The words must agree with themselves:
    CO-45 = billed - allowed and patient = deductible + copay + coinsurance = allowed - paid
    (a check of the encoding; the expected figures come from the test)."""
    w = o.words
    assert o.claim == cid(claim_id), f"line of another claim than {claim_id}"
    assert w.number == number
    assert status_of(o) == status, f"status {status_of(o)!r} != {status!r} (carc {w.carc!r})"
    assert w.carc == code
    if billed is not None:
        assert w.billed == billed
    assert (w.allowed, w.deductible, w.copay, w.coinsurance) == (allowed, deductible, copay, coinsurance)
    if paid is not None:
        assert w.paid == paid
    if status == Status.APPROVED:
        assert w.co45 == w.billed - w.allowed
        assert w.patient == w.deductible + w.copay + w.coinsurance == w.allowed - w.paid
    else:
        assert (w.co45, w.paid, w.patient) == (0, 0, 0)
    if plan_version is not None:
        assert w.plan_version == plan_version


def _single(tx_or_outcome) -> Outcome:
    return outcome(tx_or_outcome) if hasattr(tx_or_outcome, "events") else tx_or_outcome


def assert_denied(tx_or_outcome, claim_id: str, code: str, billed: int, number: int = 1):
    """A-4: a denied line has allowed = member share = paid = 0 and its CARC."""
    assert_line(_single(tx_or_outcome), claim_id, number, Status.DENIED, code=code, billed=billed)


def assert_approved(tx_or_outcome, claim_id: str, *, billed: int, allowed: int, deductible=0, copay=0,
                    coinsurance=0, paid=None, number: int = 1):
    assert_line(_single(tx_or_outcome), claim_id, number, Status.APPROVED, billed=billed, allowed=allowed,
                deductible=deductible, copay=copay, coinsurance=coinsurance, paid=paid)


def carcs(tx) -> list[str]:
    return [o.carc for o in outcomes(tx)]


# ------------------------------------------------------------------------------ state reads


def accumulators(engine, member: str, year: int = YEAR):
    """((deductibleMet, oopMet) of the member, (deductibleMet, oopMet) of its family) in cents."""
    ind, fam = engine.accumulators(cid(member), year)
    return tuple(ind), tuple(fam)


def auth_used(engine, auth_id: str) -> int:
    return engine.authorization(cid(auth_id))[5]


def account(engine, npi: int) -> tuple:
    """(accrued, recouped, paidOut) in token units."""
    return tuple(engine.account(npi))


def pending(engine) -> set[tuple[bytes, int]]:
    """The review queue as a set of (claimId, line) (its order is checked on its own)."""
    return {(bytes(c), n) for c, n in pending_in_order(engine)}


def pending_in_order(engine, page: int = 2) -> list[tuple[bytes, int]]:
    """Every pending line in the order it was pended, read two at a time (to cross pages)."""
    out, cursor = [], 0
    while True:
        refs, cursor = engine.pendingPage(cursor, page)
        out += [(bytes(c), n) for c, n in refs]
        if cursor == 0:
            return out


def line_record(engine, packed: bytes, number: int = 1) -> tuple:
    return tuple(engine.lineOf(packed, number))


def line_status(engine, packed: bytes, number: int = 1) -> int:
    return engine.lineOf(packed, number)[0]


def is_paused(engine) -> bool:
    """Pausable.paused() of the engine (a view IClaimsEngine does not declare)."""
    from brownie import web3

    from claimledger.codec import keccak

    return int.from_bytes(web3.eth.call({"to": engine.address, "data": keccak(text="paused()")[:4]}), "big") == 1


def claim_state(engine, claim_id: str) -> int:
    return engine.claim(cid(claim_id))[0]


# ------------------------------------------------------------------------------ plans and reference data

TERM_FIELDS = ("deductibleIndividual", "deductibleFamily", "oopMaxIndividual", "oopMaxFamily",
               "coinsuranceBps", "outOfNetworkCoinsuranceBps", "outOfNetworkCovered",
               "timelyFilingDays", "hasPendThreshold", "pendAbove", "nonDuplication")
TERM_DEFAULTS = dict(zip(TERM_FIELDS, (500_00, 1000_00, 2000_00, 4000_00, 2000, 4000, True, 180, False, 0, False)))


def terms(**overrides) -> tuple:
    """An IClaimTypes.PlanTerms tuple (GOLD-like defaults, no pend threshold)."""
    unknown = set(overrides) - set(TERM_FIELDS)
    assert not unknown, unknown
    values = {**TERM_DEFAULTS, **overrides}
    return tuple(values[f] for f in TERM_FIELDS)


def fee(allowed: int, category="office_visit", *, prior_auth=False, review=False, max_units_per_day=0,
        annual_limit=0, dx=(), listed=True) -> tuple:
    """An IClaimTypes.FeeEntry tuple; allowed in cents per unit."""
    return (listed, allowed, b16(category) if isinstance(category, str) else category, prior_auth, review,
            max_units_per_day, annual_limit, [b8(p) for p in dx])


def create_plan(engine, manager, plan_id: str, *, effective_from=0, plan_terms=None, fees=None,
                copays=None, seal=True, content_hash=b"\x11" * 32) -> int:
    """Creates (and by default seals) a plan version; returns its 1-based number."""
    pid = cid(plan_id)
    engine.createPlanVersion(pid, plan_id, effective_from, plan_terms or terms(), {"from": manager})
    version = engine.versionCount(pid)
    if copays:
        cats = list(copays)
        engine.setCopays(pid, version, [b16(c) for c in cats], [copays[c] for c in cats], {"from": manager})
    if fees:
        codes = list(fees)
        engine.setFees(pid, version, [b8(c) for c in codes], [fees[c] for c in codes], {"from": manager})
    if seal:
        engine.sealPlanVersion(pid, version, content_hash, {"from": manager})
    return version


def member_record(family: str, plan_id: str, start: str | int, end: str | int | None = None) -> tuple:
    """An IClaimTypes.Member tuple."""
    s = day(start) if isinstance(start, str) else start
    e = OPEN_ENDED if end is None else (day(end) if isinstance(end, str) else end)
    return (True, cid(family), cid(plan_id), s, e)


def enroll(engine, manager, member_id: str, family: str, plan_id: str, start="2026-01-01", end=None):
    return engine.enroll([cid(member_id)], [member_record(family, plan_id, start, end)], {"from": manager})


def authorization(member: str, code: str, units: int, start: str, end: str) -> tuple:
    """An IClaimTypes.Authorization tuple (used = 0)."""
    return (cid(member), b8(code), day(start), day(end), units, 0)


def grant(engine, manager, auth_id: str, member: str, code: str, units: int, start: str, end: str):
    return engine.grantAuthorizations([cid(auth_id)], [authorization(member, code, units, start, end)],
                                      {"from": manager})


def register(engine, manager, npi: int, payee, in_network=True):
    return engine.registerProviders([npi], [(True, in_network, payee)], {"from": manager})
