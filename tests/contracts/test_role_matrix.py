"""The role matrix of docs/ROLES.md is the contracts' (issue 18): every state-changing function
of every contract's ABI has exactly one row; the engine's and the token's rows are the ones
test_claims_engine_access_roles.py calls as every account and while paused; the privacy ledger's
and OptimisticSettlement's role-guarded functions are called here as every account. A function
added without a row, or a row that says another role, fails."""
import json
import re
from pathlib import Path

import brownie
import pytest

from tests.contracts.test_claims_engine_access_roles import ENGINE_FUNCTIONS, TOKEN_FUNCTIONS, UNGUARDED
from claimledger.optimistic.layout import ACCOUNTS_SLOT, PAYEES_SLOT
from tests.conftest import claim, deploy_granting
from tests.contracts.helpers import err, role_id, unauthorized
from tests.contracts.privacy_helpers import MEMBER, ZERO32

ROOT = Path(__file__).resolve().parents[2]
ROW = re.compile(r"^\| (\w+) \| `(\w+)` \| ([^|]+?) \| (yes|no) \|$")
ABIS = {  # the ABI each contract answers (the engine: itself, its extensions, behind IClaimsEngine)
    "ClaimsEngine": "build/interfaces/IClaimsEngine.json",
    "SettlementToken": "build/contracts/SettlementToken.json",
    "PrivacyLedger": "build/contracts/PrivacyLedger.json",
    "OptimisticSettlement": "build/contracts/OptimisticSettlement.json",
}
SIGNED = {"registerRewardPayee", "grantConsent", "revokeConsent", "setDelegate"}  # a member's EIP-712 signature
OPEN = {"renounceRole": "the holder itself", "acceptDefaultAdminTransfer": "the pending admin",
        "approve": "any holder", "transfer": "any holder", "transferFrom": "any holder",
        # OptimisticSettlement: who the function checks itself (docs/OPTIMISTIC.md)
        "withdrawBond": "an adjudicator with a bond", "respond": "the batch's adjudicator", "resolve": "anyone",
        "finalize": "anyone"}


def matrix() -> dict[tuple[str, str], tuple[str, bool]]:
    """(contract, function) -> (who may call, stopped by pause), from docs/ROLES.md."""
    rows = {}
    for line in (ROOT / "docs" / "ROLES.md").read_text().splitlines():
        match = ROW.match(line)
        if match:
            contract, fn, who, paused = match.groups()
            assert (contract, fn) not in rows, f"two rows for {contract}.{fn}"
            rows[(contract, fn)] = (who, paused == "yes")
    return rows


def mutating(contract: str) -> set[str]:
    abi = json.loads((ROOT / ABIS[contract]).read_text())["abi"]
    return {i["name"] for i in abi if i["type"] == "function" and i["stateMutability"] not in ("view", "pure")}


@pytest.mark.parametrize("contract", sorted(ABIS))
def test_every_state_changing_function_has_one_row(contract):
    """Each contract's state-changing ABI functions are exactly its rows in docs/ROLES.md."""
    assert {fn for c, fn in matrix() if c == contract} == mutating(contract)


def test_unguarded_rows_say_who_instead_of_a_role():
    """A row without a role names the signature or the caller that the function checks itself."""
    for (contract, fn), (who, _) in matrix().items():
        if fn in SIGNED:
            assert who == "signature", (contract, fn)
        elif fn in OPEN:
            assert who == OPEN[fn], (contract, fn)
        else:
            role_id(who)  # a role the contracts know (KeyError otherwise)


def test_the_engine_and_token_rows_are_what_the_access_tests_call():
    """The engine's rows (role, pause) are test_claims_engine_access_roles.py's table, whose test
    calls each function as every account and while paused; likewise the token's."""
    rows = matrix()
    for fn, _, role, _, pausable in ENGINE_FUNCTIONS:
        assert rows[("ClaimsEngine", fn)] == (role, pausable), fn
    assert {fn for c, fn in rows if c == "ClaimsEngine"} == {r[0] for r in ENGINE_FUNCTIONS} | UNGUARDED
    for fn, _, role in TOKEN_FUNCTIONS:
        assert rows[("SettlementToken", fn)] == (role, False), fn


# the privacy ledger's role-guarded functions: (function, args given the accounts)
LEDGER_CALLS = {
    "registerMemberKey": lambda a: (MEMBER, a["outsider"]),
    "recordAccess": lambda a: (MEMBER, a["outsider"], 0, ZERO32),
    "anchor": lambda a: (b"\x07" * 32, b"\x08" * 32, 1),
    "grantRole": lambda a: (role_id("RECORDS_OFFICER"), a["outsider"]),
    "revokeRole": lambda a: (role_id("RECORDS_OFFICER"), a["records_officer"]),
    "beginDefaultAdminTransfer": lambda a: (a["outsider"],),
    "cancelDefaultAdminTransfer": lambda a: (),
    "changeDefaultAdminDelay": lambda a: (60,),
    "rollbackDefaultAdminDelay": lambda a: (),
}
ACCOUNTS = ("admin", "plan_manager", "biller", "reviewer", "treasurer", "records_officer", "outsider")
HOLDERS = {"MEMBER_SERVICES": "plan_manager", "RECORDS_OFFICER": "records_officer", "DEFAULT_ADMIN": "admin"}


def test_every_role_guarded_ledger_row_is_called():
    guarded = {fn for (c, fn), (who, _) in matrix().items() if c == "PrivacyLedger" and who in HOLDERS}
    assert guarded == set(LEDGER_CALLS)


@pytest.mark.parametrize("fn", sorted(LEDGER_CALLS))
def test_ledger_function_refuses_every_account_without_its_role(request, ledger, fn):
    """The privacy ledger: each role-guarded function reverts with AccessControlUnauthorizedAccount
    for every account but its role's holder (docs/ROLES.md), whose call goes through."""
    role = matrix()[("PrivacyLedger", fn)][0]
    accounts = {name: request.getfixturevalue(name) for name in ACCOUNTS}
    args = LEDGER_CALLS[fn](accounts)
    for name, account in accounts.items():
        if name == HOLDERS[role]:
            getattr(ledger, fn).call(*args, {"from": account})
        else:
            with brownie.reverts(unauthorized(account, role)):
                getattr(ledger, fn).call(*args, {"from": account})


# OptimisticSettlement's role-guarded functions: (function, args given the accounts, what the
# holder's call does: None goes through, else the custom error it meets after the role check)
BOND = 1_000
SETTLEMENT_CALLS = {
    "depositBond": (lambda a: (), None),
    "postBatch": (lambda a: (claim("CR1"), [b"\x01" * 28]), None),
    "challenge": (lambda a: (1, 0, claim("CR1"), b"", ZERO28, ZERO28, [], [], [], []), err("UnknownBatch", 1)),
    "fund": (lambda a: (1,), None),
    "settle": (lambda a: ([], [], []), None),
    "setParameters": (lambda a: (10, 2, BOND, BOND), None),
    "setReplayImplementation": (lambda a: (a["outsider"],), None),
    "grantRole": (lambda a: (role_id("CHALLENGER"), a["outsider"]), None),
    "revokeRole": (lambda a: (role_id("CHALLENGER"), a["challenger"]), None),
    "beginDefaultAdminTransfer": (lambda a: (a["outsider"],), None),
    "cancelDefaultAdminTransfer": (lambda a: (), None),
    "changeDefaultAdminDelay": (lambda a: (60,), None),
    "rollbackDefaultAdminDelay": (lambda a: (), None),
}
ZERO28 = b"\x00" * 28
SETTLEMENT_ACCOUNTS = ACCOUNTS + ("adjudicator", "challenger")
SETTLEMENT_HOLDERS = {"ADJUDICATOR": "adjudicator", "CHALLENGER": "challenger", "TREASURER": "treasurer",
                      "DEFAULT_ADMIN": "admin"}


@pytest.fixture(scope="module")
def optimistic(OptimisticSettlement, ClaimReplay, token, admin, adjudicator, challenger, treasurer):
    """OptimisticSettlement as tests/optimistic/conftest.py deploys it, the adjudicator bonded
    (so that its postBatch goes through), the treasurer's and adjudicator's tokens approved."""
    contract = deploy_granting(
        OptimisticSettlement, admin,
        [("ADJUDICATOR", adjudicator), ("CHALLENGER", challenger), ("TREASURER", treasurer)],
        token, ClaimReplay.deploy({"from": admin}), b"\x00" * 28, ACCOUNTS_SLOT.to_bytes(32, "big"),
        PAYEES_SLOT.to_bytes(32, "big"), 10, 2, BOND, BOND,
    )
    for holder in (adjudicator, treasurer):
        token.mint(holder, 10 * BOND, {"from": treasurer})
        token.approve(contract, 2**256 - 1, {"from": holder})
    contract.depositBond({"from": adjudicator})
    return contract


def test_every_role_guarded_settlement_row_is_called():
    guarded = {fn for (c, fn), (who, _) in matrix().items() if c == "OptimisticSettlement" and who not in OPEN.values()}
    assert guarded == set(SETTLEMENT_CALLS)


@pytest.mark.parametrize("fn", sorted(SETTLEMENT_CALLS))
def test_settlement_function_refuses_every_account_without_its_role(request, optimistic, fn):
    """OptimisticSettlement: each role-guarded function reverts with
    AccessControlUnauthorizedAccount for every account but its role's holder (docs/ROLES.md),
    whose call passes the role check."""
    role = matrix()[("OptimisticSettlement", fn)][0]
    accounts = {name: request.getfixturevalue(name) for name in SETTLEMENT_ACCOUNTS}
    make_args, holder_outcome = SETTLEMENT_CALLS[fn]
    args = make_args(accounts)
    for name, account in accounts.items():
        if name == SETTLEMENT_HOLDERS[role]:
            if holder_outcome is None:
                getattr(optimistic, fn).call(*args, {"from": account})
            else:
                with brownie.reverts(holder_outcome):
                    getattr(optimistic, fn).call(*args, {"from": account})
        else:
            with brownie.reverts(unauthorized(account, role)):
                getattr(optimistic, fn).call(*args, {"from": account})
