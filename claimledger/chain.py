"""Deploy claimledger, load a scenario's reference data and read outcomes back from events.

web3.py with locally signed transactions (see :mod:`claimledger.sender`); the compiled
artifacts come from ``brownie compile`` (``build/contracts``). No arithmetic of the rules
lives here: outcomes are read from the chain's events and only formatted.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from eth_abi import decode as abi_decode
from eth_utils import event_abi_to_log_topic, keccak
from web3 import Web3

from .codesets import diagnosis_bytes  # ICD9: codes go on chain as '#' + code
from .records import Adjustment, Claim, LineResult, LineStatus, Plan, Reject
from .reference import Pricing, RejectReason as RefReject, REJECT_FIELDS, adjustments_for
from .scenario import Scenario
from .sender import TxSender

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = PROJECT_ROOT / "build" / "contracts"
SETUP_GAS = 25_000_000
CHUNK = 100  # records per setup transaction
OPEN_ENDED = 2**32 - 1

ROLE_NAMES = ("PLAN_MANAGER", "BILLER", "REVIEWER", "TREASURER", "ENGINE", "MINTER")
ROLES = {name: keccak(text=name) for name in ROLE_NAMES}

LINE_STATUS = {1: LineStatus.APPROVED, 2: LineStatus.DENIED, 3: LineStatus.PENDED, 4: LineStatus.REVERSED}

# IClaimsEngine.RejectReason -> (field, reason) as the loader and the reference word them
CHAIN_REJECTS: dict[int, tuple[str, str]] = {
    1: ("frequency", "frequency must be 1, 7 or 8"),
    2: ("claim_id", "claim has no lines"),
    3: ("claim_id", "more than 50 lines"),
    4: ("diagnoses", "at most 12 diagnoses"),
    5: ("units", "units must be positive"),
    6: ("billed", "billed must be positive"),
    7: ("service_date", "service_date after received_date"),
    8: ("original_claim_id", "original_claim_id is required"),
    9: ("original_claim_id", "original_claim_id must be empty for frequency 1"),
    10: (REJECT_FIELDS[RefReject.REUSED_ID], RefReject.REUSED_ID.value),
    11: (REJECT_FIELDS[RefReject.ORIGINAL_UNKNOWN], RefReject.ORIGINAL_UNKNOWN.value),
    12: (REJECT_FIELDS[RefReject.ORIGINAL_REVERSED], RefReject.ORIGINAL_REVERSED.value),
    13: (REJECT_FIELDS[RefReject.ORIGINAL_IS_VOID], RefReject.ORIGINAL_IS_VOID.value),
    14: (REJECT_FIELDS[RefReject.OTHER_MEMBER], RefReject.OTHER_MEMBER.value),
    15: (REJECT_FIELDS[RefReject.OTHER_PROVIDER], RefReject.OTHER_PROVIDER.value),
    16: ("diagnoses", "at least one diagnosis is required"),
    17: ("units", "units must be at most 9999"),
    18: ("billed", "billed is implausibly large"),
    19: ("original_claim_id", "the recorded content of the original claim was not supplied (R-17)"),
}


class ChainError(RuntimeError):
    """Deployment or loading failed: one-line reason."""


# ------------------------------------------------------------------------------------ artifacts


def artifact(name: str) -> dict:
    """ABI and bytecode of a compiled contract, compiling with brownie when missing."""
    path = BUILD_DIR / f"{name}.json"
    if not path.exists():
        brownie = Path(sys.executable).parent / "brownie"
        result = subprocess.run([str(brownie), "compile"], cwd=PROJECT_ROOT, capture_output=True, text=True)
        if result.returncode != 0 or not path.exists():
            raise ChainError("contracts not compiled and `brownie compile` failed: run `make setup`")
    data = json.loads(path.read_text())
    return {"abi": data["abi"], "bytecode": data["bytecode"]}


def to_id(text: str) -> bytes:
    """The pseudonymous on-chain key of a claim, member, family, plan or authorization id."""
    return keccak(text=text)


def to_bytes8(text: str) -> bytes:
    raw = text.encode("ascii")
    if len(raw) > 8:
        raise ChainError(f"code {text!r} longer than 8 characters")
    return raw.ljust(8, b"\0")


def to_bytes16(text: str) -> bytes:
    raw = text.encode("ascii")
    if len(raw) > 16:
        raise ChainError(f"category {text!r} longer than 16 characters")
    return raw.ljust(16, b"\0")


def from_fixed_bytes(raw: bytes) -> str:
    return raw.rstrip(b"\0").decode("ascii")


def payee_for(npi: str) -> str:
    """A deterministic demo payee address for a provider (a real deployment registers its own)."""
    return Web3.to_checksum_address(keccak(text=f"claimledger-payee:{npi}")[-20:])


# ------------------------------------------------------------------------------------ deployment


@dataclass
class Keys:
    """One private key per role (anvil's dev accounts by default; see {from_env})."""

    admin: str
    plan_manager: str
    biller: str
    reviewer: str
    treasurer: str

    @classmethod
    def from_list(cls, keys: list[str]) -> "Keys":
        return cls(*keys[:5])

    @classmethod
    def from_env(cls, key_env: str | None = None, role: str = "biller") -> "Keys":
        """Each role's key from ``CLAIMLEDGER_<ROLE>_KEY`` (e.g. ``CLAIMLEDGER_PLAN_MANAGER_KEY``)
        where that is set, else anvil's dev key; ``role``'s (a field name) from the environment
        variable ``key_env`` when one is named."""
        from .node import dev_private_keys, env_private_key

        keys = cls.from_list(dev_private_keys(5))
        for name in cls.__dataclass_fields__:
            if os.environ.get(role_key_env(name)):
                setattr(keys, name, env_private_key(role_key_env(name)))
        if key_env:
            setattr(keys, role, env_private_key(key_env))
        return keys

    def addresses(self) -> list[str]:
        """The role accounts' addresses, admin first."""
        from eth_account import Account

        return [Account.from_key(getattr(self, name)).address for name in self.__dataclass_fields__]


def role_key_env(role: str) -> str:
    """The environment variable that holds ``role``'s private key: CLAIMLEDGER_BILLER_KEY, ..."""
    return f"CLAIMLEDGER_{role.upper()}_KEY"


@dataclass
class Deployment:
    w3: Web3
    addresses: dict[str, str]
    contracts: dict[str, object] = field(default_factory=dict)
    from_block: int = 0  # the block the deployment started at: no event of it is older
    scenario: str | None = None  # the directory of the scenario adjudicated on it, if any
    history_blocks: int | None = None  # the node keeps the transactions of only this many blocks

    def __post_init__(self):
        for name, address in self.addresses.items():
            self.contracts[name] = self.w3.eth.contract(address=address, abi=artifact(name)["abi"])

    def __getitem__(self, name: str):
        return self.contracts[name]

    def save(self, path: Path) -> None:
        """Writes deployments.json: chain id, first block, contract addresses, and the scenario and
        the node's history if known."""
        document = {"chain_id": self.w3.eth.chain_id, "from_block": self.from_block, "contracts": self.addresses,
                    **{k: v for k, v in (("scenario", self.scenario), ("history_blocks", self.history_blocks)) if v}}
        path.write_text(json.dumps(document, indent=2) + "\n")

    @classmethod
    def load(cls, w3: Web3, path: Path) -> "Deployment":
        if not path.is_file():
            raise ChainError(f"{path}: no deployments file (deploy first)")
        data = json.loads(path.read_text())
        return cls(w3, data["contracts"], from_block=data.get("from_block", 0), scenario=data.get("scenario"),
                   history_blocks=data.get("history_blocks"))

    def forgotten_before(self) -> int | None:
        """The first block whose transactions and events the node still keeps, if it has
        dropped some of the deployment's (a node keeping ``history_blocks``); else None."""
        if self.history_blocks is None:
            return None
        first_kept = self.w3.eth.block_number - self.history_blocks + 1
        return first_kept if first_kept > self.from_block else None


class CallEncoder:
    """Calldata for one function of a contract with eth-abi directly: web3's ``encode_abi``
    re-walks the ABI for every call, which at replay rates costs more than signing."""

    def __init__(self, contract, fn_name: str):
        from eth_utils import function_abi_to_4byte_selector

        abi = next(i for i in contract.abi if i.get("type") == "function" and i["name"] == fn_name)
        self.selector = function_abi_to_4byte_selector(abi)
        self.types = [_abi_type(i) for i in abi["inputs"]]

    def __call__(self, *args) -> bytes:
        from eth_abi import encode

        return self.selector + encode(self.types, list(args))


def _abi_type(item: dict) -> str:
    """The canonical type of an ABI input, tuples spelled out."""
    kind = item["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(_abi_type(c) for c in item["components"]) + ")" + kind[len("tuple"):]
    return kind


def _call(sender: TxSender, contract, fn: str, *args, gas: int = SETUP_GAS) -> dict:
    data = contract.encode_abi(fn, args=list(args))
    return sender.transact(contract.address, data, gas)


def _deploy_one(w3: Web3, sender: TxSender, name: str, *args) -> str:
    art = artifact(name)
    factory = w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
    data = factory.constructor(*args).data_in_transaction
    receipt = sender.transact(None, data, SETUP_GAS)
    return receipt["contractAddress"]


def deploy(w3: Web3, keys: Keys, admin_delay: int = 0) -> Deployment:
    """Deploys token, registries, escrow and engine, and wires the roles (see docs/ROLES)."""
    admin = TxSender(w3, keys.admin)
    a = admin.address
    first_block = w3.eth.block_number
    addresses = {
        "SettlementToken": _deploy_one(w3, admin, "SettlementToken", a, admin_delay),
        "PlanRegistry": _deploy_one(w3, admin, "PlanRegistry", a, admin_delay),
        "ProviderRegistry": _deploy_one(w3, admin, "ProviderRegistry", a, admin_delay),
        "AuthorizationRegistry": _deploy_one(w3, admin, "AuthorizationRegistry", a, admin_delay),
    }
    addresses["MemberRegistry"] = _deploy_one(w3, admin, "MemberRegistry", a, admin_delay, addresses["PlanRegistry"])
    addresses["SettlementEscrow"] = _deploy_one(
        w3, admin, "SettlementEscrow", a, admin_delay, addresses["SettlementToken"], addresses["ProviderRegistry"]
    )
    addresses["ClaimsEngine"] = _deploy_one(
        w3, admin, "ClaimsEngine", a, admin_delay, addresses["PlanRegistry"], addresses["MemberRegistry"],
        addresses["ProviderRegistry"], addresses["AuthorizationRegistry"], addresses["SettlementEscrow"],
    )
    dep = Deployment(w3, addresses, from_block=first_block)
    addr = {role: TxSender(w3, getattr(keys, role)).address
            for role in ("plan_manager", "biller", "reviewer", "treasurer")}
    grants = [
        ("PlanRegistry", "PLAN_MANAGER", addr["plan_manager"]),
        ("MemberRegistry", "PLAN_MANAGER", addr["plan_manager"]),
        ("ProviderRegistry", "PLAN_MANAGER", addr["plan_manager"]),
        ("AuthorizationRegistry", "PLAN_MANAGER", addr["plan_manager"]),
        ("ClaimsEngine", "BILLER", addr["biller"]),
        ("ClaimsEngine", "REVIEWER", addr["reviewer"]),
        ("SettlementEscrow", "TREASURER", addr["treasurer"]),
        ("SettlementToken", "MINTER", addr["treasurer"]),
        ("MemberRegistry", "ENGINE", addresses["ClaimsEngine"]),
        ("AuthorizationRegistry", "ENGINE", addresses["ClaimsEngine"]),
        ("SettlementEscrow", "ENGINE", addresses["ClaimsEngine"]),
    ]
    for contract, role, account in grants:
        _call(admin, dep[contract], "grantRole", ROLES[role], account)
    return dep


# ------------------------------------------------------------------------------------ reference data


def plan_content_hash(plan: Plan) -> bytes:
    """Hash of the plan version's canonical JSON, anchored on chain when the version is sealed."""
    fees = {code: vars(entry) for code, entry in sorted(plan.fee_schedule.items())}
    document = {**{k: v for k, v in vars(plan).items() if k != "fee_schedule"}, "fee_schedule": fees}
    return keccak(text=json.dumps(document, sort_keys=True, default=list))


def plan_terms(plan: Plan) -> tuple:
    return (
        plan.deductible_individual, plan.deductible_family, plan.oop_max_individual, plan.oop_max_family,
        plan.coinsurance_bps, plan.out_of_network_coinsurance_bps, plan.out_of_network_covered,
        plan.timely_filing_days, plan.pend_above is not None, plan.pend_above or 0,
    )


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def load_plan(dep: Deployment, sender: TxSender, plan: Plan, effective_from: int = 0) -> int:
    """Publishes one plan version, effective from a day (R-3): terms, copays, fee schedule,
    then seals it with the hash of its content."""
    registry = dep["PlanRegistry"]
    plan_id = to_id(plan.plan_id)
    version = registry.functions.versionCount(plan_id).call() + 1
    _call(sender, registry, "createVersion", plan_id, plan.plan_id, effective_from, plan_terms(plan))
    if plan.copays:
        cats = sorted(plan.copays)
        _call(sender, registry, "setCopays", plan_id, version, [to_bytes16(c) for c in cats],
              [plan.copays[c] for c in cats])
    codes = sorted(plan.fee_schedule)
    for chunk in _chunks(codes, 40):
        entries = []
        for code in chunk:
            e = plan.fee_schedule[code]
            entries.append((True, e.allowed, to_bytes16(e.category), e.prior_auth, e.review,
                            e.max_units_per_day or 0, e.annual_limit or 0,
                            [diagnosis_bytes(p) for p in e.dx_prefixes]))
        _call(sender, registry, "setFees", plan_id, version, [to_bytes8(c) for c in chunk], entries)
    _call(sender, registry, "sealVersion", plan_id, version, plan_content_hash(plan))
    return version


def load_reference_data(dep: Deployment, keys: Keys, scenario: Scenario, mine_in_bulk: bool = False) -> None:
    """Plans, members, providers and authorizations of a scenario, as the plan manager.

    Plans go one transaction at a time (each version reads the one before). The rest goes in
    chunks; with ``mine_in_bulk`` (a dev node only) they are all sent at once and mined into as
    few blocks as fit, since a dev node's cost per block grows with its state."""
    sender = TxSender(dep.w3, keys.plan_manager)
    for plan_id in scenario.plans:
        for version in scenario.plan_versions(plan_id):
            load_plan(dep, sender, version, version.effective_from)
    calls = []
    enroll = CallEncoder(dep["MemberRegistry"], "enroll")
    for chunk in _chunks(list(scenario.members.values())):
        calls.append((dep["MemberRegistry"].address, enroll([to_id(m.member_id) for m in chunk], [
            (True, to_id(m.subscriber_id), to_id(m.plan_id), m.coverage_start,
             OPEN_ENDED if m.coverage_end is None else m.coverage_end) for m in chunk
        ])))
    register = CallEncoder(dep["ProviderRegistry"], "register")
    for chunk in _chunks(list(scenario.providers.values())):
        calls.append((dep["ProviderRegistry"].address, register(
            [int(p.npi) for p in chunk], [(True, p.in_network, payee_for(p.npi)) for p in chunk])))
    grant = CallEncoder(dep["AuthorizationRegistry"], "grant")
    for chunk in _chunks(scenario.authorizations):
        calls.append((dep["AuthorizationRegistry"].address, grant([to_id(a.auth_id) for a in chunk], [
            (to_id(a.member_id), to_bytes8(a.procedure_code), a.start, a.end, a.units, 0) for a in chunk
        ])))
    if not mine_in_bulk:
        for to, data in calls:
            sender.transact(to, data, SETUP_GAS)
        return
    request = dep.w3.provider.make_request
    request("evm_setAutomine", [False])
    try:
        sender.window = len(calls) + 1
        for to, data in calls:
            sender.send(to, data, SETUP_GAS)
        while int(request("eth_getTransactionCount", [sender.address, "latest"])["result"], 16) < sender.nonce:
            request("evm_mine", [])
        sender.flush()
    finally:
        request("evm_setAutomine", [True])


# ------------------------------------------------------------------------------------ settlement


def fund_escrow(dep: Deployment, keys: Keys, amount: int) -> None:
    """The treasurer mints ``amount`` test-token units and funds the escrow with them (A-8)."""
    token, escrow = dep["SettlementToken"], dep["SettlementEscrow"]
    treasurer = TxSender(dep.w3, keys.treasurer)
    _call(treasurer, token, "mint", treasurer.address, amount)
    _call(treasurer, token, "approve", escrow.address, amount)
    _call(treasurer, escrow, "fund", amount)


def settle_providers(dep: Deployment, keys: Keys, npis: list[str], chunk: int = CHUNK) -> int:
    """The treasurer pays each provider what is owed, as far as the escrow allows; returns units paid."""
    from web3.logs import DISCARD

    escrow = dep["SettlementEscrow"]
    treasurer = TxSender(dep.w3, keys.treasurer)
    paid = 0
    for part in _chunks([int(n) for n in npis], chunk):
        receipt = _call(treasurer, escrow, "settle", part)
        paid += sum(e["args"]["amount"] for e in escrow.events.ProviderPaid().process_receipt(receipt, errors=DISCARD))
    return paid


# ------------------------------------------------------------------------------------ claims


def claim_input(claim: Claim) -> tuple:
    """The IClaimsEngine.ClaimInput tuple of a claim."""
    return (
        to_id(claim.claim_id),
        int(claim.frequency),
        to_id(claim.original_claim_id) if claim.original_claim_id else b"\0" * 32,
        to_id(claim.member_id),
        int(claim.provider_npi),
        claim.received_date,
        [diagnosis_bytes(d) for d in claim.diagnoses],
        [(l.service_date, to_bytes8(l.procedure_code), l.units, l.billed) for l in claim.lines],
    )


CLAIM_CONTENT_TYPES = ["uint8", "bytes32", "bytes32", "uint64", "uint32", "bytes8[]", "(uint32,bytes8,uint16,uint64)[]"]


def claim_content_hash(claim: Claim) -> bytes:
    """The content hash the engine records for a claim (``_contentHash``: all but the id)."""
    return input_content_hash(claim_input(claim))


def input_content_hash(claim: tuple) -> bytes:
    """:func:`claim_content_hash` of a ClaimInput tuple."""
    from eth_abi import encode

    return keccak(encode(CLAIM_CONTENT_TYPES, list(claim[1:])))


SUBMIT_FUNCTIONS = ("submitClaims", "submitClaim")  # the engine's entry points that record claims


def recorded_claim_input(dep: Deployment, claim_key: bytes) -> tuple | None:
    """The ClaimInput the engine recorded under ``claim_key`` (see :func:`recorded_claim_inputs`);
    None if the engine never accepted that claim id."""
    return recorded_claim_inputs(dep, [claim_key]).get(bytes(claim_key))


def recorded_claim_inputs(dep: Deployment, claim_keys, chunk: int = 200, from_scenario: bool = True) -> dict[bytes, tuple]:
    """The ClaimInput the engine recorded under each of ``claim_keys`` that it accepted, read back
    from the transactions that submitted them (their ``ClaimAccepted`` events name the content
    hash). The engine keeps only a tag of a claim's content (R-17). One ``eth_getLogs`` per
    ``chunk`` ids, from the deployment's first block, and each transaction decoded once. Claims
    whose transactions the node no longer keeps come from the deployment's scenario (see
    :func:`_recorded_in_scenario`) unless ``from_scenario`` is false (for a caller that has
    read that scenario already)."""
    engine = dep["ClaimsEngine"]
    submitted = _SubmittedClaims(dep.w3, engine)
    wanted = list(dict.fromkeys(bytes(k) for k in claim_keys))
    found: dict[bytes, tuple] = {}
    for at in range(0, len(wanted), chunk):
        logs = engine.events.ClaimAccepted.get_logs(
            from_block=dep.from_block, argument_filters={"claimId": wanted[at:at + chunk]})
        for log in logs:
            key, content_hash = bytes(log["args"]["claimId"]), bytes(log["args"]["contentHash"])
            for claim in submitted.of(bytes(log["transactionHash"])):
                if bytes(claim[0]) == key and input_content_hash(claim) == content_hash:
                    found.setdefault(key, claim)
    missing = [key for key in wanted if key not in found]
    if missing and from_scenario and dep.scenario is not None and dep.forgotten_before() is not None:
        found.update(_recorded_in_scenario(dep, missing))
    return found


def _recorded_in_scenario(dep: Deployment, claim_keys: list[bytes]) -> dict[bytes, tuple]:
    """The contents recorded under ``claim_keys``, found in the claims file of the scenario the
    deployment adjudicated: a content counts only if its hash matches the tag the engine
    recorded, so a file changed since (or an id never accepted) yields nothing."""
    from .scenario import CLAIMS_FILE, iter_claims

    path = Path(dep.scenario) / CLAIMS_FILE
    if not path.is_file():
        return {}
    engine = dep["ClaimsEngine"]
    tags = {}
    for key in claim_keys:
        record = engine.functions.claim(key).call()
        if record[0] != 0:  # ClaimState.None: never accepted
            tags[key] = bytes(record[-1])
    found: dict[bytes, tuple] = {}
    if tags:
        for item in iter_claims(path):
            if isinstance(item, Claim) and (key := to_id(item.claim_id)) in tags and key not in found:
                content = claim_input(item)
                if input_content_hash(content)[:len(tags[key])] == tags[key]:
                    found[key] = content
    return found


class _SubmittedClaims:
    """The ClaimInputs a transaction submitted to the engine (``submitClaims`` or
    ``submitClaim``), decoded from its calldata once per transaction."""

    def __init__(self, w3: Web3, engine):
        self.w3 = w3
        self.calls = {}  # selector -> (argument types, whether the first argument is a batch)
        for name in SUBMIT_FUNCTIONS:
            encoder = CallEncoder(engine, name)
            self.calls[encoder.selector] = (encoder.types, name == "submitClaims")
        self.by_tx: dict[bytes, list] = {}

    def of(self, tx_hash: bytes) -> list:
        if tx_hash not in self.by_tx:
            from eth_abi import decode

            data = bytes(self.w3.eth.get_transaction(tx_hash)["input"])
            claims = []
            if data[:4] in self.calls:
                types, batch = self.calls[data[:4]]
                first = decode(types, data[4:])[0]
                claims = list(first) if batch else [first]
            self.by_tx[tx_hash] = claims
        return self.by_tx[tx_hash]


def revert_reason(contract, exc: Exception) -> str:
    """Names the custom error of a revert (e.g. ``refused by the contract: LineNotPending``):
    web3 leaves custom errors as raw revert data."""
    data = getattr(exc, "data", None) or (exc.args[1] if len(exc.args) > 1 else None)
    if isinstance(data, str) and data.startswith("0x") and len(data) >= 10:
        selector = bytes.fromhex(data[2:10])
        for item in contract.abi:
            if item.get("type") == "error":
                signature = f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"
                if Web3.keccak(text=signature)[:4] == selector:
                    return f"refused by the contract: {item['name']}"
    return f"refused by the contract: {str(exc).splitlines()[0][:120]}"


class EventDecoder:
    """Decodes the claims engine's events from receipts, in log order."""

    NAMES = ("ClaimAccepted", "ClaimRecordRejected", "ClaimAlreadyRecorded", "LineAdjudicated",
             "LineReversed", "PendedLineDecided", "LineAppealed", "AppealDecided")

    def __init__(self, engine):
        self.address = engine.address.lower()
        self.by_topic = {}
        for item in engine.abi:
            if item.get("type") == "event" and item["name"] in self.NAMES:
                names = [i["name"] for i in item["inputs"] if not i["indexed"]]
                types = [i["type"] for i in item["inputs"] if not i["indexed"]]
                indexed = [i["name"] for i in item["inputs"] if i["indexed"]]
                self.by_topic[event_abi_to_log_topic(item)] = (item["name"], names, types, indexed)

    def static_field(self, event: str, field: str) -> tuple[bytes, int]:
        """The topic of ``event`` and the offset in its logs' data of its non-indexed static
        ``field``: to read one field of many logs without decoding the rest."""
        for topic, (name, names, _types, _indexed) in self.by_topic.items():
            if name == event:
                return topic, 32 * names.index(field)
        raise KeyError(event)

    def decode(self, receipt: dict) -> list[tuple[str, dict]]:
        events = []
        for log in receipt["logs"]:
            if log["address"].lower() != self.address:
                continue
            spec = self.by_topic.get(bytes(log["topics"][0]))
            if spec is None:
                continue
            name, names, types, indexed = spec
            values = dict(zip(names, abi_decode(types, bytes(log["data"]))))
            for key, topic in zip(indexed, log["topics"][1:]):
                values[key] = bytes(topic)
            events.append((name, values))
        return events


def line_result(claim_id: str, values: dict, status: LineStatus | None = None) -> LineResult:
    """A results.csv row from a LineAdjudicated (or LineReversed, before negation) event."""
    status = status or LINE_STATUS[values["status"]]
    billed = values["billed"]
    if status == LineStatus.DENIED:
        return LineResult(claim_id, values["line"], status,
                          adjustments=(Adjustment("CO", from_fixed_bytes(values["carc"]), billed),))
    if status == LineStatus.PENDED:
        return LineResult(claim_id, values["line"], status)
    pricing = Pricing(values["allowed"], values["deductible"], values["copay"], values["coinsurance"])
    return LineResult(claim_id, values["line"], status, pricing.allowed, pricing.deductible, pricing.copay,
                      pricing.coinsurance, pricing.paid, pricing.patient, adjustments_for(billed, pricing))


@dataclass
class ClaimOutcome:
    """What one submitted record produced, in processing order."""

    claim_id: str
    rows: list[LineResult] = field(default_factory=list)
    reject: Reject | None = None
    already_recorded: bool = False
    claim: Claim | None = None


def _names(claims: list[Claim]) -> dict[bytes, str]:
    """Claim ids (and the originals they correct) by their on-chain hash."""
    names: dict[bytes, str] = {}
    for claim in claims:
        names[to_id(claim.claim_id)] = claim.claim_id
        if claim.original_claim_id:
            names[to_id(claim.original_claim_id)] = claim.original_claim_id
    return names


def _line_rows(events: list[tuple[str, dict]], index: int, names: dict[bytes, str], claim_id: str) -> tuple[list[LineResult], int]:
    """The rows of the line events that follow a claim's header event at ``index``."""
    rows = []
    while index < len(events) and events[index][0] in ("LineAdjudicated", "LineReversed"):
        name, values = events[index]
        index += 1
        if name == "LineReversed":
            original = names.get(values["claimId"], "0x" + values["claimId"].hex())
            rows.append(line_result(original, values, LINE_STATUS[values["previousStatus"]]).negated())
        else:
            rows.append(line_result(claim_id, values))
    return rows, index


def outcomes_from_events(items: list[Claim | Reject], events: list[tuple[str, dict]]) -> list[ClaimOutcome]:
    """Pairs a batch's records with its events: each sent claim opens with exactly one of
    ClaimAccepted, ClaimRecordRejected or ClaimAlreadyRecorded."""
    names = _names([i for i in items if isinstance(i, Claim)])
    outcomes: list[ClaimOutcome] = []
    index = 0
    for item in items:
        if isinstance(item, Reject):
            outcomes.append(ClaimOutcome(item.claim_id, reject=item))
            continue
        current = ClaimOutcome(item.claim_id, claim=item)
        name, values = events[index]
        index += 1
        if name == "ClaimRecordRejected":
            field_name, reason = CHAIN_REJECTS[values["reason"]]
            current.reject = Reject(item.claim_id, field_name, reason)
        elif name == "ClaimAlreadyRecorded":
            current.already_recorded = True
        elif name != "ClaimAccepted":
            raise ChainError(f"unexpected event {name} at the start of claim {item.claim_id}")
        current.rows, index = _line_rows(events, index, names, item.claim_id)
        outcomes.append(current)
    return outcomes


def recorded_rows(dep: Deployment, claim: Claim, after: tuple[int, int]) -> tuple[list[LineResult], int] | None:
    """The rows a claim produced when the chain accepted it, read back from that transaction's
    events, if it was accepted after position ``after`` = (block, transaction index): a claim in
    flight when a replay died. Returns (rows, block) or None."""
    engine = dep["ClaimsEngine"]
    key = to_id(claim.claim_id)
    logs = [log for log in engine.events.ClaimAccepted.get_logs(from_block=after[0], argument_filters={"claimId": key})
            if (log["blockNumber"], log["transactionIndex"]) > tuple(after)]
    if not logs:
        return None
    receipt = dep.w3.eth.get_transaction_receipt(logs[0]["transactionHash"])
    events = EventDecoder(engine).decode(receipt)
    for index, (name, values) in enumerate(events):
        if name == "ClaimAccepted" and values["claimId"] == key:
            rows, _ = _line_rows(events, index + 1, _names([claim]), claim.claim_id)
            return rows, logs[0]["blockNumber"]
    raise ChainError(f"{claim.claim_id}: accepted on chain but its events could not be read back")
