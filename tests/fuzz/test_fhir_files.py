"""The FHIR JSON reader on mutated real resources and Bundles: every input is read into
claims and per-resource issues, or refused with one one-line error; never a traceback
(100,000-level nesting, duplicate keys, 5,000-digit numbers, 1e400, wrong types...). A bad
Claim in the middle of a Bundle leaves the Claims before and after it exactly as they were.

CI: `.venv/bin/python -m pytest -p no:pytest-brownie tests/fuzz/test_fhir_files.py`;
full: `HYPOTHESIS_PROFILE=full` in front of it.
"""
from __future__ import annotations

import json

from hypothesis import given, strategies as st

from claimledger.fhir import import_fhir

from .conftest import FUZZ, NEIGHBOURS, one_line, read_or_refuse
from .mutations import json_mutation, mutated_json
from .seeds import FHIR, SAMPLES, rows_by_claim, scratch

FAMILY = "FHIR JSON"
CLAIM = SAMPLES / "fhir" / "claim-example-professional.json"


def import_one(path, out):
    report = import_fhir([path], out)
    assert all(one_line(str(i)) for i in report.issues), "an issue message spans lines"
    return report


@given(st.data(), st.sampled_from(FHIR))
@FUZZ
def test_a_mutated_fhir_file_is_read_or_refused_in_one_line(data, seed):
    """Any damage to a real Claim or Bundle: claims written or rejected with issues, or one
    one-line error."""
    mutated = data.draw(mutated_json(seed.read_bytes()), label=seed.name)
    with scratch() as tmp:
        path = tmp / seed.name
        path.write_bytes(mutated)
        read_or_refuse(FAMILY, lambda: import_one(path, tmp / "out"))


FAMILY_BUNDLE = SAMPLES / "fhir-a10" / "family-bundle.json"
NEIGHBOURS_IDS = ("VFP-2001", "VFP-0916")


def _with_middle_claim(claim: dict | str) -> str:
    """The family Bundle (two Claims that import, VFP-2001 and VFP-0916) with ``claim`` (a
    resource, or its raw JSON text) as an entry between them."""
    bundle = json.loads(FAMILY_BUNDLE.read_text())
    entries = bundle["entry"]
    second = next(n for n, e in enumerate(entries) if e["resource"]["resourceType"] == "Claim"
                  and e["resource"]["identifier"][0]["value"] == NEIGHBOURS_IDS[1])
    marker = "\u0000MIDDLE\u0000"
    entries.insert(second, {"fullUrl": "urn:uuid:fuzz-middle", "resource": marker})
    raw = claim if isinstance(claim, str) else json.dumps(claim)
    return json.dumps(bundle).replace(json.dumps(marker), raw)


def _middle_claim() -> dict:
    bundle = json.loads(FAMILY_BUNDLE.read_text())
    claim = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Claim")
    claim = json.loads(json.dumps(claim))
    claim["id"] = "fuzz-middle"
    claim["identifier"] = [{"system": "urn:fuzz", "value": "FUZZ-MIDDLE"}]
    return claim


@given(st.data())
@NEIGHBOURS
def test_a_bad_claim_in_a_bundle_leaves_the_claims_around_it_unchanged(data):
    """A third Claim put between the two of a real Bundle and mutated (values, 100,000-level
    nesting, duplicate keys, huge numbers): the two are written exactly as without it."""
    bad = data.draw(json_mutation(json.dumps(_middle_claim()).encode()), label="middle claim")
    try:
        middle = bad.decode("utf-8")
        json.loads(middle)
        if "\x00" in middle:  # UTF-16 read as UTF-8: not the claim's text
            raise ValueError(middle)
    except (ValueError, RecursionError):  # no longer JSON on its own: it would break the file, not a record
        middle = json.dumps({"resourceType": "Claim", "id": "fuzz-middle", "item": bad.decode("utf-8", "replace")[:1000]})
    with scratch() as tmp:
        import_one(FAMILY_BUNDLE, tmp / "clean")
        before = rows_by_claim(tmp / "clean")
        (tmp / "damaged.json").write_text(_with_middle_claim(middle))
        after = read_or_refuse(FAMILY, lambda: import_one(tmp / "damaged.json", tmp / "damaged"))
        assert not isinstance(after, Exception), f"one bad claim cost the whole Bundle: {after}"
        rows = rows_by_claim(tmp / "damaged")
    assert set(before) >= set(NEIGHBOURS_IDS)
    assert {k: rows.get(k) for k in NEIGHBOURS_IDS} == {k: before[k] for k in NEIGHBOURS_IDS}


def test_a_byte_order_mark_is_allowed(tmp_path):
    """A Bundle saved with a UTF-8 byte-order mark (as Windows tools write it) imports as
    without one."""
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + FAMILY_BUNDLE.read_bytes())
    import_one(FAMILY_BUNDLE, tmp_path / "plain")
    import_one(tmp_path / "bom.json", tmp_path / "bom")
    assert rows_by_claim(tmp_path / "bom") == rows_by_claim(tmp_path / "plain") != {}
