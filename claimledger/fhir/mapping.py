"""One FHIR Claim -> ``claims.csv`` rows (A-2.5), with every gap reported at its FHIR path."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ..money import format_cents, format_day
from ..records import Reject
from ..roster import Roster
from ..scenario import MAX_LINES_PER_CLAIM, MAX_UNITS, ID_FORMAT, ID_RULE, NPI_FORMAT, parse_claim
from .common import CPT_SYSTEMS, HCPCS_SYSTEMS, MEMBER_ID_SYSTEM, NPI_SYSTEM, _CODE, _Gap
from .elements import (  # noqa: F401 - re-exported for the importer, exporters and synthea
    _cents, _codings, _date, _diagnoses, _money, _normalize_icd10,
)
from .reading import _Index, _claim_identifier

# claims.csv field -> where a FHIR Claim carries it (for the loader's own checks)
FIELD_PATHS = {
    "claim_id": "Claim.identifier", "frequency": "Claim.status", "original_claim_id": "Claim.related",
    "member_id": "Claim.patient", "provider_npi": "Claim.provider", "received_date": "Claim.created",
    "service_date": "Claim.item[*].serviced[x]", "procedure_code": "Claim.item[*].productOrService",
    "units": "Claim.item[*].quantity", "billed": "Claim.item[*].net", "diagnoses": "Claim.diagnosis",
}


# ---------------------------------------------------------------------------------------------
# Claim -> claims.csv rows


def _identifier_value(identifiers, system: str | None = None, type_code: str | None = None) -> str:
    for ident in identifiers or []:
        if not isinstance(ident, dict) or not ident.get("value"):
            continue
        if system is not None and ident.get("system") != system:
            continue
        if type_code is not None and type_code not in {c.get("code") for c in _codings(ident.get("type"))}:
            continue
        return str(ident["value"]).strip()
    return ""


def _member_id(resource: dict | None, ref_id: str) -> tuple[str, str | None]:
    """(member id, warning) from a Patient: its member identifier (type MB, or our system),
    else its first identifier, else the reference id."""
    if resource is not None:
        idents = resource.get("identifier")
        for finder in ({"system": MEMBER_ID_SYSTEM}, {"type_code": "MB"}, {}):
            value = _identifier_value(idents, **finder)
            if value:
                return value, None
        return ref_id, "the Patient has no identifier: its resource id is used as member id"
    return ref_id, None


def _procedure(item: dict, path: str) -> str:
    codings = _codings(item.get("productOrService"))
    if not codings:
        raise _Gap(f"{path}.productOrService.coding", "no coding (a CPT or HCPCS code is needed)")
    for k, c in enumerate(codings):
        if c.get("system") in CPT_SYSTEMS | HCPCS_SYSTEMS:
            code = str(c.get("code") or "").strip().upper()
            if not _CODE.match(code):
                raise _Gap(f"{path}.productOrService.coding[{k}].code",
                           f"{code!r} is not a CPT/HCPCS code (4-8 letters or digits)")
            return code
    found = ", ".join(f"{c.get('system') or '(no system)'}|{c.get('code')}" for c in codings)
    raise _Gap(f"{path}.productOrService.coding", f"no CPT or HCPCS coding (found {found})")


def _units(item: dict, path: str, warnings: list[tuple[str, str]]) -> int:
    quantity = item.get("quantity")
    if quantity is None:
        warnings.append((f"{path}.quantity", "no quantity: 1 unit assumed"))
        return 1
    if not isinstance(quantity, dict) or "value" not in quantity:
        raise _Gap(f"{path}.quantity.value", "quantity has no value")
    value = quantity["value"]
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _Gap(f"{path}.quantity.value", f"not a number: {value!r}") from None
    if number != number.to_integral_value():
        raise _Gap(f"{path}.quantity.value", f"units must be a whole number, got {value}")
    if not 1 <= number <= MAX_UNITS:
        raise _Gap(f"{path}.quantity.value", f"units must be 1..{MAX_UNITS}, got {value}")
    return int(number)


def _billed(item: dict, path: str, units_value, warnings: list[tuple[str, str]]) -> int:
    if item.get("net") is not None:
        cents = _money(item["net"], f"{path}.net")
        where = f"{path}.net.value"
    elif item.get("unitPrice") is not None:
        unit = _money(item["unitPrice"], f"{path}.unitPrice")
        cents = unit * units_value
        where = f"{path}.unitPrice.value"
        warnings.append((f"{path}.net", "no net: billed = unitPrice x quantity"))
    else:
        raise _Gap(f"{path}.net", "no amount (neither net nor unitPrice)")
    if cents <= 0:
        raise _Gap(where, "billed amount must be positive")
    return cents


def _correction(claim: dict, index: _Index, warnings: list[tuple[str, str]]) -> tuple[str, str]:
    """(frequency, original claim id) from Claim.status and Claim.related."""
    status = claim.get("status")
    related = [r for r in claim.get("related") or [] if isinstance(r, dict)]
    prior = None
    for k, r in enumerate(related):
        codes = {c.get("code") for c in _codings(r.get("relationship"))}
        if codes & {"prior", "replaces"}:
            prior = (k, r)
            break
    if status in ("cancelled", "entered-in-error"):
        target = prior or next(((k, r) for k, r in enumerate(related) if r.get("claim")), None)
        if target is None:
            raise _Gap("Claim.related", f"status {status!r} without Claim.related: nothing names the claim to void")
        frequency, (k, r) = "8", target
    elif status == "active":
        if prior is None:
            if related:
                warnings.append(("Claim.related", "related claims that are not 'prior' are not corrections: ignored"))
            return "1", ""
        frequency, (k, r) = "7", prior
    else:
        raise _Gap("Claim.status", f"status {status!r}: only active, cancelled or entered-in-error claims are adjudicated")
    ref = r.get("claim")
    path = f"Claim.related[{k}].claim"
    if not isinstance(ref, dict):
        raise _Gap(path, "the related claim is not named")
    original = str((ref.get("identifier") or {}).get("value") or "").strip()
    if not original and ref.get("reference"):
        resource, ref_id = index.resolve(ref["reference"], claim)
        original = _claim_identifier(resource) if resource else ref_id
    if not original:
        raise _Gap(path, "the related claim has no identifier")
    if not ID_FORMAT.match(original):
        raise _Gap(path, f"{original!r} is not a usable claim id ({ID_RULE})")
    return frequency, original


def _party(claim: dict, element: str, index: _Index) -> tuple[dict | None, str, str]:
    """(resolved resource, literal id, logical identifier value) of Claim.<element>."""
    ref = claim.get(element)
    if not isinstance(ref, dict):
        raise _Gap(f"Claim.{element}", "missing")
    reference = ref.get("reference")
    if reference:
        if index.is_invalid(reference):
            raise _Gap(f"Claim.{element}", f"{reference} failed validation (see its issues)")
        resource, ref_id = index.resolve(reference, claim)
        return resource, ref_id, ""
    ident = ref.get("identifier") if isinstance(ref.get("identifier"), dict) else {}
    return None, "", str(ident.get("value") or "").strip()


def _provider_npi(claim: dict, index: _Index) -> str:
    resource, ref_id, logical = _party(claim, "provider", index)
    ref = claim["provider"]
    if logical:
        if (ref.get("identifier") or {}).get("system") != NPI_SYSTEM:
            raise _Gap("Claim.provider.identifier.system", f"not an NPI (system {NPI_SYSTEM} expected)")
        npi = logical
    elif resource is not None:
        npi = _identifier_value(resource.get("identifier"), system=NPI_SYSTEM)
        if not npi:
            raise _Gap("Claim.provider", f"{resource.get('resourceType')}/{resource.get('id') or ref_id} "
                                         f"has no identifier with system {NPI_SYSTEM}")
    else:
        raise _Gap("Claim.provider", f"{ref.get('reference') or ref.get('display') or 'the provider'} is not in "
                                     "the input and the reference carries no NPI identifier")
    if not NPI_FORMAT.match(npi):
        raise _Gap("Claim.provider", f"NPI {npi!r} is not 10 digits")
    return npi


def _member(claim: dict, index: _Index, warnings: list[tuple[str, str]]) -> str:
    resource, ref_id, logical = _party(claim, "patient", index)
    if logical:
        member = logical
    else:
        if resource is None and not ref_id:
            raise _Gap("Claim.patient", "no reference and no identifier")
        if resource is None and claim["patient"].get("reference", "").startswith(("urn:uuid:", "#")):
            raise _Gap("Claim.patient", f"{claim['patient']['reference']} is not in the input")
        member, warning = _member_id(resource, ref_id)
        if warning:
            warnings.append(("Claim.patient", warning))
    if not ID_FORMAT.match(member):
        raise _Gap("Claim.patient", f"member id {member!r} is not usable ({ID_RULE})")
    return member


def _roster_member(claim: dict, index: _Index, roster: Roster) -> str:
    """A-10.3: the Coverage that Claim.insurance names (the focal one first) gives the subscriber
    id (``subscriberId``), the Patient its birth date and first given name; the roster gives
    the member."""
    insurance = [i for i in claim.get("insurance") or [] if isinstance(i, dict)]
    chosen = next((i for i in insurance if i.get("focal")), insurance[0] if insurance else None)
    path = f"Claim.insurance[{insurance.index(chosen)}].coverage" if chosen is not None else "Claim.insurance"
    reference = ((chosen or {}).get("coverage") or {}).get("reference")
    coverage = index.resolve(reference, claim)[0] if reference else None
    if coverage is None:
        raise _Gap(path, "no Coverage in the input: the roster needs its subscriberId (A-10.3)")
    subscriber_id = str(coverage.get("subscriberId") or "").strip()
    if not subscriber_id:
        raise _Gap(f"{path} -> Coverage.subscriberId", "no subscriberId: the roster needs it (A-10.3)")
    patient, _, _ = _party(claim, "patient", index)
    if patient is None:
        raise _Gap("Claim.patient", "the Patient is not in the input: the roster needs its birth date and name")
    born = _date(patient.get("birthDate"), "Claim.patient -> Patient.birthDate")
    given = next((g for n in patient.get("name") or [] if isinstance(n, dict) for g in n.get("given") or []), "")
    if not given:
        raise _Gap("Claim.patient -> Patient.name.given", "no given name: the roster needs it (A-10.3)")
    match = roster.find(subscriber_id, born, str(given))
    if match.member_id is None:
        raise _Gap("Claim.patient", match.reason)
    return match.member_id


class _Gaps(Exception):
    """Every mapping error of one claim."""

    def __init__(self, gaps: list[_Gap]):
        super().__init__("; ".join(str(g) for g in gaps))
        self.gaps = gaps


def claim_rows(claim: dict, index: _Index | None = None,
               roster: Roster | None = None) -> tuple[list[dict], list[tuple[str, str]]]:
    """Map one Claim resource (already valid FHIR) to claims.csv rows, with warnings.
    Raises :class:`_Gaps` with every part that cannot be mapped (the claim level, then each
    item's first gap)."""
    index = index or _Index([])
    warnings: list[tuple[str, str]] = []
    gaps: list[_Gap] = []

    def attempt(fn, *args):
        try:
            return fn(*args)
        except _Gap as gap:
            gaps.append(gap)
            return None

    claim_id = _claim_identifier(claim)
    if not claim_id:
        raise _Gaps([_Gap("Claim.identifier", "no identifier value and no id")])
    if not ID_FORMAT.match(claim_id):
        raise _Gaps([_Gap("Claim.identifier[0].value",
                          f"{claim_id!r} is not a usable claim id ({ID_RULE})")])
    if claim.get("use") != "claim":
        raise _Gaps([_Gap("Claim.use", f"use {claim.get('use')!r}: only 'claim' asks for payment")])
    correction = attempt(_correction, claim, index, warnings)
    if roster is not None:  # every patient is found in the enrollment roster
        member = attempt(_roster_member, claim, index, roster)
    else:
        member = attempt(_member, claim, index, warnings)
    npi = attempt(_provider_npi, claim, index)
    received = attempt(_date, claim.get("created"), "Claim.created")
    diagnoses = attempt(_diagnoses, claim, index, warnings)
    items = [i for i in claim.get("item") or [] if isinstance(i, dict)]
    if not items:
        gaps.append(_Gap("Claim.item", "no items: a claim needs at least one service line"))
    if len(items) > MAX_LINES_PER_CLAIM:
        raise _Gaps(gaps + [_Gap("Claim.item", f"{len(items)} items: at most {MAX_LINES_PER_CLAIM}")])
    billable_start = (claim.get("billablePeriod") or {}).get("start")
    lines, total = [], 0
    for k, item in enumerate(items):
        path = f"Claim.item[{k}]"

        def line(item=item, path=path):
            end = None
            if "servicedDate" in item:
                dos = _date(item["servicedDate"], f"{path}.servicedDate")
            elif "servicedPeriod" in item:  # the DOS is the period's first day
                period = item["servicedPeriod"] or {}
                dos = _date(period.get("start"), f"{path}.servicedPeriod.start")
                if period.get("end"):
                    end = _date(period["end"], f"{path}.servicedPeriod.end")
                    if end < dos:
                        raise _Gap(f"{path}.servicedPeriod.end", "the period ends before it starts")
                    if received is not None and end > received:
                        raise _Gap(f"{path}.servicedPeriod.end", "the last day of the service period is after "
                                                                 "the received date (Claim.created) (A-10.2)")
            elif billable_start:
                dos = _date(billable_start, "Claim.billablePeriod.start")
            else:
                raise _Gap(f"{path}.servicedDate",
                           "no date of service (nor servicedPeriod.start, nor Claim.billablePeriod.start)")
            code = _procedure(item, path)
            units = _units(item, path, warnings)
            return dos, code, units, _billed(item, path, units, warnings), end

        mapped = attempt(line)
        if mapped is None:
            continue
        lines.append(mapped)
        total += mapped[3]
        if item.get("modifier"):
            warnings.append((f"{path}.modifier", "modifiers are not adjudicated: ignored"))
        if item.get("detail"):
            warnings.append((f"{path}.detail", "detail lines are not adjudicated: the item is billed as a whole"))
        if "factor" in item:
            warnings.append((f"{path}.factor", "factor ignored: billed is the net amount"))
    if gaps:
        raise _Gaps(gaps)
    frequency, original = correction
    rows = [{
        "claim_id": claim_id, "frequency": frequency, "original_claim_id": original,
        "member_id": member, "provider_npi": npi, "received_date": _iso(received),
        "service_date": _iso(dos), "procedure_code": code, "units": str(units),
        "billed": format_cents(billed), "diagnoses": ";".join(diagnoses),
        "service_date_end": _iso(end) if end is not None and end != dos else "",
    } for dos, code, units, billed, end in lines]
    checked = parse_claim(rows)  # the loader's own record checks, at the FHIR path
    if isinstance(checked, Reject):
        raise _Gaps([_Gap(FIELD_PATHS.get(checked.field, "Claim"), checked.reason)])
    claim_total = claim.get("total")
    if isinstance(claim_total, dict) and "value" in claim_total:
        try:
            if _cents(claim_total["value"], "Claim.total.value") != total:
                warnings.append(("Claim.total", f"total {claim_total['value']} differs from the sum of the items "
                                                f"({format_cents(total)}): items are adjudicated"))
        except _Gap:
            warnings.append(("Claim.total", "total is not a usable amount: ignored"))
    return rows, warnings


def _iso(day: int) -> str:
    return format_day(day)
