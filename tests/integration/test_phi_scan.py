"""The PHI scan (issue 14, docs/PRIVACY.md): inputs that carry names, addresses, birth dates,
phone numbers and member numbers (an 837 with dependents, a FHIR Bundle with Patients and
Coverages given addresses and phone numbers, a Synthea export; the 834 roster they are matched
with) are loaded and adjudicated on one deployment, a member grants consent and a party reads
their history, a remittance is exported and anchored. Then every transaction's calldata, every
log (topics and data), every storage write (each slot every transaction wrote, by anvil's
prestate tracer) and every
storage slot of the final state (anvil's dump) is searched for each value, as text, as bytes and
as its unsalted keccak (also as the slot a mapping keyed by that keccak would use): no hit."""
import json
import shutil
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from eth_account import Account

from claimledger.cli import main
from claimledger.fhir import import_fhir
from claimledger.node import DEV_MNEMONIC, connect, dump_state, find_anvil, free_port, stop_process_group
from claimledger.synth import SynthConfig, generate
from claimledger.synthea import import_synthea
from claimledger.x12 import import_837
from claimledger.x12.import834 import import_834

from tests.integration import phi_values

SAMPLES = Path(__file__).resolve().parents[1] / "formats" / "samples"
DEPENDENTS = SAMPLES / "x12" / "dependents-X222A2.837"
BUNDLE = SAMPLES / "fhir-a10" / "family-bundle.json"
SYNTHEA = SAMPLES / "synthea"
SEPARATOR = b"|place|"


def scenarios(tmp: Path) -> tuple[dict[str, Path], set[str]]:
    """The three imported scenarios, and the values of persons their inputs carry."""
    enrolled = tmp / "enrolled"
    import_834([SAMPLES / "x12-834" / "enroll-2016-01.834", SAMPLES / "x12-834" / "enroll-2016-06.834"], enrolled)
    for name in ("plans.yaml", "providers.csv"):
        shutil.copy(SAMPLES / "scenario-a10" / name, enrolled / name)
    bundle = json.loads(BUNDLE.read_text())
    for n, entry in enumerate(e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"):
        entry["resource"].update({
            "identifier": [{"system": "http://valleyfp.example.org/mrn", "value": f"MRN-77310{n}"}],
            "address": [{"line": [f"{40 + n} Birchwood Lane"], "city": "Carbondale", "postalCode": f"6290{n}"}],
            "telecom": [{"system": "phone", "value": f"(618) 555-01{30 + n}"}]})
    (tmp / "bundle.json").write_text(json.dumps(bundle))
    synth = tmp / "synth"
    generate(synth, SynthConfig(claims=20, seed=5))
    out = {"x12": tmp / "s837", "fhir": tmp / "sfhir", "synthea": tmp / "ssynthea"}
    import_837([DEPENDENTS], out["x12"], plans_from=enrolled, answer=False)
    import_fhir([tmp / "bundle.json"], out["fhir"], plans_from=enrolled)
    import_synthea(SYNTHEA, out["synthea"], synth, plan_id="GOLD-PPO-2026", in_network=True)
    values = (phi_values.from_x12(DEPENDENTS) | phi_values.from_fhir(tmp / "bundle.json")
              | phi_values.from_synthea(SYNTHEA) | phi_values.from_scenario(enrolled)
              | set().union(*(phi_values.from_scenario(s) for s in out.values())))
    return out, values


@dataclass
class Places:
    """Everything the chain holds of the deployment, as blobs to search, by place."""

    calldata: list[bytes] = field(default_factory=list)
    logs: list[bytes] = field(default_factory=list)
    writes: list[bytes] = field(default_factory=list)  # slot and value words each transaction wrote
    state: list[bytes] = field(default_factory=list)  # every slot and value of the final state
    slots: set[bytes] = field(default_factory=set)

    def joined(self) -> dict[str, bytes]:
        return {name: SEPARATOR.join(getattr(self, name)) for name in ("calldata", "logs", "writes", "state")}


@contextmanager
def full_history_anvil(timeout: float = 30.0) -> Iterator[str]:
    """An anvil that keeps every past state (no --prune-history, unlike claimledger's own
    nodes), so that the prestate tracer can tell each transaction's storage writes."""
    port = free_port()
    process = subprocess.Popen([find_anvil(), "--host", "127.0.0.1", "--port", str(port), "--silent",
                                "--mnemonic", DEV_MNEMONIC, "--gas-limit", "1000000000", "--base-fee", "0",
                                "--gas-price", "0"], start_new_session=True, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while not _answers(url):
            assert process.poll() is None and time.monotonic() < deadline, "anvil did not start"
            time.sleep(0.05)
        yield url
    finally:
        stop_process_group(process, 10)


def _answers(url: str) -> bool:
    try:
        return connect(url, timeout=1) is not None
    except Exception:  # noqa: BLE001 - not up yet
        return False


def collect(w3) -> Places:
    places = Places()
    for number in range(w3.eth.block_number + 1):
        for tx in w3.eth.get_block(number, full_transactions=True)["transactions"]:
            places.calldata.append(bytes(tx["input"]))
            for log in w3.eth.get_transaction_receipt(tx["hash"])["logs"]:
                places.logs.append(b"".join(bytes(t) for t in log["topics"]) + bytes(log["data"]))
            trace = w3.provider.make_request("debug_traceTransaction", [
                tx["hash"].to_0x_hex(), {"tracer": "prestateTracer", "tracerConfig": {"diffMode": True}}])["result"]
            for account in trace["post"].values():  # every slot the transaction wrote, as it left it
                for slot, value in account.get("storage", {}).items():
                    slot, value = (int(word, 16).to_bytes(32, "big") for word in (slot, value))
                    places.writes += [slot, value]
                    places.slots.add(slot)
    dump = json.loads(dump_state(w3))
    for account in dump["accounts"].values():
        for slot, value in account.get("storage", {}).items():
            slot, value = (int(word, 16).to_bytes(32, "big") for word in (slot, value))
            places.state += [slot, value]
            places.slots.add(slot)
    return places


def adjudicate_everything(url: str, tmp: Path, runs: dict[str, Path], monkeypatch) -> None:
    deploy = tmp / "deploy"
    assert main(["deploy", "--rpc", url, "--out", str(deploy)]) == 0
    for name, scenario in runs.items():
        assert main(["load", str(deploy), str(scenario)]) == 0, name
        assert main(["adjudicate", str(scenario), "--out", str(tmp / f"run-{name}"), "--deployment", str(deploy)]) == 0
    member = Account.from_key(b"\x44" * 32)
    monkeypatch.setenv("MEMBER_KEY", member.key.hex())
    party = "0x000000000000000000000000000000000000bEEF"
    run = tmp / "run-fhir"
    for argv in (["consent", "register", str(deploy), "--member", "M501", "--key", member.address],
                 ["consent", "grant", str(deploy), "--member", "M501", "--party", party, "--purpose", "treatment",
                  "--until", "2099-12-31", "--signer-key-env", "MEMBER_KEY"],
                 ["history", str(run), "--member", "M501", "--as", party, "--purpose", "treatment"],
                 ["export", "--to", "x12-835", str(run), "--out", str(tmp / "remit.835")]):
        assert main(argv) == 0, argv


def test_no_value_of_a_person_reaches_the_chain(tmp_path, monkeypatch, capsys):
    runs, values = scenarios(tmp_path)
    searched = phi_values.searchable(values)
    assert {"DOE", "JIMMY", "100 ELM STREET", "19700101", "2010-05-05", "M500", "(618) 555-0130", "999-41-7712",
            "1012 Kuhlman Vale", "MRN-773100", "VFP-1001"} <= set(searched)
    with full_history_anvil() as url:
        adjudicate_everything(url, tmp_path, runs, monkeypatch)
        places = collect(connect(url))
    assert all((tmp_path / f"run-{name}" / "results.csv").is_file() for name in runs)
    blobs = places.joined()
    hits, needles = [], 0
    for value in searched:
        for form, needle in phi_values.forms(value).items():
            needles += 1
            hits += [(value, form, place) for place, blob in blobs.items() if needle in blob]
            if form == "keccak" and phi_values.mapping_slots(needle) & places.slots:
                hits.append((value, "keccak mapping slot", "storage"))
    capsys.readouterr()
    with capsys.disabled():
        print(f"\nPHI scan: {len(searched)} values, {needles} needles (text, bytes, unsalted keccak), "
              f"{len(places.calldata)} transactions' calldata ({len(blobs['calldata']):,} bytes), "
              f"{len(places.logs)} logs, {len(places.writes) // 2} storage writes, {len(places.state) // 2} slots "
              f"of the final state: {len(hits)} hits")
    assert hits == []
    # the scan finds what does go on chain in clear: a plan id as text and keccak, an NPI as bytes
    assert b"LEGACY-PPO" in blobs["calldata"] and phi_values.forms("LEGACY-PPO")["keccak"] in blobs["logs"]
    assert phi_values.forms("1234567893")["bytes:uint64"] in blobs["calldata"]
