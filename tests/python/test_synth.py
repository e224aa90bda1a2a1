"""The synthetic scenario generator (claimledger.synth) writes valid A-2 input with the mix asked for.

The checks read the files back independently of the generator: spec column lists, ICD-10 and
NPI rules are written out here, not imported from the module under test.
"""
import csv
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml

from claimledger.synth import NOT_COVERED_CODES, SynthConfig, generate, is_valid_npi, npi_check_digit

FILES = ("plans.yaml", "members.csv", "providers.csv", "authorizations.csv", "claims.csv")
HEADERS = {  # spec A-2, verbatim
    "members.csv": "member_id,subscriber_id,plan_id,coverage_start,coverage_end",
    "providers.csv": "npi,name,in_network",
    "authorizations.csv": "auth_id,member_id,procedure_code,units,start,end",
    "claims.csv": "claim_id,frequency,original_claim_id,member_id,provider_npi,received_date,"
                  "service_date,procedure_code,units,billed,diagnoses,"
                  "other_payer_allowed,other_payer_paid",  # A-11.1's optional trailing columns
}
CLAIM_LEVEL = ("frequency", "original_claim_id", "member_id", "provider_npi", "received_date",
               "diagnoses")
LINE_FIELDS = ("service_date", "procedure_code", "units", "billed")
MONEY = re.compile(r"^-?\d+\.\d{2}$")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
N_MIX = 3000


def luhn_npi_ok(npi: str) -> bool:
    """The NPI check: Luhn over '80840' + the 10 digits (CMS final rule, 45 CFR 162.406)."""
    digits = [int(c) for c in "80840" + npi]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def claim_groups(rows: list[dict]) -> list[list[dict]]:
    """Consecutive rows with the same claim_id: one claim record each (A-2.5)."""
    groups: list[list[dict]] = []
    for row in rows:
        if groups and groups[-1][0]["claim_id"] == row["claim_id"]:
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups


def content(group: list[dict]) -> tuple:
    return tuple(tuple(r[k] for k in HEADERS["claims.csv"].split(",")) for r in group)


def line_content(group: list[dict]) -> tuple:
    """What CARC 18 compares: member, provider and every line's DOS, code, units, billed."""
    head = group[0]
    return (head["member_id"], head["provider_npi"],
            tuple(tuple(r[k] for k in LINE_FIELDS) for r in group))


class Scenario:
    def __init__(self, out: Path, summary):
        self.out = out
        self.summary = summary
        self.plans = yaml.safe_load((out / "plans.yaml").read_text())["plans"]
        self.members = {r["member_id"]: r for r in read_csv(out / "members.csv")}
        self.providers = {r["npi"]: r for r in read_csv(out / "providers.csv")}
        self.auths = read_csv(out / "authorizations.csv")
        self.rows = read_csv(out / "claims.csv")
        self.groups = claim_groups(self.rows)

    def plan_of(self, member_id: str) -> dict | None:
        member = self.members.get(member_id)
        return self.plans[member["plan_id"]] if member else None

    def resubmissions(self) -> list[list[dict]]:
        seen: set[str] = set()
        out = []
        for g in self.groups:
            if g[0]["claim_id"] in seen:
                out.append(g)
            seen.add(g[0]["claim_id"])
        return out


@pytest.fixture(scope="module")
def mix(tmp_path_factory) -> Scenario:
    out = tmp_path_factory.mktemp("synth_mix")
    return Scenario(out, generate(out, SynthConfig(claims=N_MIX, seed=11)))


def days(a: str, b: str) -> int:
    return (date.fromisoformat(a) - date.fromisoformat(b)).days


# --- determinism --------------------------------------------------------------------------


def test_same_config_gives_identical_bytes_and_another_seed_differs(tmp_path):
    config = SynthConfig(claims=800, seed=5)
    first = generate(tmp_path / "a", config)
    generate(tmp_path / "b", config)
    generate(tmp_path / "c", SynthConfig(claims=800, seed=6))
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert (tmp_path / "a" / "claims.csv").read_bytes() != (tmp_path / "c" / "claims.csv").read_bytes()
    assert (tmp_path / "a" / "members.csv").read_bytes() != (tmp_path / "c" / "members.csv").read_bytes()
    assert first.paths == {name: tmp_path / "a" / name for name in FILES}


# --- format ---------------------------------------------------------------------------------


def test_csv_headers_are_exactly_the_spec_columns(mix):
    for name, header in HEADERS.items():
        with open(mix.out / name, encoding="utf-8") as fh:
            assert fh.readline() == header + "\n", name


def test_files_parse_with_pandas_and_yaml(mix):
    for name, header in HEADERS.items():
        frame = pd.read_csv(mix.out / name, dtype=str, keep_default_na=False)
        assert list(frame.columns) == header.split(","), name
        assert len(frame) > 0, name
    claims = pd.read_csv(mix.out / "claims.csv", dtype=str, keep_default_na=False)
    assert len(claims) == mix.summary.lines
    assert mix.summary.members == len(mix.members)
    assert mix.summary.providers == len(mix.providers)
    assert mix.summary.authorizations == len(mix.auths)
    assert mix.summary.claims == len(mix.groups) == N_MIX


def test_plans_have_the_example_structure(mix):
    example = yaml.safe_load(
        (Path(__file__).resolve().parents[2] / "examples" / "basic" / "plans.yaml").read_text())
    required = set(next(iter(example["plans"].values()))) - {"pend_above"}
    assert 2 <= len(mix.plans) <= 4
    for plan_id, plan in mix.plans.items():
        assert required <= set(plan), plan_id
        assert set(plan["deductible"]) == set(plan["oop_max"]) == {"individual", "family"}
        assert set(plan["out_of_network"]) == {"covered", "coinsurance_pct"}
        amounts = [plan["deductible"]["individual"], plan["deductible"]["family"],
                   plan["oop_max"]["individual"], plan["oop_max"]["family"],
                   *plan["copays"].values(), *([plan["pend_above"]] if "pend_above" in plan else [])]
        amounts += [fee["allowed"] for fee in plan["fee_schedule"].values()]
        for amount in amounts:
            assert isinstance(amount, (int, float)) and amount >= 0
            assert round(amount, 2) == amount
        assert 40 <= len(plan["fee_schedule"]) <= 60
        for code, fee in plan["fee_schedule"].items():
            assert isinstance(code, str) and fee["allowed"] > 0 and fee["category"]
            assert set(fee) <= {"allowed", "category", "prior_auth", "review",
                                "max_units_per_day", "annual_limit", "dx_prefixes"}
    covered = [p["out_of_network"]["covered"] for p in mix.plans.values()]
    assert True in covered and False in covered


def test_field_formats(mix):
    for row in mix.rows:
        assert row["frequency"] in {"1", "7", "8"}
        assert (row["original_claim_id"] == "") == (row["frequency"] == "1")
        assert MONEY.match(row["billed"]), row
        assert ISO.match(row["received_date"]) and ISO.match(row["service_date"])
        assert re.fullmatch(r"\d+", row["units"])
        dx = row["diagnoses"].split(";")
        assert 1 <= len(dx) <= 3 and all(ICD10.match(d) for d in dx), row
    for member in mix.members.values():
        assert re.fullmatch(r"M\d{6,}", member["member_id"])
        assert re.fullmatch(r"S\d{6,}", member["subscriber_id"])
        assert member["plan_id"] in mix.plans
        assert ISO.match(member["coverage_start"])
        assert member["coverage_end"] == "" or member["coverage_end"] >= member["coverage_start"]
    for auth in mix.auths:
        assert auth["member_id"] in mix.members and int(auth["units"]) > 0
        assert auth["start"] <= auth["end"]


def test_families_and_coverage_are_plausible(mix):
    families: dict[str, list] = {}
    for member in mix.members.values():
        families.setdefault(member["subscriber_id"], []).append(member)
    assert all(1 <= len(f) <= 6 for f in families.values())
    assert all(len({m["plan_id"] for m in f}) == 1 for f in families.values())
    full_year = sum(m["coverage_start"].endswith("-01-01") and m["coverage_end"] == ""
                    for m in mix.members.values())
    assert 0.6 < full_year / len(mix.members) < 0.95  # mostly full year, some partial


# --- claim structure ----------------------------------------------------------------------


def test_lines_of_a_claim_are_contiguous_and_share_claim_level_fields(mix):
    first: dict[str, tuple] = {}
    for group in mix.groups:
        assert 1 <= len(group) <= 5
        for name in CLAIM_LEVEL:
            assert len({r[name] for r in group}) == 1, (group[0]["claim_id"], name)
        claim_id = group[0]["claim_id"]
        if claim_id in first:  # only a resubmission repeats an id, with the same content
            assert first[claim_id] == content(group)
        else:
            first[claim_id] = content(group)


def test_received_dates_are_in_order_except_resubmissions(mix):
    resubmitted = {id(g) for g in mix.resubmissions()}
    latest = ""
    for group in mix.groups:
        received = group[0]["received_date"]
        if id(group) in resubmitted:
            assert received <= latest
            continue
        assert received >= latest
        latest = received


def test_corrections_name_an_earlier_live_claim_of_the_same_member_and_provider(mix):
    earlier: dict[str, list[dict]] = {}
    reversed_ids: set[str] = set()
    corrections = 0
    for group in mix.groups:
        head = group[0]
        if head["frequency"] in {"7", "8"} and head["claim_id"] not in earlier:
            corrections += 1
            original = earlier.get(head["original_claim_id"])
            assert original is not None, head
            assert original[0]["member_id"] == head["member_id"]
            assert original[0]["provider_npi"] == head["provider_npi"]
            assert original[0]["frequency"] != "8"
            assert head["original_claim_id"] not in reversed_ids
            reversed_ids.add(head["original_claim_id"])
        earlier.setdefault(head["claim_id"], group)
    assert corrections > 0


def test_services_on_or_before_receipt_except_rejects(mix):
    after = [r for r in mix.rows if r["service_date"] > r["received_date"]]
    assert len(after) <= mix.summary.kinds.get("reject:dos_after_received", 0)


# --- codes, providers, authorizations ------------------------------------------------------


def test_every_code_is_in_the_members_plan_or_a_deliberate_not_covered_code(mix):
    not_covered_claims = set()
    for row in mix.rows:
        plan = mix.plan_of(row["member_id"])
        if plan is None:  # unknown member (CARC 31): no plan to check against
            continue
        if row["procedure_code"] not in plan["fee_schedule"]:
            assert row["procedure_code"] in NOT_COVERED_CODES, row
            not_covered_claims.add(row["claim_id"])
    assert len(not_covered_claims) == mix.summary.kinds.get("denial:not_in_schedule", 0) > 0
    for code in NOT_COVERED_CODES:
        assert all(code not in plan["fee_schedule"] for plan in mix.plans.values())


def test_diagnoses_fit_dx_restricted_codes_except_deliberate_mismatches(mix):
    mismatched = set()
    for row in mix.rows:
        plan = mix.plan_of(row["member_id"])
        fee = plan and plan["fee_schedule"].get(row["procedure_code"])
        if fee and fee.get("dx_prefixes"):
            if not any(d.startswith(tuple(fee["dx_prefixes"])) for d in row["diagnoses"].split(";")):
                mismatched.add(row["claim_id"])
    assert len(mismatched) == mix.summary.kinds.get("denial:dx_mismatch", 0) > 0


def test_units_exceed_the_daily_maximum_only_on_purpose(mix):
    over = set()
    for row in mix.rows:
        plan = mix.plan_of(row["member_id"])
        fee = plan and plan["fee_schedule"].get(row["procedure_code"])
        if fee and fee.get("max_units_per_day") and int(row["units"]) > fee["max_units_per_day"]:
            over.add(row["claim_id"])
    assert len(over) == mix.summary.kinds.get("denial:units_over_max", 0) > 0


def test_npis_are_luhn_valid_with_the_80840_prefix(mix):
    assert npi_check_digit("123456789") == 3  # CMS's example NPI 1234567893
    assert luhn_npi_ok("1234567893") and not luhn_npi_ok("1234567890")
    for npi in mix.providers:
        assert re.fullmatch(r"[12]\d{9}", npi) and luhn_npi_ok(npi) and is_valid_npi(npi)
    for row in mix.rows:  # unknown providers (CARC B7) also have well-formed NPIs
        assert luhn_npi_ok(row["provider_npi"])
    in_network = [p["in_network"] for p in mix.providers.values()]
    assert set(in_network) == {"true", "false"}
    assert 0.05 < in_network.count("false") / len(in_network) < 0.3
    assert len({p["name"] for p in mix.providers.values()}) == len(mix.providers)


def test_authorizations_are_for_prior_auth_codes_and_never_overlap(mix):
    windows: dict[tuple, list] = {}
    for auth in mix.auths:
        fee = mix.plan_of(auth["member_id"])["fee_schedule"][auth["procedure_code"]]
        assert fee.get("prior_auth") is True
        windows.setdefault((auth["member_id"], auth["procedure_code"]), []).append(
            (auth["start"], auth["end"]))
    for spans in windows.values():
        spans.sort()
        for (_, end), (start, _) in zip(spans, spans[1:]):
            assert end < start


def test_billed_is_a_plausible_multiple_of_allowed(mix):
    ratios = []
    for row in mix.rows:
        plan = mix.plan_of(row["member_id"])
        fee = plan and plan["fee_schedule"].get(row["procedure_code"])
        if fee and int(row["units"]) > 0 and float(row["billed"]) > 0:
            ratios.append(float(row["billed"]) / (fee["allowed"] * int(row["units"])))
    ratios.sort()
    assert 1.1 < ratios[len(ratios) // 20] and ratios[-len(ratios) // 20] < 3.5
    assert 1.5 < ratios[len(ratios) // 2] < 2.5


# --- the requested mix ----------------------------------------------------------------------


def roughly(actual: int, rate: float, n: int = N_MIX) -> bool:
    expected = rate * n
    return 0.5 * expected <= actual <= 1.5 * expected + 3


def test_default_mix_is_roughly_honoured(mix):
    config = SynthConfig(claims=N_MIX)
    groups = mix.groups
    resubmits = mix.resubmissions()
    assert roughly(len(resubmits), config.resubmit_rate)

    corrections = [g for g in groups if g[0]["frequency"] in {"7", "8"}]
    assert roughly(len(corrections) - sum(g[0]["frequency"] != "1" for g in resubmits),
                   config.correction_rate)
    assert any(g[0]["frequency"] == "7" for g in corrections)
    assert any(g[0]["frequency"] == "8" for g in corrections)

    seen_lines: dict[tuple, str] = {}
    duplicates = 0
    for g in groups:  # a duplicate repeats the lines of an original or a replacement
        if g[0]["frequency"] == "8":
            continue
        key = line_content(g)
        if g[0]["frequency"] == "1" and seen_lines.get(key, g[0]["claim_id"]) != g[0]["claim_id"]:
            duplicates += 1
        seen_lines.setdefault(key, g[0]["claim_id"])
    assert roughly(duplicates, config.duplicate_rate)

    late = {r["claim_id"] for r in mix.rows if mix.plan_of(r["member_id"]) and
            days(r["received_date"], r["service_date"]) >
            mix.plan_of(r["member_id"])["timely_filing_days"]}
    assert roughly(len(late), config.late_rate)

    rejects = {r["claim_id"] for r in mix.rows
               if r["units"] == "0" or r["billed"].startswith("-")
               or r["service_date"] > r["received_date"]}
    assert len(rejects) <= 20

    unknown = {r["claim_id"] for r in mix.rows if r["member_id"] not in mix.members}
    assert 0 < len(unknown) < config.denial_mix * N_MIX / 2
    denials = sum(v for k, v in mix.summary.kinds.items() if k.startswith("denial:"))
    assert roughly(denials, config.denial_mix)
    assert sum(mix.summary.kinds.values()) == N_MIX


def test_a_custom_mix_is_honoured(tmp_path):
    summary = generate(tmp_path, SynthConfig(
        claims=2000, seed=3, denial_mix=0.25, duplicate_rate=0.0, resubmit_rate=0.0,
        late_rate=0.1, correction_rate=0.0, reject_rate=0.02))
    kinds = summary.kinds
    assert roughly(sum(v for k, v in kinds.items() if k.startswith("denial:")), 0.25, 2000)
    assert roughly(kinds.get("late", 0), 0.1, 2000)
    assert roughly(sum(v for k, v in kinds.items() if k.startswith("reject:")), 0.02, 2000)
    assert not {"duplicate", "resubmit", "replacement", "void"} & set(kinds)
    groups = claim_groups(read_csv(tmp_path / "claims.csv"))
    assert len({g[0]["claim_id"] for g in groups}) == len(groups) == 2000


def test_clean_run_has_only_ordinary_claims(tmp_path):
    summary = generate(tmp_path, SynthConfig(
        claims=500, seed=1, denial_mix=0, duplicate_rate=0, resubmit_rate=0, late_rate=0,
        correction_rate=0, reject_rate=0, families=40, providers=6))
    assert summary.kinds == {"original": 500}
    assert summary.families == 40 and summary.providers == 6


@pytest.mark.parametrize("bad", [
    {"claims": 0}, {"claims": 10, "denial_mix": -0.1}, {"claims": 10, "late_rate": 1.5},
    {"claims": 10, "denial_mix": 0.6, "late_rate": 0.6}, {"claims": 10, "families": 0},
])
def test_invalid_config_is_refused(tmp_path, bad):
    with pytest.raises(ValueError):
        generate(tmp_path, SynthConfig(**bad))


# --- coordination of benefits and incentives (A-11, A-12) -----------------------------------


def test_about_a_tenth_of_the_claims_are_paid_second_with_consistent_amounts(mix):
    """A-11.1: secondary claims carry the prior payer's allowed and paid amounts (paid at most
    allowed), on most of their lines."""
    secondary = [g for g in mix.groups if any(r["other_payer_paid"] for r in g)]
    assert 0.06 * N_MIX <= len(secondary) <= 0.14 * N_MIX
    for g in secondary:
        for r in g:
            assert bool(r["other_payer_allowed"]) == bool(r["other_payer_paid"])
            if r["other_payer_paid"]:
                assert MONEY.match(r["other_payer_paid"]) and float(r["other_payer_paid"]) <= float(r["other_payer_allowed"])


def test_secondary_amounts_change_no_other_column(tmp_path):
    """The amounts come from a stream of their own: without them, the files are the same."""
    generate(tmp_path / "a", SynthConfig(claims=400, seed=9))
    generate(tmp_path / "b", SynthConfig(claims=400, seed=9, secondary_rate=0.0))
    with_cob = pd.read_csv(tmp_path / "a" / "claims.csv", dtype=str, keep_default_na=False)
    without = pd.read_csv(tmp_path / "b" / "claims.csv", dtype=str, keep_default_na=False)
    assert list(without.columns) == HEADERS["claims.csv"].split(",")[:11]
    assert with_cob[list(without.columns)].equals(without)
    for name in FILES[:-1]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_plans_coordinate_benefits_and_reward_covered_preventive_codes(mix):
    """A-11.3 and A-12.1: each plan says how it pays second; its incentive codes are in its fee
    schedule, with positive amounts."""
    assert {p["cob"] for p in mix.plans.values()} == {"standard", "non_duplication"}
    for plan_id, plan in mix.plans.items():
        assert plan["incentives"], plan_id
        for code, amount in plan["incentives"].items():
            assert code in plan["fee_schedule"] and amount > 0
