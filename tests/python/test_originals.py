"""OriginalContents (R-17): what a submission of corrections carries as their originals."""
from claimledger.chain import claim_input, input_content_hash, to_id
from claimledger.originals import OriginalContents
from claimledger.records import Frequency

from tests.python.builders import claim as make_claim, line


def test_gather_keeps_every_distinct_content_of_the_named_claims_only():
    c1 = make_claim("C1")
    c1_again = make_claim("C1")  # a resubmission: the same content, kept once
    c1_reused = make_claim("C1", line(billed=7000))  # another content under the id
    c2 = make_claim("C2")  # never named
    fix = make_claim("R1", frequency=Frequency.REPLACEMENT, original="C1")
    items = [c1, c2, fix, c1_again, c1_reused]
    contents = OriginalContents.gather(lambda: iter(items))
    originals = contents.for_claims([fix, c2])
    assert sorted(input_content_hash(o) for o in originals) == sorted(
        input_content_hash(claim_input(c)) for c in (c1, c1_reused))
    assert all(bytes(o[0]) == to_id("C1") for o in originals)
    assert contents.for_claims([c1, c2]) == []  # originals only for corrections


def test_a_named_claim_nobody_holds_gives_no_original():
    fix = make_claim("V1", frequency=Frequency.VOID, original="C-ELSEWHERE")
    assert OriginalContents.gather(lambda: iter([fix])).for_claims([fix]) == []
