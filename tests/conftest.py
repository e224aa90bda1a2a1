"""Fixtures named after roles, a fresh deployment per test module (fn_isolation rolls each test
back), and builders of the packed calldata the engine takes (``claimledger/codec.py``)."""
from pathlib import Path

import pytest

from claimledger import chain
from claimledger.codec import encode_claim
from claimledger.privacy.pseudonyms import Pseudonyms
from claimledger.money import parse_day
from claimledger.records import Claim, ClaimLine
from claimledger.scenario import load_scenario

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# contract tests name members and claims by keccak of fixture ids, as the engine's tests always
# have; claimledger's commands use the deployment's keyed pseudonyms (docs/PRIVACY.md)
UNKEYED = Pseudonyms.unkeyed()
OPEN_ENDED = 2**32 - 1
NPI_IN = 1234567893
NPI_OUT = 1098765432


@pytest.fixture(scope="module")
def admin(accounts):
    return accounts[0]


@pytest.fixture(scope="module")
def plan_manager(accounts):
    return accounts[1]


@pytest.fixture(scope="module")
def biller(accounts):
    return accounts[2]


@pytest.fixture(scope="module")
def adjudicator(accounts):
    """OptimisticSettlement's adjudicator (docs/OPTIMISTIC.md)."""
    return accounts[6]


@pytest.fixture(scope="module")
def challenger(accounts):
    """OptimisticSettlement's challenger."""
    return accounts[7]


@pytest.fixture(scope="module")
def reviewer(accounts):
    return accounts[3]


@pytest.fixture(scope="module")
def treasurer(accounts):
    return accounts[4]


@pytest.fixture(scope="module")
def outsider(accounts):
    return accounts[9]


def role(name: str) -> bytes:
    return chain.ROLES[name]


def deploy_granting(container, admin, grants, *args):
    """Deploys ``container`` administered by ``admin`` (no admin delay) and grants each
    (role name, holder)."""
    contract = container.deploy(admin, 0, *args, {"from": admin})
    for name, holder in grants:
        contract.grantRole(role(name), holder, {"from": admin})
    return contract


@pytest.fixture(scope="module")
def token(SettlementToken, admin, treasurer):
    return deploy_granting(SettlementToken, admin, [("MINTER", treasurer)])


@pytest.fixture(scope="module")
def rewards_extension(ClaimsEngineRewards, admin):
    """The engine's second extension (member incentives), at its own address."""
    return ClaimsEngineRewards.deploy({"from": admin})


@pytest.fixture(scope="module")
def extension(ClaimsEngineExtension, rewards_extension, admin):
    """The engine's extension, at its own address (as chain.deploy deploys it), delegating
    member incentives to the rewards extension."""
    return ClaimsEngineExtension.deploy(rewards_extension, {"from": admin})


@pytest.fixture(scope="module")
def engine(ClaimsEngine, interface, token, extension, admin, plan_manager, biller, reviewer, treasurer):
    """The claims engine, used through the whole IClaimsEngine ABI: what the engine does not
    run itself its fallback delegates to the extension."""
    deployed = deploy_granting(
        ClaimsEngine, admin,
        [("PLAN_MANAGER", plan_manager), ("BILLER", biller), ("REVIEWER", reviewer), ("TREASURER", treasurer)],
        token, extension,
    )
    return interface.IClaimsEngine(deployed.address)


@pytest.fixture(scope="module")
def basic_scenario():
    return load_scenario(EXAMPLES / "basic")


@pytest.fixture(scope="module")
def loaded(engine, basic_scenario):
    """The engine with the basic example's plans, members, providers and authorizations,
    loaded as `claimledger` loads them (chain.load_reference_data, as the plan manager)."""
    from brownie import web3

    dep = chain.Deployment(web3, {"ClaimsEngine": engine.address}, pseudonyms=UNKEYED)
    chain.load_reference_data(dep, chain.Keys.from_list(dev_keys()), basic_scenario)
    return engine


def dev_keys():
    from claimledger.node import dev_private_keys

    return dev_private_keys(5)


def day(text: str | int) -> int:
    """An ISO date as days since 1970-01-01; a number of days as it is (dates no ISO text writes)."""
    return text if isinstance(text, int) else parse_day(text)


def claim(claim_id="CX1", member="M100", npi=NPI_IN, received="2026-03-02", lines=None,
          diagnoses=("J06.9",), frequency=1, original="") -> bytes:
    """A claim as the engine takes it, packed (codec.encode_claim); lines are (service_date,
    code, units, billed_cents) and, for a line this plan pays second (A-11), the prior payer's
    (other_payer_allowed, other_payer_paid) cents after them. ``lines=[]`` is a claim without
    lines (A-3)."""
    if lines is None:
        lines = [("2026-03-01", "99213", 1, 12000)]
    return encode_claim(Claim(
        claim_id, frequency, original, member, str(npi), day(received), tuple(diagnoses),
        tuple(ClaimLine(day(d), code, units, billed, None, *other) for d, code, units, billed, *other in lines),
    ), UNKEYED)


@pytest.fixture(scope="module")
def records_officer(accounts):
    return accounts[5]


@pytest.fixture(scope="module")
def ledger(PrivacyLedger, admin, plan_manager, reviewer, records_officer):
    """The privacy ledger as chain.deploy wires it: member services by the plan manager's
    account, the records officer's own, PAYER by the reviewer's (docs/ROLES.md)."""
    return deploy_granting(PrivacyLedger, admin, [("MEMBER_SERVICES", plan_manager),
                                                  ("RECORDS_OFFICER", records_officer), ("PAYER", reviewer)])


@pytest.fixture(scope="module")
def member_account():
    """A member's own key (a wallet of theirs, not a node account)."""
    from eth_account import Account

    return Account.from_key(b"\x5a" * 32)


@pytest.fixture(scope="module")
def registered(ledger, plan_manager, member_account):
    """The ledger with MEMBER's key registered by member services."""
    from tests.contracts.privacy_helpers import MEMBER

    ledger.registerMemberKey(MEMBER, member_account.address, {"from": plan_manager})
    return ledger


@pytest.fixture(scope="module")
def reference(scenario, tmp_path_factory):
    """The reference model's run of the module's ``scenario`` (a fixture the module defines)."""
    from claimledger.pipeline import adjudicate_reference

    out = tmp_path_factory.mktemp("reference")
    adjudicate_reference(scenario, out)
    return out
