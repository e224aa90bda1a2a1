"""A deployment that lives: contracts deployed once into a directory, reference data loaded
into it as it changes, and every later command pointed at it with ``--deployment DIR``.

``DIR/deployments.json`` holds what ``Deployment.save`` writes (chain id, first block,
contract addresses) and: the block after deploying, the node's URL (unless it came from
``CLAIMLEDGER_RPC``, for URLs that carry an API key), the client, the role addresses and the
confirmations to wait for. ``DIR/manifest.json`` holds what was loaded (:mod:`.manifest`).
Every command refuses to send when the node's chain id is not the one recorded.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator

from web3 import Web3

from . import chain
from .atomic import write_text_atomically
from .chain import ChainError, Deployment, Keys
from .keys import KeySource, refuse_dev_keys
from .manifest import ChainVersion, Changes, Manifest, plan_changes, plan_file_hash, record_changes, record_hash
from .node import CHAIN_STATE_FILE, connect, kept_state, run_chain
from .privacy.pseudonyms import new_keystore
from .records import Plan
from .scenario import InputError, Scenario, load_scenario

DEPLOYMENTS_FILE = "deployments.json"
RPC_ENV = "CLAIMLEDGER_RPC"


def read_document(path: Path) -> dict:
    """deployments.json of a deployment or run directory (or the file itself)."""
    path = Path(path)
    file = path / DEPLOYMENTS_FILE if path.is_dir() else path
    if not file.is_file():
        raise ChainError(f"{path}: no {DEPLOYMENTS_FILE} (run `claimledger deploy --out {path}` first)")
    return json.loads(file.read_text())


def _update_document(file: Path, **fields) -> None:
    document = json.loads(file.read_text())
    document.update({k: v for k, v in fields.items() if v is not None})
    write_text_atomically(file, json.dumps(document, indent=2) + "\n")


def check_chain_id(w3: Web3, document: dict, where: Path, url: str) -> None:
    """Refuses (one line) a node whose chain id is not the deployment's."""
    actual = w3.eth.chain_id
    if actual != document["chain_id"]:
        raise ChainError(f"{where}: deployed on chain {document['chain_id']}, but the node at {url} is chain "
                         f"{actual}: refusing to send")


def node_url(document: dict, rpc: str | None, where: Path) -> str:
    url = rpc or os.environ.get(RPC_ENV) or document.get("rpc")
    if not url:
        raise ChainError(f"{where}: no node recorded; pass --rpc URL or set {RPC_ENV}")
    return url


def open_deployment(deploy_dir: Path, rpc: str | None = None) -> Deployment:
    """The deployment of ``deploy_dir`` on its node (``rpc`` overrides the recorded one),
    after checking the node's chain id."""
    document = read_document(deploy_dir)
    url = node_url(document, rpc, deploy_dir)
    w3 = connect(url)
    check_chain_id(w3, document, deploy_dir, url)
    file = Path(deploy_dir) / DEPLOYMENTS_FILE if Path(deploy_dir).is_dir() else Path(deploy_dir)
    return Deployment.load(w3, file)


def recorded_deployment(run_dir: Path) -> Path | None:
    """The deployment directory a run on a deployment that lives was made on (None: a run on
    the embedded chain or a bare --rpc node)."""
    recorded = Path(run_dir) / DEPLOYMENTS_FILE
    document = json.loads(recorded.read_text()) if recorded.is_file() else {}
    if document.get("deployment") and kept_state(Path(run_dir) / CHAIN_STATE_FILE) is None:
        return Path(document["deployment"])
    return None


@contextmanager
def run_node(run_dir: Path, rpc: str | None = None, deployment: Path | None = None) -> Iterator[Web3]:
    """The chain of a run directory: its deployment's node (``--deployment``, or the one its
    deployments.json names) with the chain id checked, else the embedded chain it saved or the
    node at ``rpc`` as before (``node.run_chain``)."""
    recorded = Path(run_dir) / DEPLOYMENTS_FILE
    document = json.loads(recorded.read_text()) if recorded.is_file() else {}
    deployment = deployment or recorded_deployment(run_dir)
    if deployment is None:
        with run_chain(run_dir, rpc) as w3:
            if rpc is not None and document:
                check_chain_id(w3, document, run_dir, rpc)
            yield w3
        return
    yield open_deployment(deployment, rpc).w3


def deploy_to(out: Path, rpc: str, keys: Keys, sources: list[KeySource], confirmations: int = 1) -> Deployment:
    """Deploys the contracts and wires the roles on the node at ``rpc``; writes
    ``OUT/deployments.json``. Refuses a directory that holds a deployment already."""
    out = Path(out)
    if (out / DEPLOYMENTS_FILE).exists():
        document = read_document(out)
        raise ChainError(f"{out}: holds a deployment already (chain {document['chain_id']}, block "
                         f"{document.get('from_block')}); deploy into a new directory")
    w3 = connect(rpc)
    refuse_dev_keys(sources, w3.eth.chain_id)
    out.mkdir(parents=True, exist_ok=True)
    dep = chain.deploy(w3, keys, pseudonyms=new_keystore(out))
    dep.save(out / DEPLOYMENTS_FILE)
    client = w3.provider.make_request("web3_clientVersion", []).get("result")
    _update_document(out / DEPLOYMENTS_FILE, block=w3.eth.block_number,
                     rpc=None if rpc == os.environ.get(RPC_ENV) else rpc, client=client,
                     deployed_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                     roles={s.role: s.address for s in sources}, confirmations=confirmations)
    return dep


@dataclass
class LoadReport:
    changes: Changes
    input_errors: list[InputError] = field(default_factory=list)

    def lines(self) -> list[str]:
        sent = ", ".join(f"{n} {what}" for what, n in self.changes.counts().items())
        out = [f"loaded {sent}" if not self.changes.empty else "nothing changed: nothing sent"]
        if self.changes.adopted:
            out.append(f"{len(self.changes.adopted)} authorization(s) found on chain as in the file")
        out += [f"  not applied: {note}" for note in self.changes.notes]
        out += [f"  input error: {error}" for error in self.input_errors[:20]]
        return out


def load_into(deploy_dir: Path, scenario_dir: Path, keys: Keys, sources: list[KeySource], change_day: int,
              rpc: str | None = None) -> LoadReport:
    """Sends the plans, members, providers and authorizations of ``scenario_dir`` that the
    deployment does not have as they are (R-25), waits for their confirmations, then records
    them in the manifest. Run again, it sends nothing."""
    dep = open_deployment(deploy_dir, rpc)
    refuse_dev_keys(sources, dep.w3.eth.chain_id, ("plan_manager",))
    scenario = load_scenario(Path(scenario_dir))
    manifest = Manifest.read(deploy_dir)
    changes = pending_changes(dep, manifest, scenario, change_day)
    if not changes.empty:
        chain.load_reference_data(dep, keys, changes.sub_scenario())  # each transaction confirmed
    manifest.record(changes, scenario, dep.w3.eth.block_number)
    for a in changes.adopted:
        manifest.authorizations[a.auth_id] = record_hash(a)
    manifest.write(deploy_dir)
    return LoadReport(changes, scenario.input_errors)


def pending_changes(dep: Deployment, manifest: Manifest, scenario: Scenario, change_day: int) -> Changes:
    """What of ``scenario`` the deployment lacks: records by the manifest, plans by the chain's
    versions, authorizations checked on chain too (a load that died after sending them)."""
    changes = record_changes(manifest, scenario)
    for plan_id in scenario.plans:
        if manifest.plans.get(plan_id) == plan_file_hash(scenario, plan_id):
            continue
        publish, notes, settled = plan_changes(plan_id, chain_versions(dep, plan_id), scenario.plan_versions(plan_id),
                                      change_day, _same_content)
        changes.plan_versions += publish
        changes.notes += notes
        if settled:
            changes.plans_settled.append(plan_id)
    registry = dep[chain.ENGINE]
    fresh = []
    for a in changes.authorizations:
        held = registry.functions.authorization(dep.ids.authorization(a.auth_id)).call()
        if held[4] == 0:  # units: never granted
            fresh.append(a)
        elif tuple(held[:5]) == (dep.ids.member(a.member_id), chain.to_bytes8(a.procedure_code), a.start, a.end, a.units):
            changes.adopted.append(a)
        else:
            changes.notes.append(InputError("authorizations.csv", 0, a.auth_id, "auth_id",
                                            "granted on chain with other terms: grant a new auth_id"))
    changes.authorizations = fresh
    return changes


def chain_versions(dep: Deployment, plan_id: str) -> list[ChainVersion]:
    registry = dep[chain.ENGINE]
    key = chain.to_id(plan_id)
    versions = []
    for number in range(1, registry.functions.versionCount(key).call() + 1):
        effective_from, sealed, content_hash = registry.functions.versionInfo(key, number).call()
        versions.append(ChainVersion(effective_from, sealed, bytes(content_hash)))
    return versions


def _same_content(plan: Plan, version: ChainVersion) -> bool:
    """Whether ``version`` was sealed with ``plan``'s content (at the version's own date)."""
    return chain.plan_content_hash(replace(plan, effective_from=version.effective_from)) == version.content_hash


def missing_from(deploy_dir: Path, scenario: Scenario) -> dict[str, int]:
    """Records of ``scenario`` the deployment's manifest does not have as they are (nothing
    read from the chain): a run on the deployment needs none."""
    manifest = Manifest.read(deploy_dir)
    changes = record_changes(manifest, scenario)
    plans = sum(1 for p in scenario.plans if manifest.plans.get(p) != plan_file_hash(scenario, p))
    counts = {"plans": plans, "members": len(changes.members), "providers": len(changes.providers),
              "authorizations": len(changes.authorizations)}
    return {k: v for k, v in counts.items() if v}


def start_run(dep: Deployment, deploy_dir: Path, scenario: Scenario, scenario_dir: Path, out_dir: Path) -> None:
    """A run of ``scenario``'s claims on the deployment: refuses if the deployment lacks its
    reference data, and writes the run's deployments.json (naming the deployment)."""
    missing = missing_from(deploy_dir, scenario)
    if missing:
        listed = ", ".join(f"{n} {what}" for what, n in missing.items())
        raise ChainError(f"{deploy_dir}: lacks {listed} of {scenario_dir}: run `claimledger load {deploy_dir} "
                         f"{scenario_dir}` first")
    dep.scenario = str(Path(scenario_dir).resolve())
    dep.save(out_dir / DEPLOYMENTS_FILE)
    document = read_document(deploy_dir)
    _update_document(out_dir / DEPLOYMENTS_FILE, deployment=str(Path(deploy_dir).resolve()),
                     rpc=document.get("rpc"), block=dep.w3.eth.block_number)
