"""OriginalContents (R-17): what a submission of corrections carries as their originals, found
among the claims replayed recently, then on the chain, then in the claims file."""
from claimledger.codec import content_hash, encode_claim as encode, split_claims
from claimledger.originals import OriginalContents
from claimledger.privacy.pseudonyms import Pseudonyms
from claimledger.records import Frequency
from claimledger.claims_csv import CLAIMS_FILE, write_claims_csv

from tests.python.builders import claim as make_claim, line

IDS = Pseudonyms.in_memory()


def encode_claim(claim):
    return encode(claim, IDS)


def test_every_distinct_content_of_a_named_recent_claim_goes_once():
    c1 = make_claim("C1")
    c1_reused = make_claim("C1", line(billed=7000))  # another content under the id
    c2 = make_claim("C2")  # never named
    fix = make_claim("R1", frequency=Frequency.REPLACEMENT, original="C1")
    contents = OriginalContents(IDS)
    for item in (c1, c2, fix, c1, c1_reused):  # C1 resubmitted with the same content: kept once
        contents.add(encode_claim(item))
    originals = list(split_claims(contents.for_claims([fix, c2])))
    assert sorted(content_hash(o) for o in originals) == sorted(
        content_hash(encode_claim(c)) for c in (c1, c1_reused))
    assert all(o[:32] == IDS.claim("C1") for o in originals)
    assert contents.for_claims([c1, c2]) == b""  # originals only for corrections


def test_a_claim_older_than_the_recent_ones_is_found_in_the_claims_file(tmp_path):
    old, fix = make_claim("OLD"), make_claim("R2", frequency=Frequency.VOID, original="OLD")
    path = write_claims_csv(tmp_path / CLAIMS_FILE, [{
        "claim_id": "OLD", "frequency": "1", "original_claim_id": "", "member_id": "M1",
        "provider_npi": old.provider_npi, "received_date": "2026-03-05", "service_date": "2026-03-01",
        "procedure_code": "71046", "units": "1", "billed": "60.00", "diagnoses": "R05.9"}])
    contents = OriginalContents(IDS, claims_file=path, keep=1)
    contents.add(encode_claim(old))
    contents.add(encode_claim(make_claim("NEWER")))  # pushes OLD out of the recent ones
    assert contents.for_claims([fix]) == encode_claim(old)


def test_a_named_claim_nobody_holds_gives_no_original():
    fix = make_claim("V1", frequency=Frequency.VOID, original="C-ELSEWHERE")
    assert OriginalContents(IDS).for_claims([fix]) == b""
