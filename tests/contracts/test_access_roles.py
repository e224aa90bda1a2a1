"""Access control: every state-changing entry point refuses a caller without its role, the
admin hands over in two steps, and the admin's pause stops intake, review and payment.

Roles (contracts/libraries/Roles.sol): PLAN_MANAGER configures plans, members, providers and
authorizations; BILLER submits claims (A-2.5); REVIEWER decides pended lines (A-5); TREASURER
funds and settles (A-8); ENGINE (the claims engine contract) writes accumulators, authorization
units and accruals (A-6.6, A-7, R-11); MINTER mints the test token; the default admin grants
roles and pauses."""
import brownie
import pytest
from brownie import PlanRegistry
from brownie import chain as bchain

from tests.contracts.helpers import (
    ADMIN_ROLE, NPI_IN, ZERO32, b8, cid, claim, err, role_id, terms, unauthorized,
)

CONTRACTS = ("token", "plans", "members", "providers", "authorizations", "escrow", "engine")

PID = cid("PLAN-X")
MID, FID = cid("M-X"), cid("F-X")

# (contract, function, args, role): every state-changing entry point of every contract
ENTRY_POINTS = [
    ("token", "mint", lambda a: (a.outsider, 1), "MINTER"),
    ("plans", "createVersion", lambda a: (PID, "PLAN-X", 0, terms()), "PLAN_MANAGER"),
    ("plans", "setCopays", lambda a: (PID, 1, [], []), "PLAN_MANAGER"),
    ("plans", "setFees", lambda a: (PID, 1, [], []), "PLAN_MANAGER"),
    ("plans", "sealVersion", lambda a: (PID, 1, ZERO32), "PLAN_MANAGER"),
    ("members", "enroll", lambda a: ([], []), "PLAN_MANAGER"),
    ("members", "applyAccumulators", lambda a: (MID, FID, 2026, 1, 1), "ENGINE"),
    ("members", "reverseAccumulators", lambda a: (MID, FID, 2026, 1, 1), "ENGINE"),
    ("providers", "register", lambda a: ([], []), "PLAN_MANAGER"),
    ("authorizations", "grant", lambda a: ([], []), "PLAN_MANAGER"),
    ("authorizations", "consume", lambda a: (cid("PA-X"), 1), "ENGINE"),
    ("authorizations", "restore", lambda a: (cid("PA-X"), 1), "ENGINE"),
    ("escrow", "fund", lambda a: (1,), "TREASURER"),
    ("escrow", "settle", lambda a: ([NPI_IN],), "TREASURER"),
    ("escrow", "accrue", lambda a: (NPI_IN, cid("CX1"), 1), "ENGINE"),
    ("escrow", "recoup", lambda a: (NPI_IN, cid("CX1"), 1), "ENGINE"),
    ("escrow", "pause", lambda a: (), "DEFAULT_ADMIN"),
    ("escrow", "unpause", lambda a: (), "DEFAULT_ADMIN"),
    ("engine", "submitClaim", lambda a: (claim(), []), "BILLER"),
    ("engine", "submitClaims", lambda a: ([claim()], []), "BILLER"),
    ("engine", "approvePended", lambda a: (claim(), 1), "REVIEWER"),
    ("engine", "denyPended", lambda a: (claim(), 1, b8("50")), "REVIEWER"),
    ("engine", "appeal", lambda a: (cid("CX1"), 1, b"\x42" * 32), "BILLER"),
    ("engine", "decideAppeal", lambda a: (claim(), 1, True), "REVIEWER"),
    ("engine", "pause", lambda a: (), "DEFAULT_ADMIN"),
    ("engine", "unpause", lambda a: (), "DEFAULT_ADMIN"),
]
# role administration is the default admin's on every contract
for _name in CONTRACTS:
    ENTRY_POINTS += [
        (_name, "grantRole", lambda a: (role_id("BILLER"), a.outsider), "DEFAULT_ADMIN"),
        (_name, "revokeRole", lambda a: (role_id("BILLER"), a.outsider), "DEFAULT_ADMIN"),
        (_name, "beginDefaultAdminTransfer", lambda a: (a.outsider,), "DEFAULT_ADMIN"),
    ]
ENTRY_POINTS += [
    ("engine", "cancelDefaultAdminTransfer", lambda a: (), "DEFAULT_ADMIN"),
    ("engine", "changeDefaultAdminDelay", lambda a: (60,), "DEFAULT_ADMIN"),
]

# Besides the outsider, each entry point is tried by the holder of a neighbouring job, the one
# most easily confused with it: another role on the same contract, or the admin (who holds
# DEFAULT_ADMIN only, not the jobs it grants).
NEIGHBOUR = {
    ("token", "MINTER"): "admin",
    ("escrow", "TREASURER"): "admin",
    ("escrow", "ENGINE"): "treasurer",
    ("members", "ENGINE"): "plan_manager",
    ("authorizations", "ENGINE"): "plan_manager",
    ("engine", "BILLER"): "reviewer",
    ("engine", "REVIEWER"): "biller",
    ("token", "DEFAULT_ADMIN"): "treasurer",
    ("escrow", "DEFAULT_ADMIN"): "treasurer",
    ("engine", "DEFAULT_ADMIN"): "biller",
}


def _neighbour(contract: str, role: str) -> str:
    if (contract, role) in NEIGHBOUR:
        return NEIGHBOUR[(contract, role)]
    return "admin" if role == "PLAN_MANAGER" else "plan_manager"


def _cases():
    for contract, fn, args, role in ENTRY_POINTS:
        for caller in ("outsider", _neighbour(contract, role)):
            yield pytest.param(contract, fn, args, role, caller, id=f"{contract}.{fn}-by-{caller}")


class Accounts:
    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return self._request.getfixturevalue(name)


@pytest.mark.parametrize("contract,fn,args,role,caller", list(_cases()))
def test_entry_point_refuses_caller_without_its_role(request, engine, token, contract, fn, args, role, caller):
    """Roles: each state-changing function reverts with OZ 5 AccessControlUnauthorizedAccount
    (caller, role) for an account that does not hold the role, admin included."""
    target = request.getfixturevalue(contract)
    account = request.getfixturevalue(caller)
    with brownie.reverts(unauthorized(account, role)):
        getattr(target, fn)(*args(Accounts(request)), {"from": account})


def test_engine_role_is_held_by_the_engine_contract_not_the_admin(engine, members, authorizations, escrow, admin):
    """A-6.6 / A-7 / R-11: accumulators, authorization units and accruals are written only by
    the claims engine contract."""
    for registry in (members, authorizations, escrow):
        assert registry.hasRole(role_id("ENGINE"), engine)
        assert not registry.hasRole(role_id("ENGINE"), admin)


def test_granted_role_lets_caller_in_and_revoked_role_shuts_it_out(engine, admin, outsider):
    """Roles: the admin grants BILLER to an account, which may then submit; once revoked it
    is refused again."""
    engine.grantRole(role_id("BILLER"), outsider, {"from": admin})
    tx = engine.submitClaim(claim("CX1", member="M-UNKNOWN"), [], {"from": outsider})
    assert "ClaimAccepted" in tx.events
    engine.revokeRole(role_id("BILLER"), outsider, {"from": admin})
    with brownie.reverts(unauthorized(outsider, "BILLER")):
        engine.submitClaim(claim("CX2", member="M-UNKNOWN"), [], {"from": outsider})


# ------------------------------------------------------------------------------ admin handover


@pytest.mark.parametrize("contract", CONTRACTS)
def test_two_step_admin_handover(request, engine, contract, admin, new_admin, outsider):
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


def test_handover_keeps_the_other_roles(engine, plans, admin, new_admin, plan_manager):
    """Roles: handing over the admin does not touch the jobs granted before."""
    plans.beginDefaultAdminTransfer(new_admin, {"from": admin})
    bchain.sleep(1)
    plans.acceptDefaultAdminTransfer({"from": new_admin})
    plans.createVersion(PID, "PLAN-X", 0, terms(), {"from": plan_manager})
    assert plans.versionCount(PID) == 1


def test_handover_waits_for_the_admin_delay(admin, new_admin):
    """Roles: with a non-zero delay the new admin can accept only once the delay has passed."""
    registry = PlanRegistry.deploy(admin, 3600, {"from": admin})
    registry.beginDefaultAdminTransfer(new_admin, {"from": admin})
    pending, schedule = registry.pendingDefaultAdmin()
    assert pending == new_admin
    with brownie.reverts(err("AccessControlEnforcedDefaultAdminDelay", schedule)):
        registry.acceptDefaultAdminTransfer({"from": new_admin})
    bchain.sleep(3601)
    registry.acceptDefaultAdminTransfer({"from": new_admin})
    assert registry.defaultAdmin() == new_admin
    assert not registry.hasRole(ADMIN_ROLE, admin)


def test_cancelled_handover_cannot_be_accepted(engine, admin, new_admin):
    """Roles: a cancelled transfer leaves the admin in place."""
    engine.beginDefaultAdminTransfer(new_admin, {"from": admin})
    engine.cancelDefaultAdminTransfer({"from": admin})
    bchain.sleep(1)
    with brownie.reverts(err("AccessControlInvalidDefaultAdmin", new_admin)):
        engine.acceptDefaultAdminTransfer({"from": new_admin})
    assert engine.defaultAdmin() == admin


@pytest.mark.parametrize("contract", CONTRACTS)
def test_admin_role_cannot_be_granted_in_one_step(request, engine, contract, admin, new_admin):
    """Roles: the default admin moves only through the two-step handover."""
    target = request.getfixturevalue(contract)
    with brownie.reverts(err("AccessControlEnforcedDefaultAdminRules")):
        target.grantRole(ADMIN_ROLE, new_admin, {"from": admin})


# ------------------------------------------------------------------------------ pause


def test_pause_stops_intake_and_review(engine, admin, biller, reviewer):
    """Roles: the admin's pause stops submitClaim(s) and review with OZ EnforcedPause;
    unpause resumes."""
    engine.pause({"from": admin})
    assert engine.paused()
    for call in (
        lambda: engine.submitClaims([claim()], [], {"from": biller}),
        lambda: engine.submitClaim(claim(), [], {"from": biller}),
        lambda: engine.approvePended(claim(), 1, {"from": reviewer}),
        lambda: engine.denyPended(claim(), 1, b8("50"), {"from": reviewer}),
    ):
        with brownie.reverts(err("EnforcedPause")):
            call()
    with brownie.reverts(err("EnforcedPause")):
        engine.pause({"from": admin})

    engine.unpause({"from": admin})
    tx = engine.submitClaims([claim()], [], {"from": biller})
    assert "ClaimAccepted" in tx.events
    with brownie.reverts(err("ExpectedPause")):
        engine.unpause({"from": admin})


def test_escrow_pause_stops_payment_but_not_funding_or_accrual(
        loaded, escrow, token, admin, biller, treasurer):
    """A-8 / Roles: a paused escrow refuses settle; funding and the engine's accruals go on,
    so nothing owed is lost while payments are stopped."""
    escrow.pause({"from": admin})
    token.mint(treasurer, 10**9, {"from": treasurer})
    token.approve(escrow, 10**9, {"from": treasurer})
    escrow.fund(10**9, {"from": treasurer})
    tx = loaded.submitClaim(claim(), [], {"from": biller})  # 99213: paid 67.00
    assert tx.events["Accrued"][0]["amount"] == 67_00 * 10_000
    with brownie.reverts(err("EnforcedPause")):
        escrow.settle([NPI_IN], {"from": treasurer})
    escrow.unpause({"from": admin})
    escrow.settle([NPI_IN], {"from": treasurer})
    assert escrow.owed(NPI_IN) == 0
