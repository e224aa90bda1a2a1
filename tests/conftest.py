"""Fixtures named after roles, a fresh deployment per test (fn_isolation), and helpers to
build the calldata the engine takes."""
from pathlib import Path

import pytest

from claimledger import chain
from claimledger.money import parse_day
from claimledger.scenario import load_scenario

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
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
    """Deploys ``container`` administered by ``admin`` and grants each (role name, holder)."""
    contract = container.deploy(admin, 0, *args, {"from": admin})
    for name, holder in grants:
        contract.grantRole(role(name), holder, {"from": admin})
    return contract


@pytest.fixture(scope="module")
def token(SettlementToken, admin, treasurer):
    return deploy_granting(SettlementToken, admin, [("MINTER", treasurer)])


@pytest.fixture(scope="module")
def plans(PlanRegistry, admin, plan_manager):
    return deploy_granting(PlanRegistry, admin, [("PLAN_MANAGER", plan_manager)])


@pytest.fixture(scope="module")
def members(MemberRegistry, plans, admin, plan_manager):
    return deploy_granting(MemberRegistry, admin, [("PLAN_MANAGER", plan_manager)], plans)


@pytest.fixture(scope="module")
def providers(ProviderRegistry, admin, plan_manager):
    return deploy_granting(ProviderRegistry, admin, [("PLAN_MANAGER", plan_manager)])


@pytest.fixture(scope="module")
def authorizations(AuthorizationRegistry, admin, plan_manager):
    return deploy_granting(AuthorizationRegistry, admin, [("PLAN_MANAGER", plan_manager)])


@pytest.fixture(scope="module")
def escrow(SettlementEscrow, token, providers, admin, treasurer):
    return deploy_granting(SettlementEscrow, admin, [("TREASURER", treasurer)], token, providers)


@pytest.fixture(scope="module")
def engine(ClaimsEngine, plans, members, providers, authorizations, escrow, admin, biller, reviewer):
    e = deploy_granting(ClaimsEngine, admin, [("BILLER", biller), ("REVIEWER", reviewer)],
                        plans, members, providers, authorizations, escrow)
    for registry in (members, authorizations, escrow):
        registry.grantRole(role("ENGINE"), e, {"from": admin})
    return e


@pytest.fixture(scope="module")
def basic_scenario():
    return load_scenario(EXAMPLES / "basic")


@pytest.fixture(scope="module")
def loaded(engine, plans, members, providers, authorizations, plan_manager, basic_scenario):
    """The engine with the basic example's plans, members, providers and authorizations."""
    from brownie import web3

    dep = chain.Deployment(web3, {
        "PlanRegistry": plans.address, "MemberRegistry": members.address,
        "ProviderRegistry": providers.address, "AuthorizationRegistry": authorizations.address,
        "ClaimsEngine": engine.address,
    })
    keys = chain.Keys.from_list(dev_keys())
    chain.load_reference_data(dep, keys, basic_scenario)
    return engine


def dev_keys():
    from claimledger.node import dev_private_keys

    return dev_private_keys(5)


def day(text: str) -> int:
    return parse_day(text)


def claim(claim_id="CX1", member="M100", npi=NPI_IN, received="2026-03-02", lines=None,
          diagnoses=("J06.9",), frequency=1, original=""):
    """An IClaimsEngine.ClaimInput tuple; lines are (service_date, code, units, billed_cents)."""
    lines = lines or [("2026-03-01", "99213", 1, 12000)]
    return (
        chain.to_id(claim_id), frequency, chain.to_id(original) if original else b"\0" * 32,
        chain.to_id(member), npi, day(received), [chain.to_bytes8(d) for d in diagnoses],
        [(day(d), chain.to_bytes8(c), u, b) for d, c, u, b in lines],
    )


def carc(event) -> str:
    return bytes(event["carc"]).rstrip(b"\0").decode()
