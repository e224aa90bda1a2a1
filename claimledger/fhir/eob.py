""":func:`export_eob`: a run's results (A-9) -> ExplanationOfBenefit resources."""
from __future__ import annotations

import csv
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from ..records import Claim as ScenarioClaim
from ..scenario import CLAIMS_FILE, MEMBERS_FILE, ScenarioError, iter_claim_rows, parse_claim
from .claims_export import ExportReport, _read_reference_csv
from .common import (
    ADJUDICATION, C4BB_ADJUDICATION, C4BB_DISCRIMINATOR, CARC_SYSTEM, CLAIM_ID_SYSTEM, CLAIM_TYPE,
    MEMBER_ID_SYSTEM, NPI_SYSTEM, PAYMENT_ADJUSTMENT, PAYMENT_TYPE, PLAN_ID_SYSTEM, diagnosis_coding, serviced,
    RELATED_CLAIM, _BundleWriter, _DATE_PREFIX, _Gap, _dec, _procedure_coding, _uuid,
)
from .mapping import _cents, _iso


# ---------------------------------------------------------------------------------------------
# export_eob

_RESULT_AMOUNTS = ("allowed", "deductible", "copay", "coinsurance", "paid", "patient")


def _scenario_of_run(run_dir: Path, scenario_dir) -> Path:
    from ..scenario import scenario_of_run

    if scenario_dir is not None:
        return Path(scenario_dir)
    found = scenario_of_run(run_dir)
    if found is not None:
        return found
    raise ScenarioError(f"{run_dir}: no deployments.json naming the scenario (pass scenario_dir)")


def _read_results(path: Path) -> list[dict]:
    if not path.is_file():
        raise ScenarioError(f"{path.parent}: no {path.name} (not a run directory)")
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = {"claim_id", "line", "status", *_RESULT_AMOUNTS, "adjustments"} - set(reader.fieldnames or [])
        if missing:
            raise ScenarioError(f"{path.name}: missing column(s) {', '.join(sorted(missing))}")
        rows = []
        for r in reader:
            try:
                r["line"] = int(r["line"])
                for c in _RESULT_AMOUNTS:
                    r[c] = _cents(r[c], c)
            except (ValueError, _Gap):
                raise ScenarioError(f"{path.name}: malformed row for claim {r.get('claim_id')!r}") from None
            r["adjustments"] = _parse_adjustments(r.get("adjustments") or "")
            rows.append(r)
        return rows


def _parse_adjustments(text: str) -> list[tuple[str, str, int]]:
    out = []
    for part in filter(None, text.split(";")):
        head, _, amount = part.partition(":")
        group, _, code = head.partition("-")
        out.append((group, code, _cents(amount, "adjustments")))
    return out


def _adjudication(category: str, cents: int | None = None, carc: str | None = None,
                  system: str = ADJUDICATION) -> dict:
    entry: dict = {"category": {"coding": [{"system": system, "code": category}]}}
    if carc:
        entry["reason"] = {"coding": [{"system": CARC_SYSTEM, "code": carc}]}
    if cents is not None:
        entry["amount"] = {"value": _dec(cents), "currency": "USD"}
    return entry


def _line_adjudication(row: dict, billed: int) -> list[dict]:
    status = row["status"]
    out = [_adjudication("submitted", billed)]
    if status == "PENDED":
        return out
    if status == "DENIED":
        carc = next((code for group, code, _ in row["adjustments"] if group == "CO"), "")
        out.append(_adjudication("eligible", 0))
        out.append(_adjudication("denialreason", billed, carc, C4BB_DISCRIMINATOR))
        out.append(_adjudication("benefit", 0))
        return out
    out.append(_adjudication("eligible", row["allowed"]))
    for group, code, amount in row["adjustments"]:
        if group == "CO":
            out.append(_adjudication("discount", amount, code, C4BB_ADJUDICATION))
        elif (group, code) == ("OA", "23"):  # the prior payer's amount of a line paid second
            out.append(_adjudication("priorpayerpaid", amount, code, C4BB_ADJUDICATION))
    by_code = {code: amount for group, code, amount in row["adjustments"] if group == "PR"}
    out.append(_adjudication("deductible", row["deductible"], "1" if by_code.get("1") else None))
    out.append(_adjudication("copay", row["copay"], "3" if by_code.get("3") else None))
    out.append(_adjudication("coinsurance", row["coinsurance"], "2" if by_code.get("2") else None, C4BB_ADJUDICATION))
    out.append(_adjudication("benefit", row["paid"]))
    out.append(_adjudication("memberliability", row["patient"], None, C4BB_ADJUDICATION))
    return out


def _first_occurrences(scenario_dir: Path) -> tuple[dict[str, list[list[dict]]], dict[str, list[str]]]:
    """claim_id -> the row groups submitted under it, in file order; original -> correctors."""
    occurrences: dict[str, list[list[dict]]] = defaultdict(list)
    correctors: dict[str, list[str]] = defaultdict(list)
    for rows in iter_claim_rows(scenario_dir / CLAIMS_FILE):
        rows = [{k: str(v).strip() for k, v in r.items()} for r in rows]
        cid = rows[0].get("claim_id", "")
        occurrences[cid].append(rows)
        if rows[0].get("frequency") in ("7", "8") and rows[0].get("original_claim_id"):
            if cid not in correctors[rows[0]["original_claim_id"]]:
                correctors[rows[0]["original_claim_id"]].append(cid)
    return occurrences, correctors


def _adjudicated_occurrence(groups: list[list[dict]], n_lines: int) -> ScenarioClaim | None:
    parsed = [p for p in (parse_claim(g) for g in groups) if isinstance(p, ScenarioClaim)]
    for p in parsed:
        if len(p.lines) == n_lines:
            return p
    return parsed[0] if parsed else None


def export_eob(run_dir, out_path, scenario_dir=None) -> ExportReport:
    """One ExplanationOfBenefit per claim of a run, in a ``collection`` Bundle at ``out_path``.

    Adjudicated claims (``results.csv``) get ``outcome`` complete (or partial when a line is
    pended), item adjudications (submitted, eligible, CO-45 as discount, deductible, copay,
    coinsurance, benefit, member liability; a denial as ``denialreason`` with its CARC) and
    totals. A claim whose lines were all reversed by a later void or replacement keeps its
    adjudication but has ``status: cancelled`` and a payment adjustment that takes its payment
    back. A rejected claim (``rejects.csv``) gets ``outcome: error`` with the reason as a
    process note. Every EOB is validated with fhir.resources before it is written."""
    run_dir, out_path = Path(run_dir), Path(out_path)
    results = _read_results(run_dir / "results.csv")
    rejects = _read_reference_csv(run_dir / "rejects.csv")
    scenario = _scenario_of_run(run_dir, scenario_dir)
    if not (scenario / CLAIMS_FILE).is_file():
        raise ScenarioError(f"{scenario}: no {CLAIMS_FILE} (the run's scenario is gone)")
    occurrences, correctors = _first_occurrences(scenario)
    plans = {m.get("member_id"): m.get("plan_id", "") for m in _read_reference_csv(scenario / MEMBERS_FILE)}
    by_claim: dict[str, dict] = {}
    for r in results:
        entry = by_claim.setdefault(r["claim_id"], {"rows": [], "reversed": set()})
        if r["status"] == "REVERSED":
            entry["reversed"].add(r["line"])
        else:
            entry["rows"].append(r)
    rejected_ids = {r.get("claim_id", "") for r in rejects}
    report = ExportReport(out_path)
    with _BundleWriter(out_path) as bundle:
        for cid, entry in by_claim.items():
            if not entry["rows"]:
                continue  # only REVERSED rows: cannot happen for a run written by claimledger
            claim = _adjudicated_occurrence(occurrences.get(cid, []), len(entry["rows"]))
            if claim is None:
                raise ScenarioError(f"{CLAIMS_FILE}: claim {cid} of results.csv is not in {scenario}")
            fixers = [c for c in correctors.get(cid, []) if c in by_claim or c not in rejected_ids]
            eob = _eob(claim, entry["rows"], entry["reversed"], plans.get(claim.member_id, ""), fixers)
            bundle.add(f"urn:uuid:{eob['id']}", eob)
            report.claims += 1
            key = f"{eob['status']}/{eob['outcome']}"
            report.counts[key] = report.counts.get(key, 0) + 1
        notes: dict[str, list[str]] = defaultdict(list)
        for r in rejects:
            if r.get("claim_id", "") not in by_claim:
                notes[r.get("claim_id", "")].append(f"{r.get('field')}: {r.get('reason')}")
        for cid, reasons in notes.items():
            groups = occurrences.get(cid) or [[{"claim_id": cid}]]
            eob = _error_eob(cid, groups[0][0], reasons, plans)
            bundle.add(f"urn:uuid:{eob['id']}", eob)
            report.claims += 1
            report.counts["active/error"] = report.counts.get("active/error", 0) + 1
        report.resources = bundle.count
    return report


def _eob_shell(claim_id: str, member: str, npi: str, created: str, plan: str) -> dict:
    return {
        "resourceType": "ExplanationOfBenefit",
        "id": _uuid("eob", claim_id),
        "identifier": [{"system": CLAIM_ID_SYSTEM, "value": claim_id}],
        "status": "active",
        "type": {"coding": [{"system": CLAIM_TYPE, "code": "professional"}]},
        "use": "claim",
        "patient": {"identifier": {"system": MEMBER_ID_SYSTEM, "value": member or "unknown"}},
        "created": created,
        "insurer": {"display": "claimledger"},
        "provider": {"identifier": {"system": NPI_SYSTEM, "value": npi or "unknown"}},
        "claim": {"identifier": {"system": CLAIM_ID_SYSTEM, "value": claim_id}},
        "outcome": "complete",
        "insurance": [{"focal": True, "coverage": (
            {"identifier": {"system": PLAN_ID_SYSTEM, "value": plan}, "display": plan} if plan
            else {"display": "coverage unknown"})}],
    }


def _eob(claim: ScenarioClaim, rows: list[dict], reversed_lines: set[int], plan: str,
         correctors: list[str]) -> dict:
    eob = _eob_shell(claim.claim_id, claim.member_id, claim.provider_npi, _iso(claim.received_date), plan)
    dates = [ln.service_date for ln in claim.lines]
    eob["billablePeriod"] = {"start": _iso(min(dates)), "end": _iso(max(dates))}
    if claim.original_claim_id:
        eob["related"] = [{"claim": {"identifier": {"system": CLAIM_ID_SYSTEM, "value": claim.original_claim_id}},
                           "relationship": {"coding": [{"system": RELATED_CLAIM, "code": "prior"}]}}]
    eob["diagnosis"] = [{"sequence": k, "diagnosisCodeableConcept": {
        "coding": [diagnosis_coding(d)]}} for k, d in enumerate(claim.diagnoses, start=1)]
    notes: list[dict] = []
    items = []
    totals = dict.fromkeys(("submitted", "eligible", "deductible", "copay", "coinsurance", "benefit",
                            "memberliability"), 0)
    pended = False
    for r in rows:
        line = claim.lines[r["line"] - 1]
        item = {"sequence": r["line"], "diagnosisSequence": list(range(1, len(claim.diagnoses) + 1)),
                "productOrService": _procedure_coding(line.procedure_code),
                **serviced(_iso(line.service_date), _iso(line.service_date_end) if line.service_date_end else None),
                "quantity": {"value": line.units},
                "net": {"value": _dec(line.billed), "currency": "USD"},
                "adjudication": _line_adjudication(r, line.billed)}
        if r["status"] == "PENDED":
            pended = True
            notes.append({"number": len(notes) + 1, "type": "display",
                          "text": f"line {r['line']} pended for review (A-5): not yet adjudicated"})
            item["noteNumber"] = [len(notes)]
        items.append(item)
        totals["submitted"] += line.billed
        totals["eligible"] += r["allowed"]
        totals["deductible"] += r["deductible"]
        totals["copay"] += r["copay"]
        totals["coinsurance"] += r["coinsurance"]
        totals["benefit"] += r["paid"]
        totals["memberliability"] += r["patient"]
        prior = sum(a for g, c, a in r["adjustments"] if (g, c) == ("OA", "23"))
        if prior:
            totals["priorpayerpaid"] = totals.get("priorpayerpaid", 0) + prior
    eob["item"] = items
    systems = {"coinsurance": C4BB_ADJUDICATION, "memberliability": C4BB_ADJUDICATION,
               "priorpayerpaid": C4BB_ADJUDICATION}
    eob["total"] = [{"category": {"coding": [{"system": systems.get(k, ADJUDICATION), "code": k}]},
                     "amount": {"value": _dec(v), "currency": "USD"}} for k, v in totals.items()]
    paid = totals["benefit"]
    cancelled = bool(reversed_lines) and reversed_lines >= {r["line"] for r in rows}
    payment: dict = {"type": {"coding": [{"system": PAYMENT_TYPE, "code": "partial" if pended else "complete"}]},
                     "amount": {"value": _dec(paid), "currency": "USD"}}
    if cancelled:
        eob["status"] = "cancelled"
        by = " and ".join(correctors) if correctors else "a later correction"
        notes.append({"number": len(notes) + 1, "type": "display",
                      "text": f"reversed by {by} (A-7): every line taken back, payment recouped"})
        payment["adjustment"] = {"value": _dec(-paid), "currency": "USD"}
        payment["adjustmentReason"] = {"coding": [{"system": PAYMENT_ADJUSTMENT, "code": "a001",
                                                   "display": "Prior Payment Reversal"}]}
        payment["amount"] = {"value": _dec(0), "currency": "USD"}
    elif pended:
        eob["outcome"] = "partial"
    eob["payment"] = payment
    if notes:
        eob["processNote"] = notes
    return eob


def _error_eob(claim_id: str, head: dict, reasons: list[str], plans: dict) -> dict:
    created = str(head.get("received_date", ""))
    if not _DATE_PREFIX.match(created):
        import datetime as _dt

        created = _dt.date.today().isoformat()
    member = str(head.get("member_id", "")).strip()
    eob = _eob_shell(claim_id or "unknown", member, str(head.get("provider_npi", "")).strip(),
                     created[:10], plans.get(member, ""))
    eob["outcome"] = "error"
    eob["processNote"] = [{"number": k, "type": "display", "text": f"rejected (A-3): {reason}"}
                          for k, reason in enumerate(reasons, start=1)]
    return eob


def read_bundle(path) -> list[dict]:
    """The resources of a Bundle written by this module (for tests and round trips)."""
    document = json.loads(Path(path).read_text(encoding="utf-8"), parse_float=Decimal)
    return [e["resource"] for e in document.get("entry") or []]
