"""What a long-lived deployment holds of a scenario's reference data, and what changed since.

``DEPLOY_DIR/manifest.json`` keeps a hash of every member, provider and authorization record
and of every plan's versions, as the chain confirmed them; ``claimledger load`` sends only
what differs from it (see :func:`changes`), and writes it again once the chain confirmed that.
Plans are compared with the chain itself (few calls): the registry's versions and the hash each
was sealed with. Pure: no chain, no files but the manifest's own.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable

from .atomic import write_text_atomically
from .money import format_day
from .records import Authorization, Member, Plan, Provider, canonical_fields
from .scenario import InputError, Scenario

MANIFEST_FILE = "manifest.json"


def record_hash(record) -> str:
    """A hash of a record's fields (canonical JSON), for telling whether it changed."""
    text = json.dumps(canonical_fields(asdict(record)), sort_keys=True, default=list)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class ChainVersion:
    """A plan version as the registry holds it."""

    effective_from: int
    sealed: bool
    content_hash: bytes  # what it was sealed with (chain.plan_content_hash)


@dataclass
class Manifest:
    members: dict[str, list[str]] = field(default_factory=dict)  # member_id -> [hash, subscriber_id]
    providers: dict[str, str] = field(default_factory=dict)
    authorizations: dict[str, str] = field(default_factory=dict)
    plans: dict[str, str] = field(default_factory=dict)  # plan_id -> hash of its versions in the file
    block: int = 0  # the chain's block when it was written

    @classmethod
    def read(cls, deploy_dir: Path) -> "Manifest":
        path = Path(deploy_dir) / MANIFEST_FILE
        if not path.exists():
            return cls()
        data = json.loads(path.read_text())
        return cls(data.get("members", {}), data.get("providers", {}), data.get("authorizations", {}),
                   data.get("plans", {}), data.get("block", 0))

    def write(self, deploy_dir: Path) -> None:
        # a crash leaves the old manifest or the new one
        write_text_atomically(Path(deploy_dir) / MANIFEST_FILE, json.dumps(asdict(self), sort_keys=True) + "\n")

    def record(self, loaded: "Changes", scenario: Scenario, block: int) -> None:
        """Adds what the chain confirmed: the records of ``loaded`` and the scenario's plans."""
        for m in loaded.members:
            self.members[m.member_id] = [record_hash(m), m.subscriber_id]
        for p in loaded.providers:
            self.providers[p.npi] = record_hash(p)
        for a in loaded.authorizations:
            self.authorizations[a.auth_id] = record_hash(a)
        for plan_id in loaded.plans_settled:
            self.plans[plan_id] = plan_file_hash(scenario, plan_id)
        self.block = block


def plan_file_hash(scenario: Scenario, plan_id: str) -> str:
    return hashlib.sha256("".join(record_hash(v) for v in scenario.plan_versions(plan_id)).encode()).hexdigest()[:32]


@dataclass
class Changes:
    """What a load sends, and what it cannot apply (with why)."""

    plan_versions: list[Plan] = field(default_factory=list)  # to publish, each with its effective date
    members: list[Member] = field(default_factory=list)
    providers: list[Provider] = field(default_factory=list)
    authorizations: list[Authorization] = field(default_factory=list)
    adopted: list[Authorization] = field(default_factory=list)  # on chain already, as in the file
    plans_settled: list[str] = field(default_factory=list)  # plans the chain has as the file says, after this load
    notes: list[InputError] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.plan_versions or self.members or self.providers or self.authorizations)

    def counts(self) -> dict[str, int]:
        return {"plan versions": len(self.plan_versions), "members": len(self.members),
                "providers": len(self.providers), "authorizations": len(self.authorizations)}

    def sub_scenario(self) -> Scenario:
        """The scenario of only what is sent (``chain.load_reference_data`` loads it)."""
        plans: dict[str, Plan] = {}
        revisions: list[Plan] = []
        for version in self.plan_versions:  # in date order per plan: the first is the plan, the rest revisions
            if version.plan_id in plans:
                revisions.append(version)
            else:
                plans[version.plan_id] = version
        return Scenario(plans, {m.member_id: m for m in self.members}, {p.npi: p for p in self.providers},
                        list(self.authorizations), revisions=revisions)


def plan_changes(plan_id: str, on_chain: list[ChainVersion], wanted: list[Plan], change_day: int,
                 same: Callable[[Plan, ChainVersion], bool]) -> tuple[list[Plan], list[InputError], bool]:
    """The versions to publish so that the plan is on chain as in the file, as far as R-25
    allows: the past stays as it was priced, a change takes effect after the chain's last
    version, from the date the file gives it or else from ``change_day``. Returns them, notes
    on what is not applied, and whether the plan is then as settled as it can be (False: a
    change that cannot take effect, asked about again by the next load)."""
    if not on_chain:
        return list(wanted), [], True
    last = on_chain[-1].effective_from  # the registry orders every version, sealed or not
    sealed = [v for v in on_chain if v.sealed]

    def file_at(day: int) -> Plan | None:
        return next((w for w in reversed(wanted) if w.effective_from <= day), None)

    def chain_at(day: int) -> ChainVersion | None:
        return next((v for v in reversed(sealed) if v.effective_from <= day), None)

    def differs(day: int) -> bool:
        theirs, ours = file_at(day), chain_at(day)
        return theirs is not None and (ours is None or not same(theirs, ours))

    points = sorted({v.effective_from for v in sealed} | {w.effective_from for w in wanted})
    first = next((day for day in points if differs(day)), None)
    if first is None:
        return [], [], True
    if first > last:  # revisions added after what the chain has: as they are
        return [w for w in wanted if w.effective_from >= first], [], True
    if change_day <= last:
        return [], [InputError("plans.yaml", 0, plan_id, "effective_from",
                               f"changed from {format_day(first)}, but the deployment has a version from "
                               f"{format_day(last)}: a change takes effect after it (--effective-from, R-25)")], False
    publish = [replace(head, effective_from=change_day)] if (head := file_at(change_day)) and differs(change_day) else []
    publish += [w for w in wanted if w.effective_from > change_day]
    notes = [InputError("plans.yaml", 0, plan_id, "effective_from",
                        f"changed from {format_day(first)}; the change applies from {format_day(change_day)} "
                        f"(R-25): earlier days keep the terms they were priced by")]
    return publish, notes, True


def record_changes(manifest: Manifest, scenario: Scenario) -> Changes:
    """Members, providers and authorizations of ``scenario`` that the manifest does not have
    as they are now; those that cannot change (R-14's family, a granted authorization) go to
    notes instead."""
    out = Changes()
    for m in scenario.members.values():
        known = manifest.members.get(m.member_id)
        if known and known[0] == record_hash(m):
            continue
        if known and known[1] != m.subscriber_id:
            out.notes.append(InputError("members.csv", 0, m.member_id, "subscriber_id",
                                        f"the member is enrolled in family {known[1]}: a member keeps its family (R-14)"))
            continue
        out.members.append(m)
    out.providers = [p for p in scenario.providers.values() if manifest.providers.get(p.npi) != record_hash(p)]
    for a in scenario.authorizations:
        known = manifest.authorizations.get(a.auth_id)
        if known == record_hash(a):
            continue
        if known:
            out.notes.append(InputError("authorizations.csv", 0, a.auth_id, "auth_id",
                                        "granted already with other terms: an authorization cannot change; "
                                        "grant a new auth_id"))
            continue
        out.authorizations.append(a)
    return out
