"""Reading the values of a FHIR Claim: codings, dates, amounts, and its diagnoses by code set
(A-10.1: ICD-10-CM, ICD-10-CM under the WHO ICD-10 system with a warning, ICD-9-CM)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ..codesets import CodeSet, chain_text, diagnosis_error, dotted_icd9, to_claim_code
from ..money import FormatError, parse_day
from ..scenario import MAX_DIAGNOSES
from .common import ICD10_WHO_SYSTEM, ICD10CM_SYSTEM, ICD10CM_SYSTEMS, ICD9CM_SYSTEMS, _DATE_PREFIX, _Gap
from .reading import _Index


def _codings(concept) -> list[dict]:
    if not isinstance(concept, dict):
        return []
    return [c for c in concept.get("coding") or [] if isinstance(c, dict)]


def _date(value, path: str) -> int:
    """A FHIR date or dateTime -> days; the calendar date as written (no time-zone shift)."""
    if not isinstance(value, str):
        raise _Gap(path, "no date")
    match = _DATE_PREFIX.match(value.strip())
    if not match:
        raise _Gap(path, f"partial or malformed date {value!r}: a full YYYY-MM-DD is needed")
    try:
        return parse_day(match.group(1))
    except FormatError as exc:
        raise _Gap(path, str(exc)) from None


def _cents(value, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        raise _Gap(path, "no amount")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise _Gap(path, f"not a decimal amount: {value!r}") from None
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise _Gap(path, f"amount {value} has more than two decimals")
    return int(cents)


def _money(money, path: str) -> int:
    if not isinstance(money, dict) or "value" not in money:
        raise _Gap(f"{path}.value", "no amount")
    currency = money.get("currency")
    if currency not in (None, "USD"):
        raise _Gap(f"{path}.currency", f"currency {currency!r}: only USD can be adjudicated")
    return _cents(money["value"], f"{path}.value")


def _normalize_icd10(code: str) -> str:
    code = code.strip().upper()
    if "." not in code and len(code) > 3:
        code = f"{code[:3]}.{code[3:]}"
    return code


def _diagnosis_code(codings: list[dict], cpath: str, warnings: list[tuple[str, str]]) -> str:
    """The diagnosis of a CodeableConcept as claims.csv writes it: ICD-10-CM as is, ICD-9-CM as
    ``ICD9:<code>`` (A-10.1); an ICD-10-CM code under the WHO ICD-10 system, as real feeds send
    it, is taken with a warning."""
    for systems, code_set in ((ICD10CM_SYSTEMS, CodeSet.ICD10), (ICD9CM_SYSTEMS, CodeSet.ICD9),
                              ({ICD10_WHO_SYSTEM}, CodeSet.ICD10)):
        chosen = next((c for c in codings if c.get("system") in systems), None)
        if chosen is None:
            continue
        raw = str(chosen.get("code") or "")
        where = f"{cpath}[{codings.index(chosen)}].code"
        if code_set == CodeSet.ICD9:
            code = to_claim_code(CodeSet.ICD9, dotted_icd9(raw))
        else:
            code = _normalize_icd10(raw)
        if diagnosis_error(code) or len(chain_text(code)) > 8:
            raise _Gap(where, f"{raw!r} is not an {code_set.value} code")
        if chosen.get("system") == ICD10_WHO_SYSTEM:
            warnings.append((where, f"{raw} is coded in ICD-10 ({ICD10_WHO_SYSTEM}): taken as the ICD-10-CM code"))
        return code
    found = ", ".join(f"{c.get('system') or '(no system)'}|{c.get('code')}" for c in codings) or "none"
    raise _Gap(cpath, f"no ICD-10-CM coding (system {ICD10CM_SYSTEM}; found {found})")


def _diagnoses(claim: dict, index: _Index, warnings: list[tuple[str, str]]) -> list[str]:
    items = [d for d in claim.get("diagnosis") or [] if isinstance(d, dict)]
    if not items:
        raise _Gap("Claim.diagnosis", "no diagnosis (at least one ICD-10-CM code is needed)")
    order = sorted(range(len(items)), key=lambda k: (items[k].get("sequence") or 0, k))
    codes: list[str] = []
    for k in order:
        d, path = items[k], f"Claim.diagnosis[{k}]"
        if "diagnosisCodeableConcept" in d:
            codings, cpath = _codings(d["diagnosisCodeableConcept"]), f"{path}.diagnosisCodeableConcept.coding"
        else:
            ref = (d.get("diagnosisReference") or {}).get("reference", "")
            condition, _ = index.resolve(ref, claim) if ref else (None, "")
            if condition is None:
                raise _Gap(f"{path}.diagnosisReference", f"Condition {ref!r} is not in the input")
            codings, cpath = _codings(condition.get("code")), f"{path}.diagnosisReference -> Condition.code.coding"
        code = _diagnosis_code(codings, cpath, warnings)
        if code not in codes:
            codes.append(code)
    if len(codes) > MAX_DIAGNOSES:
        raise _Gap("Claim.diagnosis", f"{len(codes)} diagnoses: at most {MAX_DIAGNOSES}")
    return codes
