"""Deploy claimledger, load a scenario's reference data, fund the escrow and pay providers.

web3.py with locally signed transactions (see :mod:`claimledger.sender`); the compiled
artifacts come from ``brownie compile`` (``build/``). The engine is one address: the
``ClaimsEngine`` singleton, whose extension answers what the engine does not run itself, so
its contract object carries the whole ``IClaimsEngine`` ABI. Claims are packed by
:mod:`claimledger.codec`; outcomes are decoded by :mod:`claimledger.events`; claims read back
from the chain by :mod:`claimledger.recorded`.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from eth_account import Account
from eth_utils import keccak
from web3 import Web3

from .atomic import write_text_atomically
from .codec import from_fixed_bytes, to_bytes8, to_bytes16, to_id  # noqa: F401 (plan ids; persons: Pseudonyms)
from .codesets import diagnosis_bytes  # ICD9: codes go on chain as '#' + code
from .privacy.pseudonyms import Pseudonyms, PseudonymError, keystore_of, keystore_path
from .records import COB_NON_DUPLICATION, Plan, canonical_fields
from .scenario import Scenario
from .sender import TxSender

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = PROJECT_ROOT / "build" / "contracts"
INTERFACES_DIR = PROJECT_ROOT / "build" / "interfaces"
ENGINE = "ClaimsEngine"
PRIVACY = "PrivacyLedger"  # consents, access log, run anchors (docs/PRIVACY.md)
# the ABI a deployed contract is used through, where it is not the contract's own
ABI_OF = {ENGINE: "IClaimsEngine"}
SETUP_GAS = 25_000_000
CHUNK = 100  # records per setup transaction
OPEN_ENDED = 2**32 - 1

ROLE_NAMES = ("PLAN_MANAGER", "BILLER", "REVIEWER", "TREASURER", "MINTER",
              "MEMBER_SERVICES", "RECORDS_OFFICER", "PAYER",  # these three: PrivacyLedger's
              "ADJUDICATOR", "CHALLENGER")  # these two: OptimisticSettlement's
ROLES = {name: keccak(text=name) for name in ROLE_NAMES}

class ChainError(RuntimeError):
    """Deployment or loading failed: one-line reason."""


# ------------------------------------------------------------------------------------ artifacts


def artifact(name: str) -> dict:
    """ABI and bytecode of a compiled contract, compiling with brownie when missing."""
    path = BUILD_DIR / f"{name}.json"
    if not path.exists() and (INTERFACES_DIR / f"{name}.json").exists():
        path = INTERFACES_DIR / f"{name}.json"
    if not path.exists():
        brownie = Path(sys.executable).parent / "brownie"
        result = subprocess.run([str(brownie), "compile"], cwd=PROJECT_ROOT, capture_output=True, text=True)
        if result.returncode != 0 or not path.exists():
            raise ChainError("contracts not compiled and `brownie compile` failed: run `make setup`")
    data = json.loads(path.read_text())
    return {"abi": data["abi"], "bytecode": data.get("bytecode", "")}


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
    records_officer: str = ""  # PrivacyLedger: access log and run anchors (anvil account 5)

    @classmethod
    def from_list(cls, keys: list[str]) -> "Keys":
        """The role keys in field order; the records officer's is anvil's sixth dev key when
        ``keys`` has five."""
        from .node import dev_private_keys

        return cls(*keys[:6]) if len(keys) > 5 else cls(*keys[:5], dev_private_keys(6)[5])

    @classmethod
    def from_env(cls, key_env: str | None = None, role: str = "biller") -> "Keys":
        """Each role's key from ``CLAIMLEDGER_<ROLE>_KEY`` (e.g. ``CLAIMLEDGER_PLAN_MANAGER_KEY``)
        where that is set, else anvil's dev key; ``role``'s (a field name) from the environment
        variable ``key_env`` when one is named."""
        from .node import dev_private_keys, env_private_key

        keys = cls.from_list(dev_private_keys(len(cls.__dataclass_fields__)))
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
    # privacy: how ids go on chain (docs/PRIVACY.md); opened from `keystore` when first needed
    pseudonyms: Pseudonyms | None = None
    keystore: Path | None = None

    def __post_init__(self):
        for name, address in self.addresses.items():
            self.contracts[name] = self.w3.eth.contract(address=address, abi=artifact(ABI_OF.get(name, name))["abi"])

    def __getitem__(self, name: str):
        if name not in self.contracts:
            raise ChainError(f"this deployment has no {name} (deployed before it existed): deploy anew")
        return self.contracts[name]

    @property
    def ids(self) -> Pseudonyms:
        """The deployment's pseudonyms: the key store beside its deployments.json."""
        if self.pseudonyms is None:
            if self.keystore is None:
                raise PseudonymError("no pseudonym key store is known for this deployment")
            self.pseudonyms = Pseudonyms.open(self.keystore)
        return self.pseudonyms

    def save(self, path: Path) -> None:
        """Writes deployments.json: chain id, first block, contract addresses, and the scenario and
        the node's history if known; and, for pseudonyms made in memory (a new deployment), the
        key store beside it (or at ``CLAIMLEDGER_PSEUDONYM_KEYS``)."""
        document = {"chain_id": self.w3.eth.chain_id, "from_block": self.from_block, "contracts": self.addresses,
                    **{k: v for k, v in (("scenario", self.scenario), ("history_blocks", self.history_blocks)) if v}}
        if self.pseudonyms is not None and self.pseudonyms.keyed and self.pseudonyms.path is None:
            self.pseudonyms.attach(keystore_path(path.parent))
            self.keystore = self.pseudonyms.path
        write_text_atomically(path, json.dumps(document, indent=2) + "\n")

    @classmethod
    def load(cls, w3: Web3, path: Path) -> "Deployment":
        if not path.is_file():
            raise ChainError(f"{path}: no deployments file (deploy first)")
        data = json.loads(path.read_text())
        return cls(w3, data["contracts"], from_block=data.get("from_block", 0), scenario=data.get("scenario"),
                   history_blocks=data.get("history_blocks"), keystore=keystore_of(path.parent, data))

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


def deploy(w3: Web3, keys: Keys, admin_delay: int = 0, pseudonyms: Pseudonyms | None = None) -> Deployment:
    """Deploys the settlement token, the engine's rewards extension, its extension, the engine and the privacy ledger,
    and grants each role to its key's account (docs/ROLES.md). The deployment's pseudonyms are
    ``pseudonyms``, else a new secret held in memory until :meth:`Deployment.save` writes it."""
    admin = TxSender(w3, keys.admin)
    a = admin.address
    first_block = w3.eth.block_number
    rewards = _deploy_one(w3, admin, "ClaimsEngineRewards")
    addresses = {
        "SettlementToken": _deploy_one(w3, admin, "SettlementToken", a, admin_delay),
        "ClaimsEngineRewards": rewards,
        "ClaimsEngineExtension": _deploy_one(w3, admin, "ClaimsEngineExtension", rewards),
    }
    addresses[ENGINE] = _deploy_one(
        w3, admin, ENGINE, a, admin_delay, addresses["SettlementToken"], addresses["ClaimsEngineExtension"]
    )
    addresses[PRIVACY] = _deploy_one(w3, admin, PRIVACY, a, admin_delay)
    dep = Deployment(w3, addresses, from_block=first_block, pseudonyms=pseudonyms or Pseudonyms.in_memory())
    grants = [
        (ENGINE, "PLAN_MANAGER", keys.plan_manager),
        (ENGINE, "BILLER", keys.biller),
        (ENGINE, "REVIEWER", keys.reviewer),
        (ENGINE, "TREASURER", keys.treasurer),
        ("SettlementToken", "MINTER", keys.treasurer),
        (PRIVACY, "MEMBER_SERVICES", keys.plan_manager),  # who enrolls members registers their keys
        (PRIVACY, "RECORDS_OFFICER", keys.records_officer),
        (PRIVACY, "PAYER", keys.reviewer),  # the plan's claims staff reads claims for payment
    ]
    for contract, role, key in grants:
        _call(admin, dep[contract], "grantRole", ROLES[role], Account.from_key(key).address)
    return dep


# ------------------------------------------------------------------------------------ reference data


def plan_content_hash(plan: Plan) -> bytes:
    """Hash of the plan version's canonical JSON, anchored on chain when the version is sealed."""
    fees = {code: vars(entry) for code, entry in sorted(plan.fee_schedule.items())}
    fields = canonical_fields(vars(plan))
    document = {**{k: v for k, v in fields.items() if k != "fee_schedule"}, "fee_schedule": fees}
    return keccak(text=json.dumps(document, sort_keys=True, default=list))


def plan_terms(plan: Plan) -> tuple:
    return (
        plan.deductible_individual, plan.deductible_family, plan.oop_max_individual, plan.oop_max_family,
        plan.coinsurance_bps, plan.out_of_network_coinsurance_bps, plan.out_of_network_covered,
        plan.timely_filing_days, plan.pend_above is not None, plan.pend_above or 0,
        plan.cob == COB_NON_DUPLICATION,
    )


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def load_plan(dep: Deployment, sender: TxSender, plan: Plan, effective_from: int = 0) -> int:
    """Publishes one plan version, effective from a day (R-3): terms, copays, fee schedule,
    then seals it with the hash of its content."""
    registry = dep[ENGINE]
    plan_id = to_id(plan.plan_id)
    version = registry.functions.versionCount(plan_id).call() + 1
    _call(sender, registry, "createPlanVersion", plan_id, plan.plan_id, effective_from, plan_terms(plan))
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
    if plan.incentives:  # in the fee entries, which a line reads anyway
        codes = sorted(plan.incentives)
        _call(sender, registry, "setIncentives", plan_id, version, [to_bytes8(c) for c in codes],
              [plan.incentives[c] for c in codes])
    _call(sender, registry, "sealPlanVersion", plan_id, version, plan_content_hash(plan))
    return version


def load_reference_data(dep: Deployment, keys: Keys, scenario: Scenario, mine_in_bulk: bool = False) -> None:
    """Plans, members, providers and authorizations of a scenario, as the plan manager.

    Plans go one transaction at a time (each version reads the one before). The rest goes in
    chunks; with ``mine_in_bulk`` (a dev node only) they are all sent at once and mined into as
    few blocks as fit, since a dev node's cost per block grows with its state."""
    sender = TxSender(dep.w3, keys.plan_manager)
    ids = dep.ids  # members, families and authorizations go on chain as pseudonyms
    for plan_id in scenario.plans:
        for version in scenario.plan_versions(plan_id):
            load_plan(dep, sender, version, version.effective_from)
    calls = []
    engine = dep[ENGINE]
    enroll = CallEncoder(engine, "enroll")
    for chunk in _chunks(list(scenario.members.values())):
        calls.append((engine.address, enroll([ids.member(m.member_id) for m in chunk], [
            (True, ids.family(m.subscriber_id), to_id(m.plan_id), m.coverage_start,
             OPEN_ENDED if m.coverage_end is None else m.coverage_end) for m in chunk
        ])))
    register = CallEncoder(engine, "registerProviders")
    for chunk in _chunks(list(scenario.providers.values())):
        calls.append((engine.address, register(
            [int(p.npi) for p in chunk], [(True, p.in_network, payee_for(p.npi)) for p in chunk])))
    signed = [m for m in scenario.members.values() if m.reward_signer]
    bind = CallEncoder(engine, "setMemberSigners")
    for chunk in _chunks(signed):
        calls.append((engine.address, bind([ids.member(m.member_id) for m in chunk], [m.reward_signer for m in chunk])))
    grant = CallEncoder(engine, "grantAuthorizations")
    for chunk in _chunks(scenario.authorizations):
        calls.append((engine.address, grant([ids.authorization(a.auth_id) for a in chunk], [
            (ids.member(a.member_id), to_bytes8(a.procedure_code), a.start, a.end, a.units, 0) for a in chunk
        ])))
    ids.commit()  # the salts of new members are on disk before their pseudonyms go on chain
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
    token, escrow = dep["SettlementToken"], dep[ENGINE]
    treasurer = TxSender(dep.w3, keys.treasurer)
    _call(treasurer, token, "mint", treasurer.address, amount)
    _call(treasurer, token, "approve", escrow.address, amount)
    _call(treasurer, escrow, "fund", amount)


def settle_providers(dep: Deployment, keys: Keys, npis: list[str], chunk: int = CHUNK) -> int:
    """The treasurer pays each provider what is owed, as far as the escrow allows; returns units paid."""
    from web3.logs import DISCARD

    escrow = dep[ENGINE]
    treasurer = TxSender(dep.w3, keys.treasurer)
    paid = 0
    for part in _chunks([int(n) for n in npis], chunk):
        receipt = _call(treasurer, escrow, "settle", part)
        paid += sum(e["args"]["amount"] for e in escrow.events.ProviderPaid().process_receipt(receipt, errors=DISCARD))
    return paid




def checked_transact(dep: Deployment, key: str, fn, failure) -> dict:
    """Dry-runs the engine call ``fn`` from ``key``'s account, so that a refusal is raised as
    ``failure(reason)`` naming its custom error, then sends it and returns the receipt."""
    engine = dep[ENGINE]
    sender = TxSender(dep.w3, key)
    try:
        fn.call({"from": sender.address})
    except Exception as exc:  # noqa: BLE001 - the revert's custom error is the message
        raise failure(revert_reason(engine, exc)) from None
    return sender.transact(engine.address, fn._encode_transaction_data(), 5_000_000)


def revert_reason(contract, exc: Exception) -> str:
    """Names the custom error of a revert (e.g. ``refused by the contract: LineNotPending``):
    web3 leaves custom errors as raw revert data."""
    data = getattr(exc, "data", None) or (exc.args[1] if len(exc.args) > 1 else None)
    if isinstance(data, str) and data.startswith("0x") and len(data) >= 10:
        selector = bytes.fromhex(data[2:10])
        for item in contract.abi:
            if item.get("type") == "error":
                signature = f"{item['name']}({','.join(_abi_type(i) for i in item['inputs'])})"
                if Web3.keccak(text=signature)[:4] == selector:
                    return f"refused by the contract: {item['name']}"
    return f"refused by the contract: {str(exc).splitlines()[0][:120]}"
