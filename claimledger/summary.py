"""The summary table printed at the end of a run."""
from __future__ import annotations

from .scenario import InputError

STATUSES = ("APPROVED", "DENIED", "PENDED", "REVERSED")


def format_summary(summary: dict, input_errors: list[InputError] | None = None) -> str:
    outcomes = summary["outcomes"]
    lines_by = outcomes["lines"]
    claims_by = outcomes["claims"]
    counts = summary.get("counts", {})
    out = ["", f"{'outcome':<12}{'claims':>10}{'lines':>10}"]
    for status in STATUSES:
        out.append(f"{status.lower():<12}{claims_by.get(status, 0):>10,}{lines_by.get(status, 0):>10,}")
    out.append(f"{'rejected':<12}{counts.get('REJECTED', 0):>10,}{'':>10}")
    out.append("")
    amounts = outcomes["amounts"]
    for name in ("billed", "allowed", "paid", "patient", "deductible", "copay", "coinsurance"):
        if name in amounts:
            out.append(f"{name:<12}{amounts[name]:>20,.2f}")
    settlement = summary.get("settlement", {})
    if "paid_cents" in settlement:
        out.append("")
        out.append(f"{'settled':<12}{settlement['paid_cents'] / 100:>20,.2f}  to {settlement['providers']} providers")
        out.append(f"{'outstanding':<12}{settlement['outstanding_cents'] / 100:>20,.2f}")
    rewards = summary.get("incentives_cents")
    if rewards:  # members' rewards beside the providers' payments
        out.append(f"{'rewards':<12}{(rewards['earned'] - rewards['taken_back']) / 100:>20,.2f}  earned net by "
                   f"{rewards['members']} members, {rewards['paid'] / 100:,.2f} paid (incentives.csv)")
    replay = summary.get("replay")
    if replay:
        out.append("")
        out.append(f"{'gas/claim':<12}{replay['gas_per_claim']:>20,}")
        if replay['gas_per_claim']:
            from .bench import GAS_PER_SECOND, US_CLAIMS_PER_S

            out.append(f"{'network':<12}{GAS_PER_SECOND / replay['gas_per_claim']:>20,.1f}  claims/s on a chain of "
                       f"{GAS_PER_SECOND / 1e6:g}M gas/s (US average: {US_CLAIMS_PER_S}/s)")
        out.append(f"{'claims/s':<12}{replay['claims_per_second']:>20,.1f}  ({replay['claims']:,} claims, "
                   f"{replay['transactions']:,} transactions, {replay['seconds']:.1f} s)")
    if "reference_match" in summary:
        out.append(f"{'= reference':<12}{'yes' if summary['reference_match'] else 'NO':>20}")
    if input_errors:
        out.append("")
        out.append(f"{len(input_errors)} reference-data record(s) skipped, see input_errors.csv; first: {input_errors[0]}")
    return "\n".join(out)


def print_summary(summary: dict, input_errors: list[InputError] | None = None) -> None:
    print(format_summary(summary, input_errors))
