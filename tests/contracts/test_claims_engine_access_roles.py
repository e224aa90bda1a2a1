"""Access control on the one engine address: every state-changing function of the
IClaimsEngine ABI, whether the engine runs it or delegates it to its extension, refuses every
caller without its role (OpenZeppelin's AccessControlUnauthorizedAccount) and lets the holder
in; the admin's pause stops intake, review, appeals and payment; the admin hands over in two
steps. The settlement token's MINTER and admin likewise.

Roles (contracts/libraries/Roles.sol, docs/ROLES.md): PLAN_MANAGER configures plans, members,
providers and authorizations; BILLER submits and appeals claims; REVIEWER decides pended lines
and appeals; TREASURER funds and settles; MINTER mints the test token; the default admin grants
roles and pauses. There is no ENGINE role: the engine holds the state it writes."""
import json
from pathlib import Path

import brownie
import pytest
from brownie import ClaimsEngine
from brownie import chain as bchain

from tests.contracts.helpers import (
    ADMIN_ROLE, NPI_IN, ZERO32, b8, cid, claim, err, is_paused, names, role_id, terms, unauthorized,
)

PID = cid("PLAN-X")
DOC = b"\x42" * 32
ACCOUNTS = ("admin", "plan_manager", "biller", "reviewer", "treasurer", "outsider")
HOLDER = {"PLAN_MANAGER": "plan_manager", "BILLER": "biller", "REVIEWER": "reviewer", "TREASURER": "treasurer",
          "MINTER": "treasurer", "DEFAULT_ADMIN": "admin"}


def _mismatch(engine):
    return err("ClaimContentMismatch", cid("CX1"))


# (function, args, role, what the holder gets: None = the call succeeds, else its revert given
# the engine, pausable: whether the admin's pause stops it)
ENGINE_FUNCTIONS = [
    ("submitClaim", lambda a: (claim(), b""), "BILLER", None, True),
    ("submitClaims", lambda a: (claim(), b""), "BILLER", None, True),
    ("appeal", lambda a: (claim(), 1, DOC), "BILLER", _mismatch, True),
    ("approvePended", lambda a: (claim(), 1), "REVIEWER", _mismatch, True),
    ("denyPended", lambda a: (claim(), 1, b8("50")), "REVIEWER", _mismatch, True),
    ("decideAppeal", lambda a: (claim(), 1, True), "REVIEWER", _mismatch, True),
    ("fund", lambda a: (1,), "TREASURER", lambda e: err("ERC20InsufficientAllowance", e, 0, 1), False),
    ("settle", lambda a: ([NPI_IN],), "TREASURER", None, True),
    ("createPlanVersion", lambda a: (PID, "PLAN-X", 0, terms()), "PLAN_MANAGER", None, False),
    ("setCopays", lambda a: (PID, 1, [], []), "PLAN_MANAGER", lambda e: err("PlanUnknown", PID), False),
    ("setFees", lambda a: (PID, 1, [], []), "PLAN_MANAGER", lambda e: err("PlanUnknown", PID), False),
    ("sealPlanVersion", lambda a: (PID, 1, ZERO32), "PLAN_MANAGER", lambda e: err("PlanUnknown", PID), False),
    ("enroll", lambda a: ([], []), "PLAN_MANAGER", None, False),
    ("registerProviders", lambda a: ([], []), "PLAN_MANAGER", None, False),
    ("grantAuthorizations", lambda a: ([], []), "PLAN_MANAGER", None, False),
    ("setIncentives", lambda a: (PID, 1, [], []), "PLAN_MANAGER", lambda e: err("PlanUnknown", PID), False),
    ("setMemberSigners", lambda a: ([], []), "PLAN_MANAGER", None, False),
    ("fundIncentives", lambda a: (1,), "TREASURER", lambda e: err("ERC20InsufficientAllowance", e, 0, 1), False),
    ("payRewards", lambda a: ([],), "TREASURER", None, True),
    ("pause", lambda a: (), "DEFAULT_ADMIN", None, False),
    ("unpause", lambda a: (), "DEFAULT_ADMIN", lambda e: err("ExpectedPause"), False),
    ("grantRole", lambda a: (role_id("BILLER"), a.outsider), "DEFAULT_ADMIN", None, False),
    ("revokeRole", lambda a: (role_id("BILLER"), a.biller), "DEFAULT_ADMIN", None, False),
    ("beginDefaultAdminTransfer", lambda a: (a.outsider,), "DEFAULT_ADMIN", None, False),
    ("cancelDefaultAdminTransfer", lambda a: (), "DEFAULT_ADMIN", None, False),
    ("changeDefaultAdminDelay", lambda a: (60,), "DEFAULT_ADMIN", None, False),
    ("rollbackDefaultAdminDelay", lambda a: (), "DEFAULT_ADMIN", None, False),
]
# not guarded by a role: renounceRole (the caller's own roles), acceptDefaultAdminTransfer
# (the pending admin): tested below; registerRewardPayee (the member's own EIP-712 signature,
# test_claims_engine_rewards.py)
UNGUARDED = {"renounceRole", "acceptDefaultAdminTransfer", "registerRewardPayee"}

TOKEN_FUNCTIONS = [
    ("mint", lambda a: (a.outsider, 1), "MINTER"),
    ("grantRole", lambda a: (role_id("MINTER"), a.outsider), "DEFAULT_ADMIN"),
    ("revokeRole", lambda a: (role_id("MINTER"), a.treasurer), "DEFAULT_ADMIN"),
    ("beginDefaultAdminTransfer", lambda a: (a.outsider,), "DEFAULT_ADMIN"),
    ("cancelDefaultAdminTransfer", lambda a: (), "DEFAULT_ADMIN"),
    ("changeDefaultAdminDelay", lambda a: (60,), "DEFAULT_ADMIN"),
    ("rollbackDefaultAdminDelay", lambda a: (), "DEFAULT_ADMIN"),
]


class Accounts:
    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return self._request.getfixturevalue(name)


def _holder_result(engine, expected):
    return expected(engine) if expected else None


def _call(target, fn, args, account):
    return getattr(target, fn).call(*args, {"from": account})


def _assert_outcome(target, fn, args, account, expected):
    if expected is None:
        _call(target, fn, args, account)
    else:
        with brownie.reverts(expected):
            _call(target, fn, args, account)


def test_every_state_changing_function_of_the_abi_is_in_the_table(engine):
    """Roles: the table below covers the whole IClaimsEngine ABI, so a function added to the
    engine or its extension without a row here fails this test."""
    abi = json.loads((Path(__file__).resolve().parents[2] / "build/interfaces/IClaimsEngine.json").read_text())["abi"]
    mutating = {i["name"] for i in abi if i["type"] == "function" and i["stateMutability"] not in ("view", "pure")}
    assert mutating == {row[0] for row in ENGINE_FUNCTIONS} | UNGUARDED


@pytest.mark.parametrize("fn,args,role,expected,pausable", ENGINE_FUNCTIONS, ids=[r[0] for r in ENGINE_FUNCTIONS])
def test_engine_function_refuses_every_account_without_its_role(request, engine, fn, args, role, expected, pausable):
    """Roles: each state-changing function reverts with AccessControlUnauthorizedAccount(caller,
    role) for every account that does not hold its role (the admin included, who holds only
    DEFAULT_ADMIN); its holder gets past the role check (the call succeeds or meets the
    function's own requirement)."""
    a = Accounts(request)
    holder = HOLDER[role]
    for name in ACCOUNTS:
        account = request.getfixturevalue(name)
        if name == holder:
            _assert_outcome(engine, fn, args(a), account, _holder_result(engine, expected))
        else:
            with brownie.reverts(unauthorized(account, role)):
                _call(engine, fn, args(a), account)


@pytest.mark.parametrize("fn,args,role,expected,pausable", ENGINE_FUNCTIONS, ids=[r[0] for r in ENGINE_FUNCTIONS])
def test_pause_stops_intake_review_appeals_and_payment_only(request, engine, admin, fn, args, role, expected,
                                                             pausable):
    """Roles / A-8: while the admin's pause is on, submitClaim(s), appeal, approvePended,
    denyPended, decideAppeal and settle revert with EnforcedPause for their holder (others are
    still refused their role first); funding, benefits administration and role management go
    on (pause itself: EnforcedPause, unpause: allowed)."""
    engine.pause({"from": admin})
    a = Accounts(request)
    holder = request.getfixturevalue(HOLDER[role])
    if pausable:
        outcome = err("EnforcedPause")
    elif fn == "pause":
        outcome = err("EnforcedPause")
    elif fn == "unpause":
        outcome = None
    else:
        outcome = _holder_result(engine, expected)
    _assert_outcome(engine, fn, args(a), holder, outcome)
    outsider = request.getfixturevalue("outsider")
    with brownie.reverts(unauthorized(outsider, role)):
        _call(engine, fn, args(a), outsider)


@pytest.mark.parametrize("fn,args,role", TOKEN_FUNCTIONS, ids=[r[0] for r in TOKEN_FUNCTIONS])
def test_token_function_refuses_every_account_without_its_role(request, token, fn, args, role):
    """Roles: the test token's MINTER (the treasurer) mints; its admin manages roles."""
    a = Accounts(request)
    for name in ACCOUNTS:
        account = request.getfixturevalue(name)
        if name == HOLDER[role]:
            _call(token, fn, args(a), account)
        else:
            with brownie.reverts(unauthorized(account, role)):
                _call(token, fn, args(a), account)


def test_granted_role_lets_caller_in_and_revoked_role_shuts_it_out(engine, admin, outsider):
    """Roles: the admin grants BILLER to an account, which may then submit; once revoked it
    is refused again."""
    engine.grantRole(role_id("BILLER"), outsider, {"from": admin})
    tx = engine.submitClaim(claim("CX1", member="M-UNKNOWN"), b"", {"from": outsider})
    assert names(tx) == ["ClaimAccepted"]
    engine.revokeRole(role_id("BILLER"), outsider, {"from": admin})
    with brownie.reverts(unauthorized(outsider, "BILLER")):
        engine.submitClaim(claim("CX2", member="M-UNKNOWN"), b"", {"from": outsider})


def test_a_role_granted_on_the_engine_holds_for_its_extension(engine, admin, outsider):
    """The extension runs on the engine's storage: PLAN_MANAGER granted through the engine
    lets the account configure plans (a delegated function); revoked, it is refused."""
    engine.grantRole(role_id("PLAN_MANAGER"), outsider, {"from": admin})
    engine.createPlanVersion(PID, "PLAN-X", 0, terms(), {"from": outsider})
    assert engine.versionCount(PID) == 1
    engine.revokeRole(role_id("PLAN_MANAGER"), outsider, {"from": admin})
    with brownie.reverts(unauthorized(outsider, "PLAN_MANAGER")):
        engine.createPlanVersion(PID, "PLAN-X", 1, terms(), {"from": outsider})


def test_renounce_role_is_for_the_callers_own_roles(engine, biller, outsider):
    """Roles: anyone may renounce its own roles (and only its own: AccessControlBadConfirmation)."""
    with brownie.reverts(err("AccessControlBadConfirmation")):
        engine.renounceRole(role_id("BILLER"), biller, {"from": outsider})
    engine.renounceRole(role_id("BILLER"), biller, {"from": biller})
    assert not engine.hasRole(role_id("BILLER"), biller)
    with brownie.reverts(unauthorized(biller, "BILLER")):
        engine.submitClaim(claim(), b"", {"from": biller})


def test_roles_as_deployed(engine, token, admin, plan_manager, biller, reviewer, treasurer):
    """docs/ROLES.md: each job's account holds its role on the engine (MINTER on the token), the
    admin none of them; the engine's token is the test token."""
    held = {"PLAN_MANAGER": plan_manager, "BILLER": biller, "REVIEWER": reviewer, "TREASURER": treasurer}
    for name, holder in held.items():
        assert engine.hasRole(role_id(name), holder)
        assert not engine.hasRole(role_id(name), admin)
    assert engine.defaultAdmin() == admin and engine.hasRole(ADMIN_ROLE, admin)
    assert token.hasRole(role_id("MINTER"), treasurer) and engine.token() == token


# ------------------------------------------------------------------------------ admin handover


@pytest.mark.parametrize("contract", ["engine", "token", "ledger"])
def test_two_step_admin_handover(request, contract, admin, new_admin, outsider):
    """Roles: beginDefaultAdminTransfer, then acceptDefaultAdminTransfer by the new admin;
    the old admin keeps the role until then and loses it afterwards."""
    target = request.getfixturevalue(contract)
    target.beginDefaultAdminTransfer(new_admin, {"from": admin})
    assert target.pendingDefaultAdmin()[0] == new_admin
    assert target.defaultAdmin() == admin and target.hasRole(ADMIN_ROLE, admin)
    # only the pending admin may accept
    with brownie.reverts(err("AccessControlInvalidDefaultAdmin", outsider)):
        target.acceptDefaultAdminTransfer({"from": outsider})
    bchain.sleep(1)  # delay 0: the schedule must have passed (strictly)
    target.acceptDefaultAdminTransfer({"from": new_admin})

    assert target.defaultAdmin() == new_admin
    assert target.hasRole(ADMIN_ROLE, new_admin)
    assert not target.hasRole(ADMIN_ROLE, admin)
    with brownie.reverts(unauthorized(admin, "DEFAULT_ADMIN")):
        target.grantRole(role_id("BILLER"), outsider, {"from": admin})
    target.grantRole(role_id("BILLER"), outsider, {"from": new_admin})
    assert target.hasRole(role_id("BILLER"), outsider)


def test_handover_moves_pausing_and_keeps_the_other_roles(engine, admin, new_admin, plan_manager):
    """Roles: after the handover the new admin pauses (a delegated function reading the engine's
    roles), the old one cannot; the jobs granted before are untouched."""
    engine.beginDefaultAdminTransfer(new_admin, {"from": admin})
    bchain.sleep(1)
    engine.acceptDefaultAdminTransfer({"from": new_admin})
    with brownie.reverts(unauthorized(admin, "DEFAULT_ADMIN")):
        engine.pause({"from": admin})
    engine.pause({"from": new_admin})
    assert is_paused(engine)
    engine.createPlanVersion(PID, "PLAN-X", 0, terms(), {"from": plan_manager})
    assert engine.versionCount(PID) == 1


def test_handover_waits_for_the_admin_delay(admin, new_admin, token, extension):
    """Roles: with a non-zero delay the new admin can accept only once the delay has passed."""
    delayed = ClaimsEngine.deploy(admin, 3600, token, extension, {"from": admin})
    assert delayed.defaultAdminDelay() == 3600
    delayed.beginDefaultAdminTransfer(new_admin, {"from": admin})
    pending, schedule = delayed.pendingDefaultAdmin()
    assert pending == new_admin
    with brownie.reverts(err("AccessControlEnforcedDefaultAdminDelay", schedule)):
        delayed.acceptDefaultAdminTransfer({"from": new_admin})
    bchain.sleep(3601)
    delayed.acceptDefaultAdminTransfer({"from": new_admin})
    assert delayed.defaultAdmin() == new_admin
    assert not delayed.hasRole(ADMIN_ROLE, admin)


def test_cancelled_handover_cannot_be_accepted(engine, admin, new_admin):
    """Roles: a cancelled transfer leaves the admin in place."""
    engine.beginDefaultAdminTransfer(new_admin, {"from": admin})
    engine.cancelDefaultAdminTransfer({"from": admin})
    bchain.sleep(1)
    with brownie.reverts(err("AccessControlInvalidDefaultAdmin", new_admin)):
        engine.acceptDefaultAdminTransfer({"from": new_admin})
    assert engine.defaultAdmin() == admin


@pytest.mark.parametrize("contract", ["engine", "token"])
def test_admin_role_cannot_be_granted_in_one_step(request, contract, admin, new_admin):
    """Roles: the default admin moves only through the two-step handover."""
    target = request.getfixturevalue(contract)
    with brownie.reverts(err("AccessControlEnforcedDefaultAdminRules")):
        target.grantRole(ADMIN_ROLE, new_admin, {"from": admin})


# ------------------------------------------------------------------------------ pause


def test_pause_and_unpause(engine, admin, biller):
    """Roles: the admin's pause stops intake with OZ EnforcedPause; unpause resumes it; pausing
    twice or unpausing an engine that runs is refused."""
    engine.pause({"from": admin})
    assert is_paused(engine)
    with brownie.reverts(err("EnforcedPause")):
        engine.submitClaims(claim(), b"", {"from": biller})
    with brownie.reverts(err("EnforcedPause")):
        engine.pause({"from": admin})
    engine.unpause({"from": admin})
    assert not is_paused(engine)
    assert names(engine.submitClaims(claim(), b"", {"from": biller})) == ["ClaimAccepted"]
    with brownie.reverts(err("ExpectedPause")):
        engine.unpause({"from": admin})
