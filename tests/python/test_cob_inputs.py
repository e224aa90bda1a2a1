"""Inputs of A-11 and A-12: the prior payer's columns of claims.csv (R-40), the plans' `cob:`
and `incentives:` (R-42), members' reward signers (R-43), and the packed encoding that keeps a
claim without a prior payer's result byte for byte as it was (R-40)."""
import pytest

from claimledger.codec import HAS_OTHER_PAYER, LINE_BYTES, NO_AMOUNT, content_hash, packed_lines, to_id
from claimledger.codec import encode_claim as encode_keyed
from claimledger.privacy.pseudonyms import Pseudonyms
from claimledger.records import Reject
from claimledger.scenario import iter_claims, load_scenario, parse_claim

from tests.conftest import EXAMPLES

HEADER = ("claim_id,frequency,original_claim_id,member_id,provider_npi,received_date,service_date,"
          "procedure_code,units,billed,diagnoses,other_payer_allowed,other_payer_paid")
UNKEYED = Pseudonyms.unkeyed()  # ids as unsalted keccak: the bytes before issue 14's keys


def encode_claim(claim):
    return encode_keyed(claim, UNKEYED)


LINE = "C1,1,,M1,1234567893,2026-01-12,2026-01-10,99213,1,120.00,J06.9"


def parsed(*tails):
    keys = HEADER.split(",")
    return parse_claim([dict(zip(keys, f"{LINE},{tail}".split(","))) for tail in tails])


@pytest.mark.parametrize("tail,field,reason", [
    ("100.00,", "other_payer_paid", "other_payer_paid is required when the other prior payer amount is given"),
    (",60.00", "other_payer_allowed", "other_payer_allowed is required when the other prior payer amount is given"),
    ("100.00,120.00", "other_payer_paid", "other_payer_paid exceeds other_payer_allowed"),
    ("-1.00,0.00", "other_payer_allowed", "other_payer_allowed must not be negative"),
    ("100.001,1.00", "other_payer_allowed", "not an amount with at most two decimals: '100.001'"),
])
def test_inconsistent_prior_payer_amounts_reject_the_claim(tail, field, reason):
    assert parsed(tail) == Reject("C1", field, reason)


def test_lines_of_a_claim_may_carry_the_prior_result_or_not():
    claim = parsed("100.00,60.00", ",")
    assert [(ln.other_payer_allowed, ln.other_payer_paid) for ln in claim.lines] == [(10000, 6000), (None, None)]
    assert claim.secondary and not parsed(",").secondary


def test_a_claim_without_prior_results_keeps_its_bytes_and_content_hash():
    """R-40: the basic example's claims encode as before A-11: 19 bytes a line, flags bit 1
    clear (the first claim's content hash is the one recorded before)."""
    for item in iter_claims(EXAMPLES / "basic" / "claims.csv"):
        if isinstance(item, Reject):
            continue
        packed = encode_claim(item)
        assert not packed[77] & HAS_OTHER_PAYER
        assert len(packed) == 80 + (32 if item.original_claim_id else 0) + 8 * len(item.diagnoses) + LINE_BYTES * len(item.lines)
    first = next(iter_claims(EXAMPLES / "basic" / "claims.csv"))  # C0001, two lines
    before_a11 = (to_id("C0001") + to_id("M100") + (1234567893).to_bytes(8, "big") + first.received_date.to_bytes(4, "big")
                  + bytes((1, 0, 1, 2)) + b"J06.9\0\0\0"
                  + b"".join(ln.service_date.to_bytes(4, "big") + ln.procedure_code.encode().ljust(8, b"\0")
                             + (1).to_bytes(2, "big") + ln.billed.to_bytes(5, "big") for ln in first.lines))
    assert content_hash(encode_claim(first)) == content_hash(before_a11)


def test_a_claim_paid_second_carries_ten_bytes_more_a_line():
    claim = parsed("100.00,60.00", ",")
    packed = encode_claim(claim)
    assert packed[77] & HAS_OTHER_PAYER and len(packed) == 80 + 8 + 2 * 29
    assert packed.count(NO_AMOUNT.to_bytes(5, "big")) == 2  # the second line carries none
    assert [(p.other_payer_allowed, p.other_payer_paid) for p in packed_lines(packed)] == [(10000, 6000), (None, None)]


def test_plans_cob_and_incentives_are_loaded_and_checked(tmp_path):
    scenario = load_scenario(EXAMPLES / "cob-incentives")
    assert scenario.input_errors == []
    assert scenario.plans["GOLD-COB-2026"].cob == "standard" and scenario.plans["SILVER-ND-2026"].cob == "non_duplication"
    assert scenario.plans["GOLD-COB-2026"].incentives == {"99395": 5000, "90686": 2000}
    assert scenario.members["M1"].reward_signer == "0x200D50051f2c3E59174ECc97cD1D7d91D8D78Bd1"
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in ("members.csv", "providers.csv", "claims.csv"):
        (bad / name).write_text((EXAMPLES / "cob-incentives" / name).read_text())
    text = (EXAMPLES / "cob-incentives" / "plans.yaml").read_text()
    (bad / "plans.yaml").write_text(text.replace("cob: non_duplication", "cob: pro_rata")
                                        .replace('"90686": 20.00', '"99999": 20.00'))
    errors = {(e.record_id, e.field, e.reason) for e in load_scenario(bad).input_errors if e.file == "plans.yaml"}
    assert errors == {("SILVER-ND-2026", "cob", "cob must be standard or non_duplication"),
                      ("GOLD-COB-2026", "incentives.99999", "an incentive code must be in the plan's fee_schedule")}


def test_a_malformed_reward_signer_is_an_input_error(tmp_path):
    for name in ("plans.yaml", "providers.csv", "claims.csv"):
        (tmp_path / name).write_text((EXAMPLES / "cob-incentives" / name).read_text())
    members = (EXAMPLES / "cob-incentives" / "members.csv").read_text().replace("0x200D", "0xZZ0D")
    (tmp_path / "members.csv").write_text(members)
    (error,) = load_scenario(tmp_path).input_errors
    assert (error.record_id, error.field) == ("M1", "reward_signer")
