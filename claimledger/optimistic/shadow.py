"""The adjudicator's off-chain run of optimistic settlement: the real engine on an embedded anvil,
its storage kept as a sparse Merkle tree (docs/OPTIMISTIC.md).

A normal claimledger deployment is made on a private anvil and the scenario's reference data
loaded; the engine's whole storage then (``anvil_dumpState``) is the tree's genesis. Each claim
goes in a ``submitClaims`` transaction of its own (a rejected claim is logged, not reverted), its
receipt back in the same request;
the prestate tracer gives every engine slot the transaction read or wrote with its value before,
its diff mode the values after; the tree takes the new values. Per claim a :class:`Step` keeps
the slots touched, their values before and after, the roots before and after, and the claim's
result hash, the one ``ClaimReplay.replay`` returns:

- a recorded claim: keccak256(claimId ++ bytes32(providerNpi) ++ header ++ lines), the topics
  1 and 2 and the data words (without ABI offset and length) of its ``ClaimAccepted`` event;
- otherwise keccak256(claimId ++ uint256(reason)), reason 0 for a claim already recorded.
"""
from __future__ import annotations

import json
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from eth_abi import decode as abi_decode
from eth_utils import keccak

from .. import chain
from ..chain import ENGINE, CallEncoder, Deployment, Keys
from ..codec import encode_claim
from ..node import AnvilNode, connect, dev_private_keys, dump_state
from ..originals import OriginalContents
from ..privacy.pseudonyms import Pseudonyms
from ..records import Claim
from ..scenario import Scenario, load_scenario
from ..sender import TxSender, receipt_of
from .smt import Proof, SparseMerkleTree

CLAIM_GAS = 12_000_000  # one claim of at most 50 lines a transaction
SYNC_LOST_S = 5.0  # how long a transaction the node says it knows may take to show its receipt
KEPT_STATES = 8  # anvil keeps the state before each recent transaction, for the tracer
ACCEPTED = keccak(text="ClaimAccepted(bytes32,uint64,uint256,uint256[])")
REJECTED = keccak(text="ClaimRecordRejected(bytes32,uint8)")
ALREADY = keccak(text="ClaimAlreadyRecorded(bytes32)")


class ShadowError(RuntimeError):
    """The claim's transaction did not do what a claim does (reverted, touched another contract,
    logged no outcome)."""


@dataclass
class Step:
    """One claim as the adjudicator ran it."""

    claim: bytes  # packed (claimledger/codec.py)
    originals: bytes  # the contents a correction names, packed back to back
    keys: list[int]  # every engine slot the claim read or wrote, ascending
    pre_values: list[int]
    post_values: list[int]
    pre_root: bytes
    post_root: bytes
    reject_reason: int  # 0: recorded (or already recorded)
    result_hash: bytes
    gas_used: int
    proofs: list[Proof] = field(default_factory=list)  # of ``keys`` against ``pre_root``, if asked
    receipt: dict | None = field(default=None, repr=False)  # of the claim's transaction on the shadow

    @property
    def claim_id(self) -> bytes:
        return self.claim[:32]


def result_hash(logs: Iterable[dict], engine: str, claim_id: bytes) -> tuple[int, bytes]:
    """The reject reason and result hash of the claim ``claim_id`` from its transaction's logs
    (see the module's docstring)."""
    for log in logs:
        topics = [bytes(t) for t in log["topics"]]
        if log["address"].lower() != engine.lower() or len(topics) < 2 or topics[1] != claim_id:
            continue
        data = bytes(log["data"])
        if topics[0] == ACCEPTED:
            header, lines = abi_decode(["uint256", "uint256[]"], data)
            words = b"".join(w.to_bytes(32, "big") for w in (header, *lines))
            return 0, keccak(claim_id + topics[2] + words)
        if topics[0] == REJECTED:
            (reason,) = abi_decode(["uint8"], data)
            return reason, keccak(claim_id + reason.to_bytes(32, "big"))
        if topics[0] == ALREADY:
            return 0, keccak(claim_id + bytes(32))
    raise ShadowError(f"claim {claim_id.hex()}: no outcome logged")


def engine_storage(w3, engine: str) -> dict[int, int]:
    """Every non-zero storage slot of ``engine`` now (``anvil_dumpState``)."""
    state = json.loads(dump_state(w3))
    account = next(a for address, a in state["accounts"].items() if address.lower() == engine.lower())
    slots = ((int(k, 16), int(v, 16)) for k, v in account.get("storage", {}).items())
    return {k: v for k, v in slots if v}


def touched_slots(w3, tx_hash: str, engine: str) -> dict[int, tuple[int, int]]:
    """slot -> (value before, value after) of every engine slot the transaction read or wrote."""
    trace, diff = w3.provider.make_batch_request([  # one round trip for both
        ("debug_traceTransaction", [tx_hash, {"tracer": "prestateTracer"}]),
        ("debug_traceTransaction", [tx_hash, {"tracer": "prestateTracer", "tracerConfig": {"diffMode": True}}])])
    if "result" not in trace or "result" not in diff:
        raise ShadowError(f"{tx_hash}: not traced: {trace.get('error') or diff.get('error')}")

    def storage(accounts: dict) -> dict[int, int]:
        found: dict[int, int] = {}
        for address, account in accounts.items():
            slots = account.get("storage") or {}
            if address.lower() != engine.lower():
                if slots:
                    raise ShadowError(f"{tx_hash}: touched the storage of {address}")
                continue
            found.update((int(k, 16), int(v, 16)) for k, v in slots.items())
        return found

    before = storage(trace["result"])
    changed_before = storage(diff["result"]["pre"])
    after = storage(diff["result"]["post"])
    out: dict[int, tuple[int, int]] = {}
    for slot in before.keys() | changed_before.keys() | after.keys():
        pre = before.get(slot, changed_before.get(slot, 0))
        if slot in after:
            post = after[slot]
        elif slot in changed_before:
            post = 0  # diff mode leaves a cleared slot out of "post"
        else:
            post = pre
        out[slot] = (pre, post)
    return out


class Shadow:
    """The engine of a loaded deployment and the tree of its storage, claim after claim."""

    def __init__(self, dep: Deployment, keys: Keys, claims_file: Path | None = None):
        self.dep = dep
        self.engine = dep[ENGINE].address
        self.sender = TxSender(dep.w3, keys.biller, window=1)
        self.encode = CallEncoder(dep[ENGINE], "submitClaims")
        self.originals = OriginalContents(dep.ids, dep, claims_file)
        self.tree = SparseMerkleTree.from_leaves(engine_storage(dep.w3, self.engine).items())
        self.genesis_root = self.tree.root

    def _transact(self, data: bytes) -> dict:
        """A claim's transaction sent and its receipt back in one request: anvil's
        ``eth_sendRawTransactionSync`` (EIP-7966) answers once it has mined it. An answer lost
        on the way is asked again (:mod:`claimledger.rpc`) and the node then says it knows the
        transaction: its receipt is fetched."""
        raw = self.sender.sign(self.engine, data, CLAIM_GAS)
        provider = self.dep.w3.provider
        answer = provider.make_request("eth_sendRawTransactionSync", ["0x" + raw.hex()])
        if answer.get("result"):
            return receipt_of(answer["result"])
        tx_hash = "0x" + keccak(raw).hex()
        deadline = time.monotonic() + SYNC_LOST_S
        while time.monotonic() < deadline:
            found = provider.make_request("eth_getTransactionReceipt", [tx_hash]).get("result")
            if found:
                return receipt_of(found)
            time.sleep(0.01)
        reason = (answer.get("error") or {}).get("message", "no answer")
        raise ShadowError(f"transaction {tx_hash} of the adjudicator's engine: the node refused it ({reason})")

    def submit(self, claim: Claim, with_proofs: bool = False, also: Iterable[int] = ()) -> Step:
        """Runs ``claim`` through the engine in a transaction of its own and moves the tree on.
        The step's keys are the slots it touched and ``also`` (slots it did not touch, as they
        are: what a challenger may add to a replay); with ``with_proofs``, their proofs."""
        packed = encode_claim(claim, self.dep.ids)
        self.originals.add(packed)
        originals = self.originals.for_claims([claim])
        return self.submit_packed(packed, originals, with_proofs, also)

    def submit_packed(self, packed: bytes, originals: bytes = b"", with_proofs: bool = False,
                      also: Iterable[int] = ()) -> Step:
        self.dep.ids.commit()
        receipt = self._transact(self.encode(packed, originals))
        if receipt["status"] != 1:
            raise ShadowError(f"claim {packed[:32].hex()}: the transaction reverted")
        touched = touched_slots(self.dep.w3, receipt["transactionHash"].to_0x_hex(), self.engine)
        for key in also:
            touched.setdefault(key, (self.tree.get(key), self.tree.get(key)))
        keys = sorted(touched)
        reason, result = result_hash(receipt["logs"], self.engine, packed[:32])
        pre_root = self.tree.root
        proofs = self.tree.proofs(keys) if with_proofs else []
        for key in keys:
            if self.tree.get(key) != touched[key][0]:
                raise ShadowError(f"slot {key:#x}: the tree holds {self.tree.get(key):#x}, the chain "
                                  f"had {touched[key][0]:#x}")
        for key in keys:
            self.tree.update(key, touched[key][1])
        return Step(packed, originals, keys, [touched[k][0] for k in keys], [touched[k][1] for k in keys],
                    pre_root, self.tree.root, reason, result, receipt["gasUsed"], proofs, receipt)


@contextmanager
def shadow_chain(scenario: Scenario | Path, pseudonyms: Pseudonyms | None = None) -> Iterator[Shadow]:
    """A private anvil with claimledger deployed and ``scenario``'s reference data loaded (anvil's
    dev keys; ``pseudonyms``, else new ones in memory), as a :class:`Shadow` whose tree is the
    engine's storage. The same scenario and pseudonyms give the same storage, so the same genesis
    root, on every machine: a watcher builds its own."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(Path(scenario))
    with AnvilNode(kept_states=KEPT_STATES) as node:  # flat: no state root a block (node.py)
        w3 = connect(node.url)
        keys = Keys.from_list(dev_private_keys(6))
        dep = chain.deploy(w3, keys, pseudonyms=pseudonyms or Pseudonyms.in_memory())
        chain.load_reference_data(dep, keys, scenario)
        yield Shadow(dep, keys, scenario.claims_path if scenario.directory is not None else None)


SHADOW_STATE = "optimistic/shadow-state.json"  # the adjudicator's chain at its last posted batch
SHADOW_DEPLOYMENT = "optimistic/shadow-deployments.json"


@contextmanager
def saved_shadow(run_dir: Path, claims_file: Path | None) -> Iterator[Shadow]:
    """The shadow of a run directory as it was saved at its last posted batch (:meth:`Shadow.save`),
    its tree rebuilt from the engine's storage, its pseudonyms the run's."""
    from ..privacy.pseudonyms import keystore_path

    run_dir = Path(run_dir)
    state = run_dir / SHADOW_STATE
    if not state.exists():
        raise ShadowError(f"{run_dir}: no saved adjudicator chain ({SHADOW_STATE})")
    document = json.loads((run_dir / SHADOW_DEPLOYMENT).read_text())
    with AnvilNode(kept_states=KEPT_STATES, extra_args=("--load-state", str(state))) as node:
        w3 = connect(node.url)
        dep = Deployment(w3, document["contracts"], from_block=document["from_block"],
                         keystore=keystore_path(run_dir))
        yield Shadow(dep, Keys.from_list(dev_private_keys(6)), claims_file)


def save_shadow(shadow: Shadow, run_dir: Path) -> None:
    """Keeps the shadow's chain (its state dump) and its deployment in ``run_dir``, atomically,
    for a resume (:func:`saved_shadow`)."""
    from ..atomic import write_bytes_atomically, write_text_atomically

    (Path(run_dir) / SHADOW_STATE).parent.mkdir(parents=True, exist_ok=True)
    document = {"from_block": shadow.dep.from_block, "contracts": shadow.dep.addresses}
    write_text_atomically(Path(run_dir) / SHADOW_DEPLOYMENT, json.dumps(document, indent=2) + "\n")
    write_bytes_atomically(Path(run_dir) / SHADOW_STATE, dump_state(shadow.dep.w3))
