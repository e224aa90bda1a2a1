"""The engine and its extension (ClaimsEngine.sol's fallback, ClaimsEngineExtension.sol): one
address, the engine's, answers the whole IClaimsEngine ABI; what the engine does not run
itself it delegates to the extension, which works on the engine's storage. Called directly at
its own address, the extension refuses every state change with NotDelegated(), and its views
read its own, empty, storage."""
import json
from pathlib import Path

import brownie
import pytest
from brownie import web3
from eth_utils import function_signature_to_4byte_selector

from tests.contracts.helpers import ZERO32, cid, err, names, role_id, terms

BUILD = Path(__file__).resolve().parents[2] / "build"
PID = cid("PLAN-X")

# every state-changing function of the extension that checks a role (all but renounceRole and
# acceptDefaultAdminTransfer, below), with arguments its holder could call it with
GUARDED = [
    ("createPlanVersion", lambda a: (PID, "PLAN-X", 0, terms())),
    ("setCopays", lambda a: (PID, 1, [], [])),
    ("setFees", lambda a: (PID, 1, [], [])),
    ("sealPlanVersion", lambda a: (PID, 1, ZERO32)),
    ("enroll", lambda a: ([], [])),
    ("registerProviders", lambda a: ([], [])),
    ("grantAuthorizations", lambda a: ([], [])),
    ("setIncentives", lambda a: (PID, 1, [], [])),
    ("fund", lambda a: (1,)),
    ("settle", lambda a: ([],)),
    ("pause", lambda a: ()),
    ("unpause", lambda a: ()),
    ("grantRole", lambda a: (role_id("BILLER"), a)),
    ("revokeRole", lambda a: (role_id("BILLER"), a)),
    ("beginDefaultAdminTransfer", lambda a: (a,)),
    ("cancelDefaultAdminTransfer", lambda a: ()),
    ("changeDefaultAdminDelay", lambda a: (60,)),
    ("rollbackDefaultAdminDelay", lambda a: ()),
]


def _abi(kind: str, name: str) -> list:
    return json.loads((BUILD / kind / f"{name}.json").read_text())["abi"]


def _signatures(abi: list, item_type: str = "function", mutating: bool | None = None) -> set[str]:
    out = set()
    for item in abi:
        if item["type"] != item_type:
            continue
        if mutating is not None and (item["stateMutability"] not in ("view", "pure")) != mutating:
            continue
        out.add(f"{item['name']}({','.join(_type(i) for i in item['inputs'])})")
    return out


def _type(item: dict) -> str:
    kind = item["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(_type(c) for c in item["components"]) + ")" + kind[len("tuple"):]
    return kind


# ------------------------------------------------------------------------------ one address


def test_the_engine_names_its_extension(engine, extension):
    assert engine.extension() == extension.address


def test_the_engine_and_its_extension_answer_the_whole_interface():
    """IClaimsEngine: every function of the interface is implemented by the engine or by its
    extension (reached through the engine's fallback), and every external function of the
    extension is in the interface (else no client would find it)."""
    interface = _signatures(_abi("interfaces", "IClaimsEngine"))
    engine = _signatures(_abi("contracts", "ClaimsEngine"))
    extension = _signatures(_abi("contracts", "ClaimsEngineExtension"))
    rewards = _signatures(_abi("contracts", "ClaimsEngineRewards"))
    assert interface <= engine | extension | rewards
    inherited = {"supportsInterface(bytes4)", "DEFAULT_ADMIN_ROLE()", "owner()", "paused()"}
    assert extension - interface <= inherited and rewards - interface <= inherited
    # the engine runs intake, review and appeals itself; the extension the rest
    assert {"submitClaims(bytes,bytes)", "submitClaim(bytes,bytes)", "approvePended(bytes,uint8)",
            "denyPended(bytes,uint8,bytes8)", "appeal(bytes,uint8,bytes32)", "decideAppeal(bytes,uint8,bool)"} <= (
        engine - extension)
    assert {"fund(uint256)", "settle(uint64[])", "pause()", "unpause()", "enroll(bytes32[],(bool,bytes32,bytes32,"
            "uint32,uint32)[])"} <= extension - engine
    # member incentives outside the claim path: the second extension, behind the first
    assert {"registerRewardPayee(bytes32,address,uint256,bytes)", "fundIncentives(uint256)",
            "payRewards(bytes32[])", "setMemberSigners(bytes32[],address[])"} <= rewards - extension - engine


def test_the_extension_names_the_rewards_extension(engine, extension, rewards_extension):
    assert engine.rewardsExtension() == extension.rewardsExtension() == rewards_extension.address


def test_a_delegated_call_runs_on_the_engines_storage(loaded, extension, basic_scenario):
    """The plans the plan manager loaded through the engine's address are in the engine's
    storage: read through the engine they are there, read from the extension directly (its own
    storage) they are not."""
    from brownie import interface

    direct = interface.IClaimsEngine(extension.address)
    gold = cid("GOLD-PPO-2026")
    assert loaded.versionCount(gold) == 1 and direct.versionCount(gold) == 0
    assert loaded.token() != "0x" + "00" * 20 and direct.token() == "0x" + "00" * 20
    assert loaded.member(cid("M100"))[0] is True and direct.member(cid("M100"))[0] is False


def test_a_function_neither_implements_reverts(engine):
    """The fallback delegates an unknown selector to the extension, which has none: the call
    reverts with no data."""
    data = function_signature_to_4byte_selector("noSuchFunction()")
    with pytest.raises(ValueError) as refused:  # brownie's web3 reports the node's error as is
        web3.eth.call({"to": engine.address, "data": data})
    assert refused.value.args[0] == {"code": 3, "message": "execution reverted", "data": "0x"}


# ------------------------------------------------------------------------------ NotDelegated


@pytest.mark.parametrize("fn,args", GUARDED, ids=[g[0] for g in GUARDED])
def test_extension_called_directly_refuses_state_changes(request, extension, fn, args):
    """ClaimsEngineExtension._checkRole: at its own address the extension refuses every
    role-guarded function with NotDelegated(), whoever calls: its deployer (admin of its own
    storage), the engine's role holders, an outsider."""
    for name in ("admin", "plan_manager", "treasurer", "outsider"):
        caller = request.getfixturevalue(name)
        with brownie.reverts(err("NotDelegated")):
            getattr(extension, fn).call(*args(caller), {"from": caller})


def test_extension_called_directly_changes_nothing(extension, admin, plan_manager, outsider):
    """Sent as transactions, the extension's refusals change nothing: its own storage has no
    plan, pause or role; the two functions no role guards change nothing either (renouncing a
    role not held is a no-op, only a pending admin may accept a handover, and the deployer
    cannot renounce the admin role without a handover scheduled)."""
    with brownie.reverts(err("NotDelegated")):
        extension.createPlanVersion(PID, "PLAN-X", 0, terms(), {"from": plan_manager})
    with brownie.reverts(err("NotDelegated")):
        extension.pause({"from": admin})
    assert extension.versionCount(PID) == 0
    tx = extension.renounceRole(role_id("BILLER"), outsider, {"from": outsider})
    assert names(tx) == []
    with brownie.reverts(err("AccessControlInvalidDefaultAdmin", outsider)):
        extension.acceptDefaultAdminTransfer({"from": outsider})
    with brownie.reverts(err("AccessControlEnforcedDefaultAdminDelay", 0)):
        extension.renounceRole(ZERO32, admin, {"from": admin})
    assert extension.defaultAdmin() == admin and not extension.hasRole(role_id("BILLER"), outsider)


def test_extension_views_work_directly(extension, admin):
    """Views are not refused at the extension's own address (they read its empty storage)."""
    assert extension.pendingCount() == 0
    assert extension.claim(cid("CX1"))[0] == 0
    assert extension.defaultAdmin() == admin


# ------------------------------------------------------------------------------ the interface's completeness


def test_the_interface_declares_every_event_and_error_of_the_engine():
    """IEngineEvents / IEngineErrors: every event and custom error of the engine and its
    extension is in IClaimsEngine."""
    interface = _abi("interfaces", "IClaimsEngine")
    for kind in ("event", "error"):
        declared = _signatures(interface, kind)
        emitted = _signatures(_abi("contracts", "ClaimsEngine"), kind) | _signatures(
            _abi("contracts", "ClaimsEngineExtension"), kind) | _signatures(_abi("contracts", "ClaimsEngineRewards"), kind)
        assert emitted - declared == set(), kind


def test_the_interface_declares_paused():
    assert "paused()" in _signatures(_abi("interfaces", "IClaimsEngine"))
