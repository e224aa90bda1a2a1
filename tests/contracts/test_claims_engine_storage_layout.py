"""The extension runs on the engine's storage through delegatecall, so both must lay it out the
same way (EngineStorage's NatSpec, docs/ENGINE.md): ClaimsEngine, ClaimsEngineExtension and the
abstract contracts of contracts/engine/ declare no state variables of their own (constants and
immutables live in the code), EngineStorage declares them all, and the linearized bases of the
engine and of its extension give the same sequence of storage variables.

Read from brownie's build artifacts (the solc AST of every compiled source in build/contracts;
build/interfaces holds the interfaces, compiled apart, so under other AST ids); no chain needed."""
import json
from functools import lru_cache
from pathlib import Path

import pytest

BUILD = Path(__file__).resolve().parents[2] / "build"
ENGINE_CONTRACTS = ("ClaimsEngine", "ClaimsEngineExtension", "ClaimsEngineRewards", "Adjudication", "Appeals",
                    "BenefitsAdmin", "Treasury", "EngineViews", "Incentives", "ClaimLines")


def _references(node, out: dict) -> dict:
    """id -> name of every declaration the AST below `node` refers to by name."""
    if isinstance(node, dict):
        if isinstance(node.get("referencedDeclaration"), int) and isinstance(node.get("name"), str):
            out.setdefault(node["referencedDeclaration"], node["name"])
        for value in node.values():
            _references(value, out)
    elif isinstance(node, list):
        for value in node:
            _references(value, out)
    return out


@lru_cache(maxsize=None)
def contracts() -> dict:
    """Every ContractDefinition of the build by AST id: (name, source path, node). Brownie keeps
    the interfaces' definitions only from a separate compilation (build/interfaces, other ids):
    an inherited interface is found by the name the contracts refer to it by."""
    found, referenced = {}, {}
    for path in sorted((BUILD / "contracts").glob("*.json")):
        artifact = json.loads(path.read_text())
        ast = artifact.get("ast", {})
        _references(ast, referenced)
        for node in ast.get("nodes", []):
            if node.get("nodeType") == "ContractDefinition":
                found[node["id"]] = (node["name"], artifact.get("sourcePath", ""), node)
    interfaces = {}
    for path in sorted((BUILD / "interfaces").glob("*.json")):
        ast = json.loads(path.read_text()).get("ast", {})
        for node in ast.get("nodes", []):
            if node.get("nodeType") == "ContractDefinition":
                interfaces[node["name"]] = (node["name"], ast.get("absolutePath", ""), node)
    for node_id, name in referenced.items():
        if node_id not in found and name in interfaces:
            found[node_id] = interfaces[name]
    return found


def by_name(name: str) -> dict:
    matches = [node for n, _, node in contracts().values() if n == name]
    assert len(matches) == 1, f"{name}: {len(matches)} definitions in the build"
    return matches[0]


def state_variables(node: dict) -> list[tuple[str, str, str]]:
    """(name, type, mutability) of the state variables a contract itself declares that are not
    constants or immutables: what takes storage (or transient storage)."""
    return [(v["name"], v["typeDescriptions"]["typeString"], v.get("storageLocation", "default"))
            for v in node["nodes"]
            if v.get("nodeType") == "VariableDeclaration" and v.get("stateVariable")
            and v.get("mutability", "mutable") == "mutable"]


def layout(name: str) -> list[tuple[str, str, str, str]]:
    """The storage variables of a contract in layout order: its linearized bases, most basic
    first, each base's declarations in order."""
    node = by_name(name)
    out = []
    for base_id in reversed(node["linearizedBaseContracts"]):
        base_name, _, base = contracts()[base_id]
        out += [(base_name, *v) for v in state_variables(base)]
    return out


def test_the_build_has_the_engine_contracts():
    """The artifacts hold every contract this module reads (run `make setup` to compile)."""
    for name in ENGINE_CONTRACTS + ("EngineStorage",):
        assert by_name(name)["contractKind"] == "contract"


@pytest.mark.parametrize("name", ENGINE_CONTRACTS)
def test_engine_contracts_declare_no_state_variables(name):
    """Only EngineStorage declares state: a variable declared anywhere else in the engine or its
    extension would sit at a slot the other does not know about."""
    assert state_variables(by_name(name)) == []


def test_libraries_declare_no_state_variables():
    """The libraries of contracts/libraries/ work on EngineStorage's structs and hold nothing."""
    libraries = [(n, node) for n, path, node in contracts().values() if path.startswith("contracts/libraries/")]
    assert len(libraries) >= 15
    assert all(node["contractKind"] == "library" and state_variables(node) == [] for _, node in libraries)


def test_engine_storage_declares_the_engines_state():
    """EngineStorage holds the claim records, the line book, the members, plans,
    authorizations, limits, review queue, ledger and the token, in this order."""
    names = [v[0] for v in state_variables(by_name("EngineStorage"))]
    assert names == ["_claims", "_lineBook", "_appeals", "_reviewQueue", "_members", "_plans",
                     "_authorizations", "_limits", "_ledger", "_token", "_rewards"]


def test_engine_and_extension_have_one_storage_layout():
    """Delegatecall: the extension's storage variables, in layout order, are the engine's:
    OpenZeppelin's AccessControl, AccessControlDefaultAdminRules and Pausable, then
    EngineStorage, and nothing after (ReentrancyGuardTransient keeps its flag in transient
    storage)."""
    engine, extension = layout("ClaimsEngine"), layout("ClaimsEngineExtension")
    assert engine == extension == layout("ClaimsEngineRewards")
    owners = list(dict.fromkeys(v[0] for v in engine))
    assert owners == ["AccessControl", "AccessControlDefaultAdminRules", "Pausable", "EngineStorage"]
    assert all(v[3] != "transient" for v in engine)


def test_extension_bases_add_no_storage():
    """The bases the extension has and the engine has not (Treasury's reentrancy guard,
    BenefitsAdmin, EngineViews) add no storage variable."""
    engine_bases = {contracts()[i][0] for i in by_name("ClaimsEngine")["linearizedBaseContracts"]}
    extra = [contracts()[i] for i in by_name("ClaimsEngineExtension")["linearizedBaseContracts"]
             if contracts()[i][0] not in engine_bases]
    assert {n for n, _, _ in extra} == {"ClaimsEngineExtension", "EngineViews", "Treasury", "ReentrancyGuardTransient",
                                        "BenefitsAdmin"}
    assert all(state_variables(node) == [] for _, _, node in extra)


def test_rewards_extension_bases_add_no_storage():
    """The second extension's own bases (Incentives and its reentrancy guard) add none either."""
    engine_bases = {contracts()[i][0] for i in by_name("ClaimsEngine")["linearizedBaseContracts"]}
    extra = [contracts()[i] for i in by_name("ClaimsEngineRewards")["linearizedBaseContracts"]
             if contracts()[i][0] not in engine_bases]
    assert {n for n, _, _ in extra} == {"ClaimsEngineRewards", "Incentives", "ReentrancyGuardTransient"}
    assert all(state_variables(node) == [] for _, _, node in extra)
