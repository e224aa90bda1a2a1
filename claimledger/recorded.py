"""Claims read back from the chain: the content a claim was recorded with, and the rows a
claim produced when it was accepted.

The engine keeps a claim's content only as a tag, the leading 20 bytes of its hash (R-17):
whoever corrects, reviews or appeals a claim supplies its packed bytes again. They are found
in the transaction that submitted the claim (its ``ClaimAccepted`` event names it), or, once
the node has dropped that transaction, in the claims file of the scenario the deployment
adjudicated, taking only a content whose hash matches the recorded tag.
"""
from __future__ import annotations

from pathlib import Path

from eth_abi import decode as abi_decode
from eth_utils import function_abi_to_4byte_selector

from .chain import ENGINE, ChainError, Deployment
from .codec import content_hash, encode_claim, split_claims
from .events import REWARD_EVENTS, EventDecoder, claim_names, claim_rows, reward_row
from .records import Claim, LineResult, RewardRow

SUBMIT_FUNCTIONS = ("submitClaims", "submitClaim")  # the engine's entry points that record claims
TAG_BYTES = 20


def header_tag(header: int) -> bytes:
    """The content tag a ClaimAccepted header carries (bits 96-255)."""
    return (header >> 96).to_bytes(TAG_BYTES, "big")


def recorded_claim(dep: Deployment, claim_key: bytes) -> bytes | None:
    """The packed claim the engine recorded under ``claim_key``; None if it never accepted one."""
    return recorded_claims(dep, [claim_key]).get(bytes(claim_key))


def recorded_claims(dep: Deployment, claim_keys, chunk: int = 200, from_scenario: bool = True) -> dict[bytes, bytes]:
    """The packed claim recorded under each of ``claim_keys`` that the engine accepted, read back
    from the transactions that submitted them: one ``eth_getLogs`` per ``chunk`` ids from the
    deployment's first block, each transaction decoded once. Claims whose transactions the node
    no longer keeps come from the deployment's scenario (see :func:`_recorded_in_scenario`)
    unless ``from_scenario`` is false (for a caller that has read that scenario already)."""
    engine = dep[ENGINE]
    submitted = _SubmittedClaims(dep.w3, engine)
    wanted = list(dict.fromkeys(bytes(k) for k in claim_keys))
    found: dict[bytes, bytes] = {}
    for at in range(0, len(wanted), chunk):
        logs = engine.events.ClaimAccepted.get_logs(
            from_block=dep.from_block, argument_filters={"claimId": wanted[at:at + chunk]})
        for log in logs:
            key, tag = bytes(log["args"]["claimId"]), header_tag(log["args"]["header"])
            for packed in submitted.of(bytes(log["transactionHash"])):
                if packed[:32] == key and content_hash(packed)[:TAG_BYTES] == tag:
                    found.setdefault(key, packed)
    missing = [key for key in wanted if key not in found]
    if missing and from_scenario and dep.scenario is not None and dep.forgotten_before() is not None:
        found.update(_recorded_in_scenario(dep, missing))
    return found


def _recorded_in_scenario(dep: Deployment, claim_keys: list[bytes]) -> dict[bytes, bytes]:
    """The contents recorded under ``claim_keys``, found in the claims file of the scenario the
    deployment adjudicated: a content counts only if its hash matches the tag the engine
    recorded, so a file changed since (or an id never accepted) yields nothing."""
    from .scenario import CLAIMS_FILE, iter_claims

    path = Path(dep.scenario) / CLAIMS_FILE
    if not path.is_file():
        return {}
    engine = dep[ENGINE]
    tags = {}
    for key in claim_keys:
        record = engine.functions.claim(key).call()
        if record[0] != 0:  # ClaimState.None: never accepted
            tags[key] = bytes(record[-1])
    found: dict[bytes, bytes] = {}
    if tags:
        for item in iter_claims(path):
            if isinstance(item, Claim) and (key := dep.ids.claim(item.claim_id)) in tags and key not in found:
                packed = encode_claim(item, dep.ids)
                if content_hash(packed)[:TAG_BYTES] == tags[key]:
                    found[key] = packed
    return found


class _SubmittedClaims:
    """The packed claims a transaction submitted to the engine, decoded from its calldata once
    per transaction."""

    def __init__(self, w3, engine):
        self.w3 = w3
        self.selectors = {
            function_abi_to_4byte_selector(item) for item in engine.abi
            if item.get("type") == "function" and item["name"] in SUBMIT_FUNCTIONS
        }
        self.by_tx: dict[bytes, list[bytes]] = {}

    def of(self, tx_hash: bytes) -> list[bytes]:
        if tx_hash not in self.by_tx:
            data = bytes(self.w3.eth.get_transaction(tx_hash)["input"])
            claims: list[bytes] = []
            if data[:4] in self.selectors:
                claims = list(split_claims(abi_decode(["bytes", "bytes"], data[4:])[0]))
            self.by_tx[tx_hash] = claims
        return self.by_tx[tx_hash]


def _before_rewards(events: list[tuple[str, dict]], index: int) -> int:
    """The index of the first of the reward events (A-12) just before ``index``."""
    while index > 0 and events[index - 1][0] in REWARD_EVENTS:
        index -= 1
    return index


def recorded_rows(dep: Deployment, claim: Claim, after: tuple[int, int]
                  ) -> tuple[list[LineResult], int, list[RewardRow]] | None:
    """The rows a claim produced when the chain accepted it, read back from that transaction's
    events, if it was accepted after position ``after`` = (block, transaction index): a claim in
    flight when a replay died. Returns (rows, block, incentives.csv rows) or None."""
    engine = dep[ENGINE]
    key = dep.ids.claim(claim.claim_id)
    logs = [log for log in engine.events.ClaimAccepted.get_logs(from_block=after[0], argument_filters={"claimId": key})
            if (log["blockNumber"], log["transactionIndex"]) > tuple(after)]
    if not logs:
        return None
    receipt = dep.w3.eth.get_transaction_receipt(logs[0]["transactionHash"])
    events = EventDecoder(engine).decode(receipt)
    for index, (name, values) in enumerate(events):
        if name == "ClaimAccepted" and values["claimId"] == key:
            index = _before_rewards(events, index)
            if index > 0 and events[index - 1][0] == "ClaimReversed" and events[index - 1][1]["byClaimId"] == key:
                index = _before_rewards(events, index - 1)
            names = claim_names([claim], dep.ids)
            rewards: list[tuple[str, dict]] = []
            _, _, rows, _ = claim_rows(events, index, names, claim.claim_id, rewards)
            return rows, logs[0]["blockNumber"], [reward_row(n, v, claim.member_id, names) for n, v in rewards]
    raise ChainError(f"{claim.claim_id}: accepted on chain but its events could not be read back")
